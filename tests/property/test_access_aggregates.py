"""Property tests: partner and public views never name a school or a pupil."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from makingdata.access import scope
from makingdata.domain import Directory
from makingdata.domain.sharing import Viewer
from makingdata.errors import AccessDenied

IDENTITY = ["urn", "school_urn", "laestab", "school_laestab", "school_name", "estab"]
LEVELS = ["National", "Regional", "Local authority", "School", None]


@settings(max_examples=60)
@given(
    with_urn_and_date=st.booleans(),
    audience=st.sampled_from(["partner", "public"]),
    n=st.integers(0, 5),
)
def test_pupil_or_school_day_rows_are_refused(
    with_urn_and_date: bool, audience: str, n: int
) -> None:
    frame = pl.DataFrame({"pupil_key": list(range(n)), "sess_possible": [2] * n})
    if with_urn_and_date:
        frame = frame.drop("pupil_key").with_columns(
            urn=pl.lit(100001), date=pl.lit(dt.date(2025, 9, 8))
        )
    viewer = Viewer.partner("AAA") if audience == "partner" else Viewer.public()
    with pytest.raises(
        AccessDenied,
        match=r"DfE, Requesting daily data from schools – principles for collection and use, 2022, §4",
    ):
        scope(
            frame,
            viewer=viewer,
            purpose="research",
            directory=Directory([]),
            agreements=[],
            audit=None,
        )


@settings(max_examples=60)
@given(
    data=st.data(),
    columns=st.lists(st.sampled_from(IDENTITY), unique=True, max_size=4),
    audience=st.sampled_from(["partner", "public"]),
)
def test_no_school_identity_reaches_partner_or_public(
    data: st.DataObject, columns: list[str], audience: str
) -> None:
    n = data.draw(st.integers(0, 12))
    levels = data.draw(st.lists(st.sampled_from(LEVELS), min_size=n, max_size=n))
    frame: dict[str, list[object]] = {
        "geographic_level": levels,
        "enrolments": data.draw(st.lists(st.integers(0, 999), min_size=n, max_size=n)),
    }
    for c in columns:
        if c == "school_name":
            values: list[object] = data.draw(
                st.lists(
                    st.none() | st.text(min_size=1, max_size=5), min_size=n, max_size=n
                )
            )
        else:
            values = data.draw(
                st.lists(
                    st.none() | st.integers(100000, 999999), min_size=n, max_size=n
                )
            )
        frame[c] = values
    table = pl.DataFrame(frame, strict=False)
    viewer = Viewer.partner("AAA") if audience == "partner" else Viewer.public()
    out = scope(
        table,
        viewer=viewer,
        purpose="research",
        directory=Directory([]),
        agreements=[],
        audit=None,
    )
    assert not set(out.columns) & {*IDENTITY, "pupil_key", "upn"}
    assert "School" not in out["geographic_level"].to_list()
    # a row survives only if it named no school
    named = (
        pl.any_horizontal(pl.col(c).is_not_null() for c in columns)
        if columns
        else pl.lit(False)
    )
    kept = table.filter(
        ~named
        & (
            pl.col("geographic_level").is_null()
            | (pl.col("geographic_level") != "School")
        )
    )
    assert out.height == kept.height
