"""How WeasyPrint loads under typeset: the same modules, a third of the start-up time.

Every typeset command that renders (build, preview, watch, check of an issue) starts
by importing WeasyPrint, about half a second, paid again by each process of a
process pool and by every cold preview.  Three costs in it are not WeasyPrint's
work but how it is loaded:

- **library look-ups** (0.2 s): WeasyPrint tries several names per library and cffi
  asks `ctypes.util.find_library` for every name it cannot open, which forks
  ldconfig and gcc (about 200 processes).  Until WeasyPrint has loaded its last
  library, a name is looked up in the linker's directories instead.
- **C declarations** (0.1 s): `weasyprint.text.ffi` hands 16 KB of C declarations to
  cffi, whose C parser (pycparser) reads them at every start.  typeset has cffi
  compile them once into an "out-of-line" declaration module (cffi's own format,
  Python source, no C compiler), kept in the user's cache folder under a hash of the
  declarations, cffi's and Python's versions; later starts load that (5 ms).  The
  few Pango functions typeset needs and WeasyPrint does not declare
  (:data:`PANGO_EXTRA`) are compiled into the same module.
- **font tools needed only without HarfBuzz** (0.15 s): `weasyprint.pdf.fonts`
  imports fontTools' subsetter and variable-font instancer at load time; it uses
  them only when HarfBuzz's subsetter is missing or a font is variable.  They are
  loaded the first time they are used.
- **the presentational hints' style sheet** (20-30 ms): `weasyprint.html` parses
  it at load time, for renders with ``presentational_hints=True``, which typeset's
  never are.  It is parsed the first time such a render reads it
  (:class:`_LazyStyleSheet`).
- **the user agent's style sheet** (40-60 ms): `weasyprint.html` parses it (18 KB,
  282 selectors compiled to Python, 49 counter styles) at load time, the same every
  time.  What the parse leaves is kept in the cache folder and later starts load
  that (2 ms): :mod:`typeset.sheets`.

The changes to a module are made to its source as WeasyPrint ships it, when it is
imported (the statements are found in its syntax tree, not by line number); when
they are not found exactly (another WeasyPrint) or the cache cannot be written, the
module is loaded as it is, so typeset is slower to start, never different.  The
changed modules' bytecode is kept in the cache folder too.  The libraries opened
through the compiled declarations stay loaded until the process ends
(:func:`_pin_libraries`).  ``TYPESET_PLAIN_IMPORT=1`` in the environment leaves
WeasyPrint's modules as shipped (to compare, or to rule this out).

In:  nothing; :func:`install` runs when :mod:`typeset` is imported, before any
stage imports WeasyPrint.  Out: the import hooks, :func:`cache_dir`,
:func:`compiled_ffi` (the compiled declarations, when in use).
"""

from __future__ import annotations

import ast
import contextlib
import functools
import glob
import hashlib
import importlib.machinery
import io
import marshal
import os
import sys
from pathlib import Path

#: Pango (and HarfBuzz) functions typeset calls that WeasyPrint's declarations lack.
PANGO_EXTRA = """
    PangoAttribute * pango_attr_allow_breaks_new (gboolean allow_breaks);
    PangoAttrList * pango_attr_list_copy (PangoAttrList *list);
    const char * hb_version_string (void);
"""

_FFI_MODULE = "weasyprint.text.ffi"
_FONTS_MODULE = "weasyprint.pdf.fonts"
_HTML_MODULE = "weasyprint.html"
#: The modules changed, and the stem of their cached code's file name.
_CHANGED = {_FFI_MODULE: "weasyprint-ffi", _FONTS_MODULE: "weasyprint-fonts",
            _HTML_MODULE: "weasyprint-html"}
_COMPILED = None  # the compiled declarations' ffi, once weasyprint.text.ffi uses it


def cache_dir() -> Path:
    """typeset's folder in the user's cache ($XDG_CACHE_HOME/typeset, ~/.cache/typeset):
    what is slow to compute and depends only on files outside any issue."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "typeset"


def compiled_ffi():
    """The ffi of WeasyPrint's declarations compiled with :data:`PANGO_EXTRA`, or None
    when WeasyPrint loaded its declarations itself (or is not loaded yet)."""
    return _COMPILED


# -- library look-ups ---------------------------------------------------------------


def _library_dirs() -> list[str]:
    """Where the dynamic linker looks for libraries: LD_LIBRARY_PATH, ld.so.conf."""
    dirs = [d for d in os.environ.get("LD_LIBRARY_PATH", "").split(":") if d]
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
    libraries: a name is looked up in the linker's directories (lib<name>.so.N, as
    ldconfig would answer) and an unknown one fails at once, so WeasyPrint goes on to
    the name that opens; after WeasyPrint's last library, the original is used."""
    dirs: list[str] = []

    def find_library(name: str):
        ffi = sys.modules.get(_FFI_MODULE)
        if os.name != "posix" or getattr(ffi, "pangoft2", None) is not None:
            return original(name)
        if not dirs:
            dirs.extend(_library_dirs())
        for folder in dirs:
            found = sorted(glob.glob(os.path.join(glob.escape(folder), f"lib{name}.so.*")))
            if found or os.path.exists(os.path.join(folder, f"lib{name}.so")):
                return os.path.basename(found[0]) if found else f"lib{name}.so"
        return None

    return find_library


# -- WeasyPrint's modules, loaded from their source with the changes above ----------


def _is_call(node, attribute: str) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == attribute)


def _without_declarations(tree: ast.Module):
    """`tree` (weasyprint/text/ffi.py) without `ffi = cffi.FFI()` and
    `ffi.cdef('''…''')`, and the declarations; None when they are not there as such."""
    body, declarations, made = [], None, False
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "ffi"
                and _is_call(node.value, "FFI") and not made):
            made = True
            continue
        if (isinstance(node, ast.Expr) and _is_call(node.value, "cdef") and made
                and declarations is None and len(node.value.args) == 1
                and isinstance(node.value.args[0], ast.Constant)
                and isinstance(node.value.args[0].value, str)):
            declarations = node.value.args[0].value
            continue
        body.append(node)
    if not made or declarations is None:
        return None
    tree.body = body
    return tree, declarations


def _write_cache(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole (a temporary file renamed), or not at all."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_bytes(data)
        os.replace(temporary, path)


def write_kept(path: Path, data: bytes, pattern: str, most: int,
               most_bytes: int | None = None) -> None:
    """Write `data` to `path` in the cache folder (:func:`_write_cache`), then keep
    the newest files of `path`'s folder matching `pattern` while there are at most
    `most` of them and `most_bytes` bytes: the oldest go."""
    _write_cache(path, data)
    with contextlib.suppress(OSError):
        kept = sorted(((p.stat().st_mtime, p.stat().st_size, p)
                       for p in path.parent.glob(pattern)), reverse=True)
        total = 0
        for count, (_, size, old) in enumerate(kept, 1):
            total += size
            if count > most or (most_bytes is not None and total > most_bytes):
                os.unlink(old)


def _load_compiled(path: Path, declarations):
    """The ffi of WeasyPrint's declarations + PANGO_EXTRA, from `path` in the cache,
    compiled there first when missing (`declarations()` gives them); None when it can
    be neither read nor written."""
    try:
        source = path.read_text(encoding="utf-8")
    except OSError:
        source = None
    if source is None:
        try:
            import cffi

            builder = cffi.FFI()
            builder.cdef(declarations())
            builder.cdef(PANGO_EXTRA)
            builder.set_source(f"_typeset_{path.stem.replace('-', '_')}", None)
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}")
            with contextlib.redirect_stdout(io.StringIO()):  # cffi says "generating …"
                builder.emit_python_code(str(temporary))
            os.replace(temporary, path)
            source = path.read_text(encoding="utf-8")
        except Exception:  # noqa: BLE001 -- no cache: WeasyPrint parses them itself
            return None
    namespace: dict = {}
    # its bytecode kept beside it, under the source's hash (compiling the 25 KB of
    # source: 4 ms a start)
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    code_path = path.with_name(f"{path.stem}-{digest}.code")
    try:
        try:
            code = marshal.loads(code_path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            code = compile(source, str(path), "exec")
            _write_cache(code_path, marshal.dumps(code))
        exec(code, namespace)  # noqa: S102 -- cffi's output
    except Exception:  # noqa: BLE001 -- a damaged cache file: parse as WeasyPrint does
        with contextlib.suppress(OSError):
            path.unlink()
            code_path.unlink()
        return None
    return namespace.get("ffi")


class _Lazy:
    """A module, imported when one of its attributes is first used."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        module = importlib.import_module(self._name)
        return getattr(module, attribute)


def _lazy_function(module: str, name: str):
    def call(*args, **kwargs):
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


def _lazy_font_tools() -> dict:
    return {"subset": _Lazy("fontTools.subset"),
            "instantiateVariableFont": _lazy_function("fontTools.varLib.instancer",
                                                      "instantiateVariableFont")}


def _with_lazy_font_tools(tree: ast.Module):
    """`tree` (weasyprint/pdf/fonts.py) without `from fontTools import subset` and
    `from fontTools.varLib.instancer import instantiateVariableFont` (the names are
    bound by :func:`_lazy_font_tools` instead); None when not there as such."""
    wanted = {("fontTools", ("subset",)),
              ("fontTools.varLib.instancer", ("instantiateVariableFont",))}
    body = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            imported = (node.module, tuple(a.name for a in node.names))
            if imported in wanted and all(a.asname is None for a in node.names):
                wanted.discard(imported)
                continue
        body.append(node)
    if wanted:
        return None
    tree.body = body
    return tree


class _LazyStyleSheet:
    """A WeasyPrint style sheet (``CSS``) made when one of its attributes is first
    read, by the function it is given."""

    def __init__(self, make):
        self._make, self._sheet = make, None

    def __getattr__(self, attribute: str):
        if self._sheet is None:
            self._sheet = self._make()
        return getattr(self._sheet, attribute)


def _cached_style_sheet(text: str, make, counter_style):
    """WeasyPrint's user agent sheet: :func:`typeset.sheets.parsed_once`."""
    from .sheets import parsed_once

    return parsed_once(text, make, counter_style=counter_style)


def _assigned_call(tree: ast.Module, target: str, function: str):
    """The statement ``target = function(…)`` at the top level of `tree`, or None."""
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == target
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name) and node.value.func.id == function):
            return node
    return None


def _with_html_changes(tree: ast.Module):
    """`tree` (weasyprint/html.py) with ``PH_STYLESHEET = CSS(…)`` made a
    :class:`_LazyStyleSheet` of the same call (bound as ``_typeset_lazy``), and
    ``UA_STYLESHEET = CSS(string=UA, counter_style=UA_COUNTER_STYLE)`` taken through
    :func:`_cached_style_sheet` (bound as ``_typeset_cached``); None when either is
    not there as such."""
    hints = _assigned_call(tree, "PH_STYLESHEET", "CSS")
    agent = _assigned_call(tree, "UA_STYLESHEET", "CSS")
    keywords = {k.arg: k.value for k in agent.value.keywords} if agent is not None else {}
    if hints is None or agent is None or agent.value.args or set(keywords) != {
            "string", "counter_style"} or not all(
            isinstance(value, ast.Name) for value in keywords.values()):
        return None
    no_arguments = ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[],
                                 defaults=[])
    hints.value = ast.Call(func=ast.Name("_typeset_lazy", ast.Load()),
                           args=[ast.Lambda(no_arguments, hints.value)], keywords=[])
    agent.value = ast.Call(func=ast.Name("_typeset_cached", ast.Load()),
                           args=[ast.Name(keywords["string"].id, ast.Load()),
                                 ast.Lambda(no_arguments, agent.value),
                                 ast.Name(keywords["counter_style"].id, ast.Load())],
                           keywords=[])
    ast.fix_missing_locations(tree)
    return tree


class _WeasyPrintLoader:
    """Finds weasyprint.text.ffi, weasyprint.pdf.fonts and weasyprint.html where
    Python would, and runs their source with the changes above; as they are when a
    change does not apply.  (A finder and a loader by the import system's protocols; importlib.abc
    is not imported for them: it loads importlib.resources, 13 ms.)"""

    def find_spec(self, fullname, path, target=None):
        if fullname not in _CHANGED:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return spec
        spec.loader = _Changed(spec.loader)
        return spec


class _Changed:
    def __init__(self, original: importlib.machinery.SourceFileLoader):
        self.original = original

    def create_module(self, spec):
        return None

    def get_source(self, fullname):
        return self.original.get_source(fullname)

    def get_filename(self, fullname):
        return self.original.get_filename(fullname)

    def exec_module(self, module) -> None:
        global _COMPILED
        try:
            changed = self._changed(module.__name__)
        except (OSError, SyntaxError, ValueError, TypeError, AttributeError, KeyError):
            changed = None
        if changed is None:
            self.original.exec_module(module)
            return
        code, names = changed
        module.__dict__.update(names)
        exec(code, module.__dict__)  # noqa: S102 -- WeasyPrint's module, changed as above
        if module.__name__ == _FFI_MODULE:
            _COMPILED = names["ffi"]
            _pin_libraries(module)

    def _changed(self, name: str):
        """(code, names it needs) of module `name` changed as above, both from the
        cache when there; None when the change does not apply."""
        path = self.original.path
        source = self.original.get_data(path)
        stem = _CHANGED[name]
        # this module's own source too: a change to how a module is changed is a
        # change of the code kept
        key = hashlib.sha256(repr((name, source, _own_source(), _cffi_version(),
                                   sys.version)).encode()).hexdigest()[:24]
        code_path = cache_dir() / f"{stem}-{key}.code"
        try:
            code = marshal.loads(code_path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            code = None
        declarations = None
        if code is None:
            tree = ast.parse(source, path)
            if name == _FFI_MODULE:
                found = _without_declarations(tree)
                if found is None:
                    return None
                tree, declarations = found
            elif (_with_lazy_font_tools if name == _FONTS_MODULE
                  else _with_html_changes)(tree) is None:
                return None
            code = compile(tree, path, "exec")
            _write_cache(code_path, marshal.dumps(code))
        if name == _FONTS_MODULE:
            return code, _lazy_font_tools()
        if name == _HTML_MODULE:
            return code, {"_typeset_lazy": _LazyStyleSheet,
                          "_typeset_cached": _cached_style_sheet}

        def parsed() -> str:
            return declarations or _without_declarations(ast.parse(source, path))[1]

        ffi = _load_compiled(cache_dir() / f"{stem}-{key}.py", parsed)
        return None if ffi is None else (code, {"ffi": ffi})


#: The libraries WeasyPrint opened through the compiled declarations, opened once more
#: (ctypes never closes a library): see :func:`_pin_libraries`.
_PINNED: list = []


def _pin_libraries(module) -> None:
    """Keep the libraries `module` (weasyprint.text.ffi) opened loaded until the
    process ends.

    A library opened by an out-of-line ffi is closed (dlclose) when its Python object
    goes, and at the interpreter's exit that can come before the last Pango layouts
    and HarfBuzz faces are freed, whose destructors then call into unmapped code: a
    segmentation fault at exit, after everything else went well (pytest's run of the
    whole suite).  WeasyPrint's own declarations keep their libraries on the ffi
    object.  Opening each library once more through ctypes, which never closes one,
    keeps it mapped whatever the order of the exit."""
    import ctypes

    for value in vars(module).values():
        name = getattr(value, "__name__", None) if type(value).__name__ == "Lib" else None
        if isinstance(name, str) and name.endswith(".lib"):  # cffi names it <library>.lib
            with contextlib.suppress(OSError):
                _PINNED.append(ctypes.CDLL(name[:-len(".lib")]))


@functools.cache
def _own_source() -> bytes:
    """This module's source, read once (each changed module's key holds it)."""
    return Path(__file__).read_bytes()


def _cffi_version() -> str:
    import cffi  # 5 ms, without its C parser

    return cffi.__version__


def install() -> None:
    """Install the look-up and the loader (once, and only while WeasyPrint is not
    loaded yet: a module already imported is left as it is)."""
    import ctypes.util

    if not getattr(ctypes.util.find_library, "_typeset", False):
        fast = _fast_find_library(ctypes.util.find_library)
        fast._typeset = True
        ctypes.util.find_library = fast
    if os.environ.get("TYPESET_PLAIN_IMPORT"):
        return
    if not any(isinstance(finder, _WeasyPrintLoader) for finder in sys.meta_path):
        sys.meta_path.insert(0, _WeasyPrintLoader())
