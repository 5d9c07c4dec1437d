"""The element tree of typeset's composed HTML, built five times faster than
WeasyPrint builds it, and the same tree.

WeasyPrint parses HTML with tinyhtml5, an HTML5 parser in pure Python: 0.1 s for the
sample issue's 75,000 characters, and 25-50 ms of each warm preview.  The HTML
typeset renders is not any HTML, though: `typeset.compose` writes it from the
layout's templates, with every character of the issue escaped (autoescape), so its
elements are the templates' own, each closed, in the order HTML5 expects.  For such
markup the HTML5 tree-construction rules reduce to a few: void elements, the raw
text of <style> and <script>, character references, the first of a repeated
attribute, line breaks normalised, white space before <head> dropped and after
</body> kept in the body, and a <tbody> around rows put directly in a <table>.

In: composed HTML.  Out: its root <html> element (``xml.etree.ElementTree``, tags
without a namespace, as WeasyPrint asks tinyhtml5 for them), or None as soon as the
markup needs any other rule (an end tag that does not close the current element, a
comment, text where HTML5 would move it, foreign content, a missing <head> or
<body>...): the caller then lets tinyhtml5 parse it.  tests/test_htmltree.py compares
the two parsers' trees over the samples, every fixture and each rule above.
"""

from __future__ import annotations

import html.parser
import xml.etree.ElementTree as ET

#: HTML5's void elements: no content, no end tag.
VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                  "meta", "source", "track", "wbr"))
#: Elements HTML5 gives other rules (foreign content, templates, RCDATA, pre's newline,
#: implied ends and foster parenting): markup with them goes to tinyhtml5.
OTHER_RULES = frozenset(("svg", "math", "template", "textarea", "pre", "listing",
                         "plaintext", "xmp", "iframe", "noembed", "noframes", "noscript",
                         "frameset", "frame", "select", "option", "optgroup", "form",
                         "button", "rp", "rt", "ruby", "image", "isindex", "marquee",
                         "object", "applet"))
#: What <head> holds; any other element would end it in HTML5.
HEAD_ELEMENTS = frozenset(("meta", "title", "style", "link", "base", "script"))
#: Start tags that end an open <p> (HTML5: "close a p element" in button scope).
ENDS_P = frozenset((
    "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir",
    "div", "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup",
    "main", "menu", "nav", "ol", "p", "search", "section", "summary", "ul", "h1", "h2",
    "h3", "h4", "h5", "h6", "pre", "listing", "form", "li", "dd", "dt", "plaintext",
    "table", "hr", "xmp"))
HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
#: HTML5's "special" elements, where the search for an open <li>, <dd> or <dt> stops
#: (<address>, <div> and <p> excepted).
SPECIAL = frozenset((
    "address", "applet", "area", "article", "aside", "base", "basefont", "bgsound",
    "blockquote", "body", "br", "button", "caption", "center", "col", "colgroup", "dd",
    "details", "dir", "div", "dl", "dt", "embed", "fieldset", "figcaption", "figure",
    "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head",
    "header", "hgroup", "hr", "html", "iframe", "img", "input", "keygen", "li", "link",
    "listing", "main", "marquee", "menu", "meta", "nav", "noembed", "noframes",
    "noscript", "object", "ol", "p", "param", "plaintext", "pre", "script", "search",
    "section", "select", "source", "style", "summary", "table", "tbody", "td",
    "template", "textarea", "tfoot", "th", "thead", "title", "tr", "track", "ul", "wbr",
    "xmp"))
#: Where the search for an open <p> (button scope) stops.
SCOPE = frozenset(("html", "table", "td", "th", "caption", "applet", "marquee", "object",
                   "template", "button"))
#: Where HTML5 keeps only white space and the table's own parts (anything else is
#: moved out of the table).
TABLE_CONTEXT = frozenset(("table", "tbody", "thead", "tfoot", "tr", "colgroup"))
#: The parents HTML5 lets each part of a table have without implying another.
TABLE_PARENTS = {"caption": ("table",), "colgroup": ("table",), "tbody": ("table",),
                 "thead": ("table",), "tfoot": ("table",), "tr": ("tbody", "thead", "tfoot"),
                 "td": ("tr",), "th": ("tr",), "col": ("colgroup",)}


class _NotPlain(Exception):
    """The markup needs an HTML5 rule this builder does not apply."""


class _Builder(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: ET.Element | None = None
        self.stack: list[ET.Element] = []
        self.implied: set[int] = set()  # ids of the <tbody> elements HTML5 implies
        self.seen: list[str] = []  # html, head, body, in order met
        self.after_body = False

    def _text(self, data: str) -> None:
        if not data:
            return
        blank = not data.strip(" \t\n\f")  # HTML5's white space (no \r: normalised)
        if self.root is None or (self.stack and self.stack[-1] is self.root
                                 and self.seen == ["html"]):
            if blank:  # before <html>, or before <head>: dropped
                return
            raise _NotPlain
        if self.after_body:  # after </body>, or </html>: in the body, if blank
            if not blank:
                raise _NotPlain
            body = self.root[-1]
            self._append(body, data)
            return
        if not self.stack:
            raise _NotPlain
        parent = self.stack[-1]
        if (parent.tag in TABLE_CONTEXT or parent.tag == "head"
                or parent is self.root) and not blank:
            raise _NotPlain
        self._append(parent, data)

    @staticmethod
    def _append(parent: ET.Element, data: str) -> None:
        if len(parent):
            last = parent[-1]
            last.tail = (last.tail or "") + data
        else:
            parent.text = (parent.text or "") + data

    def handle_starttag(self, tag: str, attrs) -> None:
        if self.after_body:
            raise _NotPlain
        if tag in ("html", "head", "body"):
            expected = ["html", "head", "body"][len(self.seen):len(self.seen) + 1]
            if [tag] != expected or attrs and tag != "html" and tag != "body":
                raise _NotPlain
            if tag != "html" and self.stack != [self.root]:
                raise _NotPlain
            self.seen.append(tag)
        elif (tag in OTHER_RULES or not self.stack or self.seen == ["html"]
              or (self.seen == ["html", "head"]) != (self.stack[-1].tag == "head")
              or self.stack[-1].tag == "head" and tag not in HEAD_ELEMENTS):
            raise _NotPlain
        elif tag in ENDS_P or tag in ("a", "nobr"):
            for open_ in reversed(self.stack):
                if open_.tag == (tag if tag in ("a", "nobr") else "p"):
                    raise _NotPlain  # HTML5 would close it first
                if open_.tag in SCOPE and tag not in ("a", "nobr"):
                    break
            if tag in HEADINGS and self.stack[-1].tag in HEADINGS:
                raise _NotPlain
            if tag in ("li", "dd", "dt"):  # an open item of the list ends first
                items = ("li",) if tag == "li" else ("dd", "dt")
                for open_ in reversed(self.stack):
                    if open_.tag in items:
                        raise _NotPlain
                    if open_.tag in SPECIAL and open_.tag not in ("address", "div", "p"):
                        break
        attributes: dict[str, str] = {}
        for name, value in attrs:
            attributes.setdefault(name, "" if value is None else value)
        element = ET.Element(tag, attributes)
        if self.stack:
            parent = self.stack[-1]
            if parent.tag == "table" and tag == "tr":  # rows get their <tbody>
                body = ET.SubElement(parent, "tbody")
                self.implied.add(id(body))
                self.stack.append(body)
                parent = body
            if tag in TABLE_PARENTS:
                if parent.tag not in TABLE_PARENTS[tag]:
                    raise _NotPlain
            elif parent.tag in TABLE_CONTEXT:
                raise _NotPlain
            parent.append(element)
        elif self.root is None:
            self.root = element
        else:
            raise _NotPlain
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag not in VOID:  # <div/> is an open <div> in HTML5
            raise _NotPlain
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            raise _NotPlain
        if (tag == "table" and self.stack and id(self.stack[-1]) in self.implied):
            self.stack.pop()
        if tag == "body":
            if self.stack[-1:] != [self.root[-1]] or self.root[-1].tag != "body":
                raise _NotPlain
            self.after_body = True
            return  # the body stays open: what follows goes in it
        if tag == "html":
            if not self.after_body:
                raise _NotPlain
            return
        if self.after_body or not self.stack or self.stack[-1].tag != tag:
            raise _NotPlain
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self._text(data)

    def handle_comment(self, data: str) -> None:
        raise _NotPlain

    def handle_decl(self, decl: str) -> None:
        if decl.lower() != "doctype html" or self.root is not None:
            raise _NotPlain

    def handle_pi(self, data: str) -> None:
        raise _NotPlain

    def unknown_decl(self, data: str) -> None:
        raise _NotPlain


def parsed(markup: str) -> ET.Element | None:
    """The root element HTML5 parsing gives `markup`, or None when this builder cannot
    promise it (see the module's docstring)."""
    if "\0" in markup:
        return None
    if "\r" in markup:  # HTML5's input stream: CR LF and CR are LF
        markup = markup.replace("\r\n", "\n").replace("\r", "\n")
    builder = _Builder()
    try:
        builder.feed(markup)
        builder.close()
    except (_NotPlain, IndexError):
        return None
    if builder.seen != ["html", "head", "body"] or not builder.after_body:
        return None
    return builder.root
