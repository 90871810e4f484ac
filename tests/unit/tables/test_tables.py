"""The table contract: the vocabulary, TableSpec.infer on awkward files, and Table."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from makingdata import synth
from makingdata.attendance import attendance_table, rollup
from makingdata.errors import InputError
from makingdata.tables import (
    ALL_SYMBOLS,
    LEVELS,
    Rate,
    Table,
    TableSpec,
    ees_text,
    level,
)


def test_one_level_vocabulary() -> None:
    for name, lv in LEVELS.items():
        assert level(name) is lv
        assert level(lv.label) is lv
        assert level(lv.label.upper()) is lv
    with pytest.raises(InputError, match="unknown level 'ward'"):
        level("ward")


def test_infer_reads_every_symbol_and_reports_what_it_cannot_place() -> None:
    frame = pl.DataFrame(
        {
            "time_period": ["202425"] * len(ALL_SYMBOLS),
            "geographic_level": ["Local authority"] * len(ALL_SYMBOLS),
            "new_la_code": [f"E0600000{i}" for i in range(len(ALL_SYMBOLS))],
            "enrolments": list(ALL_SYMBOLS),
            "sess_possible": ["100"] * len(ALL_SYMBOLS),
            "sess_overall": ["5"] * len(ALL_SYMBOLS),
            "sess_overall_percent": ["5.0"] * len(ALL_SYMBOLS),
            "pt_unknown": ["1.0"] * len(ALL_SYMBOLS),
            "note": ["revised"] * len(ALL_SYMBOLS),
        }
    )
    spec = TableSpec.infer(frame)
    assert spec.counts == ("enrolments", "sess_possible", "sess_overall")
    assert spec.rates == (
        Rate("sess_overall_percent", "sess_overall", "sess_possible"),
    )
    assert spec.other == ("pt_unknown",)
    assert [c for c, _ in spec.unplaced] == ["note"]
    assert spec.levels == ("Local authority",)
    assert spec.label("sess_overall_percent") == "Sess overall (percent)"
    # the same from a LazyFrame
    assert TableSpec.infer(frame.lazy()) == spec


def test_kernel_tables_carry_their_spec() -> None:
    d = synth.generate(
        scale=0.01, start=dt.date(2025, 9, 8), end=dt.date(2025, 9, 12), la=330, seed=5
    )
    t = attendance_table(
        d.marks(),
        d.enrolments,
        schools=d.schools,
        levels=("national", "la", "region"),
        by=["fsm_status"],
    )
    assert isinstance(t, Table)
    assert t.is_lazy
    spec = t.spec
    assert spec.levels == ("National", "Regional", "Local authority")
    assert spec.filters == ("fsm_status",)
    assert "num_schools" in spec.additive
    assert "num_schools" not in spec.counts
    rate = spec.rate("sess_overall_percent")
    assert rate == Rate("sess_overall_percent", "sess_overall", "sess_possible")
    ind = spec.indicator("sess_overall_percent")
    assert (ind.label, ind.unit, ind.decimals) == ("Overall absence rate", "%", 1)
    assert spec.indicator("enrolments_pa_10_exact").grouping == "Persistent absence"
    got = t.collect()
    # every indicator the frame holds is described by the spec, and nothing else is
    described = set(spec.indicators) | set(spec.filters) | set(spec.time)
    assert set(got.columns) - described <= {
        "geographic_level", "country_code", "country_name", "region_code",
        "region_name", "new_la_code", "la_name", "old_la_code",
    }  # fmt: skip
    # rolling the table up again keeps the rates a ratio of sums
    again = rollup(
        t, levels="national", keep=["fsm_status"], decimals=1, from_level="la"
    ).collect()
    nat = got.filter(pl.col("geographic_level") == "National").sort("fsm_status")
    assert_frame_equal(
        again.frame.sort("fsm_status").select("fsm_status", "sess_overall_percent"),
        nat.select("fsm_status", "sess_overall_percent"),
    )


def test_ees_text_symbols() -> None:
    df = pl.DataFrame({"n": [1, 0, None], "d": [4, 0, 2], "p": [25.0, 0.0, None]})
    spec = TableSpec(counts=("n", "d"), rates=(Rate("p", "n", "d"),))
    text = ees_text(df, spec)
    assert text["p"].to_list() == ["25.0", "0.0", "x"]
    z = ees_text(df, spec, z_zero_denominator=True)
    assert z["p"].to_list() == ["25.0", "z", "x"]
    sup = ees_text(df, spec, suppressed=pl.Series([False, True, False]))
    assert sup["n"].to_list() == ["1", "c", "x"]


def test_counts_given_leave_the_others_reported() -> None:
    frame = pl.DataFrame({"a": [1], "b": [2], "sex": ["Total"]})
    spec = TableSpec.infer(frame, counts=["a"])
    assert spec.counts == ("a",)
    assert spec.unplaced == (("b", "a count column not named in counts="),)
