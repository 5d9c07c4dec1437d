"""The issue file is untrusted: its text never becomes markup, CSS or template code; a
build reads only the layout's files and the issue's own folder; the output path is
checked; a user's mistake is one line, never a traceback.  See docs/security.md,
which names these tests as the proof of each guarantee.
"""

from __future__ import annotations

import http.server
import os
import signal
import stat
import threading
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import lxml.html
import pytest
from pypdf import PdfReader

from typeset import atomic, pdf
from typeset import build as build_module
from typeset import compose as compose_module
from typeset import layout as layout_module
from typeset.cli import main
from typeset.compose import compose
from typeset.errors import TypesetError
from typeset.layout import load_layout
from typeset.parse import parse_issue

from .conftest import FIXTURES

#: Text an attacker (or a careless paste) might put in any field.
HOSTILE = ('甲"乙\\丙</style><link rel="attachment" href="file:///etc/passwd">'
           '<style>@page{size:100mm 100mm}</style>{{ 7*7 }}{% if 1 %}丁{% endif %}\n'
           '";} @page { size: 100mm 100mm } @import url(file:///etc/passwd); \\"戊')


def hostile_issue(text: str = HOSTILE, figure: str | None = None) -> str:
    """A small issue with `text` in every field that reaches the cover, the contents,
    the running heads, the colophon, the board and a document.  The contents slogan, set
    vertically one character a line, gets the first 12 characters: more would run off
    the page, which the build refuses (test_text_off_the_page_fails_the_build)."""
    t, a = escape(text), quoteattr(text)
    fig = (f'<figure><img src={quoteattr(figure)} alt="图"/></figure>' if figure is not None
           else "")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<issue version="1">
  <meta>
    <gazette>{t}<br/>人民政府公报</gazette>
    <overline>{t}</overline>
    <slogans><slogan>{t}</slogan></slogans>
    <frequency>{t}</frequency>
    <year>2021</year>
    <number>1</number>
    <cumulative>663</cumulative>
    <published>2021-01-15</published>
    <contents-slogans><line>{escape(text[:12])}</line></contents-slogans>
  </meta>
  <board>
    <title>{t}</title>
    <role title={a} note={a}><person>{t}</person></role>
  </board>
  <colophon>
    <editor-in-chief>{t}</editor-in-chief>
    <editors><person>{t}</person></editors>
    <supervisor>{t}</supervisor>
    <address>{t}</address>
  </colophon>
  <section id="wenjian">
    <title>{t}</title>
    <document id="ceshi-1">
      <title>{t}</title>
      <doc-number>{t}</doc-number>
      <addressee>{t}：</addressee>
      <body>
        <p>{t}</p>
        <h1>{t}</h1>
        {fig}
      </body>
      <signature><issuer>{t}</issuer><date>2021-01-05</date></signature>
      <note>{t}</note>
    </document>
  </section>
</issue>
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def style_of(html: str) -> list[str]:
    return [s.text_content() for s in lxml.html.document_fromstring(html).iter("style")]


# ----------------------------------------------------------------------------- injection


def test_issue_text_never_reaches_the_style_sheet(tmp_path):
    """The style sheet is the same, byte for byte, whatever the issue's text says."""
    layout = load_layout()
    clean = compose(parse_issue(write(tmp_path, "a.xml", hostile_issue("测试"))), layout)
    dirty = compose(parse_issue(write(tmp_path, "b.xml", hostile_issue())), layout)
    assert style_of(dirty) == style_of(clean)
    assert len(style_of(dirty)) == 1


def test_issue_text_is_escaped_html_text_and_never_a_template(tmp_path):
    html = compose(parse_issue(write(tmp_path, "b.xml", hostile_issue())), load_layout())
    tree = lxml.html.document_fromstring(html)
    assert not list(tree.iter("link", "script", "img"))  # no element made of issue text
    text = tree.text_content()
    assert "{{ 7*7 }}" in text and "{% if 1 %}" in text  # printed as written
    assert '</style><link rel="attachment" href="file:///etc/passwd">' in text
    attributes = [v for e in tree.iter() for v in e.attrib.values()]
    assert any("{{ 7*7 }}" in v for v in attributes)  # running head, outline: attributes


def test_hostile_text_builds_the_same_pages_on_a4_and_embeds_nothing(tmp_path):
    source = write(tmp_path, "b.xml", hostile_issue())
    out = tmp_path / "b.pdf"
    assert main(["build", str(source), "-o", str(out)]) == 0
    reader = PdfReader(out)
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
             for p in reader.pages}
    assert sizes == {(595, 842)}  # A4 everywhere: no @page rule came from the text
    assert len(reader.pages) <= 8
    data = out.read_bytes()
    assert b"/EmbeddedFiles" not in data and b"root:x:0:0" not in data
    running = reader.pages[-1].extract_text()
    assert "{{" in running or "7*7" in "".join(p.extract_text() for p in reader.pages)


def test_layout_values_that_could_break_out_of_css_are_refused(tmp_path, monkeypatch):
    layouts = copy_layouts(tmp_path, monkeypatch)
    toml = layouts / "gazette" / "layout.toml"
    toml.write_text(toml.read_text().replace('size = "A4"', 'size = "A4; } @import url(x)"'))
    with pytest.raises(TypesetError, match=r"setting 'page.size': expected a CSS value"):
        load_layout()


# ----------------------------------------------------------------------------- resources


class _Server:
    """A loopback HTTP server that counts the requests it gets (it should get none)."""

    def __enter__(self):
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_the_no_network_test_server_would_see_a_fetch():
    """The server below is a real witness: a plain fetch of it is counted."""
    import urllib.request

    with _Server() as server:
        urllib.request.urlopen(server.url + "/probe", timeout=5).read()
    assert server.hits == ["/probe"]


def png(path: Path, size=(4, 4)) -> Path:
    from PIL import Image

    Image.new("RGB", size, "red").save(path)
    return path


@pytest.mark.parametrize("src, expected", [
    ("file:///etc/passwd", "expected a relative path inside the issue's folder"),
    ("/etc/passwd", "expected a relative path inside the issue's folder"),
    ("../outside.png", "expected a relative path inside the issue's folder"),
    ("javascript:alert(1)", "expected a relative path inside the issue's folder"),
    ("figs/missing.png", "there is none"),
    ("corrupt.png", "that decodes"),
    ("passwd-link.png", "leads out of it"),
    ("huge.png", "pixels"),
    ("text.txt", "that decodes"),
    ("fig-dir", "not a regular file"),
])
def test_figures_only_from_the_issue_folder_checked_before_rendering(tmp_path, src, expected,
                                                                     capsys):
    issue_dir = tmp_path / "issue"
    issue_dir.mkdir()
    png(tmp_path / "outside.png")
    (issue_dir / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    (issue_dir / "passwd-link.png").symlink_to("/etc/passwd")
    (issue_dir / "text.txt").write_text("not an image")
    (issue_dir / "fig-dir").mkdir()
    png(issue_dir / "huge.png", (8000, 6000))  # 48 megapixels, a small file
    source = write(issue_dir, "x.xml", hostile_issue("测试", figure=src))
    line = source.read_text().splitlines().index(
        next(x for x in source.read_text().splitlines() if "<figure>" in x)) + 1
    before = _tree(tmp_path)
    assert main(["build", str(source), "-o", str(tmp_path / "x.pdf")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"x.xml:{line}:" in err and expected in err
    assert _tree(tmp_path) == before  # nothing written


def test_http_figure_is_never_fetched(tmp_path, capsys):
    with _Server() as server:
        source = write(tmp_path, "x.xml", hostile_issue("测试", figure=server.url + "/a.png"))
        assert main(["build", str(source), "-o", str(tmp_path / "x.pdf")]) == 2
    assert server.hits == []
    assert "expected a relative path" in capsys.readouterr().err


@pytest.mark.parametrize("reference", [
    "file:///etc/passwd", "/etc/passwd", "../outside.png", "http://127.0.0.1:9/x.png"])
def test_svg_references_follow_the_same_rule(tmp_path, reference, capsys):
    png(tmp_path / "outside.png")
    issue_dir = tmp_path / "issue"
    issue_dir.mkdir()
    (issue_dir / "pic.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="10" height="10"><image xlink:href="{reference}" width="10" height="10"/>'
        '</svg>')
    source = write(issue_dir, "x.xml", hostile_issue("测试", figure="pic.svg"))
    assert main(["build", str(source), "-o", str(tmp_path / "x.pdf")]) == 2
    err = capsys.readouterr().err
    assert "pic.svg" in err and "its reference" in err and "Traceback" not in err


def test_good_figures_still_print(tmp_path):
    png(tmp_path / "ok.png", (40, 20))
    source = write(tmp_path, "x.xml", hostile_issue("测试", figure="ok.png"))
    assert main(["build", str(source), "-o", str(tmp_path / "x.pdf")]) == 0
    assert b"/Subtype /Image" in (tmp_path / "x.pdf").read_bytes()


def test_the_fetcher_refuses_the_network_and_other_files_during_render(tmp_path):
    """The second wall: even HTML that names other URLs gets nothing past the fetcher."""
    with _Server() as server:
        html = (f'<link rel="attachment" href="file:///etc/passwd">'
                f'<img src="{server.url}/x.png"><img src="file:///etc/hostname">'
                f'<p>x</p>')
        with pytest.raises(TypesetError, match="refused to read") as caught:
            pdf.render(html, base_url=tmp_path)
    assert server.hits == []
    message = str(caught.value)
    assert "network" in message and "outside" in message


def test_the_fetcher_serves_files_inside_its_roots(tmp_path):
    from typeset.resources import Fetcher, ResourceRefused

    png(tmp_path / "a.png")
    fetcher = Fetcher([tmp_path])
    assert fetcher((tmp_path / "a.png").as_uri()).read()[:4] == b"\x89PNG"
    assert fetcher("data:text/plain;base64,aGk=").read() == b"hi"
    (tmp_path / "link.png").symlink_to("/etc/passwd")
    with pytest.raises(ResourceRefused):
        fetcher((tmp_path / "link.png").as_uri())
    with pytest.raises(ResourceRefused):
        fetcher("file:///etc/passwd")


# ----------------------------------------------------------------------------- output path


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() and not p.is_symlink()
                                         else b"")
            for p in sorted(folder.rglob("*"))}


@pytest.fixture
def issue_copy(tmp_path, minimal_path) -> Path:
    return write(tmp_path, "x.xml", minimal_path.read_text(encoding="utf-8"))


def test_output_equal_to_the_input_is_refused(issue_copy, capsys):
    before = issue_copy.read_bytes()
    link = issue_copy.with_name("same.pdf")
    os.link(issue_copy, link)  # another name, the same file (inode)
    for target in (issue_copy, link):
        assert main(["build", str(issue_copy), "-o", str(target)]) == 2
        assert "is an input of the build" in capsys.readouterr().err
    assert issue_copy.read_bytes() == before


@pytest.mark.parametrize("target, expected", [
    ("/dev/null", "not a regular file"),
    (".", "is a folder"),
    ("x.xml/out.pdf", "is not a folder"),
])
def test_output_devices_folders_and_bad_parents_are_refused(issue_copy, target, expected,
                                                            capsys, monkeypatch):
    monkeypatch.chdir(issue_copy.parent)
    assert main(["build", str(issue_copy), "-o", target]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_read_only_output_is_refused_and_kept(issue_copy, capsys):
    out = issue_copy.with_name("x.pdf")
    out.write_bytes(b"%PDF-old")
    out.chmod(0o444)
    assert main(["build", str(issue_copy), "-o", str(out)]) == 2
    assert "read-only" in capsys.readouterr().err
    assert out.read_bytes() == b"%PDF-old" and stat.S_IMODE(out.stat().st_mode) == 0o444


def test_new_file_follows_the_umask_and_a_rebuilt_one_keeps_its_mode(tmp_path):
    old = os.umask(0o022)
    try:
        atomic.write_atomic(b"one", tmp_path / "new.pdf")
        assert stat.S_IMODE((tmp_path / "new.pdf").stat().st_mode) == 0o644
        (tmp_path / "new.pdf").chmod(0o664)
        atomic.write_atomic(b"two", tmp_path / "new.pdf")
        assert stat.S_IMODE((tmp_path / "new.pdf").stat().st_mode) == 0o664
    finally:
        os.umask(old)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_during_the_write_leave_no_temporary_file(issue_copy, monkeypatch,
                                                                    signum, capsys):
    out = issue_copy.with_name("x.pdf")
    out.write_bytes(b"%PDF-old")
    real_fsync = os.fsync

    def killed(fd):
        os.kill(os.getpid(), signum)  # a real signal, delivered while the temp file exists
        real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", killed)
    assert main(["build", str(issue_copy), "-o", str(out)]) == 128 + signum
    assert sorted(p.name for p in out.parent.iterdir()) == ["x.pdf", "x.xml"]
    assert out.read_bytes() == b"%PDF-old"
    assert signal.Signals(signum).name in capsys.readouterr().err


# ----------------------------------------------------------------------------- one line


def copy_layouts(tmp_path: Path, monkeypatch) -> Path:
    """A copy of layouts/ that load_layout reads instead of the real one."""
    import shutil

    layouts = tmp_path / "layouts"
    shutil.copytree(layout_module.data_dir("layouts"), layouts)
    real = layout_module.data_dir
    monkeypatch.setattr(layout_module, "data_dir",
                        lambda kind: layouts if kind == "layouts" else real(kind))
    return layouts


@pytest.mark.parametrize("edit, expected", [
    (("cover.html.j2", "{%- if meta.overline %}", "{%- if meta.overline %"),
     r"cover\.html\.j2:\d+: layout template error"),
    (("cover.html.j2", "{{ meta.overline }}", "{{ meta.no_such_field.x }}"),
     r"cover\.html\.j2:\d+: layout template error: .*no_such_field"),
    (("document.html.j2", 'data-doc="{{ doc.id }}"', 'data-doc="{{ doc.no_such_field.x }}"'),
     r"document\.html\.j2:\d+: layout template error: .*no_such_field"),
    (("layout.toml", "count = 2", 'count = "two"'),
     r"style\.css\.j2: the layout's style sheet has 1 invalid declaration\(s\): "
     r"Ignored `columns: two`"),
    (("layout.toml", "title_chars = 24", "title_chars = -3"),
     r"setting 'type.title_chars': expected a number ≥ 0"),
    (("derived/layout.toml", 'extends = "gazette"\n',
      'extends = "gazette"\n[labels]\nsection = "〖{name}〗"\n'),
     r"derived/layout\.toml: setting 'labels\.section': expected text with \{title\}, "
     r"found '〖\{name\}〗'"),
    (("derived/layout.toml", 'extends = "gazette"\n',
      'extends = "gazette"\n[columns]\ncount = "two"\n'),
     r"derived/layout\.toml: setting 'columns.count': expected a whole number, "
     r"found a string 'two'"),
])
def test_a_broken_layout_is_one_line(tmp_path, monkeypatch, capsys, edit, expected, minimal_path):
    layouts = copy_layouts(tmp_path, monkeypatch)
    name, old, new = edit
    path = layouts / name if "/" in name else layouts / "gazette" / name
    if not path.exists():  # a layout of an office's own, derived from gazette
        path.parent.mkdir()
        path.write_text('extends = "gazette"\n')
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    layout = path.parent.name
    source = write(tmp_path, "x.xml", minimal_path.read_text(encoding="utf-8").replace(
        "<frequency>", "<overline>测试</overline><frequency>"))
    code = main(["build", str(source), "-o", str(tmp_path / "x.pdf"), "--layout", layout])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert __import__("re").search(expected, err), err


def test_an_unexpected_error_is_one_line_naming_the_file(issue_copy, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise ValueError("something nobody foresaw")

    monkeypatch.setattr(build_module, "compose", broken)
    assert main(["build", str(issue_copy)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"{issue_copy}: internal error: ValueError: something nobody foresaw")
    assert "rerun with -v" in err
    assert main(["build", str(issue_copy), "-v"]) == 1
    assert "Traceback" in capsys.readouterr().err  # -v shows it, for a bug report


def test_compose_module_keeps_no_issue_text_in_css_context():
    """The style template is rendered with settings, faces and numbers only."""
    import inspect

    code = inspect.getsource(compose_module._compose)
    style_call = code[code.index('get_template("style.css.j2")'):code.index("if \"</style")]
    assert "issue" not in style_call and "meta" not in style_call


# ----------------------------------------------------------------------------- overflow


def _overflowing_lines(document) -> list[str]:
    """Lines whose text runs past their block's content box (0.5 pt tolerance)."""
    from weasyprint.formatting_structure import boxes

    found = []

    def walk(box, block):
        if isinstance(box, boxes.LineBox):
            right = block.content_box_x() + block.width
            for child in box.descendants():
                if isinstance(child, boxes.TextBox) and \
                        child.position_x + child.width > right + 0.5 * 0.75:
                    found.append(child.text[:30])
            return
        if isinstance(box, boxes.BlockContainerBox):
            block = box
        for child in getattr(box, "children", ()):
            walk(child, block)

    for page in document.pages:
        walk(page._page_box, page._page_box)
    return found


def test_unbreakable_strings_are_broken_inside_columns_and_cells(tmp_path):
    url = "https://www.example.gov.cn/" + "a1b2c3d4e5" * 30
    text = (FIXTURES / "minimal.xml").read_text(encoding="utf-8").replace(
        "<p>现将有关事项通知如下。</p>",
        f"<p>网址{url}。</p><p>{'X' * 300}</p>"
        f"<table><tbody><row><cell>{url}</cell><cell>短</cell></row></tbody></table>"
        f"<table><cols><col width='1'/><col width='1'/><col width='1'/></cols>"
        f"<tbody><row><cell>{url}</cell><cell>{url}</cell><cell>短</cell></row></tbody></table>")
    source = write(tmp_path, "x.xml", text)
    result = build_module.build(source, build_module.Options(output=tmp_path / "x.pdf"))
    assert _overflowing_lines(result.document) == []
    assert result.typography.overfull_lines == 0
    whole = "".join(p.extract_text() for p in PdfReader(result.output).pages)
    assert "a1b2c3d4e5" * 3 in whole.replace("\n", "")


def test_check_goes_on_after_an_issue_it_cannot_check(tmp_path, minimal_path, capsys):
    """One damaged baseline does not hide the state of the other issues."""
    text = minimal_path.read_text(encoding="utf-8")
    write(tmp_path, "a.xml", text)
    write(tmp_path, "a.pages.json", "{not json")
    write(tmp_path, "b.xml", text)
    assert main(["check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "a.pages.json" in err and "b: no page baseline" in err and "Traceback" not in err


def test_preview_does_not_read_the_baseline(tmp_path, minimal_path, capsys):
    """A preview lays the issue out: its page numbers are the layout's, whatever a
    damaged or stale page baseline beside the issue says."""
    source = write(tmp_path, "a.xml", minimal_path.read_text(encoding="utf-8"))
    write(tmp_path, "a.pages.json", "[]")
    assert main(["preview", str(source), "ceshi-1", "-o", str(tmp_path / "p.pdf")]) == 0
    assert "a.pages.json" not in capsys.readouterr().err
    assert PdfReader(tmp_path / "p.pdf").page_labels == ["2"]  # as in the full build


@pytest.mark.parametrize("field, text", [
    ("<gazette>", "<gazette><nobr>测试自治区人民政府公报测试</nobr>"),  # a 50 pt run, no break
    ("<contents-slogans>", "<contents-slogans><line>" + "发布政令宣传政策" * 6 + "</line>"),
    ("<p>现将", "<p>正文<nobr>" + "Donaudampfschiff" * 16 + "</nobr>。</p><p>现将"),
])
def test_text_off_the_page_fails_the_build(tmp_path, minimal_path, capsys, field, text):
    """Text that would print off the page or over the next column is an error naming the
    page, never a PDF that looks fine in the log."""
    xml = minimal_path.read_text(encoding="utf-8")
    if field == "<contents-slogans>":
        xml = xml.replace("</meta>", "<contents-slogans><line>x</line></contents-slogans></meta>")
    old = field if field != "<gazette>" else "<gazette>测试自治区<br/>人民政府公报"
    new = text if field != "<gazette>" else text
    if field == "<contents-slogans>":
        old, new = "<contents-slogans><line>x</line>", text
    assert old in xml
    source = write(tmp_path, "x.xml", xml.replace(old, new, 1))
    out = tmp_path / "x.pdf"
    out.write_bytes(b"%PDF-old")
    assert main(["build", str(source), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{source}: page ") and "text runs" in err
    assert out.read_bytes() == b"%PDF-old"


def test_a_derived_layout_prints_its_own_labels(tmp_path, monkeypatch, minimal_path):
    """The words around the issue's text (目　录, 【】 around sections in the contents and
    running heads, ● before slogans, 出版 after the date) are the layout's settings."""
    from pypdf import PdfReader

    layouts = copy_layouts(tmp_path, monkeypatch)
    (layouts / "state").mkdir()
    (layouts / "state" / "layout.toml").write_text(
        'extends = "gazette"\n[labels]\ncontents = "本期目录"\nsection = "〖{title}〗"\n'
        'slogan = "◆{slogan}"\npublished = "出版日期：{date}"\n', encoding="utf-8")
    source = write(tmp_path, "x.xml", minimal_path.read_text(encoding="utf-8").replace(
        "<frequency>", "<slogans><slogan>权威性</slogan></slogans><frequency>"))
    assert main(["build", str(source), "-o", str(tmp_path / "x.pdf"), "--layout", "state"]) == 0
    pages = ["".join(p.extract_text().split()) for p in PdfReader(tmp_path / "x.pdf").pages]
    assert "◆权威性" in pages[0] and "出版日期：2021年1月15日" in pages[0]
    assert "●" not in pages[0] and "日出版" not in pages[0]
    assert "本期目录" in pages[2] and "〖自治区人民政府文件〗" in pages[2]
    assert not any("【" in p for p in pages)
    # the recto running heads of a longer issue
    assert main(["build", str(FIXTURES / "features.xml"), "-o", str(tmp_path / "f.pdf"),
                 "--layout", "state"]) == 0
    reader = PdfReader(tmp_path / "f.pdf")
    texts = [p.extract_text() for p in reader.pages]
    documents = [t for t in texts[2:] if "本期目录" not in t]
    assert any("〖" in t for t in documents)
    assert not any("【" in t for t in texts)
