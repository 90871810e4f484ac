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
