"""typeset: print editions of Chinese government gazettes (政府公报) from XML.

The pipeline, one module per stage:
parse (XML to `model.Issue`) → compose (Issue to HTML through a layout) →
pdf (HTML to PDF with WeasyPrint) → check (PDF to findings); `build` runs them in
order and `cli` is the command line.
"""

import os as _os
import warnings as _warnings
from pathlib import Path as _Path

__version__ = "0.1.0"

# Fonts come only from the layout's @font-face rules, never from the system: point
# fontconfig at a configuration with no font directories before WeasyPrint (which
# loads fontconfig when it is imported) is imported by any stage.
_os.environ["FONTCONFIG_FILE"] = str(_Path(__file__).with_name("fontconfig.conf"))
# ... and so WeasyPrint's import-time complaint that fontconfig has no fonts is expected.
_warnings.filterwarnings(
    "ignore", message="No fonts configured in FontConfig", category=UserWarning
)


# WeasyPrint loads in a third of the time (no subprocesses, C declarations parsed
# once per machine, font tools only when used): see typeset.startup.
from . import startup as _startup  # noqa: E402

_startup.install()
