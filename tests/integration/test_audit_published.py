"""`audit-table` on DfE's published files with what they declare beyond their cells.

The children in need file publishes London (E12000007) beside Inner and Outer
London, whose codes its LAs carry, and rounds every regional and national
count to 10. Read plainly, England is the sum of all its regional rows
(London counted twice) and every cell is inconsistent; with
``--whole-region london`` the relations are DfE's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata.cli import main
from makingdata.disclosure import audit
from makingdata.tables import LONDON, SUB_REGION_LEVEL, read_published

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.real_data
pytest.importorskip("scipy")


def _one_year(real_data_dir: Path, tmp_path: Path) -> Path:
    frame = pl.read_csv(real_data_dir / "absence_la.csv", infer_schema=False).filter(
        (pl.col("time_period") == "202021")
        & (pl.col("social_care_group") == "CINO at 31 March")
    )
    path = tmp_path / "cin_202021.csv"
    frame.write_csv(path)
    return path


def test_children_in_need_audit_needs_london_whole(
    real_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _one_year(real_data_dir, tmp_path)
    base = [
        "audit-table", str(source), "--counts", "t_pupils,t_sess_possible",
        "--rounded", "region=10,national=10",
    ]  # fmt: skip
    main(base)
    plain = capsys.readouterr().out
    assert "inconsistent: 138" in plain  # every cell: London counted twice
    out = tmp_path / "cells.csv"
    assert main([*base, "--whole-region", "london", "--out", str(out)]) == 1
    cells = pl.read_csv(out, infer_schema_length=0)
    assert "inconsistent" not in set(cells["finding"])
    assert cells.height == 138
    exact = cells.filter(pl.col("finding") == "exact")
    assert exact.height == 4
    # the library reads the file the same way
    frame = pl.read_csv(source, infer_schema=False)
    table = read_published(
        frame,
        counts=["t_pupils", "t_sess_possible"],
        rounded={"region": 10, "national": 10},
        whole_regions=[LONDON],
    )
    assert SUB_REGION_LEVEL in table.data()["geographic_level"].to_list()
    report = audit(table.data(), spec=table.spec)
    assert report.cells.height == 138
    assert (report.cells["finding"] == "exact").sum() == 4
