"""Charts of attendance tables: honest about protection, accessible, rendered headless.

Every chart takes a :class:`~makingdata.tables.Table` (what the kernels return)
or a :class:`~makingdata.disclosure.ProtectedTable` (what :func:`protect
<makingdata.disclosure.protect>` returns) and gives an altair chart:

- :func:`attendance_over_time` — a rate by day or week for a school, trust or
  LA against its LA and England, with half terms and holidays shaded;
- :func:`absence_by_reason` — authorised and unauthorised absence (or chosen
  reasons), stacked;
- :func:`absence_by_group` — persistent and severe absence by FSM, SEN,
  ethnicity, year group …, with England's value marked;
- :func:`weekly_heatmap` — a trust's schools × weeks.

A cell that is not published as a number (suppressed ``c``, ``low``, ``x``,
``z``) is a gap — null in the chart's data, never 0 — with its symbol drawn
where the value would be, its meaning in the tooltip, and a note under the
chart. The default look (:func:`theme`) is GOV.UK-like: a colour-blind-safe
palette, labelled axes, a title, a source line, and alt text in the spec's
``description``. :func:`save_chart` writes PNG, SVG or self-contained HTML
without a browser; in a notebook a chart shows itself.

Needs the ``charts`` extra: ``pip install "makingdata[charts]"`` (altair and
vl-convert); importing this module without it raises a
:class:`~makingdata.errors.MakingDataError` that says so.

Examples
--------
>>> import polars as pl
>>> from makingdata.charts import absence_by_reason
>>> from makingdata.disclosure import protect
>>> frame = pl.DataFrame(
...     {
...         "geographic_level": ["Local authority"] * 3,
...         "new_la_code": ["E06000001", "E06000002", "E06000003"],
...         "la_name": ["Ash", "Beech", "Cedar"],
...         "num_schools": [30, 25, 28],
...         "enrolments": [2000, 4, 1800],
...         "sess_possible": [36000, 720, 32400],
...         "sess_authorised": [1500, 40, 1400],
...         "sess_unauthorised": [700, 30, 650],
...     }
... ).with_columns(
...     sess_authorised_percent=pl.col("sess_authorised")
...     / pl.col("sess_possible")
...     * 100,
...     sess_unauthorised_percent=pl.col("sess_unauthorised")
...     / pl.col("sess_possible")
...     * 100,
... )
>>> chart = absence_by_reason(protect(frame, "public"), level="la")
>>> meta = chart.to_dict()["usermeta"]["makingdata"]
>>> meta["bars"], meta["gaps"]
(['Ash', 'Beech', 'Cedar'], 2)
"""

from __future__ import annotations

from makingdata.charts._require import INSTALL, require

require("altair")
require("vl_convert")

from makingdata.charts._charts import (  # noqa: E402 - after the extra's check
    DEFAULT_SOURCE,
    absence_by_group,
    absence_by_reason,
    attendance_over_time,
    school_breaks,
    weekly_heatmap,
)
from makingdata.charts._save import (  # noqa: E402
    FORMATS,
    render_png,
    render_svg,
    save_chart,
)
from makingdata.charts._theme import FOCUS, PALETTE, SEQUENTIAL, theme  # noqa: E402

__all__ = [
    "DEFAULT_SOURCE",
    "FOCUS",
    "FORMATS",
    "INSTALL",
    "PALETTE",
    "SEQUENTIAL",
    "absence_by_group",
    "absence_by_reason",
    "attendance_over_time",
    "render_png",
    "render_svg",
    "save_chart",
    "school_breaks",
    "theme",
    "weekly_heatmap",
]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
