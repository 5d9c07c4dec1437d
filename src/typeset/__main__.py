"""Run the command line: `python -m typeset`, and the `typeset` command (`run`).

A running `typeset serve` of this installation takes the command when it can
(`typeset.server.forward`): nothing heavier than the socket module is imported first.
"""

import gc
import sys

#: Allocations between two young-generation collections in a command's process
#: (Python's default is 700): the imports of a build or preview leave 38,000 objects
#: tracked, hardly any of them garbage, which 106 young and 9 middle collections
#: scanned (about 15 ms of a 0.3 s start).  The render sets its own (`pdf.RENDER_GC_THRESHOLD`).
COMMAND_GC_THRESHOLD = (50_000, 20, 100)


def run() -> int:
    """Run `typeset` with sys.argv in the server, else here; return the exit code."""
    from .server import forward

    code = forward(sys.argv[1:])
    if code is None:
        gc.set_threshold(*COMMAND_GC_THRESHOLD)
        from . import compiled

        compiled.install()  # before the imports that compile patterns and dataclasses
        from . import build
        from .cli import main

        build.FRONT_ASIDE = True  # this process is the command's own: it may fork

        code = main()
        # The process ends now, and Python's last act would be a full collection of
        # every object the command left (a build's pages and boxes: 0.15-0.25 s).
        # Frozen, they are freed with the process, unscanned; atexit handlers and the
        # flushing of open files still run.
        gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(run())
