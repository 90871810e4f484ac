"""makingdata.reports: one self-contained page, the files it publishes, in one folder."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata import synth
from makingdata.access import read_audit_log
from makingdata.errors import AccessDenied, InputError
from makingdata.reports import (
    CSP,
    REPORTS,
    Report,
    Section,
    la_ytd,
    national_release,
    trust_weekly,
    write_report,
)
from makingdata.reports._html import _unique_ids

if TYPE_CHECKING:
    from pathlib import Path

START, END = dt.date(2025, 9, 8), dt.date(2025, 9, 19)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def data() -> synth.SynthData:
    return synth.generate(scale=0.01, start=START, end=END, seed=5, la=330)


@pytest.fixture(scope="module")
def trust(data: synth.SynthData) -> str:
    counts = data.memberships.group_by("trust_id").len()
    top: str = counts.sort(["len", "trust_id"], descending=[True, False])["trust_id"][0]
    return top


@pytest.fixture(scope="module")
def trust_report(
    data: synth.SynthData, trust: str, tmp_path_factory: pytest.TempPathFactory
) -> Report:
    log = tmp_path_factory.mktemp("log") / "audit.jsonl"
    return trust_weekly(
        data.marks(),
        data.enrolments,
        schools=data.schools,
        memberships=data.memberships,
        trust_id=trust,
        audit_log=log,
    )


def _svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg.*?</svg>", page, flags=re.S)]


def test_the_three_reports_are_named() -> None:
    assert REPORTS == ("trust-weekly", "la-ytd", "national-release")


def test_page_escapes_text_and_tables_and_needs_no_network() -> None:
    bad = "<script>alert(1)</script>"
    report = Report(
        "note",
        f"Title {bad}",
        "public",
        "today",
        summary=(bad,),
        sections=(
            Section(
                bad, text=(bad,), tables=((bad, pl.DataFrame({bad: [bad]}), None),)
            ),
        ),
        methodology=(bad,),
        protection=(bad,),
    )
    page = report.html()
    assert "<script" not in page
    assert page.count("&lt;script&gt;") >= 7
    assert f'content="{CSP}"' in page
    assert "default-src 'none'" in CSP
    # nothing is fetched: no src= or stylesheet link at all
    assert not re.search(r"""\b(src|href)=["']?https?:""", page)
    assert "<link" not in page


def test_page_says_audience_time_and_version() -> None:
    when = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)
    page = Report("note", "T", "trust", "a week", generated=when, version="9.9").html()
    assert "Protected for" in page
    assert "the trust (its own schools&#x27; data, as built)" in page
    assert "05 January 2026, 09:30 UTC" in page
    assert "makingdata version" in page
    assert "9.9" in page
    assert 'name="generator" content="makingdata 9.9"' in page


def test_ids_of_each_chart_are_made_unique() -> None:
    svg = '<svg><clipPath id="clip1"/><g clip-path="url(#clip1)"/><use href="#clip1"/></svg>'
    out = _unique_ids(svg, "chart2-")
    assert 'id="chart2-clip1"' in out
    assert "url(#chart2-clip1)" in out
    assert 'href="#chart2-clip1"' in out
    assert 'id="clip1"' not in out


def test_trust_pack_is_scoped_to_the_trust(
    trust_report: Report, data: synth.SynthData, trust: str
) -> None:
    assert trust_report.kind == "trust-weekly"
    assert trust_report.audience == "trust"
    assert trust_report.charts == 3
    schools_file = dict(trust_report.ees)["trust_attendance_schools.csv"].data()
    members = data.memberships.filter(pl.col("trust_id") == trust)["urn"]
    assert schools_file.height == members.n_unique()
    assert set(schools_file["school_urn"].cast(pl.Int64)) <= set(members.cast(pl.Int64))
    assert trust_report.audit_log is not None
    decisions = read_audit_log(trust_report.audit_log)
    assert decisions.height >= 2  # marks and enrolments
    assert set(decisions["viewer"].to_list()) == {f"trust:{trust}"}


def test_trust_folder_holds_page_ees_pairs_and_audit_log(
    trust_report: Report, tmp_path: Path
) -> None:
    folder = write_report(trust_report, tmp_path / "pack")
    names = [p.name for p in folder.files()]
    assert names == sorted(
        [
            "CONTENTS.txt",
            "audit.jsonl",
            "report.html",
            "trust_attendance.csv",
            "trust_attendance.meta.csv",
            "trust_attendance_schools.csv",
            "trust_attendance_schools.meta.csv",
        ]
    )
    assert folder.ok
    assert [c.data.name for c in folder.checks] == [
        "trust_attendance.csv",
        "trust_attendance_schools.csv",
    ]
    assert all(c.data.parent == folder.path for c in folder.checks)
    contents = (folder.path / "CONTENTS.txt").read_text()
    for name in names:
        assert name in contents
    page = folder.html.read_text()
    svgs = _svgs(page)
    assert len(svgs) == folder.charts == 3
    for svg in svgs:
        assert svg.get("role") == "img"
        assert svg.get("aria-label")
        assert svg.find(f"{SVG}title") is not None
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "an id is used twice in the page"
    assert "Files in this folder" in page


def test_a_folder_with_files_is_refused(trust_report: Report, tmp_path: Path) -> None:
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "mine.txt").write_text("x")
    with pytest.raises(InputError, match="not empty"):
        write_report(trust_report, tmp_path / "pack")
    assert [p.name for p in (tmp_path / "pack").iterdir()] == ["mine.txt"]


def test_a_forbidden_purpose_is_refused(data: synth.SynthData, trust: str) -> None:
    with pytest.raises(AccessDenied):
        trust_weekly(
            data.marks(),
            data.enrolments,
            schools=data.schools,
            memberships=data.memberships,
            trust_id=trust,
            purpose="Academisation",
        )


def test_la_year_to_date(data: synth.SynthData, tmp_path: Path) -> None:
    report = la_ytd(data.marks(), data.enrolments, schools=data.schools, la=330)
    assert report.audience == "la"
    assert report.charts == 5  # over time, 3 groups, by reason
    table = dict(report.ees)["la_attendance_fsm.csv"].data()
    assert set(table["geographic_level"]) == {"Local authority", "National"}
    folder = write_report(report, tmp_path / "la")
    assert folder.ok
    assert len(_svgs(folder.html.read_text())) == 5


def test_national_release_is_protected_for_the_public(
    data: synth.SynthData, tmp_path: Path
) -> None:
    report = national_release(data.marks(), data.enrolments, schools=data.schools)
    assert report.audience == "public"
    folder = write_report(report, tmp_path / "national")
    assert folder.ok
    assert folder.audit_log is None
    written = pl.read_csv(folder.ees[0].data, infer_schema_length=0)
    assert "School" not in set(written["geographic_level"])
    page = folder.html.read_text()
    assert "the public (protected: small counts suppressed)" in page
    assert "Methodology and protection" in page


def test_no_marks_is_an_input_error(data: synth.SynthData) -> None:
    with pytest.raises(InputError, match="no marks"):
        national_release(data.marks().head(0), data.enrolments, schools=data.schools)
