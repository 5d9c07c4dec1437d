"""Run the command line: `python -m typeset`, and the `typeset` command (`run`).

A running `typeset serve` of this installation takes the command when it can
(`typeset.server.forward`): nothing heavier than the socket module is imported first.
"""

import sys


def run() -> int:
    """Run `typeset` with sys.argv in the server, else here; return the exit code."""
    from .server import forward

    code = forward(sys.argv[1:])
    if code is None:
        import gc

        from .cli import main

        code = main()
        # The process ends now, and Python's last act would be a full collection of
        # every object the command left (a build's pages and boxes: 0.15-0.25 s).
        # Frozen, they are freed with the process, unscanned; atexit handlers and the
        # flushing of open files still run.
        gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(run())
