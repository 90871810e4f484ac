"""Progress as DfE computes it: relative to the same year, with its confidence interval, never for parents."""

from __future__ import annotations

import math
import statistics
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from makingdata.attainment import (
    FIRST_PROGRESS_YEAR,
    NO_PROGRESS_YEARS,
    PROGRESS_REFERENCE_SCHEMA,
    PROGRESS_SHARE_RULE,
    PROGRESS_Z,
    progress_interval,
    progress_reference,
    progress_table,
    pupil_progress,
)
from makingdata.disclosure import audit, protect
from makingdata.errors import InputError, ScopeError
from makingdata.policy import default_catalogue

SCHOOLS = pl.DataFrame(
    {
        "urn": [100001, 100002, 100003],
        "school_name": ["A Primary", "B Primary", "C Middle"],
        "laestab": [8852001, 8852002, 8854003],
        "new_la_code": ["E10000034", "E10000034", "E10000034"],
        "la_name": ["Worcestershire"] * 3,
        "old_la_code": [885, 885, 885],
        "region_code": ["E12000005"] * 3,
        "region_name": ["West Midlands"] * 3,
        "lad_code": ["E07000234", "E07000234", "E07000236"],
        "lad_name": ["Bromsgrove", "Bromsgrove", "Redditch"],
    }
)


def _results(rows: list[dict[str, Any]]) -> pl.DataFrame:
    base: dict[str, Any] = {
        "urn": 100001,
        "time_period": 202223,
        "prior_attainment_group": "12",
        "read_scaled_score": 100,
        "mat_scaled_score": 100,
        "disadvantaged": False,
    }
    return pl.DataFrame([{**base, "pupil_key": i + 1, **r} for i, r in enumerate(rows)])


NATIONAL = _results(
    [
        {"prior_attainment_group": "12", "read_scaled_score": 96},
        {"prior_attainment_group": "12", "read_scaled_score": 100},
        {"prior_attainment_group": "12", "read_scaled_score": 104},
        {"prior_attainment_group": "15", "read_scaled_score": 108},
        {"prior_attainment_group": "15", "read_scaled_score": 112},
        {"prior_attainment_group": "15", "read_scaled_score": None},
        {"prior_attainment_group": None, "read_scaled_score": 120},
    ]
)


def test_the_reference_is_the_same_years_national_averages_by_group() -> None:
    ref = progress_reference(NATIONAL, subjects=["read"]).collect()
    assert ref.schema == pl.Schema(PROGRESS_REFERENCE_SCHEMA)
    assert ref.select(
        "prior_attainment_group", "national_pupils", "national_average_score"
    ).rows() == [
        ("12", 3, 100.0),
        ("15", 2, 110.0),
    ]
    # progress scores -4, 0, 4, -2, 2: population sd = sqrt(40 / 5)
    assert ref["national_progress_sd"].to_list() == pytest.approx([math.sqrt(8)] * 2)


def test_a_pupils_score_is_their_result_minus_their_groups_national_average() -> None:
    ref = progress_reference(NATIONAL)
    mine = _results(
        [
            {"prior_attainment_group": "12", "read_scaled_score": 103},
            {"prior_attainment_group": "15", "read_scaled_score": 107},
            {"prior_attainment_group": "15", "read_scaled_score": None},  # a code: none
            {"prior_attainment_group": None, "read_scaled_score": 101},  # no KS1: none
        ]
    )
    got = pupil_progress(mine, ref, audience="school").collect()
    assert got["read_progress_score"].to_list() == [3.0, -3.0, None, None]
    assert got.columns == [
        "pupil_key",
        "urn",
        "time_period",
        "prior_attainment_group",
        "read_progress_score",
        "mat_progress_score",
    ]


@pytest.mark.parametrize("year", sorted(NO_PROGRESS_YEARS))
def test_the_years_dfe_publishes_no_progress_are_refused_with_the_reason(
    year: int,
) -> None:
    pupils = _results([{"time_period": year}])
    with pytest.raises(InputError, match=f"no progress scores for KS2 in {year}") as e:
        progress_reference(pupils)
    reason = "no KS2 tests" if year in (201920, 202021) else "no KS1 baseline"
    assert reason in str(e.value)
    with pytest.raises(InputError, match=reason):
        pupil_progress(pupils, progress_reference(NATIONAL), audience="la")


def test_the_no_progress_years_are_exactly_dfes() -> None:
    assert set(NO_PROGRESS_YEARS) == {201920, 202021, 202324, 202425}
    with pytest.raises(InputError, match="begins in 201516"):
        progress_reference(_results([{"time_period": 201415}]))
    for year in (FIRST_PROGRESS_YEAR, 201819, 202122, 202223, 202526, 202627):
        progress_reference(_results([{"time_period": year}])).collect()


def test_another_years_reference_is_refused_never_used_as_a_prediction() -> None:
    ref = progress_reference(NATIONAL)  # 2022/23
    with pytest.raises(InputError, match="no 'read' averages for 202526") as e:
        pupil_progress(_results([{"time_period": 202526}]), ref, audience="school")
    assert "prediction" in str(e.value)


def test_a_group_the_reference_lacks_is_refused() -> None:
    ref = progress_reference(NATIONAL)
    with pytest.raises(InputError, match="group '3' of 202223 has no national 'read'"):
        pupil_progress(
            _results([{"prior_attainment_group": "3"}]), ref, audience="school"
        )


def test_a_progress_score_without_the_pupils_own_result_is_refused() -> None:
    ref = progress_reference(NATIONAL)
    only_prior = _results([{}]).drop("read_scaled_score", "mat_scaled_score")
    with pytest.raises(InputError, match="no 'read_scaled_score' column"):
        pupil_progress(only_prior, ref, audience="school")
    with pytest.raises(InputError, match="no 'read_scaled_score' column"):
        progress_table(only_prior, SCHOOLS, ref, audience="la")


@pytest.mark.parametrize("who", ["parents", "pupils", "Parents"])
def test_progress_for_pupils_or_parents_is_refused_citing_the_rule(who: str) -> None:
    ref = progress_reference(NATIONAL)
    rule = next(r for r in default_catalogue().rules if r.id == PROGRESS_SHARE_RULE)
    for call in (
        lambda: pupil_progress(NATIONAL, ref, audience=who),
        lambda: progress_table(NATIONAL, SCHOOLS, ref, audience=who),
    ):
        with pytest.raises(ScopeError) as e:
            call()
        msg = str(e.value)
        # the rule, its words and its source as the policy catalogue has them
        assert PROGRESS_SHARE_RULE == "NAHT-SHARE-01"
        assert rule.id in msg
        assert rule.text in msg
        assert rule.source in msg


def test_pupil_level_scores_only_for_those_who_hold_pupil_records() -> None:
    ref = progress_reference(NATIONAL)
    for who in ("school", "trust", "la", "dfe"):
        pupil_progress(NATIONAL, ref, audience=who).collect()
    for who in ("partner", "public"):
        with pytest.raises(ScopeError, match=f"not for the {who} audience"):
            pupil_progress(NATIONAL, ref, audience=who)
        progress_table(NATIONAL, SCHOOLS, ref, audience=who).collect()
    with pytest.raises(InputError, match="unknown audience 'governors'"):
        pupil_progress(NATIONAL, ref, audience="governors")


def test_school_averages_and_dfes_confidence_interval_by_hand() -> None:
    ref = progress_reference(NATIONAL)
    sd = math.sqrt(8)
    mine = _results(
        [
            {"urn": 100001, "read_scaled_score": 103},
            {"urn": 100001, "read_scaled_score": 100},
            {"urn": 100002, "read_scaled_score": 97},
            {"urn": 100003, "prior_attainment_group": "15", "read_scaled_score": 111},
        ]
    )
    t = progress_table(
        mine, SCHOOLS, ref, audience="la", levels=["school", "district", "la"]
    )
    f = t.collect().frame
    a = f.filter(pl.col("school_urn") == "100001").row(0, named=True)
    assert a["t_read_progress_eligible_pupils"] == 2
    assert a["t_read_progress_score"] == 3.0
    assert a["avg_read_progress_score"] == 1.5
    half = PROGRESS_Z * sd / math.sqrt(2)  # 3.92
    assert a["avg_read_progress_score_lower_CI"] == round(1.5 - half, 2)
    assert a["avg_read_progress_score_upper_CI"] == round(1.5 + half, 2)
    la = f.filter(pl.col("geographic_level") == "Local authority").row(0, named=True)
    assert la["t_read_progress_eligible_pupils"] == 4
    assert la["avg_read_progress_score"] == 0.25  # (3 + 0 - 3 + 1) / 4
    assert la["avg_read_progress_score_upper_CI"] == round(
        0.25 + PROGRESS_Z * sd / 2, 2
    )
    bromsgrove = f.filter(
        pl.col("lad_code") == "E07000234",
        pl.col("geographic_level") == "Local authority district",
    )
    assert bromsgrove["t_read_progress_eligible_pupils"].to_list() == [3]
    spec = t.spec
    assert spec.counts == (
        "t_read_progress_eligible_pupils",
        "t_mat_progress_eligible_pupils",
    )
    assert "avg_read_progress_score_lower_CI" in spec.other
    assert "t_read_progress_score" in spec.other


def test_a_public_progress_table_is_protected_and_passes_the_audit() -> None:
    rows = [
        {
            "urn": 100001 + i % 3,
            "read_scaled_score": 90 + (i * 7) % 30,
            "mat_scaled_score": 90 + (i * 5) % 30,
            "disadvantaged": i % 9 == 0,
        }
        for i in range(60)
    ]
    mine = _results(rows)
    t = progress_table(
        mine,
        SCHOOLS,
        progress_reference(mine),
        audience="public",
        levels=["la", "national"],
        by=["disadvantage_status"],
    ).collect()
    p = protect(t, "public")
    assert audit(p).ok
    ees = p.to_ees()
    small = ees["t_read_progress_eligible_pupils"] == "c"
    assert small.any()
    assert (ees.filter(small)["avg_read_progress_score"] == "c").all()
    assert (ees.filter(small)["avg_read_progress_score_upper_CI"] == "c").all()


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1", "2", "3"]),
            st.integers(80, 120),
            st.sampled_from([100001, 100002]),
        ),
        min_size=2,
        max_size=40,
    )
)
def test_progress_against_a_plain_computation(
    pupils: list[tuple[str, int, int]],
) -> None:
    frame = _results(
        [
            {"prior_attainment_group": g, "read_scaled_score": s, "urn": u}
            for g, s, u in pupils
        ]
    )
    ref = progress_reference(frame, subjects=["read"])
    scores = pupil_progress(frame, ref, audience="la", subjects=["read"]).collect()
    groups: dict[str, list[int]] = {}
    for g, s, _ in pupils:
        groups.setdefault(g, []).append(s)
    plain = [s - statistics.fmean(groups[g]) for g, s, _ in pupils]
    assert scores["read_progress_score"].to_list() == pytest.approx(plain)
    # a relative measure: England's pupils average zero, in every group
    assert sum(plain) == pytest.approx(0, abs=1e-9)
    sd = statistics.pstdev(plain)
    t = progress_table(
        frame, SCHOOLS, ref, audience="la", levels="school", subjects=["read"]
    )
    for row in t.collect().frame.iter_rows(named=True):
        mine = [
            p
            for p, (_, _, u) in zip(plain, pupils, strict=True)
            if str(u) == row["school_urn"]
        ]
        n = len(mine)
        mean = sum(mine) / n
        assert row["t_read_progress_eligible_pupils"] == n
        # 2 decimal places, halves away from zero: within 0.005 of the exact mean
        assert row["avg_read_progress_score"] == pytest.approx(mean, abs=0.0051)
        half = 1.96 * sd / math.sqrt(n)
        assert row["avg_read_progress_score_lower_CI"] == pytest.approx(
            mean - half, abs=0.0051
        )
        assert row["avg_read_progress_score_upper_CI"] == pytest.approx(
            mean + half, abs=0.0051
        )


def test_a_pupils_score_moves_with_their_own_result_only() -> None:
    ref = progress_reference(NATIONAL)
    before = pupil_progress(
        _results([{"read_scaled_score": 101}]), ref, audience="school"
    )
    after = pupil_progress(
        _results([{"read_scaled_score": 109}]), ref, audience="school"
    )
    delta = (
        after.collect()["read_progress_score"][0]
        - before.collect()["read_progress_score"][0]
    )
    assert delta == 8.0


def test_a_reference_with_two_rows_for_a_group_or_two_sds_is_refused() -> None:
    ref = progress_reference(NATIONAL).collect()
    with pytest.raises(
        InputError, match="more than one row for 'mat', group '12', 202223"
    ):
        pupil_progress(NATIONAL, pl.concat([ref, ref.head(1)]), audience="la")
    two_sds = ref.with_columns(
        national_progress_sd=pl.when(pl.col("prior_attainment_group") == "12")
        .then(pl.col("national_progress_sd") + 1)
        .otherwise(pl.col("national_progress_sd"))
    )
    with pytest.raises(InputError, match="more than one national standard deviation"):
        progress_table(NATIONAL, SCHOOLS, two_sds, audience="la")


def test_averages_round_half_away_from_zero() -> None:
    avg, lo, hi = progress_interval("t", "n", 0.0)
    got = pl.DataFrame({"t": [0.5, -0.5, 0.125 * 8], "n": [4, 4, 8]}).select(
        avg.alias("a"), lo.alias("lo"), hi.alias("hi")
    )
    assert got["a"].to_list() == [0.13, -0.13, 0.13]
    assert got["lo"].to_list() == got["hi"].to_list() == got["a"].to_list()
