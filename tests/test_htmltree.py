"""typeset's own builder of the composed HTML's element tree (`typeset.htmltree`)
gives the tree WeasyPrint's HTML5 parser (tinyhtml5) gives, or declines."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import tinyhtml5

from typeset import htmltree
from typeset.compose import compose
from typeset.layout import load_layout
from typeset.parse import parse_issue

from .conftest import FIXTURES, GOVCN, SAMPLE


def html5(markup: str) -> ET.Element:
    return tinyhtml5.parse(markup, namespace_html_elements=False)


def differences(a: ET.Element, b: ET.Element, path: str = "") -> list[str]:
    """Where two element trees differ: tag, attributes (in order), text, tail, children."""
    here = f"{path}/{a.tag}"
    found = []
    if a.tag != b.tag or list(a.attrib.items()) != list(b.attrib.items()):
        return [f"{here}: <{a.tag} {a.attrib}> != <{b.tag} {b.attrib}>"]
    for name in ("text", "tail"):
        if (getattr(a, name) or "") != (getattr(b, name) or ""):
            found.append(f"{here}.{name}: {getattr(a, name)!r} != {getattr(b, name)!r}")
    if len(a) != len(b):
        return [*found, f"{here}: {[c.tag for c in a]} != {[c.tag for c in b]}"]
    for index, (x, y) in enumerate(zip(a, b, strict=True)):
        found.extend(differences(x, y, f"{here}[{index}]"))
    return found


def composed(source: Path) -> list[str]:
    """The HTML typeset renders for `source`: both editions, and a preview of each
    document (the issue up to it and the one after)."""
    issue = parse_issue(source)
    layout = load_layout("gazette")
    ids = [d.id for d in issue.documents]
    pages = [compose(issue, layout, edition=edition) for edition in ("screen", "print")]
    for at, doc_id in enumerate(ids):
        pages.append(compose(issue, layout, only=doc_id, shown=frozenset(ids[:at + 2])))
    return pages


SOURCES = [SAMPLE, GOVCN, *sorted(FIXTURES.glob("*.xml"))]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_the_composed_html_of_every_issue_gives_the_html5_tree(source):
    for markup in composed(source):
        tree = htmltree.parsed(markup)
        assert tree is not None
        assert differences(html5(markup), tree) == []


DOCUMENT = ("<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<title>t</title>\n</head>\n"
            "<body>{}</body>\n</html>\n")


@pytest.mark.parametrize("body", [
    "<p>a&amp;b &lt;c&gt; &#34;d&#39; &copy; &#x4e00;</p>",  # character references
    '<p title="x&amp;y &#34;z&#34;" class="a" class="b">text</p>',  # first of repeated
    "<table><tr><td>1</td></tr>\n<tr><td>2</td></tr></table>",  # an implied <tbody>
    "<table>\n<colgroup><col><col></colgroup>\n<tbody>\n<tr><td>x</td></tr></tbody></table>",
    "<p>line\r\nbreak\rhere</p>",  # CR LF and CR
    "<div><br><wbr><img src=a.png alt=\"\"><br/></div>",  # void elements
    "<p>a</p>\n\n",  # white space at the body's end
    "<ul>\n<li>a<ul><li>b</li></ul></li>\n<li>c</li></ul><dl><dt>t</dt><dd>d</dd></dl>",
    "<table><caption><span>c</span></caption><tr><td>1</td></tr></table>",
    "<p><nobr>a</nobr> <a href=x>b</a><br></p><h1>h</h1><h2>i</h2>",
], ids=["references", "attributes", "tbody", "table", "cr", "void", "blank", "lists",
        "caption", "inline"])
def test_each_rule_gives_the_html5_tree(body):
    markup = DOCUMENT.format(body)
    tree = htmltree.parsed(markup)
    assert tree is not None
    assert differences(html5(markup), tree) == []


@pytest.mark.parametrize("body", [
    "<p>a<div>b</div></p>",  # a block start tag ends the open <p>
    "<p>a</p></p>",  # an end tag without its element
    "<table>x<tr><td>1</td></tr></table>",  # text moved out of the table
    "<table><td>1</td></table>",  # a cell without its row
    "<ul><li>a<li>b</ul>",  # implied end tags
    "<h1>a<h2>b</h2></h1>",  # a heading in a heading
    "<a href=x>a<a href=y>b</a></a>",  # a link in a link
    "<nobr>a<nobr>b</nobr></nobr>",
    "<!-- note --><p>a</p>",  # a comment
    "<svg><rect/></svg>",  # foreign content
    "<pre>\ncode</pre>",  # the newline after <pre>
    "<div/>text",  # a self-closing non-void element
    "<b><i>x</b></i>",  # misnested formatting
    "<p>a\0b</p>",  # NUL
])
def test_markup_that_needs_other_rules_is_left_to_html5(body):
    assert htmltree.parsed(DOCUMENT.format(body)) is None


@pytest.mark.parametrize("markup", [
    "<p>no html element</p>",
    "<!DOCTYPE html><html><body><p>no head</p></body></html>",
    "<!DOCTYPE html><html><head><div>x</div></head><body></body></html>",
    "<!DOCTYPE html><html><head></head>text<body></body></html>",
    "<!DOCTYPE html><html><head></head><body><p>a</p></body><p>after</p></html>",
    "<!DOCTYPE html><html><head></head><body><p>unclosed</body></html>",
])
def test_a_document_html5_would_complete_is_left_to_it(markup):
    assert htmltree.parsed(markup) is None


@pytest.mark.parametrize("body", ["<p>plain</p>", "<p>a<div>b</div></p>"],
                         ids=["built here", "left to html5"])
def test_weasyprint_gets_the_same_document_either_way(body, tmp_path):
    """The HTML object a render starts from: with the tree built here, or parsed by
    WeasyPrint, the same base URL and the same tree."""
    import weasyprint

    from typeset import pdf

    markup = DOCUMENT.format(body)
    base = str(tmp_path) + "/"
    ours = pdf._html(markup, base, None)
    theirs = weasyprint.HTML(string=markup, base_url=base)
    assert ours.base_url == theirs.base_url
    assert ours.media_type == theirs.media_type
    assert differences(theirs.etree_element, ours.etree_element) == []
