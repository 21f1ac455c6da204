"""Rendering results, in one place: plain text (`text`), HTML tables (`tables`), plotly figures
(`charts`), the self-contained HTML report (`html`) and how results show in a notebook
(`notebook`). The CLI, the HTML report, the results' own notebook views and the Lab all call
these; importing this package registers them with `trtlab.display`.
"""

from __future__ import annotations

from . import notebook, sweep  # noqa: F401  (register the renderers)
from .html import render_report, write_report

__all__ = ["render_report", "write_report"]
