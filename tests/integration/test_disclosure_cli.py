from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata.cli import main
from makingdata.errors import ExitCode

if TYPE_CHECKING:
    from pathlib import Path

pytest.importorskip("scipy")


def _table(path: Path) -> Path:
    la = {
        "time_period": 202526,
        "time_identifier": "Academic year",
        "geographic_level": "Local authority",
    }
    rows = [
        {
            **la,
            "new_la_code": "E06000001",
            "fsm_status": k,
            "num_schools": 40,
            "enrolments": v,
        }
        for k, v in (
            ("Total", 900),
            ("FSM eligible", 3),
            ("Not known to be FSM eligible", 897),
        )
    ]
    pl.DataFrame(rows).write_csv(path)
    return path


def test_protect_command_writes_symbols(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _table(tmp_path / "t.csv")
    out = tmp_path / "public.csv"
    assert main(["protect", str(src), "--audience", "public", "--out", str(out)]) == 0
    written = pl.read_csv(out, infer_schema=False)
    assert written["enrolments"].to_list() == ["900", "c", "c"]
    assert "1 primary and 1 secondary rows suppressed" in capsys.readouterr().err


def test_audit_table_command_flags_recoverable_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _table(tmp_path / "t.csv")
    leaky = pl.read_csv(src).with_columns(
        enrolments=pl.when(pl.col("fsm_status") == "FSM eligible")
        .then(pl.lit("c"))
        .otherwise(pl.col("enrolments").cast(pl.String))
    )
    leaky.write_csv(tmp_path / "leaky.csv")
    cells = tmp_path / "cells.csv"
    assert main(["audit-table", str(tmp_path / "leaky.csv"), "--out", str(cells)]) == 1
    assert "exact: 1" in capsys.readouterr().out
    assert pl.read_csv(cells)["lo"].to_list() == [3.0]


def test_protect_command_refuses_unknown_audience(tmp_path: Path) -> None:
    code = main(
        [
            "protect",
            str(_table(tmp_path / "t.csv")),
            "--audience",
            "press",
            "--out",
            "x.csv",
        ]
    )
    assert code == ExitCode.USAGE
