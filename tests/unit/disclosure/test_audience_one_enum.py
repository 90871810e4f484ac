"""One `Audience` enum: domain documents it, access and disclosure re-export it."""

from __future__ import annotations

import polars as pl
import pytest

from makingdata import access, disclosure, domain
from makingdata.disclosure import AUDIENCES, protect, rule_set
from makingdata.domain import Audience


def test_every_path_is_the_same_enum() -> None:
    assert disclosure.Audience is Audience
    assert access.Audience is Audience
    assert domain.sharing.Audience is Audience
    assert tuple(a.value for a in Audience) == AUDIENCES


@pytest.mark.parametrize("audience", list(Audience))
def test_enum_and_string_give_the_same_rules(audience: Audience) -> None:
    assert rule_set(audience) is rule_set(audience.value)
    assert audience in AUDIENCES


def test_protect_accepts_the_enum() -> None:
    table = pl.DataFrame(
        {
            "geographic_level": ["Local authority"] * 3,
            "new_la_code": ["E06000001"] * 3,
            "fsm_status": ["Total", "FSM", "Not FSM"],
            "num_schools": [30] * 3,
            "enrolments": [500, 3, 497],
        }
    )
    by_enum = protect(table, Audience.PUBLIC)
    by_text = protect(table, "public")
    assert by_enum.to_ees().equals(by_text.to_ees())
    assert by_enum.audience == "public"
