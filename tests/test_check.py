"""typeset check (page baselines), typeset preview, and the PDF checks behind them."""

import io
import json
import os
import re
import shutil
import threading
import time
from pathlib import Path

import pytest

from typeset.baseline import Baseline, DocPages, differences
from typeset.build import Options, check_issue, preview, watch
from typeset.check import A4, notdef_pages, read_pdf
from typeset.cli import main

from .conftest import FIXTURES, SAMPLE

MORE = ("<p>为进一步加强测试工作，现就有关事项补充说明如下，"
        "请各地各部门认真贯彻执行，确保各项措施落到实处。</p>")


@pytest.fixture
def features_copy(tmp_path):
    path = tmp_path / "features.xml"
    shutil.copy(FIXTURES / "features.xml", path)
    shutil.copy(FIXTURES / "dot.svg", tmp_path / "dot.svg")
    return path


def test_sample_pdf_matches_committed_baseline(sample):
    result, _ = sample
    report = check_issue(SAMPLE, pdf_path=result.output)
    assert report.findings == []
    assert report.differences == [], report.lines()
    assert report.ok and not report.created


def test_page_drift_fails_with_a_readable_diff_until_updated(features_copy, capsys, monkeypatch):
    monkeypatch.chdir(features_copy.parent)
    assert main(["check", str(features_copy)]) == 1  # no baseline yet: a failure
    assert "no page baseline" in capsys.readouterr().err
    assert main(["check", str(features_copy), "--update"]) == 0
    baseline = features_copy.with_name("features.pages.json")
    assert "baseline written" in capsys.readouterr().out and baseline.is_file()
    assert main(["check", str(features_copy)]) == 0
    assert "ok, pages as in" in capsys.readouterr().out

    text = features_copy.read_text(encoding="utf-8")
    marker = "<p>现将《测试实施方案》"
    features_copy.write_text(text.replace(marker, MORE * 60 + marker), encoding="utf-8")
    assert main(["check", str(features_copy)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert re.match(r"features: pages 5 → \d+; .*《.*实施方案的通知》 ends 3 → \d+", err[0]), err[0]

    assert main(["check", str(features_copy), "--update"]) == 0
    assert "features: baseline updated: pages 5 → " in capsys.readouterr().out
    assert main(["check", str(features_copy)]) == 0


def test_differences_wording():
    old = Baseline(30, {"a": DocPages("关于深化医疗保障制度改革的实施意见", "14", "20")})
    new = Baseline(31, {"a": DocPages("关于深化医疗保障制度改革的实施意见", "15", "20"),
                        "b": DocPages("新文件", "21", "21")})
    assert differences(old, new) == [
        "pages 30 → 31",
        "《关于深化医疗保障制度改革的实施意见》 starts 14 → 15",
        "《新文件》 is new (pages 21–21)",
    ]
    assert differences(new, old)[-1] == "《新文件》 is gone (was pages 21–21)"


def test_check_with_pdf_needs_one_issue(capsys):
    assert main(["check", str(SAMPLE), str(SAMPLE), "--pdf", "x.pdf"]) == 1
    assert "exactly one issue" in capsys.readouterr().err


def test_preview_writes_pngs_and_names_its_document(sample, tmp_path):
    """Beside the pages (tests/test_preview.py compares them with the build's), a
    preview's outline holds its document and --png writes one image per page."""
    result, _ = sample
    out = tmp_path / "nzbh-2021-22.pdf"
    built = preview(SAMPLE, "nzbh-2021-22", Options(output=out), png=True)
    titles = [title for _, title, _ in read_pdf(out).outline]
    assert result.issue.document("nzbh-2021-22").title_text in titles
    pngs = sorted(tmp_path.glob("nzbh-2021-22-*.png"))
    assert len(pngs) == built.pages and pngs[0].stat().st_size > 10_000


def test_preview_unknown_id_is_one_line(capsys):
    assert main(["preview", str(SAMPLE), "no-such-doc"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no document 'no-such-doc'; valid ids: ndf-2021-13, ndf-2021-15" in err


def test_watch_renders_again_on_save(features_copy):
    out = features_copy.with_name("w.pdf")
    messages = []
    thread = threading.Thread(target=watch, args=(features_copy, "tz-2022-3", Options(output=out)),
                              kwargs={"log": messages.append, "rounds": 1, "interval": 0.05})
    thread.start()
    deadline = time.time() + 60
    while not any(m.startswith(str(out)) for m in messages) and time.time() < deadline:
        time.sleep(0.05)
    os.utime(features_copy, (time.time() + 5, time.time() + 5))
    thread.join(60)
    assert sum(m.startswith(str(out)) for m in messages) == 2, messages


def test_notdef_glyphs_are_found(tmp_path):
    """A character no face has (glyph preflight bypassed) is seen in the PDF."""
    import weasyprint

    from typeset.layout import load_layout

    serif = load_layout().faces["serif"].as_uri()
    html = (f"<style>@font-face {{ font-family: S; src: url({serif}) }} body {{ font-family: S }}"
            "</style><p>正常文字</p><p>缺字\U00020001在此</p>")
    out = tmp_path / "tofu.pdf"
    weasyprint.HTML(string=html).write_pdf(out)
    assert notdef_pages(read_pdf(out)) == [0]


# ------------------------------------------------------------------ checks that can fail

TZ = "自治区人民政府关于印发测试实施方案的通知"
LING = "测试自治区城市绿化管理办法"


def _tz_on_page_3(html):
    """The features issue with 《…通知》 forced onto a page of its own (page 3)."""
    return html.replace('id="tz-2022-3"', 'id="tz-2022-3" style="break-before: page"', 1)


def _anchor_moved(html):
    """tz-2022-3's id moved from its head to the end of the previous document (page 2):
    the contents number and the named destination then agree with each other, and
    both are wrong."""
    html = _tz_on_page_3(html).replace('id="tz-2022-3"', 'id="tz-head"', 1)
    return html.replace('<div class="doc-end" id="end-ling-120">',
                        '<div id="tz-2022-3"></div><div class="doc-end" id="end-ling-120">', 1)


def _number_of_another(html):
    """tz-2022-3's contents entry prints the page of ling-120."""
    html = _tz_on_page_3(html)
    return html.replace('class="toc-number" data-target="#tz-2022-3"',
                        'class="toc-number" data-target="#ling-120"', 1)


def _entries_swapped(html):
    """The two contents entries in the other order, each with its own (right) number."""
    html = _tz_on_page_3(html)
    first, second = re.findall(r'<a class="toc-entry".*?</a>', html, re.S)
    return html.replace(first, "\0").replace(second, first).replace("\0", second)


def _link_to_another(html):
    """tz-2022-3's contents entry links to ling-120 (its number is still right)."""
    return _tz_on_page_3(html).replace('href="#tz-2022-3"', 'href="#ling-120"', 1)


def _built_with(monkeypatch, tmp_path, edit):
    """Build the features issue through the real pipeline, its composed HTML changed
    by `edit`; return the issue and the PDF's facts."""
    from typeset import build as build_module

    compose = build_module.compose
    monkeypatch.setattr(build_module, "compose", lambda *a, **k: edit(compose(*a, **k)))
    result = build_module.build(FIXTURES / "features.xml", Options(output=tmp_path / "e.pdf"))
    return result.issue, read_pdf(result.output)


@pytest.mark.parametrize("edit, expected", [
    (_tz_on_page_3, []),
    (_anchor_moved, [
        "document tz-2022-3: its head (named destination) is on page 2, but its title is "
        "printed on page 3",
        f"contents: 《{TZ}》 says page 2, but its title is printed on page 3"]),
    (_number_of_another, [f"contents: 《{TZ}》 says page 2, but its title is printed on page 3"]),
    (_entries_swapped, [f"contents: entry 1 is 《{TZ}》, expected 《{LING}》 (the issue's order)"]),
    (_link_to_another, ["contents: the entries link to ling-120; expected ling-120, tz-2022-3"]),
], ids=["untouched", "anchor-moved", "number-of-another", "entries-swapped", "link-to-another"])
def test_contents_checked_against_the_printed_titles(monkeypatch, tmp_path, edit, expected):
    """Each tampered contents fails with its own finding, and nothing else does."""
    from typeset.check import findings, issue_pages

    issue, facts = _built_with(monkeypatch, tmp_path, edit)
    located = issue_pages(facts, issue)
    assert located.title_pages == {"ling-120": "2", "tz-2022-3": "3"}
    assert findings(facts, issue, located=located) == expected
    if edit is _anchor_moved:
        # what the old check compared (the number and the page of the same anchor) agrees
        assert located.contents["tz-2022-3"] == located.starts["tz-2022-3"] == "2"
    if edit is _entries_swapped:  # matched by title: each number is still its own document's
        assert located.contents == {"ling-120": "2", "tz-2022-3": "3"}
        assert located.contents_order == ["tz-2022-3", "ling-120"]


def test_contents_entries_matched_by_title_even_inside_another():
    """A title inside a longer one (关于X的通知 in 自治区关于X的通知) is not taken for it."""
    from types import SimpleNamespace

    from typeset.check import _contents_entries, squeeze

    docs = [SimpleNamespace(id="long", title_text="自治区关于测试的通知"),
            SimpleNamespace(id="short", title_text="关于测试的通知"),
            SimpleNamespace(id="absent", title_text="不在目录中的文件")]
    text = squeeze("【文件】\n自治区关于测试\n的通知\n（测发〔2021〕1号）……（3）\n"
                   "关于测试的通知 ........（5）\n1\n发\n布")
    assert _contents_entries(text, docs) == (["long", "short"], {"long": "3", "short": "5"})


def _sample_copy(tmp_path, monkeypatch, baseline: str | bytes | None = None):
    """The sample issue and its baseline copied to `tmp_path` (the working folder);
    `baseline` replaces the baseline's text.  Returns the issue copy's path."""
    monkeypatch.chdir(tmp_path)
    issue = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, issue)
    target = tmp_path / "2021-10.pages.json"
    shutil.copy(SAMPLE.with_name("2021-10.pages.json"), target)
    if isinstance(baseline, str):
        target.write_text(baseline, encoding="utf-8")
    elif isinstance(baseline, bytes):
        target.write_bytes(baseline)
    return issue


def test_baseline_layout_is_compared(sample, tmp_path, monkeypatch, capsys):
    result, _ = sample
    committed = SAMPLE.with_name("2021-10.pages.json").read_text(encoding="utf-8")
    other = committed.replace('"layout": "gazette"', '"layout": "compact"')
    issue = _sample_copy(tmp_path, monkeypatch, other)
    assert main(["check", str(issue), "--pdf", str(result.output)]) == 1
    assert capsys.readouterr().err.splitlines() == ["2021-10: layout compact → gazette"]
    assert main(["check", str(issue), "--pdf", str(result.output), "--update"]) == 0
    assert "baseline updated: layout compact → gazette" in capsys.readouterr().out
    assert (tmp_path / "2021-10.pages.json").read_text(encoding="utf-8") == committed


def test_differences_name_the_layout_first():
    old = Baseline(30, {}, layout="gazette")
    assert differences(old, Baseline(28, {}, layout="compact")) == [
        "layout gazette → compact", "pages 30 → 28"]


# ------------------------------------------------------------------ untrusted baselines

_GOOD = json.loads(SAMPLE.with_name("2021-10.pages.json").read_text(encoding="utf-8"))


def _variant(**changes) -> str:
    data = json.loads(json.dumps(_GOOD))
    for key, value in changes.items():
        if key == "start":
            data["documents"]["ndf-2021-13"]["start"] = value
        elif value is KeyError:
            del data[key]
        else:
            data[key] = value
    return json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize("text, expected", [
    ('{"layout": "gazette", "pages": 30,', "2021-10.pages.json:1:35: expected a JSON page "
     "baseline, found invalid JSON (Expecting property name enclosed in double quotes)"),
    ("<<<<<<< HEAD\n", "2021-10.pages.json:1:1: expected a JSON page baseline, found invalid "
     "JSON (Expecting value)"),
    ("", "2021-10.pages.json:1:1: expected a JSON page baseline, found invalid JSON"),
    ("[" * 100_000, "2021-10.pages.json: expected a JSON page baseline, found invalid JSON "
     "(nested too deep)"),
    ('{"pages": ' + "9" * 5000 + "}", "2021-10.pages.json: expected a JSON page baseline, "
     "found invalid JSON (Exceeds the limit"),
    (b'{"pages": "\xff"}', "2021-10.pages.json: expected UTF-8 text, found the byte 0xff at "
     "offset 11"),
    ("[30]", '2021-10.pages.json: expected an object with "layout", "pages" and "documents", '
     "found a list"),
    (_variant(pages="30"), '2021-10.pages.json: pages: expected the page count, a whole number '
     '≥ 1, found "30"'),
    (_variant(pages=True), "2021-10.pages.json: pages: expected the page count, a whole number "
     "≥ 1, found true"),
    (_variant(pages=0), "2021-10.pages.json: pages: expected the page count, a whole number "
     "≥ 1, found 0"),
    (_variant(layout=None), "2021-10.pages.json: layout: expected the name of the layout it "
     "was measured with, found null"),
    (_variant(layout=KeyError), '2021-10.pages.json: expected "layout" (the name of the layout '
     "it was measured with), found none"),
    (_variant(documents=["ndf-2021-13"]), "2021-10.pages.json: documents: expected an object "
     "of document ids, found a list"),
    (_variant(start=3), "2021-10.pages.json: documents/ndf-2021-13/start: expected a page "
     'label (a string such as "3"), found 3'),
    (_variant(extra=1), '2021-10.pages.json: expected only "layout", "pages" and "documents", '
     'found "extra"'),
], ids=["truncated", "merge-conflict", "empty", "deep", "huge-number", "not-utf8", "list",
        "pages-string", "pages-bool", "pages-zero", "layout-null", "layout-missing",
        "documents-list", "start-number", "unknown-key"])
def test_damaged_baseline_is_one_line(tmp_path, monkeypatch, capsys, text, expected):
    """Read before anything is built or read (the PDF named here does not exist)."""
    issue = _sample_copy(tmp_path, monkeypatch, text)
    assert main(["check", str(issue), "--pdf", "never-read.pdf"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(expected), err
    assert "Traceback" not in err


def test_every_baseline_problem_is_reported(tmp_path, monkeypatch, capsys):
    data = dict(_GOOD, pages=-1, layout=7)
    data["documents"] = {"a": {"title": 1, "start": "3", "end": None}, "b": []}
    issue = _sample_copy(tmp_path, monkeypatch, json.dumps(data))
    assert main(["check", str(issue), "--pdf", "never-read.pdf"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "2021-10.pages.json: layout: expected the name of the layout it was measured with, "
        "found 7",
        "2021-10.pages.json: pages: expected the page count, a whole number ≥ 1, found -1",
        "2021-10.pages.json: documents/a/title: expected the document's title, found 1",
        '2021-10.pages.json: documents/a/end: expected a page label (a string such as "3"), '
        "found null",
        '2021-10.pages.json: documents/b: expected an object with "title", "start" and "end", '
        "found a list",
    ]


def test_baseline_that_is_a_directory(tmp_path, monkeypatch, capsys):
    issue = _sample_copy(tmp_path, monkeypatch)
    (tmp_path / "2021-10.pages.json").unlink()
    (tmp_path / "2021-10.pages.json").mkdir()
    assert main(["check", str(issue), "--pdf", "never-read.pdf"]) == 1
    assert capsys.readouterr().err == ("2021-10.pages.json: expected a page baseline file, "
                                       "found a directory\n")


def test_update_replaces_a_damaged_baseline(sample, tmp_path, monkeypatch, capsys):
    result, _ = sample
    issue = _sample_copy(tmp_path, monkeypatch, "<<<<<<< HEAD\n")
    assert main(["check", str(issue), "--pdf", str(result.output), "--update"]) == 0
    assert "baseline written" in capsys.readouterr().out
    committed = SAMPLE.with_name("2021-10.pages.json").read_text(encoding="utf-8")
    assert (tmp_path / "2021-10.pages.json").read_text(encoding="utf-8") == committed


# ------------------------------------------------------------------ untrusted PDFs

def _encrypted(source: Path, user_password: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=str(source))
    writer.encrypt(user_password, "owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _bad_pdf(kind: str, tmp_path: Path, good: Path) -> Path:
    data = good.read_bytes()
    path = tmp_path / f"{kind}.pdf"
    if kind == "missing":
        return path
    if kind == "directory":
        path.mkdir()
        return path
    path.write_bytes({
        "text": "这不是PDF，只是一段文字。\n".encode() * 20,
        "empty": b"",
        "png": b"\x89PNG\r\n\x1a\n" + b"\0" * 100,
        "truncated-half": data[: len(data) // 2],
        "truncated-tail": data[:-300],
        "truncated-header": data[:9],
        "garbage-after-header": b"%PDF-1.7\n" + os.urandom(5000),
        "encrypted": _encrypted(good, "secret") if kind == "encrypted" else b"",
        "encrypted-empty-password": (_encrypted(good, "")
                                     if kind == "encrypted-empty-password" else b""),
    }[kind])
    return path


@pytest.mark.parametrize("kind, says", [
    ("missing", "no such PDF"),
    ("directory", "expected a PDF file, found a directory"),
    ("text", r"expected a PDF \(a file starting %PDF-\), found text starting '这不是PDF，"),
    ("empty", "expected a PDF, found an empty file"),
    ("png", "expected a PDF \\(a file starting %PDF-\\), found binary data starting "
            "89 50 4e 47 0d 0a 1a 0a$"),
    ("truncated-half", r"not a readable PDF \(.+\); is it truncated or damaged\?"),
    ("truncated-tail", r"not a readable PDF \(.+\); is it truncated or damaged\?"),
    ("truncated-header", r"not a readable PDF \(.+\); is it truncated or damaged\?"),
    ("garbage-after-header", r"not a readable PDF \(.+\); is it truncated or damaged\?"),
    ("encrypted", "the PDF is encrypted; typeset checks only the unencrypted PDFs it builds"),
    ("encrypted-empty-password", "the PDF is encrypted"),
])
def test_unreadable_pdf_is_one_line(sample, tmp_path, capsys, caplog, kind, says):
    """Exit 2 (the user's file), one line naming it, nothing from pypdf on stderr."""
    result, _ = sample
    path = _bad_pdf(kind, tmp_path, result.output)
    assert main(["check", str(SAMPLE), "--pdf", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert re.match(re.escape(str(path)) + ": " + says, err), err
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]


def _one_page_pdf(tmp_path: Path, content: bytes, in_form: bool = False) -> Path:
    """A one-page A4 PDF drawing `content` (Flate-compressed), or a form that does."""
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
        NumberObject,
    )

    writer = PdfWriter()
    page = writer.add_blank_page(*A4)
    stream = DecodedStreamObject()
    stream.set_data(content)
    stream = stream.flate_encode()
    resources = DictionaryObject()
    if in_form:
        stream[NameObject("/Type")] = NameObject("/XObject")
        stream[NameObject("/Subtype")] = NameObject("/Form")
        stream[NameObject("/BBox")] = ArrayObject([NumberObject(0)] * 4)
        form = writer._add_object(stream)
        stream[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/XObject"): DictionaryObject({NameObject("/Fm0"): form})})
        resources[NameObject("/XObject")] = DictionaryObject({NameObject("/Fm0"): form})
        stream = DecodedStreamObject()
        stream.set_data(b"/Fm0 Do\n" * 1000)
    page[NameObject("/Contents")] = writer._add_object(stream)
    resources[NameObject("/Font")] = DictionaryObject()
    page[NameObject("/Resources")] = resources
    path = tmp_path / "one.pdf"
    with path.open("wb") as out:
        writer.write(out)
    return path



@pytest.mark.parametrize("in_form", [False, True], ids=["page", "form"])
def test_content_bomb_is_refused_quickly(tmp_path, capsys, in_form):
    """30 MB of drawing (30 kB compressed) on one page: refused before pypdf reads its text."""
    path = _one_page_pdf(tmp_path, b"0 0 m\n" * 5_000_000, in_form=in_form)
    assert path.stat().st_size < 100_000
    started = time.perf_counter()
    assert main(["check", str(SAMPLE), "--pdf", str(path)]) == 2
    assert time.perf_counter() - started < 10
    err = capsys.readouterr().err
    assert err == (f"{path}: page 1 holds 30.0 MB of content, more than the 2 MB typeset "
                   "reads on a page\n")


def test_pypdf_warnings_are_findings_not_noise(tmp_path):
    """A form that draws itself (pypdf warned on every Do when it read page text; PDFium
    reads it now): the CLI prints each check line once, prefixed with the issue, and
    no log line of a PDF library's own."""
    import subprocess
    import sys

    path = _one_page_pdf(tmp_path, b"/Fm0 Do\n", in_form=True)
    done = subprocess.run([sys.executable, "-m", "typeset", "check", str(SAMPLE), "--pdf",
                           str(path)], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert all(line.startswith("2021-10: ") for line in lines), done.stderr
    assert done.stderr.count("Detected cyclic") <= 1  # pypdf would log it 1000 times
    assert "pages 30 → 1" in done.stderr
    assert len(lines) == len(set(lines))


def test_limits_on_what_is_read(sample, monkeypatch):
    """Size, page count and content read are bounded; each limit says which it is."""
    from typeset import check
    from typeset.check import PdfError, issue_pages

    result, _ = sample
    monkeypatch.setattr(check, "MAX_PDF_BYTES", 100_000)
    with pytest.raises(PdfError, match=r": expected a PDF of at most 0 MB, found 1 MB"):
        read_pdf(result.output)
    monkeypatch.setattr(check, "MAX_PDF_BYTES", 200_000_000)
    monkeypatch.setattr(check, "MAX_PAGES", 20)
    with pytest.raises(PdfError, match=r": expected at most 20 pages, found 30$"):
        read_pdf(result.output)
    monkeypatch.setattr(check, "MAX_PAGES", 2_000)
    monkeypatch.setattr(check, "MAX_FONT_ENTRIES", 10)
    with pytest.raises(PdfError, match=r": more than 10 font resources; typeset reads no more"):
        read_pdf(result.output)
    monkeypatch.setattr(check, "MAX_FONT_ENTRIES", 100_000)
    monkeypatch.setattr(check, "MAX_CONTENT", 100_000)
    facts = read_pdf(result.output)
    with pytest.raises(PdfError, match=r"more than 0 MB of page content by page \d+; "):
        issue_pages(facts, result.issue)


def test_pypdf_warnings_kept_once_each_and_at_most_ten():
    from typeset.check import _keep

    kept: list[str] = []
    for n in range(1000):
        _keep(kept, f"warning {n % 50}\nat offset {n}")
        _keep(kept, "warning 0\nat offset 0")
    assert kept == [f"warning {n} at offset {n}" for n in range(10)] + ["more warnings not shown"]


def test_page_size_and_language_come_from_the_layout(sample):
    """check compares the PDF with the layout's [page] size and [document] lang: change
    either in the layout and the same PDF fails."""
    from typeset.check import findings
    from typeset.layout import load_layout

    result, facts = sample
    layout = load_layout()
    assert layout.page_size_pt() == A4
    assert findings(facts, result.issue, layout=layout) == []
    layout.settings["page"]["size"] = "A5"
    layout.settings["document"]["lang"] = "zh-TW"
    problems = findings(facts, result.issue, layout=layout)
    assert any("expected 419.53×595.28" in p for p in problems), problems
    assert "document language is zh-CN, expected zh-TW" in problems


@pytest.mark.parametrize("size, expected", [
    ("A4", (595.28, 841.89)), ("a4 landscape", (841.89, 595.28)), ("B5", (498.9, 708.66)),
    ("185mm 260mm", (524.41, 737.01)), ("6in", (432.0, 432.0))])
def test_page_size_is_read_as_css_reads_it(size, expected):
    from typeset.layout import load_layout

    layout = load_layout()
    layout.settings["page"]["size"] = size
    assert layout.page_size_pt() == expected


def test_page_sizes_read_without_weasyprint_agree_with_it():
    from weasyprint.css.computed_values import PAGE_SIZES

    from typeset.layout import _CSS_PAGE_SIZES_MM

    for name, (width, height) in _CSS_PAGE_SIZES_MM.items():
        assert (PAGE_SIZES[name][0].value, PAGE_SIZES[name][1].value) == (width, height)
        assert PAGE_SIZES[name][0].unit == PAGE_SIZES[name][1].unit == "mm"
