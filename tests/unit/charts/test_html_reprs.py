"""Notebook reprs: small, escaped, bounded (issue 19, item 4)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl

from makingdata import _html
from makingdata.disclosure import protect
from makingdata.io import read_marks
from makingdata.policy import (
    DataItem,
    DataRequest,
    ItemKind,
    Requester,
    RequesterKind,
    assess,
)
from makingdata.publish import check_ees
from makingdata.tables import Table, TableSpec

if TYPE_CHECKING:
    from pathlib import Path

EVIL = "<script>alert(1)</script>"


def test_frame_html_escapes_and_bounds() -> None:
    frame = pl.DataFrame({f"c{i}": [EVIL] * 30 for i in range(15)})
    out = _html.frame_html(frame)
    assert "<script>" not in out
    assert "&lt;script&gt;" in out
    assert out.count("<tr>") == 1 + _html.MAX_ROWS
    assert "… and 20 more rows (30 in all)" in out
    assert "3 more columns not shown: c12, c13, c14" in out
    assert _html.esc("x" * 200).endswith("…")
    assert len(_html.esc("x" * 200)) == _html.MAX_CELL


def test_table_repr_is_escaped_and_bounded() -> None:
    frame = pl.DataFrame(
        {"school_name": [EVIL] * 25, "sex": ["Total"] * 25, "enrolments": range(25)}
    )
    table = Table(frame, TableSpec(counts=("enrolments",), filters=("sex",)))
    out = table._repr_html_()
    assert out.startswith('<div class="makingdata-repr">')
    assert "Table: 25 rows × 3 columns" in out
    assert "<script>" not in out
    assert "… and 15 more rows (25 in all)" in out
    assert "<dt>filters</dt><dd>sex</dd>" in out


def test_lazy_table_repr_does_not_run_the_query() -> None:
    def boom(s: pl.Series) -> pl.Series:
        raise AssertionError("the repr ran the query")

    lazy = pl.LazyFrame({"enrolments": [1]}).with_columns(
        pl.col("enrolments").map_batches(boom, return_dtype=pl.Int64)
    )
    out = Table(lazy, TableSpec(counts=("enrolments",)))._repr_html_()
    assert "Table (lazy)" in out
    assert "table.collect() runs it" in out


def test_read_result_repr_shows_rules_not_identifiers(tmp_path: Path) -> None:
    path = tmp_path / "marks.csv"
    path.write_text(
        "UPN,URN,Date,AM,PM\n"
        "B801200005001,100001,02/09/2024,/,\\\n"
        "B801200005001,100001,03/09/2024,<b>,-\n"
    )
    result = read_marks(path, key="example-key-xtdrHM3hka0or0zXRGAmVBEQ")
    out = result._repr_html_()
    assert "ReadResult: some rows rejected" in out
    assert "<dt>rejected</dt><dd>2</dd>" in out
    assert "code_invalid" in out or "code_no_mark_yet" in out
    assert "B801200005001" not in out  # the UPNs stay in result.rejects
    assert "<b>" not in out


def test_ees_check_repr(tmp_path: Path) -> None:
    data = tmp_path / "t.csv"
    data.write_text(
        "time_period,time_identifier,geographic_level,country_code,country_name,n\n"
        f"202425,Academic year,National,E92000001,{EVIL},5\n"
    )
    check = check_ees(data)
    out = check._repr_html_()
    assert out.startswith('<div class="makingdata-repr">')
    assert "EesCheck: t.csv fails" in out
    assert "meta_missing" in out
    assert "<script>" not in out


def test_protected_table_repr_shows_symbols() -> None:
    frame = pl.DataFrame(
        {
            "geographic_level": ["Local authority"] * 4,
            "new_la_code": ["E06000001"] * 4,
            "la_name": [EVIL] * 4,
            "sen_provision": ["Total", "EHC plan", "SEN support", "No SEN"],
            "num_schools": [30] * 4,
            "enrolments": [5000, 4, 600, 4396],
        }
    )
    out = protect(frame, "public")._repr_html_()
    assert "ProtectedTable for public" in out
    assert "<td>c</td>" in out
    assert "primary 1" in out
    assert "<script>" not in out


def test_assessment_repr_is_escaped() -> None:
    req = DataRequest(
        title=EVIL,
        requester=Requester(RequesterKind.LA, "Anyshire"),
        request_date=dt.date(2025, 10, 1),
        items=(DataItem(ItemKind.FLIGHT_PATH),),
    )
    out = assess(req)._repr_html_()
    assert "<script>" not in out
    assert "&lt;script&gt;" in out
    assert "prohibited" in out
