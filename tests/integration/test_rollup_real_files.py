"""`makingdata rollup` on DfE's published files: symbols are carried, nothing crashes.

The 2016/17-era four-year-olds file publishes `x` in the school rows of
`sess_possible`, `sess_overall` and `enrolments`. A rollup must exit 0, write
`x` in every sum an `x` enters, and otherwise give the published aggregate.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata.attendance import rollup
from makingdata.cli import main

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.real_data

COUNTS = ("enrolments", "sess_possible", "sess_overall")


def _plain_sums(rows: list[dict[str, str | None]]) -> dict[tuple[str, str, str], str]:
    """(time_period, new_la_code, column) -> the sum as text, or 'x' if any school is not a number."""
    sums: dict[tuple[str, str, str], int] = defaultdict(int)
    symbol: set[tuple[str, str, str]] = set()
    for r in rows:
        for c in COUNTS:
            key = (str(r["time_period"]), str(r["new_la_code"]), c)
            v = (r[c] or "").strip()
            if v.lstrip("-").isdigit():
                sums[key] += int(v)
            else:
                symbol.add(key)
    return {
        k: ("x" if k in symbol else str(v)) for k, v in sums.items()
    } | dict.fromkeys(symbol, "x")


def test_four_year_olds_file_rolls_up_with_its_symbols(
    real_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = real_data_dir / "absence_for_four_year_olds.csv"
    out = tmp_path / "rolled.csv"
    code = main(
        [
            "rollup", "--input", str(source), "--to", "la,region,national",
            "--audience", "dfe", "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    err = capsys.readouterr().err
    # every column the rollup cannot carry is reported, not dropped silently
    assert "'school_type'" in err
    text = pl.read_csv(source, infer_schema=False)
    schools = text.filter(pl.col("geographic_level") == "School")
    want = _plain_sums(schools.to_dicts())
    got = pl.read_csv(out, infer_schema=False).filter(
        pl.col("geographic_level") == "Local authority"
    )
    assert got.height == len({(k[0], k[1]) for k in want})
    n_x = 0
    for r in got.to_dicts():
        for c in COUNTS:
            expected = want[(r["time_period"], r["new_la_code"], c)]
            assert r[c] == expected, (r["time_period"], r["new_la_code"], c)
            n_x += expected == "x"
    assert n_x > 0  # the file does have suppressed school cells
    # where no school is suppressed, the sums are DfE's own LA rows
    published = text.filter(
        (pl.col("geographic_level") == "Local authority")
        & (pl.col("school_type") == "Total")
    )
    pub = {
        (r["time_period"], r["new_la_code"], c): r[c]
        for r in published.to_dicts()
        for c in COUNTS
    }
    compared = 0
    for key, value in want.items():
        if value != "x" and key in pub:
            assert pub[key] == value, key
            compared += 1
    assert compared > 100


SYMBOLS = {"x", "c", "z", ":", "low", "u", "."}
COMPARED = (
    "num_schools",
    "enrolments",
    "sess_possible",
    "sess_overall",
    "sess_overall_percent",
)
CIN_COUNTS = (
    "t_pupils", "t_sess_possible", "t_sess_overall", "t_sess_authorised",
    "t_sess_unauthorised", "t_pupils_pa_10_exact", "t_pupils_pa_50_exact",
)  # fmt: skip
CIN_RATES = (
    "pt_overall", "pt_sess_authorised", "pt_sess_unauthorised",
    "pt_pupils_pa_10_exact", "pt_pupils_pa_50_exact",
)  # fmt: skip


def _compare_with_published(
    source: Path,
    derived: pl.DataFrame,
    columns: tuple[str, ...] = COMPARED,
    filters: tuple[str, ...] = ("school_type",),
) -> tuple[int, list[tuple[object, ...]], int]:
    """Every computable derived cell against DfE's row: (compared, mismatches, missing rows)."""
    keys = [
        c
        for c in (
            "time_period",
            "geographic_level",
            "region_code",
            "new_la_code",
            *filters,
        )
        if c in derived.columns
    ]
    published = pl.read_csv(source, infer_schema=False).filter(
        pl.col("geographic_level").is_in(derived["geographic_level"].unique().to_list())
    )
    ours = derived.select(*keys, *columns).with_columns(
        pl.col(c).cast(pl.String) for c in (*keys, *columns)
    )
    joined = ours.join(
        published.select(*keys, *columns), on=keys, how="left", suffix="_dfe",
        nulls_equal=True,
    )  # fmt: skip
    missing = joined.filter(pl.col(f"{columns[0]}_dfe").is_null()).height
    compared, bad = 0, []
    for row in joined.iter_rows(named=True):
        for c in columns:
            mine, theirs = row[c], row[f"{c}_dfe"]
            if mine is None or mine in SYMBOLS:
                continue  # not computable: a school's x enters the sum
            compared += 1
            if theirs is None or theirs in SYMBOLS or float(mine) != float(theirs):
                bad.append((c, mine, theirs, *(row[k] for k in keys)))
    return compared, bad, missing


def test_four_year_olds_every_computable_cell_is_dfes(
    real_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the done-when command: School -> LA, region, England, with DfE's
    # rounding of regional and national enrolments to 5
    source = real_data_dir / "absence_for_four_year_olds.csv"
    out = tmp_path / "out.csv"
    code = main(
        [
            "rollup", "--input", str(source), "--to", "la,region,national",
            "--by", "school_type", "--decimals", "1",
            "--round", "region=5,national=5", "--out", str(out),
        ]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    assert "--round applies to enrolments (default" in err  # the default is shown
    compared, bad, missing = _compare_with_published(
        source, pl.read_csv(out, infer_schema=False)
    )
    assert missing == 0
    assert bad == []
    assert compared > 10_000


def test_four_year_olds_from_la_rows_need_dfes_rounding(real_data_dir: Path) -> None:

    source = real_data_dir / "absence_for_four_year_olds.csv"
    frame = pl.read_csv(source, infer_schema=False)

    def derive(rounding: dict[str, int] | None) -> pl.DataFrame:
        return rollup(
            frame, levels=("region", "national"), by=["school_type"],
            from_level="Local authority", decimals=1, rounding=rounding,
        ).collect().data()  # fmt: skip

    compared, bad, missing = _compare_with_published(
        source, derive({"region": 5, "national": 5})
    )
    assert (missing, bad) == (0, [])
    assert compared > 1_000
    # without the rounding, regional and national enrolments differ from DfE's
    _, unrounded, _ = _compare_with_published(source, derive(None))
    assert len(unrounded) > 100
    assert {b[0] for b in unrounded} == {"enrolments"}


def test_children_in_need_every_computable_cell_is_dfes(real_data_dir: Path) -> None:
    # LA -> region, England; DfE rounds every regional and national count to
    # 10, after the pt_ rates (pt_overall is placed by the dictionary of DfE's
    # irregular rate names)
    source = real_data_dir / "absence_la.csv"
    frame = pl.read_csv(source, infer_schema=False)

    def derive(rounding: dict[str, int] | None) -> pl.DataFrame:
        table = rollup(
            frame, levels=("region", "national"), by=["phase_type_grouping"],
            keep=["absence_terms", "social_care_group"], from_level="Local authority",
            decimals=1, rounding=rounding, rounding_columns=CIN_COUNTS if rounding else None,
        ).collect()  # fmt: skip
        assert {r.column for r in table.spec.rates} == set(CIN_RATES)
        return table.data()

    filters = ("absence_terms", "social_care_group", "phase_type_grouping")
    columns = (*CIN_COUNTS, *CIN_RATES)
    compared, bad, missing = _compare_with_published(
        source, derive({"region": 10, "national": 10}), columns, filters
    )
    assert (missing, bad) == (0, [])
    assert compared > 3_000
    _, unrounded, _ = _compare_with_published(source, derive(None), columns, filters)
    assert len(unrounded) > 1_000
    assert {b[0] for b in unrounded} <= set(CIN_COUNTS)  # rates match either way


def test_in_year_rate_names_are_placed_and_agree_with_the_published_rates(
    real_data_dir: Path,
) -> None:
    # the in-year release names its rates *_perc over possible_sessions; each
    # entry of the dictionary is checked against every published LA row
    from makingdata.tables import TableSpec

    frame = pl.read_csv(real_data_dir / "EES_ytd_data.csv", infer_schema=False)
    spec = TableSpec.infer(frame)
    assert len(spec.rates) == 18
    assert "pa_perc" in spec.other  # its numerator is not published
    las = frame.filter(pl.col("geographic_level") == "Local authority")
    for rate in spec.rates:
        got = las.select(
            (
                pl.col(rate.numerator).cast(pl.Float64, strict=False)
                / pl.col(rate.denominator).cast(pl.Float64, strict=False)
                * 100
                - pl.col(rate.column).cast(pl.Float64, strict=False)
            )
            .abs()
            .max()
        ).item()
        assert got is not None
        assert got < 1e-9, rate


IN_YEAR_SESSIONS = (
    "possible_sessions", "present_sessions", "overall_absence",
    "authorised_absence", "unauthorised_absence",
)  # fmt: skip
EXACT_REGIONS = {
    "East of England", "London", "North West", "South West", "West Midlands",
    "Yorkshire and The Humber",
}  # fmt: skip
DIFFERING_REGIONS = {"East Midlands", "North East", "South East"}


def test_in_year_regions_are_their_las_where_dfe_did_not_adjust_them(
    real_data_dir: Path,
) -> None:
    # DfE's 2025/26 year-to-date file, LA -> region, England by phase: the
    # session counts of six regions are the sums of their LAs exactly; in
    # three, DfE's regional figures are up to 1.1 % below the LA sums (its
    # regional rows are not sums of the LAs there); cells a suppressed LA
    # enters are x. The daily-mean enrolments sum as decimals.
    frame = pl.read_csv(real_data_dir / "EES_ytd_data.csv", infer_schema=False)
    frame = frame.with_columns(pl.col("region_code").replace("", None))
    ours = (
        rollup(frame, levels=("region",), by=["education_phase"], from_level="Local authority")
        .collect()
        .data()
    )  # fmt: skip
    keys = ["region_code", "education_phase"]
    published = frame.filter(pl.col("geographic_level") == "Regional")
    joined = ours.join(published, on=keys, how="left", suffix="_dfe")
    exact_regions: set[str] = set()
    differing: dict[str, float] = {}
    for row in joined.iter_rows(named=True):
        for c in IN_YEAR_SESSIONS:
            if row[c] in SYMBOLS:
                continue
            mine, theirs = int(row[c]), int(row[f"{c}_dfe"])
            if mine == theirs:
                exact_regions.add(row["region_name"])
            else:
                share = (mine - theirs) / theirs
                differing[row["region_name"]] = max(
                    differing.get(row["region_name"], 0), share
                )
    assert exact_regions == EXACT_REGIONS
    assert set(differing) == DIFFERING_REGIONS
    assert all(0.001 < d < 0.012 for d in differing.values()), differing
    # a daily mean is summed as a decimal, not written x
    assert ours["enrolments"].str.contains(r"^\d+\.\d+$").sum() > 20


def test_children_in_need_london_is_published_whole_from_its_sub_regions(
    real_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the file's LA rows carry Inner (E13000001) and Outer (E13000002) London;
    # its regional rows are London (E12000007) as well as both sub-regions.
    # --whole-region london derives the London rows (rounded to 10 from the
    # exact LA sums, rates before rounding) beside the sub-regions'
    source = real_data_dir / "absence_la.csv"
    out = tmp_path / "out.csv"
    code = main(
        [
            "rollup", "--input", str(source), "--from-level", "Local authority",
            "--to", "region,national", "--by", "phase_type_grouping",
            "--keep", "absence_terms,social_care_group", "--decimals", "1",
            "--round", "region=10,national=10",
            "--round-columns", ",".join(CIN_COUNTS), "--whole-region", "london",
            "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    derived = pl.read_csv(out, infer_schema=False)
    filters = ("absence_terms", "social_care_group", "phase_type_grouping")
    columns = (*CIN_COUNTS, *CIN_RATES)
    london = derived.filter(pl.col("region_code") == "E12000007")
    assert set(london["region_name"]) == {"London"}
    compared, bad, missing = _compare_with_published(source, london, columns, filters)
    assert (missing, bad) == (0, [])
    assert compared > 50
    # every published regional row is derived, and nothing is derived twice
    keys = ["time_period", "region_code", *filters]
    published = pl.read_csv(source, infer_schema=False).filter(
        pl.col("geographic_level") == "Regional"
    )
    regional = derived.filter(pl.col("geographic_level") == "Regional")
    assert regional.select(keys).is_duplicated().sum() == 0
    assert published.select(keys).join(regional, on=keys, how="anti").height == 0
    # England is summed once: the same with and without London
    compared_all, bad_all, _ = _compare_with_published(
        source, derived, columns, filters
    )
    assert bad_all == []
    assert compared_all == 3_675 + compared
    # without the option the London rows are not there
    assert (
        rollup(
            pl.read_csv(source, infer_schema=False), levels="region",
            from_level="Local authority", by=["phase_type_grouping"],
            keep=["absence_terms", "social_care_group"],
        )
        .collect()
        .data()
        .filter(pl.col("region_code") == "E12000007")
        .height
        == 0
    )  # fmt: skip


def test_in_year_file_through_the_command(
    real_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the in-year file's options: LA rows -> region and England by phase,
    # rates unrounded. Every computable session count of six regions is
    # DfE's; three regions are below their LAs' sums, and England's one
    # computable row (Special) with them
    out = tmp_path / "ytd.csv"
    code = main(
        [
            "rollup", "--input", str(real_data_dir / "EES_ytd_data.csv"),
            "--from-level", "Local authority", "--to", "region,national",
            "--by", "education_phase", "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    keys = ["geographic_level", "region_code", "education_phase"]
    blank = pl.col("region_code").replace("", None)
    ours = pl.read_csv(out, infer_schema=False).with_columns(blank)
    published = pl.read_csv(
        real_data_dir / "EES_ytd_data.csv", infer_schema=False
    ).with_columns(blank)
    joined = ours.join(published, on=keys, how="left", suffix="_dfe", nulls_equal=True)
    compared: dict[str, int] = defaultdict(int)
    worst: dict[str, float] = defaultdict(float)
    for row in joined.iter_rows(named=True):
        area = row["region_name"] or "England"
        for c in IN_YEAR_SESSIONS:
            if row[c] in SYMBOLS:
                continue
            mine, theirs = int(row[c]), int(row[f"{c}_dfe"])
            compared[area] += 1
            worst[area] = max(worst[area], (mine - theirs) / theirs)
    assert sum(compared.values()) == 165
    assert {a for a, d in worst.items() if d == 0} == EXACT_REGIONS
    assert {a for a, d in worst.items() if d != 0} == {*DIFFERING_REGIONS, "England"}
    assert 0.002 < worst["England"] < 0.003
    assert all(0 < d < 0.012 for d in worst.values() if d)
