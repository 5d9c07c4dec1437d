"""Write the issue format: a `model.Document` → the text of one `<document>` element.

In: a document of the typeset model (as `recognise` builds it).  Out: XML text, the
document's children in the schema's order, indented between blocks only (never
inside a paragraph, title or cell, where white space would be text).  Everything is
built as lxml elements and serialised by lxml: text from the Word file is escaped and
never becomes markup; characters XML cannot hold (C0 controls) are dropped.
`issue_xml` wraps documents into a new issue with meta to fill in.
"""

from __future__ import annotations

import datetime as dt
import re

from lxml import etree

from .. import model as m
from ..schema import validator

#: Elements whose content is other elements only: indented, one child per line.
_CONTAINERS = {"issue", "meta", "section", "document", "decree", "appendix", "body",
               "signature", "attachments", "table", "cols", "thead", "tbody", "row",
               "chapter", "division", "article", "members", "position", "member", "list",
               "figure"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def document_xml(document: m.Document) -> str:
    """The `<document>` element of `document`, as indented XML text (no declaration)."""
    el = document_element(document)
    _indent(el, 0)
    return etree.tostring(el, encoding="unicode")


def document_element(document: m.Document) -> etree._Element:
    el = etree.Element("document", id=document.id)
    if document.kind:
        el.set("kind", _clean(document.kind))
    if document.decree is not None:
        el.append(_decree(document.decree))
    _part(el, document)
    for appendix in document.appendices:
        child = etree.SubElement(el, "appendix")
        if appendix.label:
            child.set("label", _clean(appendix.label))
        _part(child, appendix)
    return el


def issue_xml(documents: list[m.Document], comment: str = "") -> str:
    """A new issue holding `documents` in one section, with meta to fill in: placeholder
    names in brackets, the year and date of the latest document.  It validates."""
    dates = [d for doc in documents for d in _dates(doc)]
    latest = max(dates) if dates else dt.date.today()
    root = etree.Element("issue", version="1")
    if comment:
        root.append(etree.Comment(f" {_clean(comment).replace('--', '—')} "))
    meta = etree.SubElement(root, "meta")
    etree.SubElement(meta, "gazette").text = "（公报名称）"
    etree.SubElement(meta, "year").text = str(latest.year)
    etree.SubElement(meta, "number").text = "1"
    etree.SubElement(meta, "published").text = latest.isoformat()
    section = etree.SubElement(root, "section", id="section-1")
    etree.SubElement(section, "title").text = "（栏目名称）"
    for document in documents:
        section.append(document_element(document))
    _indent(root, 0)
    text = etree.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


def check_valid(document_el: etree._Element) -> list[str]:
    """The schema's complaints about `document_el` placed in a minimal issue (none: valid)."""
    root = etree.fromstring(
        "<issue version='1'><meta><gazette>x</gazette><year>2021</year><number>1</number>"
        "<published>2021-01-01</published></meta><section id='s'><title>x</title></section>"
        "</issue>")
    root.find("section").append(document_el)
    schema = validator()
    if schema.validate(root.getroottree()):
        return []
    return [f"{e.path}: {e.message}" for e in schema.error_log]


def _dates(document: m.Document):
    for part in (document, *document.appendices):
        if part.signature:
            yield part.signature.date
        if part.date_line:
            yield part.date_line
    if document.decree:
        yield document.decree.date


# ---------------------------------------------------------------------- parts


def _part(el: etree._Element, part: m.Part) -> None:
    if part.title:
        _inline(etree.SubElement(el, "title"), part.title)
        if part.toc_title:
            _inline(etree.SubElement(el, "toc-title"), part.toc_title)
        if part.title_note:
            _inline(etree.SubElement(el, "title-note"), part.title_note)
        if part.date_line:
            _date(etree.SubElement(el, "date-line"), part.date_line, part.date_line_style)
        if part.doc_number:
            etree.SubElement(el, "doc-number").text = _clean(part.doc_number)
    if part.addressee:
        _inline(etree.SubElement(el, "addressee"), part.addressee)
    body = etree.SubElement(el, "body")
    for block in part.body:
        _block(body, block)
    if part.attachments:
        attachments = etree.SubElement(el, "attachments")
        if part.attachments_label != m.ATTACHMENT_LABEL:
            attachments.set("label", _clean(part.attachments_label))
        for name in part.attachments:
            _inline(etree.SubElement(attachments, "attachment"), name)
    if part.signature:
        signature = etree.SubElement(el, "signature")
        for issuer in part.signature.issuers:
            etree.SubElement(signature, "issuer").text = _clean(issuer)
        _date(etree.SubElement(signature, "date"), part.signature.date,
              part.signature.date_style)
    for note in part.notes:
        _inline(etree.SubElement(el, "note"), note)


def _decree(decree: m.Decree) -> etree._Element:
    el = etree.Element("decree")
    if decree.name:
        etree.SubElement(el, "name").text = _clean(decree.name)
    etree.SubElement(el, "number").text = _clean(decree.number)
    for paragraph in decree.paragraphs:
        _paragraph(el, paragraph)
    for signatory in decree.signatories:
        etree.SubElement(el, "signatory", title=_clean(signatory.title)).text = \
            _clean(signatory.name)
    _date(etree.SubElement(el, "date"), decree.date, decree.date_style)
    return el


def _date(el: etree._Element, value: dt.date, style: str) -> None:
    el.text = value.isoformat()
    if style != "arabic":
        el.set("style", style)


# ---------------------------------------------------------------------- blocks


def _block(parent: etree._Element, block: m.Block) -> None:
    if isinstance(block, m.Paragraph):
        _paragraph(parent, block)
    elif isinstance(block, m.Heading):
        _inline(etree.SubElement(parent, f"h{block.level}"), block.content)
    elif isinstance(block, m.Table):
        _table(parent, block)
    elif isinstance(block, m.ListBlock):
        el = etree.SubElement(parent, "list")
        for item in block.items:
            item_el = etree.SubElement(el, "item")
            if item and isinstance(item[0], m.Paragraph):
                for paragraph in item:
                    _paragraph(item_el, paragraph)
            else:
                _inline(item_el, item)
    elif isinstance(block, m.Figure):
        el = etree.SubElement(parent, "figure")
        img = etree.SubElement(el, "img", src=block.src)
        if getattr(block, "alt", ""):
            img.set("alt", _clean(block.alt))
        if block.width:
            img.set("width", block.width)
        if block.caption:
            _inline(etree.SubElement(el, "caption"), block.caption)
    elif isinstance(block, m.Members):
        el = etree.SubElement(parent, "members")
        for role in block.roles:
            position = etree.SubElement(el, "position", title=_clean(role.title))
            for item in role.items:
                if isinstance(item, m.Member):
                    member = etree.SubElement(position, "member")
                    etree.SubElement(member, "name").text = _clean(item.name)
                    if item.post:
                        etree.SubElement(member, "post").text = _clean(item.post)
                else:
                    _inline(etree.SubElement(position, "group"), item)
    elif isinstance(block, m.Chapter):
        el = etree.SubElement(parent, "chapter")
        _inline(etree.SubElement(el, "heading"), block.heading)
        for child in block.children:
            if isinstance(child, m.Division):
                division = etree.SubElement(el, "division")
                _inline(etree.SubElement(division, "heading"), child.heading)
                for article in child.articles:
                    _article(division, article)
            else:
                _block(el, child)
    elif isinstance(block, m.Article):
        _article(parent, block)
    else:  # a new block kind in the model: fail loudly, never drop it
        raise TypeError(f"xml_writer: no element for {type(block).__name__}")


def _paragraph(parent: etree._Element, paragraph: m.Paragraph) -> None:
    el = etree.SubElement(parent, "p")
    if paragraph.align:
        el.set("align", paragraph.align)
    if paragraph.indent is not None:
        el.set("indent", str(paragraph.indent))
    if paragraph.runin:
        runin = etree.SubElement(el, "runin", level=str(paragraph.runin_level))
        _inline(runin, paragraph.runin)
        _inline(el, paragraph.content, after=runin)
    else:
        _inline(el, paragraph.content)


def _article(parent: etree._Element, article: m.Article) -> None:
    el = etree.SubElement(parent, "article")
    etree.SubElement(el, "num").text = _clean(article.num)
    for clause in article.clauses:
        clause_el = etree.SubElement(el, "clause")
        _inline(clause_el, clause.content)
        for item in clause.items:
            _inline(etree.SubElement(clause_el, "item"), item)


def _table(parent: etree._Element, table: m.Table) -> None:
    el = etree.SubElement(parent, "table")
    if table.caption:
        _inline(etree.SubElement(el, "caption"), table.caption)
    if table.unit:
        _inline(etree.SubElement(el, "unit"), table.unit)
    if table.cols:
        cols = etree.SubElement(el, "cols")
        for col in table.cols:
            col_el = etree.SubElement(cols, "col", width=_weight(col.width))
            if col.align:
                col_el.set("align", col.align)
    if table.head:
        thead = etree.SubElement(el, "thead")
        for row in table.head:
            _row(thead, row)
    tbody = etree.SubElement(el, "tbody")
    for row in table.body:
        if isinstance(row, m.GroupRow):
            _inline(etree.SubElement(tbody, "group"), row.content)
        else:
            _row(tbody, row)
    for note in table.notes:
        _inline(etree.SubElement(el, "note"), note)


def _row(parent: etree._Element, row: m.Row) -> None:
    el = etree.SubElement(parent, "row")
    for cell in row.cells:
        cell_el = etree.SubElement(el, "cell")
        if cell.colspan > 1:
            cell_el.set("colspan", str(cell.colspan))
        if cell.rowspan > 1:
            cell_el.set("rowspan", str(cell.rowspan))
        if cell.align:
            cell_el.set("align", cell.align)
        if cell.indent:
            cell_el.set("indent", str(cell.indent))
        _inline(cell_el, cell.content)


def _weight(width: float) -> str:
    """A relative width as the schema takes it: up to 4 digits and 3 decimals."""
    value = min(max(width, 0.001), 9999.999)
    return f"{value:.3f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------------- inline


def _inline(el: etree._Element, nodes: tuple[m.Inline, ...], after=None) -> None:
    """Append inline `nodes` to `el` (after its child `after`, when given)."""
    last = after
    for node in nodes:
        if node.kind == "text":
            text = _clean(node.text)
            if last is None:
                el.text = (el.text or "") + text
            else:
                last.tail = (last.tail or "") + text
        else:
            child = etree.SubElement(el, node.kind)
            if node.children:
                _inline(child, node.children)
            elif node.text:
                child.text = _clean(node.text)
            last = child


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _indent(el: etree._Element, level: int) -> None:
    """Put each child of a container on a line of its own, two spaces a level."""
    if el.tag not in _CONTAINERS or (el.text and el.text.strip()):
        return
    children = [c for c in el if isinstance(c.tag, str) or isinstance(c, etree._Comment)]
    if not children:
        return
    pad = "\n" + "  " * (level + 1)
    el.text = pad
    for child in children:
        child.tail = pad
        _indent(child, level + 1)
    children[-1].tail = "\n" + "  " * level
