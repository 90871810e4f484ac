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
