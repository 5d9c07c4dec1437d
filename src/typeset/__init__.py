"""typeset: print editions of Chinese government gazettes (政府公报) from XML.

The pipeline, one module per stage:
parse (XML to `model.Issue`) → compose (Issue to HTML through a layout) →
pdf (HTML to PDF with WeasyPrint) → check (PDF to findings); `build` runs them in
order and `cli` is the command line.
"""

import os as _os
import sys as _sys
import warnings as _warnings

__version__ = "0.1.0"

# Fonts come only from the layout's @font-face rules, never from the system: point
# fontconfig at a configuration with no font directories before WeasyPrint (which
# loads fontconfig when it is imported) is imported by any stage.
_os.environ["FONTCONFIG_FILE"] = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)),
                                               "fontconfig.conf")


class _BeforeWeasyPrint:
    """A finder that finds nothing: the first import of WeasyPrint or cffi installs
    `typeset.startup` (WeasyPrint loads in a third of the time: no subprocesses, C
    declarations parsed once per machine, font tools only when used) just before it.
    A command that never renders (validate, a forwarded command: `typeset.server`)
    does not pay the 30 ms that loading `startup` and `ctypes.util` costs."""

    done = False

    def find_spec(self, fullname, path=None, target=None):
        if not self.done and fullname.partition(".")[0] in ("weasyprint", "cffi"):
            self.done = True
            # fontconfig has no fonts (above): WeasyPrint's import-time complaint of
            # it is expected
            _warnings.filterwarnings(
                "ignore", message="No fonts configured in FontConfig", category=UserWarning
            )
            from . import startup

            startup.install()
        return None


if not any(isinstance(f, _BeforeWeasyPrint) for f in _sys.meta_path):
    _sys.meta_path.insert(0, _BeforeWeasyPrint())
