"""The report's one self-contained HTML page: inline SVG charts, escaped tables, no network."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from makingdata._html import esc, frame_html
from makingdata.charts import render_svg
from makingdata.disclosure import ProtectedTable
from makingdata.tables import Table

if TYPE_CHECKING:
    from collections.abc import Sequence

    import polars as pl

#: The page allows nothing from the network: no script, no font, no image
#: from outside the file (charts are inline SVG; styles are in the page).
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

STYLE = """
body{font-family:Arial,Helvetica,sans-serif;color:#0b0c0c;margin:0;line-height:1.4}
header{background:#1d70b8;color:#fff;padding:16px 24px}
header h1{margin:0 0 6px 0;font-size:28px}
header p{margin:4px 0}
main{max-width:1100px;padding:8px 24px 32px 24px}
h2{border-bottom:2px solid #1d70b8;padding-bottom:4px;margin-top:32px}
figure{margin:16px 0 24px 0}
figure svg{max-width:100%;height:auto}
details{margin:4px 0;color:#505a5f}
div.table{overflow-x:auto}
table{border-collapse:collapse;margin:8px 0;font-size:14px}
th,td{border:1px solid #b1b4b6;padding:3px 8px;text-align:left}
th{background:#f3f2f1}
.makingdata-more{color:#505a5f;margin:2px 0;font-size:14px}
dl.facts dt{font-weight:bold;float:left;clear:left;margin-right:8px}
dl.facts dd{margin:0 0 4px 0}
.note{background:#f3f2f1;border-left:5px solid #1d70b8;padding:8px 12px}
footer{border-top:1px solid #b1b4b6;color:#505a5f;padding:12px 24px;font-size:14px}
"""

_ID = re.compile(r'\bid="([^"]+)"')


def _unique_ids(svg: str, prefix: str) -> str:
    """Prefix every ``id`` of an SVG (and the references to it) with ``prefix``.

    Several charts inline in one page would otherwise share their clip-path
    ids, and a browser clips each chart with the first one's path.

    Examples
    --------
    >>> _unique_ids('<svg><clipPath id="c1"/><g clip-path="url(#c1)"/></svg>', "f2-")
    '<svg><clipPath id="f2-c1"/><g clip-path="url(#f2-c1)"/></svg>'
    """
    ids = set(_ID.findall(svg))
    if not ids:
        return svg
    pattern = re.compile(
        r'(\bid="|url\(#|href="#)('
        + "|".join(re.escape(i) for i in ids)
        + r')(?=["\)])'
    )
    return pattern.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", svg)


def chart_html(chart: Any, number: int) -> str:
    """Return one chart as a ``<figure>``: inline SVG with its alt text, and the text description."""
    spec = chart.to_dict()
    description = str(spec.get("description") or "")
    svg = _unique_ids(render_svg(chart), f"chart{number}-")
    return (
        f'<figure class="chart" id="chart-{number}">{svg}'
        f"<figcaption><details><summary>Chart {number}: text description</summary>"
        f"<p>{esc(description, limit=None)}</p></details></figcaption></figure>"
    )


def published_frame(table: Table | ProtectedTable | pl.DataFrame) -> pl.DataFrame:
    """Return a table as it would be published: symbols where a value is not a number."""
    if isinstance(table, ProtectedTable):
        return table.to_ees()
    if isinstance(table, Table):
        return table.to_ees()
    return table


def table_html(
    caption: str,
    table: Table | ProtectedTable | pl.DataFrame,
    columns: Sequence[str] | None,
    max_rows: int,
) -> str:
    """Return a table as escaped HTML with a caption."""
    frame = published_frame(table)
    shown = [c for c in columns if c in frame.columns] if columns else None
    return (
        f'<div class="table"><p><strong>{esc(caption, limit=None)}</strong></p>'
        + frame_html(frame, max_rows=max_rows, max_columns=14, columns=shown)
        + "</div>"
    )


def paragraphs(lines: Sequence[str]) -> str:
    return "".join(f"<p>{esc(line, limit=None)}</p>" for line in lines)
