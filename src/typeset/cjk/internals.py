"""The WeasyPrint and Pango internals :mod:`typeset.cjk` patches or relies on, and
the check that they are there with the signatures it was written for.

In:  dotted paths of WeasyPrint functions.  Out: :func:`check_internals` (raises
RuntimeError naming what is missing), :func:`pango_extra` (the Pango functions
WeasyPrint's cffi declarations lack).
"""

from __future__ import annotations

import inspect

from .options import SUPPORTED_WEASYPRINT

_ORIGINALS: dict[str, object] = {}  # dotted path: WeasyPrint's own function
_PANGO_EXTRA = None  # (ffi, lib) for Pango functions WeasyPrint does not declare

# (dotted path, expected parameter names) of everything patched or relied on.
EXPECTED_SIGNATURES = {
    "weasyprint.text.line_break.Layout.__init__":
        ["self", "style", "justification_spacing", "max_width"],
    "weasyprint.text.line_break.Layout.setup": ["self", "style"],
    "weasyprint.text.line_break.Layout.set_text": ["self", "text", "justify"],
    "weasyprint.text.line_break.Layout.get_first_line": ["self"],
    "weasyprint.text.line_break.Layout.deactivate": ["self"],
    "weasyprint.text.line_break.Layout.reactivate": ["self", "style"],
    "weasyprint.text.line_break.get_log_attrs": ["text", "lang"],
    "weasyprint.text.line_break.line_size": ["line", "style"],
    "weasyprint.layout.inline.text_align":
        ["context", "line", "available_width", "last"],
    "weasyprint.layout.inline.split_text_box":
        ["context", "box", "available_width", "skip", "is_line_start"],
    "weasyprint.layout.inline.get_next_linebox":
        ["context", "linebox", "position_y", "bottom_space", "skip_stack",
         "containing_block", "absolute_boxes", "fixed_boxes",
         "first_letter_style", "first_line_style"],
    "weasyprint.layout.page.make_page":
        ["context", "root_box", "page_type", "resume_at", "page_number", "page_state"],
    "weasyprint.layout.block.iter_line_boxes":
        ["context", "box", "position_y", "bottom_space", "skip_stack",
         "containing_block", "absolute_boxes", "fixed_boxes",
         "first_letter_style", "first_line_style"],
    "weasyprint.layout.block.block_box_layout":
        ["context", "box", "bottom_space", "skip_stack", "containing_block",
         "page_is_empty", "absolute_boxes", "fixed_boxes", "adjoining_margins",
         "first_letter_style", "first_line_style", "discard", "max_lines"],
    "weasyprint.layout.block.resolve_percentages": ["box", "containing_block"],
    "weasyprint.layout.block.columns_layout":
        ["context", "box", "bottom_space", "skip_stack", "containing_block",
         "page_is_empty", "absolute_boxes", "fixed_boxes", "adjoining_margins",
         "first_letter_style", "first_line_style"],
    "weasyprint.layout.column._create_column_box":
        ["box", "containing_block", "children", "width", "position_y"],
    "weasyprint.layout.preferred.split_first_line":
        ["text", "style", "context", "max_width", "justification_spacing", "is_line_start",
         "minimum"],
    "weasyprint.layout.block.remove_placeholders":
        ["context", "box_list", "absolute_boxes", "fixed_boxes"],
}
_PANGO_FUNCTIONS = (
    "pango_attr_font_features_new", "pango_attr_letter_spacing_new",
    "pango_attr_list_new", "pango_attr_list_insert", "pango_attr_list_change",
    "pango_layout_get_attributes", "pango_layout_set_attributes",
)


def _resolve(path: str):
    import importlib

    parts = path.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(path)


def _original(path: str):
    return _ORIGINALS.get(path) or _resolve(path)


def check_internals() -> None:
    """Check that the WeasyPrint internals this module patches are as expected.

    Raises :class:`RuntimeError` naming what is missing or changed (WeasyPrint
    version, function, signature, box attribute, Pango function).
    """
    problems = []
    try:
        import weasyprint
    except ImportError as exception:  # pragma: no cover
        raise RuntimeError(
            f"typeset.cjk: WeasyPrint cannot be imported: {exception}") from exception
    version = getattr(weasyprint, "__version__", "?")
    if not version.startswith(SUPPORTED_WEASYPRINT):
        problems.append(
            f"WeasyPrint {version} is not a supported version "
            f"{SUPPORTED_WEASYPRINT}")
    for path, expected in EXPECTED_SIGNATURES.items():
        try:
            function = _original(path)
        except (ImportError, AttributeError):
            problems.append(f"{path} is missing")
            continue
        try:
            parameters = list(inspect.signature(function).parameters)
        except (TypeError, ValueError):  # pragma: no cover
            problems.append(f"{path} has no inspectable signature")
            continue
        if parameters != expected:
            problems.append(f"{path}{tuple(parameters)} is not {tuple(expected)}")
    try:
        from weasyprint.formatting_structure import boxes
        from weasyprint.text import ffi as ffi_module

        for name in ("TextBox", "LineBox", "InlineBox", "AtomicInlineLevelBox"):
            if not hasattr(boxes, name):
                problems.append(f"weasyprint.formatting_structure.boxes.{name} is missing")
        if not hasattr(boxes.TextBox, "justification_spacing"):
            problems.append("TextBox.justification_spacing is missing")
        if not hasattr(boxes.TextBox, "copy_with_text"):
            problems.append("TextBox.copy_with_text is missing")
        for name in ("ffi", "pango", "TO_UNITS", "FROM_UNITS"):
            if not hasattr(ffi_module, name):
                problems.append(f"weasyprint.text.ffi.{name} is missing")
        for name in _PANGO_FUNCTIONS:
            try:
                getattr(ffi_module.pango, name)
            except AttributeError:
                problems.append(f"Pango function {name} is not declared by WeasyPrint")
        ffi_module.ffi.typeof("PangoAttribute *")
        ffi_module.ffi.typeof("PangoGlyphItem *")
        pango_extra()
        if ffi_module.pango.pango_version() < 14400:
            problems.append("Pango >= 1.44 is needed (allow-breaks attribute)")
    except Exception as exception:  # noqa: BLE001
        problems.append(f"WeasyPrint text internals unusable: {exception!r}")
    if problems:
        raise RuntimeError(
            "typeset.cjk cannot patch this WeasyPrint (written for "
            f"{', '.join(SUPPORTED_WEASYPRINT)}x): " + "; ".join(problems))


def pango_extra():
    """Pango functions that WeasyPrint's cffi declarations lack: (ffi, library).

    With WeasyPrint's declarations compiled by :mod:`typeset.startup`, they are in
    them already (WeasyPrint's own ffi and Pango); else they are declared here."""
    global _PANGO_EXTRA
    if _PANGO_EXTRA is None:
        from weasyprint.text import ffi as ffi_module

        from ..startup import PANGO_EXTRA, compiled_ffi

        if compiled_ffi() is not None and compiled_ffi() is ffi_module.ffi:
            _PANGO_EXTRA = (ffi_module.ffi, ffi_module.pango)
            return _PANGO_EXTRA
        import cffi

        extra_ffi = cffi.FFI()
        extra_ffi.include(ffi_module.ffi)  # share PangoAttribute, PangoAttrList types
        extra_ffi.cdef(PANGO_EXTRA)
        lib = None
        for name in ("libpango-1.0.so.0", "libpango-1.0-0", "pango-1.0",
                     "libpango-1.0.dylib", "libpango-1.0-0.dll"):
            try:
                lib = extra_ffi.dlopen(name)
                break
            except OSError:
                continue
        if lib is None:
            raise RuntimeError("typeset.cjk: cannot open the Pango library")
        _PANGO_EXTRA = (extra_ffi, lib)
    return _PANGO_EXTRA
