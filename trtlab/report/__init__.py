"""Reports of a check: one self-contained HTML file (`write_report`)."""

from __future__ import annotations

from .html import render_report, write_report

__all__ = ["render_report", "write_report"]
