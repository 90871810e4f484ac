"""The reference implementations in examples/ run end to end."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from makingdata.publish import check_ees

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
    # charts for the trust's own staff, beside the CSV (examples19)
    heatmap = (tmp_path / "trust-week.heatmap.svg").read_text()
    assert heatmap.startswith("<svg")
    assert "for 5 schools over 3 weeks (8 Sep to 22 Sep)" in heatmap
    over_time = (tmp_path / "trust-week.over_time.svg").read_text()
    assert over_time.startswith("<svg")
    assert "Line chart of Overall absence rate (%) for Synthetic" in over_time
    assert f"wrote {tmp_path / 'trust-week.heatmap.svg'}" in proc.stdout


# ---------------------------------------------------------------- examples19
KEY = "examples-test-key-8e1f3a6c9b2d5074f3e8a1c6b9d2f5e7"


def run_example(
    script: str, *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run one example script as a user would, from ``cwd``."""
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
        cwd=cwd,
        env=None if env is None else {**os.environ, **env},
    )


def test_vendor_export_check_clean_export_exits_0(tmp_path: Path) -> None:
    made = run_example(
        "vendor_export_check.py", "--synthetic", "clean", "--out", "made", cwd=tmp_path
    )
    assert made.returncode == 0, made.stderr
    summary = json.loads((tmp_path / "made" / "summary.json").read_text())
    assert summary["verdict"] == "OK"
    assert summary["exit_code"] == 0
    assert summary["marks"]["rejected"] == 0
    assert summary["marks"]["valid"] == summary["marks"]["rows_read"] > 1000
    assert summary["marks_enrolled"] == {"ok": True, "marks_not_enrolled": 0}
    assert summary["ees"]["errors"] == 0
    assert not (tmp_path / "made" / "marks_rejects.csv").exists()
    # the same export checked as a pipeline would: given paths, key in the env
    export = tmp_path / "made" / "export"
    proc = run_example(
        "vendor_export_check.py",
        "--marks",
        str(export / "marks.csv"),
        "--enrolments",
        str(export / "enrolments.csv"),
        "--ees",
        str(export / "ees" / "school_attendance.csv"),
        "--out",
        "ci",
        cwd=tmp_path,
        env={"MAKINGDATA_PSEUDONYM_KEY": KEY},
    )
    assert proc.returncode == 0, proc.stderr
    assert "verdict: OK (exit 0)" in proc.stdout
    again = json.loads((tmp_path / "ci" / "summary.json").read_text())
    assert again["marks"]["valid"] == summary["marks"]["valid"]


def test_vendor_export_check_broken_export_exits_1_with_rejects(
    tmp_path: Path,
) -> None:
    proc = run_example(
        "vendor_export_check.py", "--synthetic", "broken", "--out", "out", cwd=tmp_path
    )
    assert proc.returncode == 1, proc.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["verdict"] == "FINDINGS"
    assert summary["marks"]["rules_failed"] == {
        "upn_check_letter": 1,
        "date_invalid": 1,
        "code_invalid": 1,
        "duplicate_mark": 2,
    }
    assert summary["enrolments"]["rules_failed"] == {"date_of_birth_invalid": 1}
    assert summary["marks_enrolled"]["ok"] is False
    assert summary["ees"]["rules"] == ["indicator_blank"]
    rejects = pl.read_csv(tmp_path / "out" / "marks_rejects.csv", infer_schema=False)
    assert rejects.height == 5
    assert set(rejects["errors"]) == {
        "upn_check_letter",
        "date_invalid",
        "code_invalid",
        "duplicate_mark",
    }
    assert rejects.filter(pl.col("errors") == "code_invalid")["code"].to_list() == [
        "Q7"
    ]
    problems = pl.read_csv(tmp_path / "out" / "ees_problems.csv")
    assert problems.filter(severity="error")["column"].to_list() == [
        "sess_overall_percent"
    ]


def test_vendor_export_check_usage_and_input_exit_codes(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # in-process (the script's main), to spare two interpreter starts
    main = runpy.run_path(str(EXAMPLES / "vendor_export_check.py"))["main"]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MAKINGDATA_PSEUDONYM_KEY", raising=False)
    with pytest.raises(SystemExit) as usage:
        main([])
    assert usage.value.code == 2
    assert "--marks and --enrolments" in capsys.readouterr().err
    with pytest.raises(SystemExit) as no_key:
        main(["--marks", "m.csv", "--enrolments", "e.csv"])
    assert no_key.value.code == 2
    assert "MAKINGDATA_PSEUDONYM_KEY" in capsys.readouterr().err
    monkeypatch.setenv("MAKINGDATA_PSEUDONYM_KEY", KEY)
    assert main(["--marks", "nope.csv", "--enrolments", "nope.csv"]) == 4
    err = capsys.readouterr().err
    assert "nope.csv: no such file" in err
    assert not (tmp_path / "export-check" / "summary.json").exists()


def test_national_release(tmp_path: Path) -> None:
    proc = run_example(
        "national_release.py", "--out", "release", "--end", "2025-09-19", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "release"
    names = [
        "la",
        "by_fsm_status",
        "by_sen_provision",
        "by_ethnicity_major",
        "weekly",
    ]
    for name in names:
        data = out / f"pupil_attendance_{name}.csv"
        assert (out / f"pupil_attendance_{name}.meta.csv").exists()
        check = check_ees(data)
        assert check.ok, check.errors
        table = pl.read_csv(data, infer_schema=False)
        # protected for the public: no school rows or identities
        assert "School" not in set(table["geographic_level"])
        assert not {"school_urn", "school_name"} & set(table.columns)
    la = pl.read_csv(out / "pupil_attendance_la.csv", infer_schema=False)
    assert set(la["geographic_level"]) == {"National", "Regional", "Local authority"}
    assert la.filter(geographic_level="Local authority").height > 100
    # one school per LA at this scale: small LA counts are suppressed, never 0
    assert (la.select(pl.all().eq("c").sum()).sum_horizontal().item()) > 0
    fsm = pl.read_csv(out / "pupil_attendance_by_fsm_status.csv", infer_schema=False)
    assert set(fsm["fsm_status"]) == {
        "FSM eligible",
        "Not known to be FSM eligible",
        "Total",
    }
    weekly = pl.read_csv(out / "pupil_attendance_weekly.csv", infer_schema=False)
    assert set(weekly["time_identifier"]) == {"Week 37", "Week 38"}
    for svg in ("attendance_over_time", "absence_by_reason", "absence_by_fsm"):
        text = (out / f"{svg}.svg").read_text()
        assert text.startswith("<svg")
        assert "aria-label=" in text
    summary = (out / "summary.md").read_text()
    national = la.filter(geographic_level="National").row(0, named=True)
    assert f"Overall absence rate: **{national['sess_overall_percent']}%**" in summary
    assert "(absence_by_reason.svg)" in summary
    assert "(pupil_attendance_la.csv)" in summary
    assert "Every audit and EES check passed: **True**" in summary


def test_policy_batch_check_of_the_example_requests(tmp_path: Path) -> None:
    proc = run_example("policy_batch_check.py", "--out", "verdicts", cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr  # ExitCode.PROHIBITED
    assert "18 requests: 9 prohibited, 5 discouraged" in proc.stdout
    requests = pl.read_csv(tmp_path / "verdicts" / "requests.csv")
    verdicts = dict(zip(requests["file"], requests["verdict"], strict=True))
    assert verdicts["la_flight_paths.toml"] == "prohibited"
    assert verdicts["la_ks2_by_district.toml"] == "allowed"
    assert verdicts["dfe_daily_attendance_2025.toml"] == "required"
    findings = pl.read_csv(tmp_path / "verdicts" / "findings.csv")
    assert findings.filter(file="la_flight_paths.toml", verdict="prohibited")[
        "rule_id"
    ].to_list() == ["MDW-PRED-03"]
    by_rule = pl.read_csv(
        tmp_path / "verdicts" / "by_rule.csv", infer_schema=False
    ).fill_null("")
    daily = by_rule.filter(rule_id="DAILY-01").row(0, named=True)
    assert (daily["dfe"], daily["trust"], daily["la"]) == ("PROH 1", "PROH 1", "")
    # worst verdicts first: every prohibiting rule is above every other
    first = by_rule.head(14)
    assert all(
        any(str(v).startswith("PROH") for v in row[1:]) for row in first.iter_rows()
    )


def test_policy_batch_check_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # in-process (the script's main), to spare three interpreter starts
    main = runpy.run_path(str(EXAMPLES / "policy_batch_check.py"))["main"]
    requests = EXAMPLES / "requests"
    fine, discouraged = tmp_path / "fine", tmp_path / "discouraged"
    for folder, names in (
        (fine, ["la_ks2_by_district.toml", "dfe_daily_attendance_2025.toml"]),
        (discouraged, ["la_ks2_by_district.toml", "la_legacy_codes.toml"]),
    ):
        folder.mkdir()
        for name in names:
            (folder / name).write_bytes((requests / name).read_bytes())
    assert main([str(fine)]) == 0
    assert main([str(discouraged)]) == 1
    assert "2 requests: 1 discouraged, 1 allowed" in capsys.readouterr().out
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main([str(empty)]) == 4
    assert "holds no request files" in capsys.readouterr().err


# ---------------------------------------------------------------- ks2_scrutiny
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
