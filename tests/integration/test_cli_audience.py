"""End to end: ``makingdata aggregate/rollup --audience`` — no unprotected exit for a partner or the public."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from makingdata import synth
from makingdata.attendance import attendance_table
from makingdata.cli import main
from makingdata.errors import ExitCode
from makingdata.publish import _publish

if TYPE_CHECKING:
    from pathlib import Path

START, END = dt.date(2025, 9, 8), dt.date(2025, 9, 19)
PUPIL_COUNTS = ("enrolments", "enrolments_pa_10_exact", "enrolments_pa_50_exact")
SYMBOLS = ("c", "x", "z", "low")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, synth.SynthData]:
    d = synth.generate(scale=0.01, start=START, end=END, la=330, seed=3)
    root = tmp_path_factory.mktemp("audience")
    d.marks().write_parquet(root / "marks.parquet")
    d.enrolments.write_parquet(root / "enrolments.parquet")
    d.schools.write_parquet(root / "schools.parquet")
    d.memberships.write_parquet(root / "memberships.parquet")
    return root, d


def aggregate(
    root: Path, *extra: str, levels: str = "school,trust,la", by: str = "sen_provision"
) -> int:
    return main(
        [
            "aggregate",
            "--marks", str(root / "marks.parquet"),
            "--enrolments", str(root / "enrolments.parquet"),
            "--schools", str(root / "schools.parquet"),
            "--memberships", str(root / "memberships.parquet"),
            "--from", START.isoformat(),
            "--to", END.isoformat(),
            "--level", levels,
            "--by", by,
            "--period", "ytd",
            *extra,
        ]
    )  # fmt: skip


def kernel_table(d: synth.SynthData) -> pl.DataFrame:
    return (
        attendance_table(
            d.marks(),
            d.enrolments,
            schools=d.schools,
            memberships=d.memberships,
            levels=("school", "trust", "la"),
            by=["sen_provision"],
            period="ytd",
            start=START,
            end=END,
        )
        .collect()
        .frame
    )


def small_counts(path: Path) -> dict[str, list[str]]:
    text = pl.read_csv(path, infer_schema=False)
    out = {}
    for c in PUPIL_COUNTS:
        col = text[c]
        nums = col.filter(~col.is_in(SYMBOLS)).cast(pl.Int64)
        small = nums.filter((nums > 0) & (nums < 6))
        if small.len():
            out[c] = small.cast(pl.String).to_list()
    return out


@pytest.mark.parametrize("audience", ["public", "partner"])
def test_a_protected_release_has_no_small_count_and_passes_audit_table(
    files: tuple[Path, synth.SynthData],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    audience: str,
) -> None:
    root, d = files
    # the table as built has small pupil counts and school rows: something to protect
    built = kernel_table(d)
    assert (built["geographic_level"] == "School").any()
    assert built.filter(pl.col("enrolments_pa_50_exact").is_between(1, 5)).height
    out = tmp_path / f"{audience}.csv"
    assert aggregate(root, "--audience", audience, "--out", str(out)) == 0
    err = capsys.readouterr().err
    assert f"protected for {audience}" in err
    assert "count cells suppressed" in err
    assert "status optimal" in err
    text = pl.read_csv(out, infer_schema=False)
    assert "School" not in text["geographic_level"].to_list()
    assert "school_urn" not in text.columns
    assert (text["enrolments_pa_50_exact"] == "c").any()
    assert small_counts(out) == {}
    # the written file passes the audit of the cells the audience's rules protect
    assert main(["audit-table", str(out), "--audience", audience]) == 0
    said = capsys.readouterr().out
    assert "0 recoverable exactly, 0 narrower than required" in said
    assert "sensitive" in said


def test_audit_table_still_flags_a_table_that_leaks(
    files: tuple[Path, synth.SynthData], tmp_path: Path
) -> None:
    _, d = files
    leaky = kernel_table(d).filter(pl.col("geographic_level") != "School")
    # hide one small PA count and nothing else: its total gives it away
    row = leaky.with_row_index().filter(
        pl.col("enrolments_pa_50_exact").is_between(1, 5)
    )["index"][0]
    text = leaky.with_columns(
        pl.col(c).cast(pl.String) for c in leaky.columns
    ).with_columns(
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.lit("c"))
        .otherwise(pl.col("enrolments_pa_50_exact"))
        .alias("enrolments_pa_50_exact")
    )
    path = tmp_path / "leaky.csv"
    text.write_csv(path)
    assert main(["audit-table", str(path), "--audience", "public"]) == 1


def test_public_without_protection_is_impossible(
    files: tuple[Path, synth.SynthData],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, _ = files
    # even if protection were skipped, the writer refuses an unprotected frame
    monkeypatch.setattr(
        _publish, "_protected_for", lambda table, audience, **_: (table, None)
    )
    out = tmp_path / "leak.csv"
    assert (
        aggregate(root, "--audience", "public", "--out", str(out)) == ExitCode.REFUSED
    )
    assert "an unprotected table cannot be written for audience 'public'" in (
        capsys.readouterr().err
    )
    assert not out.exists()


def test_no_audience_and_small_counts_stops(
    files: tuple[Path, synth.SynthData],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, _ = files
    out = tmp_path / "who.csv"
    assert (
        aggregate(root, "--out", str(out), levels="la", by="ethnicity_major")
        == ExitCode.REFUSED
    )
    err = capsys.readouterr().err
    assert "no --audience given" in err
    assert "pupil counts from 1 to 5" in err
    assert not out.exists()
    assert aggregate(root, "--out", str(out)) == ExitCode.REFUSED
    assert "School rows" in capsys.readouterr().err


@pytest.mark.parametrize("audience", ["school", "trust", "la", "dfe"])
def test_trusted_audiences_get_the_table_as_built(
    files: tuple[Path, synth.SynthData], tmp_path: Path, audience: str
) -> None:
    root, d = files
    out = tmp_path / f"{audience}.csv"
    assert aggregate(root, "--audience", audience, "--out", str(out)) == 0
    want = kernel_table(d)
    got = pl.read_csv(out, schema_overrides=want.schema, infer_schema_length=0)
    assert_frame_equal(got, want, check_dtypes=False)


def test_without_audience_a_table_with_nothing_small_is_written_as_today(
    files: tuple[Path, synth.SynthData], tmp_path: Path
) -> None:
    root, d = files
    out = tmp_path / "national.csv"
    assert aggregate(root, "--out", str(out), levels="national", by="") == 0
    want = attendance_table(
        d.marks(), d.enrolments, schools=d.schools, memberships=d.memberships,
        levels=("national",), period="ytd", start=START, end=END,
    ).collect().frame  # fmt: skip
    assert (want["enrolments"] >= 6).all()
    got = pl.read_csv(out, schema_overrides=want.schema, infer_schema_length=0)
    assert_frame_equal(got, want, check_dtypes=False)


def test_rollup_protects_for_the_public_and_not_for_dfe(
    files: tuple[Path, synth.SynthData], tmp_path: Path
) -> None:
    root, _ = files
    school = tmp_path / "school.csv"
    assert (
        aggregate(
            root,
            "--audience",
            "dfe",
            "--out",
            str(school),
            levels="school",
            by="ethnicity_major",
        )
        == 0
    )
    base = [
        "rollup",
        "--input",
        str(school),
        "--by",
        "ethnicity_major",
        "--to",
        "la",
    ]
    dfe, public = tmp_path / "dfe.csv", tmp_path / "public.csv"
    assert main([*base, "--audience", "dfe", "--out", str(dfe)]) == 0
    assert main([*base, "--audience", "public", "--out", str(public)]) == 0
    plain = pl.read_csv(dfe, infer_schema=False)
    guarded = pl.read_csv(public, infer_schema=False)
    assert plain.filter(
        pl.col("enrolments_pa_50_exact").is_in(["1", "2", "3", "4", "5"])
    ).height
    assert small_counts(public) == {}
    assert (guarded["enrolments_pa_50_exact"] == "c").any()
    assert main(["audit-table", str(public), "--audience", "public"]) == 0
    assert main([*base, "--out", str(tmp_path / "none.csv")]) == ExitCode.REFUSED
