"""Property: a public or partner release of any kernel-made table passes its own audit."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from makingdata import attendance, disclosure, synth

START = dt.date(2025, 9, 8)
END = dt.date(2025, 9, 10)

_LEVELS = ("school", "trust", "la", "region", "national")
_BY = ("fsm_status", "sex", "sen_provision")


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(
    seed=st.integers(0, 10_000),
    levels=st.lists(st.sampled_from(_LEVELS), min_size=1, max_size=4, unique=True),
    by=st.lists(st.sampled_from(_BY), max_size=2, unique=True),
    audience=st.sampled_from(["public", "partner"]),
)
def test_audit_of_protect_is_ok(
    seed: int, levels: list[str], by: list[str], audience: str
) -> None:
    d = synth.generate(scale=0.01, start=START, end=END, seed=seed, la=330)
    t = attendance.attendance_table(
        d.marks(),
        d.enrolments,
        d.schools,
        d.memberships,
        levels=levels,
        by=by,
        period="ytd",
        start=START,
        end=END,
    ).collect()
    p = disclosure.protect(t, audience)
    report = disclosure.audit(p)
    assert report.ok, report.flagged
    assert not (p.table["geographic_level"] == "School").any()
    assert "school_urn" not in p.table.columns
    # every published count is the kernel's own figure
    published = p.status["disclosure_status"] == "published"
    kept = t.filter(pl.col("geographic_level") != "School").filter(published)
    assert (
        kept["enrolments"].to_list()
        == p.table.filter(published)["enrolments"].to_list()
    )
