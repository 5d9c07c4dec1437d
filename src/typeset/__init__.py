"""typeset: print editions of Chinese government gazettes (政府公报) from XML.

The pipeline, one module per stage:
parse (XML to `model.Issue`) → compose (Issue to HTML through a layout) →
pdf (HTML to PDF with WeasyPrint) → check (PDF to findings); `build` runs them in
order and `cli` is the command line.
"""

__version__ = "0.1.0"
