"""The reference implementations in examples/ run end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_trust_weekly_report(tmp_path: Path) -> None:
    out = tmp_path / "trust-week.csv"
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / "trust_weekly_report.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "audit ok: True" in proc.stdout
    table = pl.read_csv(out, infer_schema=False)
    # a partner release carries no school identities and only the trust's rows
    assert not {"school_urn", "school_name", "school_laestab"} & set(table.columns)
    assert set(table["geographic_level"]) == {"MAT"}
    assert table["trust_id"].n_unique() == 1
    assert set(table["fsm_status"]) == {
        "FSM eligible",
        "Not known to be FSM eligible",
        "Total",
    }


def test_ks2_scrutiny_report(tmp_path: Path) -> None:
    out = tmp_path / "ks2-report"
    proc = subprocess.run(
        [
            sys.executable,
            str(EXAMPLES / "ks2_scrutiny" / "report.py"),
            "--la",
            "885",
            "--years",
            "2023,2024",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    rwm = "pt_rwm_met_expected_standard"

    def read(name: str) -> pl.DataFrame:
        return pl.read_csv(out / f"{name}.csv", infer_schema=False)

    def number(value: str) -> float:
        return float(value)

    # the LA against England, both years, with the sign of the gap: LA minus England
    gaps = read("la_gap_to_england")
    assert set(gaps["geographic_level"]) == {"Local authority", "National"}
    assert set(gaps["time_period"]) == {"202324", "202425"}
    assert set(
        gaps.filter(pl.col("geographic_level") == "National")[f"{rwm}_gap_national"]
    ) == {"0"}
    for row in gaps.filter(pl.col("geographic_level") == "Local authority").iter_rows(
        named=True
    ):
        assert number(row[f"{rwm}_gap_national"]) == number(row[rwm]) - number(
            row[f"{rwm}_national"]
        )
    trend = read("la_trend").filter(pl.col("time_period") == "202425")
    assert set(trend["previous_period"]) == {"202324"}
    # districts of the county, each compared with England
    districts = read("districts_gap_to_england").filter(
        pl.col("geographic_level") == "Local authority district"
    )
    assert districts["lad_name"].n_unique() >= 5
    assert "Bromsgrove" in set(districts["lad_name"])
    # DfE's disadvantage gap: disadvantaged pupils minus all other pupils in England, below zero
    disadv = read("disadvantage_gap")
    assert set(disadv["disadvantage_status"]) == {"Disadvantaged"}
    for row in disadv.iter_rows(named=True):
        gap = number(row[f"{rwm}_gap_comparison"])
        assert gap == number(row[rwm]) - number(row[f"{rwm}_comparison"])
        assert gap < 0
    sen = read("sen_gap_to_england")
    assert "Education, health and care plan" in set(sen["sen_provision"])
    assert {"2-tier area", "3-tier area"} <= set(read("area_tier")["area_tier"])
    assert set(read("school_type_gap")["school_type"]) == {"Academies and free schools"}
    # small groups are suppressed: pupils with an EHC plan in a district
    sen_districts = read("sen_districts")
    assert (sen_districts["t_rwm_met_expected_standard"] == "c").any()
    # nothing below the threshold published, and no school identified
    published = sorted(out.glob("*.csv"))
    assert len(published) >= 10
    for path in published:
        table = pl.read_csv(path, infer_schema=False)
        assert not {"school_urn", "school_name", "school_laestab"} & set(
            table.columns
        ), path
        for c in (c for c in table.columns if c.startswith("t_")):
            values = table[c].cast(pl.Int64, strict=False)
            assert not values.is_between(1, 5).any(), (path.name, c)
    just_short = read("schools_just_short")
    n = just_short["schools_just_short"].cast(pl.Int64).sum()
    summary = (out / "summary.md").read_text()
    assert f"{n} schools were within 5 points below England" in summary
    for heading in (
        "against England",
        "Disadvantaged pupils",
        "Districts",
        "3-tier",
        "Academies",
    ):
        assert heading in summary
