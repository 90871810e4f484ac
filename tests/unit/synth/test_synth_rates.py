"""Generated absence rates against the national targets (DfE methodology).

Rates are measured with the plain-polars reference of
tests/_synth_reference.py (fixture ``synth_reference``), independent of the
attendance kernels.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata.codes import category_expr
from makingdata.synth import TARGETS, generate

if TYPE_CHECKING:
    from types import ModuleType


def _rates(frame: pl.DataFrame) -> dict[str, float]:
    row = frame.select(
        overall_absence=pl.col("absent").sum() / pl.col("possible").sum() * 100,
        authorised_absence=pl.col("authorised").sum() / pl.col("possible").sum() * 100,
        unauthorised_absence=pl.col("unauthorised").sum()
        / pl.col("possible").sum()
        * 100,
        illness=pl.col("illness").sum() / pl.col("possible").sum() * 100,
        persistent_absence=pl.col("pa").mean() * 100,
        severe_absence=pl.col("sa").mean() * 100,
    ).row(0, named=True)
    return {k: float(v) for k, v in row.items()}


def _check(measured: dict[str, float], names: list[str]) -> list[str]:
    bad = []
    for name in names:
        t = TARGETS[name]
        if not t.low <= measured[name] <= t.high:
            bad.append(f"{name}={measured[name]:.2f} not in [{t.low}, {t.high}]")
    return bad


@pytest.fixture(scope="module")
def autumn(synth_reference: ModuleType) -> pl.DataFrame:
    """A whole autumn term at a quarter of a percent of England (fast)."""
    data = generate(
        scale=0.005, start=dt.date(2025, 9, 1), end=dt.date(2025, 12, 31), seed=31
    )
    return synth_reference.per_enrolment(data)


#: Persistent absence over one term runs higher than over a year: each enrolment
#: has about 140 possible sessions instead of 380, so more of them cross 10% by
#: chance. The annual bands are widened upwards by this much for a term.
TERM_PA_SLACK = 4.0


def test_autumn_phase_rates_near_targets(autumn: pl.DataFrame) -> None:
    for phase in ("Primary", "Secondary"):
        r = _rates(autumn.filter(pl.col("phase") == phase))
        overall = TARGETS[f"overall_absence_{phase.lower()}"]
        assert overall.low <= r["overall_absence"] <= overall.high, (phase, r)
        pa = TARGETS[f"persistent_absence_{phase.lower()}"]
        assert pa.low <= r["persistent_absence"] <= pa.high + TERM_PA_SLACK, (phase, r)


def test_autumn_code_mix(autumn: pl.DataFrame) -> None:
    r = _rates(autumn)
    assert r["authorised_absence"] > r["unauthorised_absence"]
    # illness is the largest single reason: more than half of authorised absence
    assert r["illness"] > 0.5 * r["authorised_absence"]
    assert 0.5 <= r["severe_absence"] <= 4.0


def test_autumn_gaps_by_group(autumn: pl.DataFrame) -> None:
    by_fsm = dict(autumn.group_by("fsm_eligible").agg(pl.col("pa").mean()).iter_rows())
    ratio = by_fsm[True] / by_fsm[False]
    t = TARGETS["pa_ratio_fsm"]
    assert t.low <= ratio <= t.high, ratio
    by_sen = dict(
        autumn.group_by(pl.col("sen_provision") != "No SEN provision")
        .agg(pl.col("pa").mean())
        .iter_rows()
    )
    assert by_sen[True] > 1.3 * by_sen[False]
    by_phase = dict(
        autumn.group_by("phase")
        .agg(pl.col("absent").sum() / pl.col("possible").sum())
        .iter_rows()
    )
    assert by_phase["Primary"] < by_phase["Secondary"] < by_phase["Special"]


def test_mondays_and_fridays_are_worse(autumn: pl.DataFrame) -> None:
    s = autumn.select(
        pl.col("absent", "possible", "mon_fri_absent", "mon_fri_possible").sum()
    )
    mon_fri = s["mon_fri_absent"].item() / s["mon_fri_possible"].item()
    midweek = (s["absent"].item() - s["mon_fri_absent"].item()) / (
        s["possible"].item() - s["mon_fri_possible"].item()
    )
    assert mon_fri > 1.04 * midweek


def test_holidays_cluster_near_breaks_and_illness_peaks_in_winter(
    synth_reference: ModuleType,
) -> None:
    data = generate(
        scale=0.01,
        start=dt.date(2025, 9, 1),
        end=dt.date(2025, 12, 31),
        seed=32,
        la=330,
    )
    daily = pl.concat(
        m.group_by("date").agg(
            g=(pl.col("code") == "G").sum(),
            i=(pl.col("code") == "I").sum(),
            n=category_expr("code").is_in(synth_reference.POSSIBLE_CATEGORIES).sum(),
        )
        for _d, m in data.iter_marks()
    )
    near = {
        dt.date(2025, 10, 23),
        dt.date(2025, 10, 24),
        dt.date(2025, 11, 3),
        dt.date(2025, 11, 4),
        dt.date(2025, 12, 18),
        dt.date(2025, 12, 19),
    }
    near_rate = (
        daily.filter(pl.col("date").is_in(near))
        .select(pl.col("g").sum() / pl.col("n").sum())
        .item()
    )
    other_rate = (
        daily.filter(~pl.col("date").is_in(near))
        .select(pl.col("g").sum() / pl.col("n").sum())
        .item()
    )
    assert near_rate > 2 * other_rate
    by_month = dict(
        daily.group_by(pl.col("date").dt.month())
        .agg(pl.col("i").sum() / pl.col("n").sum())
        .iter_rows()
    )
    assert by_month[12] > 1.3 * by_month[9]


@pytest.mark.slow
def test_full_year_national_rates_inside_all_targets(
    synth_reference: ModuleType,
) -> None:
    """The whole of 2025/26 at 5% of England against every absence target."""
    data = generate(
        scale=0.05, start=dt.date(2025, 9, 1), end=dt.date(2026, 8, 31), seed=33
    )
    frame = synth_reference.per_enrolment(data)
    measured = _rates(frame)
    for phase in ("Primary", "Secondary", "Special"):
        r = _rates(frame.filter(pl.col("phase") == phase))
        measured[f"overall_absence_{phase.lower()}"] = r["overall_absence"]
        measured[f"persistent_absence_{phase.lower()}"] = r["persistent_absence"]
    by_fsm = dict(frame.group_by("fsm_eligible").agg(pl.col("pa").mean()).iter_rows())
    measured["pa_ratio_fsm"] = by_fsm[True] / by_fsm[False]
    names = [
        n for n, t in TARGETS.items() if n in measured and t.unit in ("%", "ratio")
    ]
    assert len(names) >= 12
    print("measured:", {k: round(v, 2) for k, v in sorted(measured.items())})
    assert not _check(measured, names), measured
