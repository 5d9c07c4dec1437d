"""typeset.compose: each document composed once while it and the layout are
unchanged (`--watch` composes the issue at every save), the HTML the same."""

import pytest

from typeset import compose as compose_module
from typeset.compose import compose
from typeset.layout import load_layout
from typeset.parse import parse_issue

from .conftest import SAMPLE
from .test_security import copy_layouts

ANCHOR = "为深入贯彻落实中共中央、国务院关于实现巩固拓展脱贫攻坚成果"  # in ndf-2021-15


@pytest.fixture
def counted(monkeypatch):
    """The documents document.html.j2 renders (their ids), kept ones cleared."""
    monkeypatch.setattr(compose_module, "_COMPOSED", {})
    rendered = []
    composer = compose_module._composer

    def counting(layout):
        template = layout.env.get_template("document.html.j2")
        render = template.render

        def recording(**context):
            rendered.append(context["doc"].id)
            return render(**context)

        monkeypatch.setattr(template, "render", recording)
        return composer(layout)

    monkeypatch.setattr(compose_module, "_composer", counting)
    return rendered


def edited(tmp_path, old=ANCHOR, new=ANCHOR + "一"):
    path = tmp_path / SAMPLE.name
    path.write_text(SAMPLE.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return parse_issue(path)


def test_an_edit_composes_the_edited_document_only(tmp_path, counted, monkeypatch):
    issue = parse_issue(SAMPLE)
    compose(issue, load_layout())
    assert counted == [d.id for d in issue.documents]
    counted.clear()
    again = edited(tmp_path)
    html = compose(again, load_layout())
    assert counted == ["ndf-2021-15"]
    assert ANCHOR + "一" in html
    monkeypatch.setattr(compose_module, "COMPOSED_KEPT", 0)
    monkeypatch.setattr(compose_module, "_COMPOSED", {})
    assert compose(again, load_layout()) == html  # as composed afresh


def test_a_preview_composes_the_documents_it_shows(counted):
    issue = parse_issue(SAMPLE)
    ids = [d.id for d in issue.documents]
    html = compose(issue, load_layout(), only=ids[2], shown=frozenset(ids[:4]))
    assert counted == ids[:4]
    assert f'class="unshown" id="{ids[4]}"' in html


def test_a_changed_template_or_setting_composes_again(tmp_path, monkeypatch, counted):
    layouts = copy_layouts(tmp_path, monkeypatch)
    issue = parse_issue(SAMPLE)
    before = compose(issue, load_layout())
    template = layouts / "gazette" / "document.html.j2"
    template.write_text(template.read_text(encoding="utf-8").replace(
        '<article class="document"', '<article class="document edited"'), encoding="utf-8")
    counted.clear()
    after = compose(issue, load_layout())
    assert counted == [d.id for d in issue.documents]
    assert after == before.replace('<article class="document"',
                                   '<article class="document edited"')
    settings = layouts / "gazette" / "layout.toml"
    text = settings.read_text(encoding="utf-8")
    assert "title_chars = 24" in text
    settings.write_text(text.replace("title_chars = 24", "title_chars = 12"), encoding="utf-8")
    counted.clear()
    compose(issue, load_layout())
    assert counted == [d.id for d in issue.documents]


def test_a_section_renamed_composes_its_documents_again(tmp_path, counted):
    issue = parse_issue(SAMPLE)
    compose(issue, load_layout())
    section = issue.sections[1]
    counted.clear()
    renamed = edited(tmp_path, f"<title>{section.title}</title>",
                     f"<title>{section.title}（续）</title>")
    html = compose(renamed, load_layout())
    assert counted == [d.id for d in section.documents]
    assert f"{section.title}（续）" in html
