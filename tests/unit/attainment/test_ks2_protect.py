"""A KS2 table goes through disclosure control like any kernel's table."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import polars as pl

from makingdata.attainment import KS2_RESULTS_SCHEMA, ks2_table
from makingdata.disclosure import audit, protect
from makingdata.publish import check_ees, publish

if TYPE_CHECKING:
    from pathlib import Path

    from makingdata.tables import Table

SCHOOLS = pl.DataFrame(
    {
        "urn": [100001, 100002, 100003],
        "school_name": ["A Primary", "B Primary", "C Junior"],
        "laestab": [8402001, 8402002, 8412003],
        "new_la_code": ["E06000047", "E06000047", "E06000005"],
        "la_name": ["County Durham", "County Durham", "Darlington"],
        "old_la_code": [840, 840, 841],
        "region_code": ["E12000001"] * 3,
        "region_name": ["North East"] * 3,
    }
)


def _table() -> Table:
    rng = random.Random(3)
    rows = []
    for i in range(120):
        score = rng.choice([None, *range(85, 118)])
        rows.append(
            {
                "pupil_key": i,
                "urn": rng.choice([100001, 100002, 100003]),
                "time_period": 202425,
                "read_scaled_score": score,
                "read_code": None if score else rng.choice(["A", "B"]),
                "mat_scaled_score": rng.randint(85, 118),
                "gps_scaled_score": rng.randint(85, 118),
                "writta_outcome": rng.choice(["EXS", "GDS", "WTS", "PK4"]),
                "scita_outcome": rng.choice(["EXS", "HNM"]),
                "disadvantaged": rng.random() < 0.25,
            }
        )
    results = pl.DataFrame(rows, schema=KS2_RESULTS_SCHEMA)
    return ks2_table(
        results,
        SCHOOLS,
        levels=["la", "region", "national"],
        by=["disadvantage_status"],
    ).collect()


def test_a_public_release_is_protected_and_passes_the_audit() -> None:
    t = _table()
    assert t.spec.protected == tuple(
        c for c in t.spec.counts if not c.endswith("_scaled_score_sum")
    )
    assert "num_schools" in t.spec.additive
    protected = protect(t, "public")
    assert audit(protected).ok
    # Darlington has one school: its rows are not published (single-school rule)
    darlington = protected.table.filter(pl.col("la_name") == "Darlington")
    assert darlington.height == 3
    assert darlington["t_read_eligible_pupils"].null_count() == 3
    # nothing of a suppressed row gives its pupils away: not the sum of their
    # scaled scores (about 100 per pupil), not a percentage or an average
    for c in (
        "t_read_scaled_score_sum",
        "pt_read_met_expected_standard",
        "avg_read_scaled_score",
    ):
        assert darlington[c].null_count() == 3, c


def test_the_public_threshold_suppresses_every_small_ks2_count() -> None:
    # the audience's pupil threshold applies to the table's counts of people
    # (spec.protected), not only to the attendance names it lists
    t = _table()
    assert t.spec.protected is not None
    protected = protect(t, "public")
    assert audit(protected).ok
    published = protected.table
    for c in t.spec.protected:
        small = published.filter((pl.col(c) > 0) & (pl.col(c) < 6))
        assert small.is_empty(), (c, small)
    # the unprotected table had small counts to suppress
    raw = t.frame
    assert isinstance(raw, pl.DataFrame)
    assert raw.filter(
        (pl.col("t_rwm_met_higher_standard") > 0)
        & (pl.col("t_rwm_met_higher_standard") < 6)
    ).height


def test_a_protected_ks2_table_is_published_as_an_ees_file(tmp_path: Path) -> None:
    files = publish(_table(), tmp_path / "ks2_la.csv", audience="public")
    assert files.rows == 12
    report = check_ees(tmp_path / "ks2_la.csv")
    assert report.ok, report
    meta = pl.read_csv(tmp_path / "ks2_la.meta.csv")
    labels = dict(meta.select("col_name", "label").rows())
    assert labels["pt_rwm_met_expected_standard"] == (
        "Reading, writing and maths: % meeting the expected standard"
    )
    units = dict(meta.select("col_name", "indicator_unit").rows())
    assert units["pt_read_met_expected_standard"] == "%"
