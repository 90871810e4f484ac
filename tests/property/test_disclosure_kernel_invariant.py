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
        schools=d.schools,
        memberships=d.memberships,
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
    # no published pupil count, persistent/severe absence included, is small
    minimum = 6
    for c in ("enrolments", "enrolments_pa_10_exact", "enrolments_pa_50_exact"):
        shown = p.table[c].drop_nulls()
        assert shown.filter((shown > 0) & (shown < minimum)).is_empty(), c


@st.composite
def la_tables(draw: st.DrawFn) -> pl.DataFrame:
    """LAs → regions → England by FSM, with session columns beside the pupil count.

    The session columns are what made the kernels' tables fail their audit:
    one that is 0 everywhere (a legacy code), one with a handful of sessions
    in a few cells, one large.
    """
    cats = ("FSM eligible", "Not known to be FSM eligible")
    small = st.integers(0, 40) | st.integers(0, 6)
    rows = []
    for r in range(draw(st.integers(1, 3))):
        for la in range(draw(st.integers(1, 4))):
            schools = draw(st.integers(1, 3))
            for cat in cats:
                n = draw(small)
                rows.append(
                    {
                        "geographic_level": "Local authority",
                        "country_code": "E92000001",
                        "region_code": f"R{r}",
                        "new_la_code": f"L{r}{la}",
                        "fsm_status": cat,
                        "num_schools": schools,
                        "enrolments": n,
                        "sess_possible": 20 * n,
                        "reason_f_legacy_family_holiday": 0,
                        "reason_k_aea_education_arranged_by_la": draw(
                            st.integers(0, 2)
                        ),
                    }
                )
    las = pl.DataFrame(rows)
    counts = [
        "enrolments",
        "sess_possible",
        "reason_f_legacy_family_holiday",
        "reason_k_aea_education_arranged_by_la",
    ]

    def up(frame: pl.DataFrame, keys: list[str], level: str | None) -> pl.DataFrame:
        out = frame.group_by(keys, maintain_order=True).agg(
            pl.col(counts).sum(), pl.col("num_schools").sum()
        )
        return out.with_columns(geographic_level=pl.lit(level)) if level else out

    las = pl.concat(
        [
            las,
            up(
                las,
                ["geographic_level", "country_code", "region_code", "new_la_code"],
                None,
            ).with_columns(fsm_status=pl.lit("Total")),
        ],
        how="diagonal_relaxed",
    )
    table = pl.concat(
        [
            las,
            up(las, ["country_code", "region_code", "fsm_status"], "Regional"),
            up(las, ["country_code", "fsm_status"], "National"),
        ],
        how="diagonal_relaxed",
    )
    return table.with_columns(
        pl.col(counts).cast(pl.Int64),
        pl.col("num_schools").cast(pl.Int64),
        sess_overall_percent=pl.lit(4.5),
    )


@settings(max_examples=15, deadline=None)
@given(la_tables(), st.sampled_from(["public", "partner"]))
def test_protect_never_returns_what_its_audit_flags(
    table: pl.DataFrame, audience: str
) -> None:
    p = disclosure.protect(table, audience)
    report = disclosure.audit(p)
    assert report.ok, report.flagged
    assert (
        p.table.filter(p.status["disclosure_status"] != "published")[
            "sess_overall_percent"
        ]
        .is_null()
        .all()
    )
