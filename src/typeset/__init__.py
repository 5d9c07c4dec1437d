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


def _library_dirs() -> list[str]:
    """Where the dynamic linker looks for libraries: LD_LIBRARY_PATH, ld.so.conf."""
    import glob

    dirs = [d for d in _os.environ.get("LD_LIBRARY_PATH", "").split(":") if d]
    for conf in ["/etc/ld.so.conf", *sorted(glob.glob("/etc/ld.so.conf.d/*.conf"))]:
        try:
            with open(conf, encoding="utf-8", errors="replace") as lines:
                dirs += [line.split("#")[0].strip() for line in lines
                         if line.split("#")[0].strip()
                         and not line.lstrip().startswith("include")]
        except OSError:
            pass
    return [*dirs, "/lib", "/usr/lib", "/lib64", "/usr/lib64"]


def _fast_find_library(original):
    """`ctypes.util.find_library` without a subprocess while WeasyPrint loads its
    libraries.

    WeasyPrint tries several names per library (libgobject-2.0-0, gobject-2.0-0, …)
    and cffi asks find_library for each one it cannot open, which forks ldconfig and
    gcc: 22 look-ups and about 200 processes, 0.2 s of every start.  Until WeasyPrint
    has loaded its last library, a name is looked up in the linker's directories
    (lib<name>.so.N, as ldconfig would answer) and an unknown one fails at once, so
    WeasyPrint goes on to the name that opens; after that, the original is used.
    """
    import glob
    import sys

    dirs: list[str] = []

    def find_library(name: str):
        ffi = sys.modules.get("weasyprint.text.ffi")
        if _os.name != "posix" or getattr(ffi, "pangoft2", None) is not None:
            return original(name)
        if not dirs:
            dirs.extend(_library_dirs())
        for folder in dirs:
            found = sorted(glob.glob(_os.path.join(glob.escape(folder), f"lib{name}.so.*")))
            if found or _os.path.exists(_os.path.join(folder, f"lib{name}.so")):
                return _os.path.basename(found[0]) if found else f"lib{name}.so"
        return None

    return find_library


def _install_fast_find_library() -> None:
    import ctypes.util

    if not getattr(ctypes.util.find_library, "_typeset", False):
        fast = _fast_find_library(ctypes.util.find_library)
        fast._typeset = True
        ctypes.util.find_library = fast


_install_fast_find_library()
