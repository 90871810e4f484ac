"""``DropIdentifiers`` matches identifier columns however they are spelt (issue 14, item 2)."""

from __future__ import annotations

import polars as pl
import pytest

from makingdata._pseudonym import IDENTIFIER_SPELLINGS
from makingdata.disclosure import DropIdentifiers, protect, rule_set

pytest.importorskip("scipy")

SPELLINGS = (
    "UPN",
    "Upn",
    "pupil_upn",
    "Surname",
    "first_name",
    "First Name",
    "pupil_name",
)


def table(extra: dict[str, list[str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "geographic_level": ["Local authority"] * 3,
            "new_la_code": ["E06000001"] * 3,
            "fsm_status": ["Total", "FSM eligible", "Not known to be FSM eligible"],
            "num_schools": [12] * 3,
            "enrolments": [400, 100, 300],
            **extra,
        }
    )


@pytest.mark.parametrize("audience", ["trust", "la", "dfe", "partner", "public"])
@pytest.mark.parametrize("column", SPELLINGS)
def test_every_spelling_of_a_pupil_identifier_is_dropped(
    audience: str, column: str
) -> None:
    p = protect(table({column: ["x", "y", "z"]}), audience)
    assert column not in p.table.columns
    assert column in p.report.columns_dropped


def test_the_rule_and_the_one_list_agree() -> None:
    for audience in ("trust", "public"):
        rule = rule_set(audience).of(DropIdentifiers)[0]
        assert isinstance(rule, DropIdentifiers)
        for name in IDENTIFIER_SPELLINGS:
            assert rule.drops(name), (audience, name)
            assert rule.drops(name.upper().replace("_", " ")), (audience, name)
        assert not rule.drops("enrolments")
        assert not rule.drops("fsm_status")


def test_school_columns_in_any_case_for_partner_and_public_only() -> None:
    frame = table({"School_URN": ["1", "2", "3"], "SCHOOL NAME": ["a", "b", "c"]})
    public = protect(frame, "public")
    assert set(public.report.columns_dropped) == {"School_URN", "SCHOOL NAME"}
    trust = protect(frame, "trust")
    assert trust.report.columns_dropped == ()
    assert "School_URN" in trust.table.columns
