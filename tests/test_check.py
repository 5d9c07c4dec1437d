"""typeset check (page baselines), typeset preview, and the PDF checks behind them."""

import os
import re
import shutil
import threading
import time

import pytest

from typeset.baseline import Baseline, DocPages, differences
from typeset.build import Options, check_issue, preview, watch
from typeset.check import notdef_pages, read_pdf
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


def test_preview_numbers_pages_as_the_full_issue(sample, tmp_path):
    result, facts = sample
    from typeset.check import issue_pages

    starts = issue_pages(facts, result.issue).starts
    for doc_id in ("nzbh-2021-22", "ndf-2021-15"):
        out = tmp_path / f"{doc_id}.pdf"
        built = preview(SAMPLE, doc_id, Options(output=out), png=(doc_id == "nzbh-2021-22"))
        assert built.warnings == []
        pre = read_pdf(out)
        assert pre.labels[0] == starts[doc_id]
        first = int(starts[doc_id])
        head = pre.text(0)
        assert str(first) in head
        # same side of the spread: the gazette's name heads verso (even) pages
        assert ("宁夏回族自治区人民政府公报" in head) == (first % 2 == 0)
        assert pre.outline[1][1] == result.issue.document(doc_id).title_text
    pngs = sorted(tmp_path.glob("nzbh-2021-22-*.png"))
    assert pngs and pngs[0].stat().st_size > 10_000


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
