from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from makingdata.disclosure import (
    AUDIENCES,
    Dominance,
    Nesting,
    PPercent,
    RuleSet,
    TableSpec,
    Threshold,
    round_to_base,
    rule_set,
    rules_frame,
)
from makingdata.disclosure._primary import primary_reasons
from makingdata.errors import DisclosureError, RuleError


def test_every_rule_cites_a_source() -> None:
    df = rules_frame()
    assert df.height > 0
    assert df["source"].str.len_chars().min() > 20
    assert set(df["audience"]) <= set(AUDIENCES)
    assert not df.select("audience", "rule_id").is_duplicated().any()


def test_audiences_ordered_by_trust() -> None:
    assert [rule_set(a).needs_protection for a in AUDIENCES] == [False] * 4 + [True] * 2
    assert rule_set("school").rules == ()
    assert rule_set("public").threshold_columns[0] == "enrolments"


def test_unknown_audience() -> None:
    with pytest.raises(RuleError, match="unknown audience 'press'"):
        rule_set("press")


def test_bad_rounding_base() -> None:
    with pytest.raises(
        RuleError, match="rounding base must be a positive whole number"
    ):
        round_to_base(3, 0)


def test_threshold_and_single_school() -> None:
    df = pl.DataFrame(
        {
            "geographic_level": [
                "School",
                "Local authority",
                "Local authority",
                "National",
            ],
            "num_schools": [1, 1, 5, 20],
            "enrolments": [3, 300, 0, 6],
        }
    )
    got = primary_reasons(df, TableSpec(counts=("enrolments",)), rule_set("public"))
    expected = pl.DataFrame(
        {
            "row": [0, 1],
            "rule_id": ["threshold-pupils-6", "single-school"],
            "column": ["enrolments", "num_schools"],
        }
    )
    assert_frame_equal(got, expected)


def test_single_school_rule_needs_num_schools() -> None:
    df = pl.DataFrame({"geographic_level": ["Local authority"], "enrolments": [30]})
    with pytest.raises(DisclosureError, match="needs the number of schools"):
        primary_reasons(df, TableSpec(counts=("enrolments",)), rule_set("public"))
    # a school-level table does not need it: a school row is one school
    schools = df.with_columns(geographic_level=pl.lit("School"))
    assert (
        primary_reasons(
            schools, TableSpec(counts=("enrolments",)), rule_set("public")
        ).height
        == 0
    )


def _contrib() -> tuple[pl.DataFrame, TableSpec]:
    df = pl.DataFrame(
        {
            "geographic_level": ["Local authority", "School", "School", "School"] * 2,
            "la": ["A"] * 4 + ["B"] * 4,
            "urn": [None, "1", "2", "3", None, "4", "5", "6"],
            "sess_possible": [1000, 900, 60, 40, 1000, 400, 350, 250],
        }
    )
    spec = TableSpec(
        counts=("sess_possible",),
        nestings=(Nesting("Local authority", "School", ("la",)),),
        time=(),
    )
    return df, spec


def test_dominance_rule() -> None:
    df, spec = _contrib()
    rules = RuleSet(
        "dfe",
        (
            Dominance(
                "dom-1-85", "sess_possible", 1, 85, rule_set("public").rules[1].source
            ),
        ),
        "t",
    )
    got = primary_reasons(df, spec, rules)
    assert got["row"].to_list() == [0]


def test_p_percent_rule() -> None:
    df, spec = _contrib()
    src = rule_set("public").rules[1].source
    rules = RuleSet("dfe", (PPercent("p-10", "sess_possible", 10, src),), "t")
    # A: 1000 - 900 - 60 = 40 < 10% of 900 -> sensitive; B: 250 >= 40 -> safe
    assert primary_reasons(df, spec, rules)["row"].to_list() == [0]


def test_threshold_rule_as_data() -> None:
    rule = rule_set("public").of(Threshold)[0]
    assert isinstance(rule, Threshold)
    assert rule.minimum == 6
    assert "1 and 5" in rule.source.detail
