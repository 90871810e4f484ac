"""mkdocs hook: draw the documentation's charts from synthetic data at build time.

The chart images of the docs (Concepts → Charts, the gallery) are never
committed: every build makes a small seeded synthetic data set, builds the
tables with the attendance kernels, protects them where a page says so, and
renders each chart to SVG with :mod:`makingdata.charts` — so the pictures
always show what the code of this version draws. The files are added to the
site as ``images/charts/<name>.svg``; a page links them as
``![alt](../images/charts/<name>.svg)``.

Run it on its own to write the SVGs to a folder: ``python docs/_ext/charts_gallery.py out/``.
"""

from __future__ import annotations

import datetime as dt
import sys
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
from mkdocs.structure.files import File

from makingdata import charts as ch
from makingdata import synth
from makingdata.attendance import attendance_table
from makingdata.disclosure import protect

#: The synthetic sample: three LAs of different size and region, one seed.
LAS = (330, 202, 805)
START, END = dt.date(2025, 9, 1), dt.date(2026, 2, 27)
SEED = 19
SOURCE = "synthetic data (makingdata.synth, seed 19), counted with makingdata"
#: Where the images go in the site.
FOLDER = "images/charts"


def _sample() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    parts = [
        synth.generate(scale=0.01, start=START, end=END, seed=SEED, la=la) for la in LAS
    ]
    marks = pl.concat([p.marks() for p in parts])
    enrolments = pl.concat([p.enrolments for p in parts])
    schools = pl.concat([p.schools for p in parts])
    return marks, enrolments, schools


@cache
def charts() -> dict[str, Any]:
    """Build every chart of the docs, by file name (without ``.svg``)."""
    marks, enrolments, schools = _sample()

    def table(**kwargs: Any) -> Any:
        return attendance_table(marks, enrolments, schools=schools, **kwargs).collect()

    weekly = table(levels=["school", "la", "national"], period="week")
    year: dict[str, Any] = {"period": "range", "start": START, "end": END}
    brum = schools.filter(pl.col("old_la_code") == 330)
    urn = int(brum.sort("urn")["urn"][0])
    las = table(levels=["la", "national"], **year)
    fsm = table(levels=["la", "national"], by=["fsm_status"], **year)
    # one LA on its own, protected for the public: small groups are suppressed
    in_brum = pl.col("urn").is_in(brum["urn"].implode())
    ethnicity = protect(
        attendance_table(
            marks.filter(in_brum),
            enrolments.filter(in_brum),
            schools=brum,
            levels=["la"],
            by=["ethnicity_major"],
            **year,
        ).collect(),
        "public",
    )
    big_la = "E08000025"  # Birmingham
    return {
        "over-time": ch.attendance_over_time(weekly, code=urn, source=SOURCE),
        "by-reason": ch.absence_by_reason(las, level="la", source=SOURCE),
        "by-group-fsm": ch.absence_by_group(
            fsm, "fsm_status", level="la", code=big_la, source=SOURCE
        ),
        "by-group-ethnicity": ch.absence_by_group(
            ethnicity, "ethnicity_major", level="la", code=big_la, source=SOURCE
        ),
        # the sample is small: the LA's schools stand in for a trust's
        "heatmap": ch.weekly_heatmap(
            weekly, schools=brum["urn"].to_list(), source=SOURCE
        ),
    }


def on_files(files: Any, config: Any) -> Any:
    """Add each chart to the site as an SVG file (mkdocs event)."""
    for name, chart in charts().items():
        files.append(
            File.generated(config, f"{FOLDER}/{name}.svg", content=ch.render_svg(chart))
        )
    return files


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "charts")
    out.mkdir(parents=True, exist_ok=True)
    for name, chart in charts().items():
        print(ch.save_chart(chart, out / f"{name}.svg"))
        ch.save_chart(chart, out / f"{name}.png")
