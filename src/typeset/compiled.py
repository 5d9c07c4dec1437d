"""Regular expressions and dataclass methods compiled once per machine, not per process.

A command's process compiles the same things at every start, as the modules it
imports ask for them: about 200 regular expressions (Python's ``re`` parses each
pattern and compiles it to its matching engine's code) and the methods of about 55
dataclasses (``dataclasses`` writes each ``__init__``, ``__eq__``, ``__hash__``… as
Python source and compiles it).  Together 30-40 ms of a 0.25 s start, before any
work on the issue.  Both results depend on their input text and Python alone:

- a pattern's engine code, on the pattern, its flags and Python's version;
- a method's bytecode, on its source text and Python's version.

So the process that compiles one keeps it, and at exit the new ones are written to
the user's cache folder (``compiled-<Python's tag>-<hash of its version>.marshal``,
in marshal, Python's own format for bytecode); the next process takes them from
there.  A pattern taken is handed to the matching engine as the compiler would hand
it (``_sre.compile``), so it is the same pattern object (patterns compare equal by
pattern, flags and code: tests/test_compiled.py).  A method's source is compiled by
``compile(source, "<string>", "exec")``, which is what ``exec`` of the source does.

The file is written when it lacked at least a tenth of what the process compiled
(:data:`WRITE_AFTER`): at a first start, after an upgrade.  Not for fewer: some
modules build a pattern from a set's characters (the email package's), whose order
Python randomises per process, so a few patterns are new in every process, and a
write (0.4 MB) for them would cost more than it saves.  A file that does not load
(damaged, another shape) is ignored and written again.  It holds at most
:data:`MOST` of each kind.  Only what modules compile passes through it, never issue text:
the patterns of every stage are fixed in their code.

In:  nothing; :func:`install` runs first thing in a command's process
     (`typeset.__main__`), before the imports.
Out: for the process, ``re``'s compiler and ``dataclasses``' ``exec`` replaced by
     versions that look in the kept file first; the file written at exit when the
     process compiled something new.
"""

from __future__ import annotations

import _sre
import atexit
import hashlib
import marshal
import re
import sys

#: At most this many patterns, and as many methods, are kept in the file.
MOST = 4000
#: The file is written at exit when at least this share of what the process
#: compiled was not in it.
WRITE_AFTER = 0.1

_STEM = "compiled-"


def _path():
    from .startup import cache_dir

    version = hashlib.sha256(sys.version.encode()).hexdigest()[:16]
    return cache_dir() / f"{_STEM}{sys.implementation.cache_tag}-{version}.marshal"


def _load(path) -> tuple[dict, dict]:
    """The kept patterns and methods at `path`; empty when it does not load."""
    try:
        # read whole, then loaded: marshal.load reads a file piece by piece (27 ms)
        with open(path, "rb") as stream:
            patterns, sources = marshal.loads(stream.read())
        if isinstance(patterns, dict) and isinstance(sources, dict):
            return patterns, sources
    except (OSError, EOFError, ValueError, TypeError):
        pass
    return {}, {}


class _Kept:
    """The patterns and methods of the file, and those this process added."""

    def __init__(self, path) -> None:
        self.path = path
        self.patterns, self.sources = _load(path)
        self.asked = self.new = 0

    def pattern(self, pattern, flags: int):
        """`pattern` (text or bytes) compiled with `flags`, as ``re._compiler.compile``
        compiles it: parsed and turned into code only when not kept."""
        compiler = re._compiler
        key = (pattern, flags)
        self.asked += 1
        kept = self.patterns.get(key)
        if kept is None:
            parsed = compiler._parser.parse(pattern, flags)
            code = compiler._code(parsed, flags)
            groupindex = parsed.state.groupdict
            indexgroup = [None] * parsed.state.groups
            for name, index in groupindex.items():
                indexgroup[index] = name
            # the compiler's opcodes are int subclasses: kept as plain ints
            kept = (int(flags | parsed.state.flags), [int(op) for op in code],
                    parsed.state.groups - 1, dict(groupindex), tuple(indexgroup))
            if len(self.patterns) < MOST:
                self.patterns[key] = kept
                self.new += 1
        all_flags, code, groups, groupindex, indexgroup = kept
        return _sre.compile(pattern, all_flags, code, groups, groupindex, indexgroup)

    def code(self, source: str):
        """The bytecode of `source` (a dataclass method's text)."""
        self.asked += 1
        kept = self.sources.get(source)
        if kept is None:
            kept = compile(source, "<string>", "exec")
            if len(self.sources) < MOST:
                self.sources[source] = kept
                self.new += 1
        return kept

    def write(self) -> None:
        """Write the file when it lacked enough of what this process compiled, with
        what another process wrote to it meanwhile (a build's child: `build`)."""
        if not self.new or self.new < WRITE_AFTER * self.asked:
            return
        from .startup import write_kept

        patterns, sources = _load(self.path)
        for kept, mine in ((patterns, self.patterns), (sources, self.sources)):
            for key, value in mine.items():
                if len(kept) >= MOST:
                    break
                kept.setdefault(key, value)
        try:
            data = marshal.dumps((patterns, sources))
        except ValueError:  # something marshal cannot hold: keep nothing
            return
        # one file per Python: the newest few are kept
        write_kept(self.path, data, f"{_STEM}*.marshal", 4)
        self.new = 0


_INSTALLED: _Kept | None = None


def install() -> None:
    """Compile patterns and dataclass methods from the kept file for the rest of the
    process (once); write what it adds at exit.  Nothing is replaced on a Python
    whose ``re`` and ``dataclasses`` are not shaped as these expect."""
    global _INSTALLED
    if _INSTALLED is not None:
        return
    import dataclasses

    compiler = getattr(re, "_compiler", None)
    if compiler is None or not all(hasattr(compiler, name) for name in
                                    ("compile", "_code", "_parser", "SRE_FLAG_DEBUG")):
        return
    kept = _INSTALLED = _Kept(_path())
    original_compile = compiler.compile
    debug = compiler.SRE_FLAG_DEBUG

    def compile_pattern(p, flags=0):
        # as re._compiler.compile, for a pattern given as text (re.compile's case)
        if type(p) not in (str, bytes) or flags & debug:
            return original_compile(p, flags)
        return kept.pattern(p, int(flags))

    def exec_source(source, globals=None, locals=None, /):
        # dataclasses' methods: its one use of exec is on generated source text
        if type(source) is str:
            source = kept.code(source)
        return exec(source, globals, locals)

    compiler.compile = compile_pattern
    dataclasses.exec = exec_source
    atexit.register(kept.write)


def write() -> None:
    """Write now what this process compiled (see `_Kept.write`), when installed: for a
    forked child, which leaves without running atexit."""
    if _INSTALLED is not None:
        _INSTALLED.write()
