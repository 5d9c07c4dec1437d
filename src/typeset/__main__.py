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
        from .cli import main

        code = main()
    return code


if __name__ == "__main__":
    sys.exit(run())
