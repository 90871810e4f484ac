"""End to end: ``makingdata ks2`` on synthetic KS2 results (one LA, two years)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata import synth
from makingdata.attainment import gap_to_national, ks2_table
from makingdata.cli import main
from makingdata.errors import ExitCode

if TYPE_CHECKING:
    from pathlib import Path

KEY = "ks2cli-test-key-2f7a9c1e4b8d6035a1f7c9e2b4d8a6c3"
ENV = "MAKINGDATA_PSEUDONYM_KEY"
ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ0123456789"
RWM = "pt_rwm_met_expected_standard"


def upn(serial: int) -> str:
    body = f"885{(serial // 1000) % 10_000:04d}24{serial % 1000:03d}"
    check = sum(i * ALPHABET.index(c) for i, c in enumerate(body, 2)) % 23
    return ALPHABET[check] + body


@pytest.fixture(autouse=True)
def _no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)


@pytest.fixture(scope="module")
def files(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[int, pl.DataFrame], pl.DataFrame]:
    root = tmp_path_factory.mktemp("ks2")
    results: dict[int, pl.DataFrame] = {}
    schools = []
    for year in (2023, 2024):
        d = synth.generate(
            scale=0.05,
            start=dt.date(year, 9, 9),
            end=dt.date(year, 9, 9),
            la=885,
            seed=5,
        )
        results[year] = d.ks2_results
        d.ks2_results.write_parquet(root / f"ks2_{year}.parquet")
        schools.append(d.schools)
    # a schools file covering every year's schools
    every = pl.concat(schools).unique("urn", keep="first", maintain_order=True)
    every.write_parquet(root / "schools.parquet")
    both = pl.concat(list(results.values()))
    both.write_parquet(root / "ks2_both.parquet")
    return root, results, every


def _run(root: Path, *args: str) -> int:
    return int(main(["ks2", "--schools", str(root / "schools.parquet"), *args]))


def test_out_for_the_la_is_the_table_the_kernel_builds(files, capsys):
    root, results, schools = files
    out = root / "la.csv"
    code = _run(
        root,
        "--results", str(root / "ks2_2024.parquet"),
        "--level", "district,la,national",
        "--by", "disadvantage_status",
        "--out", str(out),
        "--audience", "la",
    )  # fmt: skip
    assert code == ExitCode.OK
    err = capsys.readouterr().err
    assert "ks2_2024.parquet: " in err
    assert "0 rejected" in err
    got = pl.read_csv(out)
    want = (
        ks2_table(
            results[2024],
            schools,
            levels=["district", "la", "national"],
            by=["disadvantage_status"],
        )
        .collect()
        .frame
    )
    assert got.height == want.height
    assert got[RWM].to_list() == want[RWM].to_list()
    assert (
        got["t_rwm_eligible_pupils"].to_list()
        == want["t_rwm_eligible_pupils"].to_list()
    )
    assert set(got["geographic_level"]) == {
        "National",
        "Local authority",
        "Local authority district",
    }
    assert (
        got.filter(pl.col("geographic_level") == "Local authority district")[
            "lad_name"
        ].n_unique()
        >= 3
    )


def test_compare_national_adds_the_gap_with_its_sign(files):
    root, results, schools = files
    out = root / "gaps.csv"
    code = _run(
        root,
        "--results", str(root / "ks2_2024.parquet"),
        "--level", "la,national",
        "--by", "sex",
        "--compare", "national",
        "--out", str(out),
        "--audience", "la",
    )  # fmt: skip
    assert code == ExitCode.OK
    got = pl.read_csv(out)
    nat = got.filter(pl.col("geographic_level") == "National")
    assert nat["pt_rwm_exp_gap_national"].to_list() == [0] * nat.height
    la = got.filter(pl.col("geographic_level") == "Local authority")
    # row minus England, same group: negative is below national
    assert (la[RWM] - la["pt_rwm_exp_national"]).to_list() == la[
        "pt_rwm_exp_gap_national"
    ].to_list()
    want = gap_to_national(
        ks2_table(results[2024], schools, levels=["la", "national"], by=["sex"]),
        columns=[RWM],
    ).collect()
    assert got["pt_rwm_exp_gap_national"].to_list() == [
        int(v) for v in want.frame[f"{RWM}_gap_national"].to_list()
    ]


def test_ees_for_the_public_is_protected_and_passes_check_ees(files, capsys):
    root, _results, _schools = files
    ees = root / "ees" / "ks2_districts.csv"
    code = _run(
        root,
        "--results", str(root / "ks2_2023.parquet"),
        "--results", str(root / "ks2_2024.parquet"),
        "--level", "district,la,national",
        "--by", "disadvantage_status",
        "--compare", "national,group,trend",
        "--ees", str(ees),
        "--audience", "public",
    )  # fmt: skip
    assert code == ExitCode.OK
    err = capsys.readouterr().err
    assert "protected for public" in err
    assert "Traceback" not in err
    assert main(["check-ees", str(ees)]) == ExitCode.OK
    assert "0 errors, 0 warnings" in capsys.readouterr().out
    got = pl.read_csv(ees, infer_schema_length=0)
    counts = [
        c for c in got.columns if c.startswith("t_") and "scaled_score_sum" not in c
    ]
    for c in counts:
        values = got[c].cast(pl.Int64, strict=False)
        # nothing from 1 to 5 pupils published
        assert not values.is_between(1, 5).any(), c
    suppressed = got.filter(pl.col("t_rwm_eligible_pupils") == "c")
    assert suppressed.height > 0  # small districts' groups are suppressed
    # a suppressed cell gives no gap and no change: the symbol, never a number
    for c in ("pt_rwm_exp_gap_national", "pt_rwm_exp_change_against_national"):
        assert set(suppressed[c]) == {"c"}
    assert set(got["time_period"]) == {"202324", "202425"}
    la = got.filter(
        (pl.col("geographic_level") == "Local authority")
        & (pl.col("disadvantage_status") == "Disadvantaged")
    )
    # DfE's gap: the LA's disadvantaged pupils against England's other pupils
    nat_other = got.filter(
        (pl.col("geographic_level") == "National")
        & (pl.col("disadvantage_status") == "Disadvantaged all other")
    )
    for row in la.iter_rows(named=True):
        other = nat_other.filter(pl.col("time_period") == row["time_period"])[RWM]
        assert int(row["pt_rwm_exp_gap_comparison"]) == int(float(row[RWM])) - int(
            float(other[0])
        )
    later = got.filter(
        (pl.col("time_period") == "202425") & (pl.col("geographic_level") == "National")
    )
    assert set(later["previous_period"]) == {"202324"}
    assert set(later["pt_rwm_exp_change_against_national"]) == {"0"}


def test_one_file_of_two_years_is_the_same_as_two_files(files):
    root, _results, _schools = files
    one, two = root / "one.csv", root / "two.csv"
    common = ["--level", "la,national", "--compare", "trend", "--audience", "la"]
    code = _run(
        root, "--results", str(root / "ks2_both.parquet"), *common, "--out", str(one)
    )
    assert code == 0
    code = _run(
        root,
        "--results", str(root / "ks2_2023.parquet"),
        "--results", str(root / "ks2_2024.parquet"),
        *common,
        "--out", str(two),
    )  # fmt: skip
    assert code == 0
    assert one.read_text() == two.read_text()
    got = pl.read_csv(one)
    assert got["pt_rwm_exp_change"].null_count() == got.height // 2
    only = root / "only.csv"
    code = _run(
        root,
        "--results", str(root / "ks2_both.parquet"),
        "--years", "202425",
        "--level", "national",
        "--out", str(only),
        "--audience", "la",
    )  # fmt: skip
    assert code == 0
    assert pl.read_csv(only)["time_period"].to_list() == [202425]


def test_the_same_year_twice_is_refused(files, capsys):
    root, _results, _schools = files
    code = _run(
        root,
        "--results", str(root / "ks2_both.parquet"),
        "--results", str(root / "ks2_2024.parquet"),
        "--out", str(root / "never.csv"),
        "--audience", "la",
    )  # fmt: skip
    assert code == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "more than one file" in err
    assert "202425" in err
    assert not (root / "never.csv").exists()


def test_without_an_audience_small_counts_are_refused(files, capsys):
    root, _results, _schools = files
    out = root / "refused.csv"
    code = _run(
        root,
        "--results", str(root / "ks2_2024.parquet"),
        "--level", "school,national",
        "--out", str(out),
    )  # fmt: skip
    assert code == ExitCode.REFUSED
    assert "--audience" in capsys.readouterr().err
    assert not out.exists()


def test_group_gap_needs_the_disadvantage_breakdown(files, capsys):
    root, _results, _schools = files
    code = _run(
        root,
        "--results", str(root / "ks2_2024.parquet"),
        "--compare", "group",
        "--out", str(root / "x.csv"),
        "--audience", "la",
    )  # fmt: skip
    assert code == ExitCode.USAGE
    assert "--by disadvantage_status" in capsys.readouterr().err
    code = _run(
        root,
        "--results", str(root / "ks2_2024.parquet"),
        "--compare", "forecast",
        "--out", str(root / "x.csv"),
        "--audience", "la",
    )  # fmt: skip
    assert code == ExitCode.USAGE
    assert "'forecast' is not one of national, group, trend" in capsys.readouterr().err
    code = _run(
        root,
        "--results", str(root / "ks2_2024.parquet"),
        "--level", "district,la",
        "--compare", "national",
        "--out", str(root / "x.csv"),
        "--audience", "la",
    )  # fmt: skip
    assert code == ExitCode.USAGE
    assert "add national to --level" in capsys.readouterr().err
    assert not (root / "x.csv").exists()


def _upn_csv(path: Path, results: pl.DataFrame, *, bad_line: bool) -> None:
    frame = (
        results.head(40)
        .with_columns(pl.Series("upn", [upn(i) for i in range(40)]))
        .drop("pupil_key")
    )
    frame = frame.with_columns(pl.col(pl.Enum, pl.Categorical).cast(pl.String))
    text = frame.with_columns(pl.all().cast(pl.String))
    if bad_line:
        # line 4 of the file (the header is line 1): a score above 120
        text = (
            text.with_row_index()
            .with_columns(
                pl.when(pl.col("index") == 2)
                .then(pl.lit("125"))
                .otherwise(pl.col("read_scaled_score"))
                .alias("read_scaled_score"),
                pl.when(pl.col("index") == 2)
                .then(pl.lit(None, pl.String))
                .otherwise(pl.col("read_code"))
                .alias("read_code"),
            )
            .drop("index")
        )
    text.write_csv(path)


def test_upns_need_a_key_file(files, tmp_path, capsys):
    root, results, _schools = files
    csv = tmp_path / "ks2_upn.csv"
    _upn_csv(csv, results[2024], bad_line=False)
    out = tmp_path / "t.csv"
    args = [
        "--results",
        str(csv),
        "--level",
        "national",
        "--out",
        str(out),
        "--audience",
        "la",
    ]
    code = _run(root, *args)
    assert code == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "key" in err
    assert "Traceback" not in err
    key = tmp_path / "pseudonym.key"
    key.write_text(KEY + "\n")
    key.chmod(0o600)
    assert _run(root, *args, "--key-file", str(key)) == ExitCode.OK
    assert pl.read_csv(out)["t_read_eligible_pupils"].to_list() == [40]
    assert upn(0) not in out.read_text()


def test_a_bad_results_file_names_file_line_and_field(files, tmp_path, capsys):
    root, results, _schools = files
    csv = tmp_path / "ks2_bad.csv"
    _upn_csv(csv, results[2024], bad_line=True)
    key = tmp_path / "pseudonym.key"
    key.write_text(KEY + "\n")
    key.chmod(0o600)
    out = tmp_path / "t.csv"
    listed = tmp_path / "rejects.csv"
    code = _run(
        root,
        "--results", str(csv),
        "--key-file", str(key),
        "--level", "national",
        "--out", str(out),
        "--audience", "la",
        "--rejects", str(listed),
    )  # fmt: skip
    assert code == ExitCode.FINDINGS  # written, with a rejected pupil
    assert pl.read_csv(listed, infer_schema=False).rows() == [
        ("ks2_bad.csv", "4", "read_scaled_score", "read_scaled_score_range", "125")
    ]
    err = capsys.readouterr().err
    assert "40 read, 39 valid, 1 rejected" in err
    assert (
        "ks2_bad.csv, line 4, field read_scaled_score: read_scaled_score_range" in err
    )
    assert "'125'" in err
    assert upn(2) not in err
    assert pl.read_csv(out)["t_read_eligible_pupils"].to_list() == [39]
    # a file without a column it needs cannot be used at all
    broken = tmp_path / "ks2_broken.csv"
    pl.read_csv(csv, infer_schema_length=0).drop("urn").write_csv(broken)
    code = _run(
        root,
        "--results", str(broken),
        "--key-file", str(key),
        "--out", str(tmp_path / "never.csv"),
        "--audience", "la",
    )  # fmt: skip
    assert code == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "ks2_broken.csv" in err
    assert "urn" in err
    assert "Traceback" not in err
    assert not (tmp_path / "never.csv").exists()


def test_no_valid_pupil_writes_nothing(files, tmp_path, capsys):
    root, _results, _schools = files
    csv = tmp_path / "ks2_all_bad.csv"
    csv.write_text(
        "pupil_key,urn,time_period,read_scaled_score,mat_scaled_score,gps_scaled_score\n"
        "1,100001,2024/25,200,100,100\n"
        "2,100001,2024/25,100,79,100\n"
    )
    out = tmp_path / "never.csv"
    code = _run(root, "--results", str(csv), "--out", str(out), "--audience", "la")
    assert code == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "no valid pupil in the results: 2 rows rejected" in err
    assert "line 3, field mat_scaled_score: mat_scaled_score_range" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_comparisons_keep_one_row_per_row_of_the_table(files):
    root, results, schools = files
    out = root / "every_level.csv"
    levels = ["school", "trust", "district", "la", "national"]
    code = _run(
        root,
        "--results", str(root / "ks2_2024.parquet"),
        "--level", ",".join(levels),
        "--by", "sex",
        "--compare", "national,trend",
        "--out", str(out),
        "--audience", "la",
    )  # fmt: skip
    assert code == ExitCode.OK
    got = pl.read_csv(out)
    want = ks2_table(results[2024], schools, levels=levels, by=["sex"]).collect().frame
    assert got.height == want.height
    assert (
        got.filter(pl.col("geographic_level") == "School")["school_urn"].n_unique() > 1
    )
    assert got[RWM].to_list() == want[RWM].to_list()
