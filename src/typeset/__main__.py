"""Run the command line: `python -m typeset`."""

import sys

from .cli import main

sys.exit(main())
