"""What the Chinese engine is asked to do: its constants and the options that
:func:`typeset.cjk.enable` sets.

In:  nothing.  Out: the constants and the one mutable :data:`OPTIONS` that the other
modules of :mod:`typeset.cjk` read while WeasyPrint lays out.
"""

from __future__ import annotations

from dataclasses import dataclass

SUPPORTED_WEASYPRINT = ("70.",)

#: Space added between Han and Latin letters/digits when enabled, in em.
HAN_LATIN_SPACE_EM = 0.25

#: Gaps put between two boxes are kept below this (in em) when the spare
#: width allows it: PDF text extractors (pypdf, poppler) read a positioning gap
#: of about 0.1 em or more as a word space.
_MAX_BOX_GAP_EM = 0.09
#: A line wider than its column by more than this (CSS px) is tightened evenly.
_OVERFULL_TOLERANCE = 0.05

#: A line is tried longer once its mean gap would exceed this (em).
SQUEEZE_FROM_EM = 0.1
#: What halving a mark gives back, as a share of its half em (a safety margin for
#: fonts whose halt forms are not exactly half).
_HALF = 0.98


@dataclass
class _Options:
    enabled: bool = False
    han_latin_space: bool = False
    han_latin_em: float = HAN_LATIN_SPACE_EM
    last_line_min_chars: bool = True
    squeeze: bool = True  # reduce before expanding: halve marks to take more text


OPTIONS = _Options()
