r"""Small, escaped, bounded HTML for notebook reprs (``_repr_html_``).

Private, at the bottom of the data path beside :mod:`makingdata._atomic` (it
imports no other stage), so that :class:`~makingdata.tables.Table`,
:class:`~makingdata.io.ReadResult`, :class:`~makingdata.disclosure.ProtectedTable`
and :class:`~makingdata.publish.EesCheck` show themselves the same way in a
notebook. Every value goes through :func:`html.escape` (a school name, a column
name or a delivered cell can hold ``<script>``); a frame shows its first rows
and columns and says how many more there are, so a national table never floods
the page.

Examples
--------
>>> import polars as pl
>>> print(frame_html(pl.DataFrame({"a<": [1, 2, 3]}), max_rows=2))
<table class="makingdata-frame"><thead><tr><th>a&lt;</th></tr></thead><tbody><tr><td>1</td></tr><tr><td>2</td></tr></tbody></table><p class="makingdata-more">… and 1 more row (3 in all)</p>
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import polars as pl

#: Rows a repr shows at most.
MAX_ROWS = 10
#: Columns a repr shows at most.
MAX_COLUMNS = 12
#: Characters of one cell shown at most.
MAX_CELL = 80

_STYLE = (
    "<style>.makingdata-repr{font-family:sans-serif;font-size:13px}"
    ".makingdata-repr table{border-collapse:collapse;margin:4px 0}"
    ".makingdata-repr th,.makingdata-repr td{border:1px solid #ddd;padding:2px 6px;"
    "text-align:left}.makingdata-repr .makingdata-more{color:#505a5f;margin:2px 0}"
    ".makingdata-repr dt{font-weight:bold;float:left;clear:left;margin-right:6px}"
    ".makingdata-repr dd{margin:0 0 2px 0}</style>"
)


def esc(value: object, *, limit: int | None = MAX_CELL) -> str:
    """Return ``value`` as escaped text, cut to ``limit`` characters (None: whole).

    Examples
    --------
    >>> esc("<b>x</b>"), esc(None), esc("a" * 100)[-3:]
    ('&lt;b&gt;x&lt;/b&gt;', '', 'aa…')
    """
    if value is None:
        return ""
    text = str(value)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text, quote=True)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def frame_html(
    frame: pl.DataFrame,
    *,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
    columns: Sequence[str] | None = None,
) -> str:
    """Return the first rows and columns of ``frame`` as an escaped HTML table.

    A line under the table says how many rows (and columns) are not shown.
    """
    names = list(columns) if columns is not None else frame.columns
    shown = names[:max_columns]
    head = frame.select(shown).head(max_rows)
    out = ['<table class="makingdata-frame"><thead><tr>']
    out += [f"<th>{esc(c)}</th>" for c in shown]
    out.append("</tr></thead><tbody>")
    for row in head.iter_rows():
        out.append("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>")
    out.append("</tbody></table>")
    more = []
    if frame.height > head.height:
        more.append(
            f"… and {_plural(frame.height - head.height, 'more row')} "
            f"({frame.height:,} in all)"
        )
    if len(names) > len(shown):
        more.append(
            f"{_plural(len(names) - len(shown), 'more column')} not shown: "
            + esc(", ".join(names[len(shown) :]))
        )
    if more:
        out.append(f'<p class="makingdata-more">{"; ".join(more)}</p>')
    return "".join(out)


def facts_html(facts: Iterable[tuple[str, object]]) -> str:
    """Return ``(name, value)`` pairs as an escaped definition list."""
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v, limit=400)}</dd>" for k, v in facts)
    return f"<dl>{items}</dl>"


def repr_html(title: str, *parts: str) -> str:
    """Wrap a repr: an escaped title, then the parts (already escaped HTML).

    Examples
    --------
    >>> repr_html("Table <1>", "<p>x</p>").count("Table &lt;1&gt;")
    1
    """
    return (
        f'<div class="makingdata-repr">{_STYLE}<strong>{esc(title, limit=None)}</strong>'
        + "".join(parts)
        + "</div>"
    )


def note_html(text: str) -> str:
    """Return one escaped line of text."""
    return f'<p class="makingdata-more">{esc(text, limit=None)}</p>'
