from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest

from makingdata.charts import (
    PALETTE,
    absence_by_group,
    absence_by_reason,
    attendance_over_time,
    render_png,
    render_svg,
    save_chart,
    school_breaks,
    theme,
    weekly_heatmap,
)
from makingdata.disclosure import protect
from makingdata.errors import ExportError, InputError
from makingdata.tables import Rate, Table, TableSpec

if TYPE_CHECKING:
    from pathlib import Path

    from makingdata import synth

PNG = b"\x89PNG\r\n\x1a\n"


def marks_in(svg: str, kind: str) -> int:
    """Count the items (path elements) of every ``mark-<kind> role-mark`` group."""
    root = ET.fromstring(svg)
    n = 0
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        if f"mark-{kind} role-mark" in (g.get("class") or ""):
            n += sum(1 for _ in g.iter("{http://www.w3.org/2000/svg}path"))
    return n


def text_items(svg: str, cls: str) -> list[str]:
    """The text of every item in the ``mark-text`` groups whose class has ``cls``."""
    root = ET.fromstring(svg)
    out: list[str] = []
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        if "mark-text" in (g.get("class") or "") and cls in (g.get("class") or ""):
            out += [
                "".join(t.itertext())
                for t in g.iter("{http://www.w3.org/2000/svg}text")
            ]
    return out


def values(spec: dict[str, Any], mark: str) -> list[dict[str, Any]]:
    """The inline data rows drawn by the first layer with ``mark`` (its own or its parent's)."""
    for node, data in _layers(spec):
        m = node.get("mark")
        kind = m.get("type") if isinstance(m, dict) else m
        if kind == mark and data is not None:
            rows: list[dict[str, Any]] = data["values"]
            return rows
    raise AssertionError(f"no {mark} layer")


def layer(spec: dict[str, Any], mark: str) -> dict[str, Any]:
    for node, _ in _layers(spec):
        m = node.get("mark")
        kind = m.get("type") if isinstance(m, dict) else m
        if kind == mark:
            return node
    raise AssertionError(f"no {mark} layer")


def _layers(spec: dict[str, Any]) -> list[tuple[dict[str, Any], Any]]:
    out: list[tuple[dict[str, Any], Any]] = []
    stack: list[tuple[dict[str, Any], Any]] = [(spec, spec.get("data"))]
    while stack:
        node, data = stack.pop(0)
        data = node.get("data", data)
        out.append((node, data))
        for key in ("vconcat", "hconcat", "layer"):
            stack.extend((child, data) for child in node.get(key, []))
    return out


# ------------------------------------------------------------------ hand frames
def _school_weeks(values_: list[float | None]) -> Table:
    weeks = [dt.date(2025, 10, 13), dt.date(2025, 10, 20), dt.date(2025, 11, 3)]
    n = len(weeks)
    frame = pl.DataFrame(
        {
            "week_commencing": weeks * 2,
            "geographic_level": ["School"] * n + ["National"] * n,
            "country_code": ["E92000001"] * (2 * n),
            "country_name": ["England"] * (2 * n),
            "school_urn": ["100001"] * n + [None] * n,
            "school_name": ["Demo <Primary>"] * n + [None] * n,
            "sess_overall": [30, 28, 35, 700, 690, 720],
            "sess_possible": [500, 500, 500, 10000, 10000, 10000],
            "sess_overall_percent": [*values_, 7.0, 6.9, 7.2],
        }
    )
    spec = TableSpec(
        counts=("sess_overall", "sess_possible"),
        rates=(Rate("sess_overall_percent", "sess_overall", "sess_possible"),),
        labels={"sess_overall_percent": "Overall absence rate"},
    )
    return Table(frame, spec)


def test_over_time_spec_carries_title_alt_text_series_and_breaks() -> None:
    spec = attendance_over_time(_school_weeks([6.0, 5.6, 7.0])).to_dict()
    assert spec["title"]["text"] == "Overall absence rate (%): Demo <Primary>"
    assert spec["description"].startswith(
        "Line chart of Overall absence rate (%) for Demo <Primary> against England"
    )
    meta = spec["usermeta"]["makingdata"]
    assert meta["series"] == ["Demo <Primary>", "England"]
    assert meta["breaks"] == ["October half term"]
    line = layer(spec, "line")
    assert line["encoding"]["y"]["field"] == "value"
    assert line["encoding"]["x"]["type"] == "temporal"
    tips = [t["field"] for t in line["encoding"]["tooltip"]]
    assert tips == ["series", "_period", "value_shown", "meaning"]
    rows = values(spec, "line")
    assert [r["x"] for r in rows[:3]] == ["2025-10-13", "2025-10-20", "2025-11-03"]
    band = values(spec, "rect")
    assert band == [
        {
            "start": "2025-10-27",
            "end": "2025-11-01",
            "label": "October half term",
            "weekdays": 5,
        }
    ]
    # the theme travels with the chart
    assert spec["config"]["range"]["category"] == list(PALETTE)
    footer = values(spec, "text")
    assert footer[-1]["line"].startswith("Source: ")


def test_a_missing_value_is_a_gap_with_its_symbol_never_zero() -> None:
    spec = attendance_over_time(_school_weeks([6.0, None, 7.0])).to_dict()
    rows = [r for r in values(spec, "line") if r["series"] == "Demo <Primary>"]
    assert [r["value"] for r in rows] == [6.0, None, 7.0]
    assert [r["symbol"] for r in rows] == [None, "x", None]
    assert rows[1]["meaning"] == "not available"
    assert spec["usermeta"]["makingdata"]["gaps"] == 1
    gaps = [lay for lay in spec["vconcat"][0]["layer"] if lay["mark"]["type"] == "text"]
    assert gaps[0]["transform"] == [
        {"filter": "datum.value === null && datum.symbol !== null"}
    ]
    notes = [r["line"] for r in spec["vconcat"][1]["data"]["values"]]
    assert notes[0] == "Gaps are cells not published as numbers (x = not available)."
    svg = render_svg(attendance_over_time(_school_weeks([6.0, None, 7.0])))
    # the symbol is drawn; two points of the school's line and three of England's
    assert "x" in text_items(svg, "role-mark")
    assert marks_in(svg, "symbol") == 5


def _protected_las() -> tuple[pl.DataFrame, object]:
    frame = pl.DataFrame(
        {
            "time_period": [202425] * 3,
            "time_identifier": ["Academic year"] * 3,
            "geographic_level": ["Local authority"] * 3,
            "new_la_code": ["E06000001", "E06000002", "E06000003"],
            "la_name": ["Ash", "Beech", "Cedar"],
            "num_schools": [30, 25, 28],
            "enrolments": [2000, 4, 1800],
            "sess_possible": [360000, 720, 324000],
            "sess_authorised": [15000, 40, 14000],
            "sess_unauthorised": [7000, 30, 6500],
        }
    ).with_columns(
        sess_authorised_percent=pl.col("sess_authorised")
        / pl.col("sess_possible")
        * 100,
        sess_unauthorised_percent=pl.col("sess_unauthorised")
        / pl.col("sess_possible")
        * 100,
    )
    return frame, protect(frame, "public")


def test_suppressed_cells_are_null_with_c_in_the_tooltip_data() -> None:
    _, protected = _protected_las()
    chart = absence_by_reason(protected, level="la")  # type: ignore[arg-type]
    spec = chart.to_dict()
    rows = values(spec, "bar")
    beech = [r for r in rows if r["unit"] == "Beech"]
    assert [r["value"] for r in beech] == [None, None]
    assert [r["symbol"] for r in beech] == ["c", "c"]
    assert beech[0]["meaning"] == "confidential: suppressed to protect people"
    others = [r["value"] for r in rows if r["unit"] != "Beech"]
    assert None not in others
    assert all(v > 0 for v in others)
    meta = spec["usermeta"]["makingdata"]
    assert meta["audience"] == "public"
    assert meta["gaps"] == 2
    notes = [r["line"] for r in spec["vconcat"][1]["data"]["values"]]
    assert notes[:2] == [
        "Gaps are cells not published as numbers "
        "(c = confidential: suppressed to protect people).",
        "Protected for the audience: public.",
    ]
    svg = render_svg(chart)
    # two LAs with two segments each; Beech has none, and two "c" marks instead
    assert marks_in(svg, "rect") == 4
    assert text_items(svg, "role-mark").count("c") == 2


def test_absence_by_reason_over_periods_for_one_unit(weekly: Table) -> None:
    urn = weekly.frame.filter(pl.col("geographic_level") == "School")["school_urn"][0]
    chart = absence_by_reason(weekly, level="school", code=urn)
    spec = chart.to_dict()
    n_weeks = weekly.frame.filter(pl.col("school_urn") == urn).height
    assert len(spec["usermeta"]["makingdata"]["bars"]) == n_weeks
    assert marks_in(render_svg(chart), "rect") == 2 * n_weeks


def test_several_units_need_one_period(weekly: Table) -> None:
    with pytest.raises(InputError, match="filter the table to one period"):
        absence_by_reason(weekly, level="school")


def test_over_time_on_synthetic_weeks(weekly: Table, data: synth.SynthData) -> None:
    urn = int(data.schools["urn"][0])
    chart = attendance_over_time(weekly, code=urn, measure="sess_attendance_percent")
    spec = chart.to_dict()
    meta = spec["usermeta"]["makingdata"]
    assert meta["series"][1:] == ["Birmingham", "England"]
    assert "October half term" in meta["breaks"]
    assert spec["description"].startswith("Line chart of Attendance rate (%) for")
    svg = render_svg(chart)
    weeks = weekly.frame.filter(pl.col("geographic_level") == "National").height
    school_weeks = weekly.frame.filter(pl.col("school_urn") == str(urn)).height
    # a point per week per line; three lines (two dashed) in the path group
    assert marks_in(svg, "symbol") == school_weeks + 2 * weeks
    assert marks_in(svg, "line") == 3
    assert marks_in(svg, "rect") == len(meta["breaks"])


def test_over_time_needs_one_unit(weekly: Table) -> None:
    with pytest.raises(InputError, match="a line chart shows one"):
        attendance_over_time(weekly)
    with pytest.raises(InputError, match="no School rows with school_urn 1"):
        attendance_over_time(weekly, code=1)
    with pytest.raises(InputError, match=r"the table has no column\(s\) \['nope'\]"):
        attendance_over_time(weekly, code=1, measure="nope")


def test_by_group_with_national_ticks_and_suppression(by_ethnicity: Table) -> None:
    protected = protect(by_ethnicity, "la")
    la_rows = by_ethnicity.frame.filter(pl.col("geographic_level") == "Local authority")
    chart = absence_by_group(protected, "ethnicity_major", level="la")
    spec = chart.to_dict()
    meta = spec["usermeta"]["makingdata"]
    groups = meta["groups"]
    assert groups[0] == "All pupils"
    assert len(groups) == la_rows.height
    assert meta["national"] is True
    rows = values(spec, "bar")
    assert len(rows) == 2 * la_rows.height
    shown = [r for r in rows if r["value"] is not None]
    gaps = [r for r in rows if r["value"] is None]
    assert all(r["symbol"] is not None for r in gaps)
    assert meta["gaps"] == len(gaps)
    ticks = values(spec, "tick")
    assert {r["group"] for r in ticks} == set(groups)
    svg = render_svg(chart)
    # bars and England's ticks are both drawn as rects
    assert marks_in(svg, "rect") == len(shown) + len(ticks)
    assert len(shown) > 0


def test_by_group_suppressed_for_the_public_is_never_zero() -> None:
    frame = pl.DataFrame(
        {
            "time_period": [202425] * 4,
            "time_identifier": ["Academic year"] * 4,
            "geographic_level": ["Local authority"] * 4,
            "new_la_code": ["E06000001"] * 4,
            "la_name": ["Ash"] * 4,
            "fsm_status": ["Total", "FSM eligible", "Not eligible", "Unknown"],
            "num_schools": [30] * 4,
            "enrolments": [2000, 500, 1497, 3],
            "enrolments_pa_10_exact": [400, 150, 249, 1],
        }
    ).with_columns(
        enrolments_pa_10_exact_percent=pl.col("enrolments_pa_10_exact")
        / pl.col("enrolments")
        * 100
    )
    protected = protect(frame, "public")
    spec = absence_by_group(
        protected,
        "fsm_status",
        level="la",
        measures=["enrolments_pa_10_exact_percent"],
    ).to_dict()
    rows = {r["group"]: r for r in values(spec, "bar")}
    assert rows["Unknown"]["value"] is None
    assert rows["Unknown"]["symbol"] == "c"
    assert rows["All pupils"]["value"] == pytest.approx(20.0)


def test_by_group_errors() -> None:
    frame, _ = _protected_las()
    table = Table.infer(frame)
    with pytest.raises(InputError, match="the table has no column 'fsm_status'"):
        absence_by_group(table, "fsm_status", measures=["sess_authorised_percent"])
    with pytest.raises(InputError, match="one or two measures, not 3"):
        absence_by_group(table, "la_name", measures=["a", "b", "c"])


def test_weekly_heatmap_counts_cells_and_gaps(weekly: Table) -> None:
    schools = weekly.frame.filter(pl.col("geographic_level") == "School")
    urns = schools["school_urn"].unique().sort().to_list()[:3]
    rows = schools.filter(pl.col("school_urn").is_in(urns))
    chart = weekly_heatmap(weekly, schools=urns)
    spec = chart.to_dict()
    meta = spec["usermeta"]["makingdata"]
    assert len(meta["schools"]) == 3
    assert meta["weeks"] == rows["week_commencing"].n_unique()
    svg = render_svg(chart)
    assert marks_in(svg, "rect") == rows.height - meta["gaps"]
    with pytest.raises(InputError, match="none of the schools"):
        weekly_heatmap(weekly, schools=[1])


def test_heatmap_gap_is_blank_with_symbol() -> None:
    frame = pl.DataFrame(
        {
            "week_commencing": [dt.date(2025, 9, 8), dt.date(2025, 9, 15)] * 2,
            "geographic_level": ["School"] * 4,
            "school_urn": ["100001", "100001", "100002", "100002"],
            "school_name": ["Ash"] * 2 + ["Beech"] * 2,
            "sess_overall_percent": [5.1, 6.0, 7.3, None],
        }
    )
    chart = weekly_heatmap(Table.infer(frame))
    svg = render_svg(chart)
    assert marks_in(svg, "rect") == 3
    assert "x" in text_items(svg, "role-mark")


# ------------------------------------------------------------------ breaks
def test_school_breaks_from_days_and_weeks() -> None:
    days = [
        dt.date(2025, 10, 23),
        dt.date(2025, 10, 24),
        dt.date(2025, 11, 3),
        dt.date(2025, 11, 5),
    ]
    out = school_breaks(days)
    assert out.rows() == [
        (dt.date(2025, 10, 27), dt.date(2025, 11, 1), "October half term", 5),
        (dt.date(2025, 11, 4), dt.date(2025, 11, 5), "Bank holiday or closure", 1),
    ]
    mondays = [dt.date(2025, 12, 15), dt.date(2026, 1, 5)]
    assert school_breaks(mondays)["label"].to_list() == ["Christmas holidays"]
    assert school_breaks(mondays)["weekdays"].to_list() == [10]
    assert school_breaks([]).height == 0


def test_calendar_breaks_can_be_given(weekly: Table, data: synth.SynthData) -> None:
    urn = int(data.schools["urn"][0])
    bands = school_breaks(data.calendar["date"])
    assert "October half term" in bands["label"].to_list()
    spec = attendance_over_time(weekly, code=urn, breaks=bands).to_dict()
    assert spec["usermeta"]["makingdata"]["breaks"] == bands["label"].to_list()
    off = attendance_over_time(weekly, code=urn, breaks=False).to_dict()
    assert off["usermeta"]["makingdata"]["breaks"] == []


# ------------------------------------------------------------------ theme, save
def test_theme_is_accessible_and_labelled() -> None:
    t = theme()
    assert t["range"]["category"] == list(PALETTE)
    assert len(set(PALETTE)) == 6
    assert t["title"]["anchor"] == "start"
    assert t["axis"]["labelFontSize"] >= 12


def test_alt_text_reaches_the_svg() -> None:
    chart = attendance_over_time(_school_weeks([6.0, 5.6, 7.0]))
    svg = render_svg(chart)
    desc = chart.to_dict()["description"]
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == desc
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}desc").text == desc  # type: ignore[union-attr]
    assert root.find(f"{ns}title").text == "Overall absence rate (%): Demo <Primary>"  # type: ignore[union-attr]


def test_save_chart_writes_png_svg_html_json(tmp_path: Path) -> None:
    chart = attendance_over_time(_school_weeks([6.0, 5.6, 7.0]))
    png = save_chart(chart, tmp_path / "c.png").read_bytes()
    assert png.startswith(PNG)
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert 1000 < width < 2400
    assert 500 < height < 1600
    assert 20_000 < len(png) < 2_000_000
    svg = save_chart(chart, tmp_path / "c.svg").read_text()
    assert svg.startswith("<svg")
    assert marks_in(svg, "line") == 2
    html = save_chart(chart, tmp_path / "c.html").read_text()
    assert "<html" in html
    assert "vegaEmbed" in html
    assert "cdn.jsdelivr" not in html  # self-contained: draws offline
    spec = save_chart(chart, tmp_path / "c.json").read_text()
    assert '"usermeta"' in spec
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "c.html",
        "c.json",
        "c.png",
        "c.svg",
    ]
    assert render_png(chart, scale=1)[:8] == PNG


def test_save_chart_errors(tmp_path: Path) -> None:
    chart = attendance_over_time(_school_weeks([6.0, 5.6, 7.0]))
    with pytest.raises(InputError, match=r"cannot save a chart as \.pdf"):
        save_chart(chart, tmp_path / "c.pdf")
    with pytest.raises(ExportError, match="could not write the chart"):
        save_chart(chart, tmp_path / "no" / "c.svg")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InputError, match="not a chart: str"):
        save_chart("chart", tmp_path / "c.svg")


def test_a_frame_is_not_a_table() -> None:
    with pytest.raises(InputError, match="a chart takes a Table or a ProtectedTable"):
        attendance_over_time(pl.DataFrame({"a": [1]}))  # type: ignore[arg-type]


def test_over_time_by_term_uses_an_ordered_period_axis() -> None:
    frame = pl.DataFrame(
        {
            "time_period": [202425] * 6,
            "time_identifier": ["Autumn term", "Spring term", "Summer term"] * 2,
            "geographic_level": ["Local authority"] * 3 + ["National"] * 3,
            "new_la_code": ["E06000001"] * 3 + [None] * 3,
            "la_name": ["Hartlepool"] * 3 + [None] * 3,
            "country_code": ["E92000001"] * 6,
            "country_name": ["England"] * 6,
            "sess_overall_percent": [6.1, 7.2, None, 6.0, 6.8, 7.5],
        }
    )
    chart = attendance_over_time(Table.infer(frame), level="la")
    spec = chart.to_dict()
    line = layer(spec, "line")
    assert line["encoding"]["x"]["type"] == "ordinal"
    rows = values(spec, "line")
    assert [r["x"] for r in rows[:3]] == [
        "2024/25 Autumn term",
        "2024/25 Spring term",
        "2024/25 Summer term",
    ]
    assert spec["usermeta"]["makingdata"]["breaks"] == []
    assert spec["description"].endswith("1 value is not published (gaps).")
    assert "Sess overall (%) for Hartlepool" in spec["description"]
    svg = render_svg(chart)
    assert marks_in(svg, "symbol") == 5


def _by_phase(*, with_total: bool) -> Table:
    phases = (
        ["Total", "Primary", "Secondary"] if with_total else ["Primary", "Secondary"]
    )
    auth = {"Total": 5.6, "Primary": 4.0, "Secondary": 7.0}
    unauth = {"Total": 2.0, "Primary": 1.5, "Secondary": 2.5}
    frame = pl.DataFrame(
        {
            "time_period": [202425] * len(phases),
            "time_identifier": ["Academic year"] * len(phases),
            "geographic_level": ["Regional"] * len(phases),
            "region_code": ["E12000006"] * len(phases),
            "region_name": ["East of England"] * len(phases),
            "education_phase": phases,
            "sess_authorised_percent": [auth[p] for p in phases],
            "sess_unauthorised_percent": [unauth[p] for p in phases],
        }
    )
    # without Total rows the column is not a filter EES can total: the spec
    # leaves it unplaced, and the chart must still not add its groups up
    return Table.infer(frame)


def test_a_breakdown_is_never_added_up_its_total_rows_are_drawn_and_said() -> None:
    # a table by phase charted by region drew Total + Primary + Secondary stacked
    spec = absence_by_reason(_by_phase(with_total=True), level="region").to_dict()
    rows = values(spec, "bar")
    assert sorted(r["value"] for r in rows) == [2.0, 5.6]  # the Total row only
    notes = [r["line"] for r in spec["vconcat"][1]["data"]["values"]]
    assert any("'Total' rows of education_phase" in n for n in notes)


def test_a_breakdown_without_total_rows_is_refused() -> None:
    with pytest.raises(InputError, match="broken down by education_phase") as err:
        absence_by_reason(_by_phase(with_total=False), level="region")
    assert err.value.column == "education_phase"
    assert "absence_by_group" in str(err.value)
