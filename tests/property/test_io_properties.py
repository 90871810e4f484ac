"""Property tests of the readers and the cross-frame check (hypothesis)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from makingdata.errors import MakingDataError
from makingdata.io import read_marks
from makingdata.schemas import check_marks, check_marks_enrolled, marks_rules

KEY = "property-key-Hl4oDNBDCBTFMEUputtC4oPd"
UPNS = ["B801200005001", "W330200005001", "M940200005001"]
KNOWN_RULES = {
    "blank_row",
    "upn_missing",
    "upn_length",
    "upn_format",
    "upn_la_code",
    "upn_check_letter",
    "urn_missing",
    "urn_invalid",
    "date_missing",
    "date_invalid",
    "date_range",
    "session_missing",
    "session_invalid",
    "code_missing",
    "code_no_mark_yet",
    "code_invalid",
} | {r.name for r in marks_rules()}

cell = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "-",
            "/",
            "\\",
            "i",
            "AM",
            "pm",
            "100001",
            "2024-09-02",
            "02/09/2024",
            *UPNS,
        ]
    ),
    st.text(
        alphabet=st.characters(
            blacklist_categories=["Cs"], blacklist_characters=[",", '"', "\n", "\r"]
        ),
        max_size=15,
    ),
)


def read_text(text: str, *, strict_code_dates: bool = False) -> object:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d, "marks.csv")
        p.write_text(text, encoding="utf-8")
        return read_marks(p, key=KEY, strict_code_dates=strict_code_dates)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(cell, min_size=5, max_size=5), min_size=1, max_size=30))
def test_rows_in_equal_valid_plus_rejected(rows: list[list[str]]) -> None:
    text = "upn,urn,date,session,code\n" + "".join(",".join(r) + "\n" for r in rows)
    result = read_text(text)
    # Blank lines after the last row with content are not rows (a warning).
    checks = result.report.checks  # type: ignore[attr-defined]
    n_trailing = checks.filter(check="trailing_blank_lines")["n_failing"].item()
    assert result.n_read + n_trailing == len(rows)  # type: ignore[attr-defined]
    assert all(not "".join(r).strip() for r in rows[len(rows) - n_trailing :])
    assert result.n_read == result.n_valid + result.n_rejected  # type: ignore[attr-defined]
    rejects = result.rejects  # type: ignore[attr-defined]
    assert all(len(errors) >= 1 for errors in rejects["errors"].to_list())
    assert {e for errors in rejects["errors"].to_list() for e in errors} <= KNOWN_RULES
    assert set(rejects["row"].to_list()) <= set(range(2, len(rows) + 2))
    assert check_marks(result.valid).ok  # type: ignore[attr-defined]


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_our_errors(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d, "marks.csv")
        p.write_bytes(data)
        try:
            result = read_marks(p, key=KEY)
        except MakingDataError:
            return
    assert result.n_read == result.n_valid + result.n_rejected


PLANTS = {
    "upn_check_letter": (0, "A801200005001"),
    "upn_format": (0, "B80120000500!"),
    "urn_invalid": (1, "10001"),
    "date_invalid": (2, "2024-09-31"),
    "date_range": (2, "1999-09-01"),
    "session_invalid": (3, "EVE"),
    "code_invalid": (4, "ZZ"),
    "code_no_mark_yet": (4, "-"),
    "code_valid_on_date": (4, "H"),
}


@settings(max_examples=40, deadline=None)
@given(
    n_rows=st.integers(min_value=1, max_value=40),
    data=st.data(),
)
def test_a_planted_error_is_reported_at_its_line_and_nothing_else(
    n_rows: int, data: st.DataObject
) -> None:
    day0 = dt.date(2024, 9, 2)
    rows = [
        [
            UPNS[i % 3],
            "100001",
            (day0 + dt.timedelta(days=i // 6)).isoformat(),
            ("AM", "PM")[(i // 3) % 2],
            "/",
        ]
        for i in range(n_rows)
    ]
    target = data.draw(st.integers(min_value=0, max_value=n_rows - 1))
    rule = data.draw(st.sampled_from(sorted(PLANTS)))
    column, value = PLANTS[rule]
    rows[target][column] = value
    text = "upn,urn,date,session,code\n" + "".join(",".join(r) + "\n" for r in rows)
    result = read_text(text, strict_code_dates=True)  # a planted H is a reject
    found = {
        (row, e)
        for row, errors in result.rejects.select("row", "errors").iter_rows()  # type: ignore[attr-defined]
        for e in errors
    }
    assert found == {(target + 2, rule)}


@settings(max_examples=60, deadline=None)
@given(
    marks=st.lists(
        st.tuples(st.integers(1, 3), st.integers(100001, 100002), st.integers(0, 20)),
        max_size=25,
    ),
    spells=st.lists(
        st.tuples(
            st.integers(1, 3),
            st.integers(100001, 100002),
            st.integers(0, 20),
            st.one_of(st.none(), st.integers(0, 20)),
        ),
        max_size=6,
    ),
)
def test_marks_enrolled_matches_brute_force(
    marks: list[tuple[int, int, int]], spells: list[tuple[int, int, int, int | None]]
) -> None:
    d0 = dt.date(2024, 9, 2)
    mf = pl.DataFrame(
        {
            "pupil_key": [m[0] for m in marks],
            "urn": [m[1] for m in marks],
            "date": [d0 + dt.timedelta(days=m[2]) for m in marks],
        },
        schema={"pupil_key": pl.UInt64, "urn": pl.UInt32, "date": pl.Date},
    )
    sf = pl.DataFrame(
        {
            "pupil_key": [s[0] for s in spells],
            "urn": [s[1] for s in spells],
            "enrol_start": [d0 + dt.timedelta(days=s[2]) for s in spells],
            "enrol_end": [
                None if s[3] is None else d0 + dt.timedelta(days=s[3]) for s in spells
            ],
        },
        schema={
            "pupil_key": pl.UInt64,
            "urn": pl.UInt32,
            "enrol_start": pl.Date,
            "enrol_end": pl.Date,
        },
    )
    expected = {
        i
        for i, (p, u, day) in enumerate(marks)
        if not any(
            sp == p and su == u and start <= day and (end is None or day <= end)
            for sp, su, start, end in spells
        )
    }
    report = check_marks_enrolled(mf, sf)
    assert set(report.failures["row"].to_list()) == expected
    assert report.ok == (not expected)
