"""Start-up: loading WeasyPrint through typeset (`typeset.startup`).

WeasyPrint opens its libraries by trying several names each; cffi asks
`ctypes.util.find_library` for every name it cannot open, which forks ldconfig and
gcc (about 200 processes, 0.2 s of every command).  typeset answers those look-ups
from the linker's directories while WeasyPrint loads.  WeasyPrint's C declarations
are compiled once into the user's cache, and the font tools it needs only without
HarfBuzz load when used: the same modules, the same PDF, half the start-up.
"""

import subprocess
import sys

from .conftest import FIXTURES
from .test_cjk import FAMILY, FONT_FACE

FIXTURES_MINIMAL = FIXTURES / "minimal.xml"

PROBE = """
import subprocess
started = []
original = subprocess.Popen.__init__
def counting(self, *args, **kwargs):
    started.append(args[0] if args else kwargs.get("args"))
    return original(self, *args, **kwargs)
subprocess.Popen.__init__ = counting
import typeset
import weasyprint
from weasyprint.text import ffi
import ctypes.util
print(len(started), ffi.pango is not None, ffi.pangoft2 is not None,
      ffi.harfbuzz_subset is not None)
# after WeasyPrint, other callers get the original look-up
print(ctypes.util.find_library("c") is not None)
"""


def test_loading_weasyprint_starts_no_process():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[0] == "0", out
    assert out[1:4] == ["True", "True", "True"]  # every library found, subset included
    assert out[4] == "True"


def test_several_issues_build_side_by_side(tmp_path, capsys, monkeypatch):
    """`typeset build A B` builds both (a process each, on a machine with cores to
    spare), prints a line per issue in the order given, and one issue's bad input
    does not stop the other: the exit code is the worst."""
    from typeset.cli import main

    good = tmp_path / "good.xml"
    good.write_text((FIXTURES / "minimal.xml").read_text(encoding="utf-8"), encoding="utf-8")
    bad = tmp_path / "bad.xml"
    bad.write_text("<issue version='1'>", encoding="utf-8")
    other = tmp_path / "other.xml"
    other.write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["build", str(good), str(bad), str(other)]) == 2
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == ["out/good.pdf", "out/other.pdf"]
    assert (tmp_path / "out" / "good.pdf").exists() and (tmp_path / "out" / "other.pdf").exists()
    assert err.strip().startswith("bad.xml:1:")
    assert main(["build", str(good), str(other), "-o", str(tmp_path / "x.pdf")]) == 1
    assert "-o goes with exactly one issue file" in capsys.readouterr().err


def test_clreq_rules_are_pure():
    """The clreq rules load without WeasyPrint: the composer, the typography check and
    the engine share them, and a tool that only needs the rules stays light."""
    out = subprocess.run([sys.executable, "-c", "import sys, typeset.clreq as r; "
                          "print('weasyprint' in sys.modules, r.no_break_between('2', '年'))"],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]


def test_weasyprint_is_left_as_found_after_a_build(tmp_path):
    """The Chinese extension patches WeasyPrint only while typeset renders: after a
    build, WeasyPrint's own functions are back, for any other user in the process."""
    probe = f"""
import weasyprint.layout.inline as inline, weasyprint.text.line_break as line_break
from pathlib import Path
from typeset import cjk
from typeset.build import Options, build
before = (inline.split_text_box, inline.text_align, line_break.Layout.set_text)
build(Path({str(FIXTURES_MINIMAL)!r}), Options(output=Path({str(tmp_path / "m.pdf")!r})))
after = (inline.split_text_box, inline.text_align, line_break.Layout.set_text)
print(before == after, cjk.is_enabled())
"""
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "False"]


LOAD = """
import sys, typeset, weasyprint
from typeset import startup
from typeset.cjk.internals import pango_extra
from weasyprint.text import ffi as ffi_module
import weasyprint.pdf.fonts as fonts
ffi, pango = pango_extra()
print(startup.compiled_ffi() is ffi_module.ffi, pango is ffi_module.pango,
      "pycparser" in sys.modules, "fontTools.subset" in sys.modules,
      "fontTools.varLib.instancer" in sys.modules)
# what was left unloaded loads when used
print(fonts.subset.Options is sys.modules["fontTools.subset"].Options,
      fonts.instantiateVariableFont.__name__)
# the libraries stay loaded until the process ends (no dlclose before the last
# Pango layout is freed at exit)
print(sorted(lib._name for lib in startup._PINNED) if startup.compiled_ffi() else "-")
"""


def _environment(cache, *, plain=False) -> dict:
    """This process's environment with `cache` as the cache folder, and WeasyPrint
    loaded as it ships (`plain`) or through typeset.startup."""
    import os

    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("TYPESET_PLAIN_IMPORT", None)
    if plain:
        env["TYPESET_PLAIN_IMPORT"] = "1"
    return env


def _start(cache, *, plain=False):
    return subprocess.run([sys.executable, "-c", LOAD], capture_output=True, text=True,
                          check=True, env=_environment(cache, plain=plain)).stdout.split()


def test_weasyprint_declarations_are_compiled_once(tmp_path):
    """The first start compiles WeasyPrint's C declarations (with the Pango functions
    typeset adds) into the cache; later starts load them without cffi's C parser,
    and the font tools WeasyPrint needs only without HarfBuzz wait until used."""
    first = _start(tmp_path)
    assert first[:2] == ["True", "True"]
    assert first[3:5] == ["False", "False"]  # fontTools' subsetter: not loaded
    assert first[5:7] == ["True", "instantiateVariableFont"]
    pinned = " ".join(first[7:])
    assert "libpango-1.0" in pinned and "libharfbuzz" in pinned
    compiled = list((tmp_path / "typeset").glob("weasyprint-ffi-*.py"))
    assert len(compiled) == 1
    # and their bytecode, under the hash of their source
    assert len(list((tmp_path / "typeset").glob(f"{compiled[0].stem}-*.code"))) == 1
    assert _start(tmp_path)[:5] == ["True", "True", "False", "False", "False"]
    # a damaged cache file: WeasyPrint parses its declarations itself, the file goes
    compiled[0].write_text("ffi = (", encoding="utf-8")
    assert _start(tmp_path)[:3] == ["False", "False", "True"]
    assert not compiled[0].exists()
    assert _start(tmp_path)[:3] == ["True", "True", "True"]  # compiled again
    # a cache that cannot be written: as WeasyPrint loads by itself
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    assert _start(blocked)[:3] == ["False", "False", "True"]
    assert _start(tmp_path, plain=True)[:4] == ["False", "False", "True", "True"]


def test_compiled_declarations_print_the_same_pdf(tmp_path):
    """A build with WeasyPrint's declarations compiled and its font tools loaded
    when used gives the same bytes as one with WeasyPrint loaded as it ships."""

    pdfs = []
    for plain in (False, True):
        env = _environment(tmp_path / "cache", plain=plain)
        out = tmp_path / f"{plain}.pdf"
        subprocess.run([sys.executable, "-m", "typeset", "build", str(FIXTURES_MINIMAL),
                        "-o", str(out)], check=True, env=env, capture_output=True)
        pdfs.append(out.read_bytes())
    assert pdfs[0] == pdfs[1]


def test_commands_that_do_not_compose_load_neither_weasyprint_nor_jinja(tmp_path):
    """validate and check --pdf read the issue and the PDF: no WeasyPrint, no Jinja
    (the layout's template environment is made when a build first composes)."""
    from typeset.build import Options, build

    pdf = tmp_path / "m.pdf"
    build(FIXTURES_MINIMAL, Options(output=pdf))
    probe = ("import sys\n"
             "from typeset.cli import main\n"
             "code = main(sys.argv[1:])\n"
             "print(code, 'jinja2' in sys.modules, 'weasyprint' in sys.modules)\n")
    for command in (["validate", str(FIXTURES_MINIMAL)],
                    ["check", str(FIXTURES_MINIMAL), "--pdf", str(pdf)]):
        out = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True,
                             text=True, check=True).stdout
        assert out.splitlines()[-1].split()[1:] == ["False", "False"], (command, out)


def test_typeset_loads_startup_only_when_weasyprint_loads():
    """`import typeset` (every command, and the caller of a resident server) does not
    load `typeset.startup` and ctypes (30 ms); the first import of WeasyPrint does,
    before WeasyPrint opens a library, and WeasyPrint then uses the compiled
    declarations."""
    probe = ("import sys, typeset; print('typeset.startup' in sys.modules, "
             "'ctypes.util' in sys.modules); import weasyprint; "
             "from typeset import startup; print(startup.compiled_ffi() is not None)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False", "True"]


def test_the_command_leaves_its_objects_to_the_end_of_the_process():
    """`typeset` (run in its own process) freezes what the command left before the
    interpreter's exit, whose last full collection would scan it all; `cli.main`,
    which tests and the resident server call, does not."""
    probe = ("import gc, sys, os; os.environ['TYPESET_SERVER'] = '0'; "
             "from typeset.__main__ import run; from typeset.cli import main; "
             f"sys.argv = ['typeset', 'validate', {str(FIXTURES_MINIMAL)!r}]; "
             "main(sys.argv[1:]); print('frozen', gc.get_freeze_count()); "
             "print('run', run(), gc.get_freeze_count() > 1000)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert "frozen 0" in out and out[-1] == "run 0 True", out


HINTS_PROBE = """
import sys
import typeset
import weasyprint
from weasyprint import html
from weasyprint.formatting_structure import boxes
print(type(html.PH_STYLESHEET).__name__, getattr(html.PH_STYLESHEET, "_sheet", 0) is None)
document = weasyprint.HTML(string=sys.argv[1] + '<body><p align="center">中文</p>'
                                  '<table border="2" cellpadding="7"><tr><td>甲</td></table>'
                                  '</body>').render(presentational_hints=True)
for box in (box for page in document.pages for box in page._page_box.descendants()):
    if isinstance(box, (boxes.BlockBox, boxes.TableCellBox, boxes.LineBox)):
        print(type(box).__name__, box.element_tag, round(box.position_x, 2),
              round(box.width, 2), round(box.border_top_width, 2),
              round(box.padding_left, 2))
"""


def test_the_presentational_hints_style_sheet_is_parsed_when_used(tmp_path):
    """weasyprint.html no longer parses the presentational hints' style sheet at
    load time (typeset's renders never read it); a render with
    ``presentational_hints=True`` parses it then, and lays out as WeasyPrint loaded
    as shipped does."""

    outputs = []
    for plain in (False, True):
        env = _environment(tmp_path / "cache", plain=plain)
        # a face of the project's: without one the text has no font, and its layout
        # depends on what fontconfig has at hand
        style = f"<style>{FONT_FACE} body {{ font-family: {FAMILY} }}</style>"
        outputs.append(subprocess.run([sys.executable, "-c", HINTS_PROBE, style], env=env,
                                      capture_output=True, text=True, check=True
                                      ).stdout.splitlines())
    ours, shipped = outputs
    assert ours[0] == "_LazyStyleSheet True" and shipped[0] == "CSS False"
    assert ours[1:] == shipped[1:]
    # the hints were applied: the paragraph's line centred, the cell's padding
    assert any(line.startswith("LineBox p ") and float(line.split()[2]) > 300
               for line in ours)
    assert any(line.startswith("TableCellBox td ") and line.endswith(" 7.0")
               for line in ours)


AGENT_PROBE = '''
import hashlib, sys
import cssselect2.compiler
compiled = [0]
original = cssselect2.compiler.CompiledSelector.__init__
def counting(self, parsed):
    compiled[0] += 1
    original(self, parsed)
cssselect2.compiler.CompiledSelector.__init__ = counting
import typeset
import weasyprint
from weasyprint.formatting_structure import boxes
print(compiled[0])
html = weasyprint.HTML(string=sys.argv[1] + """<h1>题</h1><h3>小题</h3>
<p>正文<sub>1</sub><sup>2</sup><b>粗</b><i>斜</i><small>小</small><code>x</code></p><blockquote>引文</blockquote>
<ul><li>甲<ol start="3"><li>乙<li>丙</ol></ul><ol type="I"><li>一</ol><dl><dt>词<dd>释</dl>
<pre>  两个空格</pre><hr><table><caption>表</caption><thead><tr><th>头</th></tr></thead>
<tbody><tr><td>格</td></tr></tbody></table><address>地址</address><q>引</q><mark>标</mark>
<details><summary>摘要</summary>细节</details><p hidden>藏</p>""")
document = html.render()
for box in (box for page in document.pages for box in page._page_box.descendants()):
    if isinstance(box, boxes.TextBox):
        print(repr(box.text), round(box.position_x, 2), round(box.position_y, 2))
    else:
        print(type(box).__name__, box.element_tag, round(box.position_x, 2),
              round(box.position_y, 2), round(box.width, 2), round(box.height, 2),
              box.style["font_size"], box.style["display"], box.style["list_style_type"])
print(hashlib.sha256(document.write_pdf()).hexdigest())
'''


def test_the_user_agent_style_sheet_is_parsed_once(tmp_path):
    """WeasyPrint's user agent style sheet is parsed at the first start and kept in
    the cache folder; later starts load it without compiling its 282 selectors, and
    an HTML of the elements it styles is laid out and written as by WeasyPrint loaded
    as shipped, from the sheet just parsed and from the one kept."""

    def start(plain=False):
        env = _environment(tmp_path / "cache", plain=plain)
        style = f"<style>{FONT_FACE} body {{ font-family: {FAMILY} }}</style>"
        lines = subprocess.run([sys.executable, "-c", AGENT_PROBE, style], env=env,
                               capture_output=True, text=True, check=True
                               ).stdout.splitlines()
        return int(lines[0]), lines[1:]

    shipped_count, shipped = start(plain=True)
    first_count, first = start()
    kept = list((tmp_path / "cache" / "typeset").glob("weasyprint-sheet-*.pickle"))
    again_count, again = start()
    assert len(kept) == 1
    assert first_count >= 282 and shipped_count > first_count  # hints' sheet: later
    assert again_count < 20  # the form sheet's few, parsed as before
    assert first == shipped and again == shipped
    assert any(line.startswith("BlockBox h1 ") and " 32.0 " in line for line in again)
    # a damaged file: the sheet is parsed again, and kept again
    kept[0].write_bytes(b"not a pickle")
    assert start() == (first_count, shipped)
    assert kept[0].read_bytes() != b"not a pickle"
