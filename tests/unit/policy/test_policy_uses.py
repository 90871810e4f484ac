"""Uses and sharing decisions: checked by the rules about uses, and no others."""

from __future__ import annotations

import datetime as dt

import pytest

from makingdata.domain.purposes import Purpose
from makingdata.errors import InputError
from makingdata.policy import (
    DataUse,
    Granularity,
    RequestAudience,
    Requester,
    RequesterKind,
    Verdict,
    assess,
    assess_use,
    default_catalogue,
)

DFE = Requester(RequesterKind.DFE, "Department for Education")
TRUST = Requester(RequesterKind.TRUST, "Oak Trust", responsible_for=(100001, 100002))
DAY = dt.date(2025, 11, 3)


def _use(**kw: object) -> DataUse:
    kw.setdefault("title", "A use")
    kw.setdefault("user", DFE)
    kw.setdefault("decision_date", DAY)
    kw.setdefault("uses", (Purpose.SUPPORT,))
    return DataUse(**kw)  # type: ignore[arg-type]


def test_only_the_rules_about_uses_check_a_use() -> None:
    ids = {r.id for r in default_catalogue() if r.checks_uses}
    assert ids == {"DAILY-02", "DAILY-03", "DAILY-04", "DP-09"}
    use = _use(title="Academisation review", uses=(Purpose.ACADEMISATION,))
    a = assess_use(use)
    assert a.rule_ids == ("DAILY-03",)
    assert a.verdict is Verdict.PROHIBITED
    # forced into a request, the same decision picked up collection rules
    forced = assess(use.as_request())
    assert {"ATT-01", "STAR-01"} & set(forced.rule_ids)
    assert not {"ATT-01", "STAR-01"} & set(a.rule_ids)


def test_sharing_with_the_alliance() -> None:
    named = _use(
        uses=(Purpose.OFFICIAL_STATISTICS,),
        audiences=(RequestAudience.ATTENDANCE_ACTION_ALLIANCE,),
    )
    assert assess_use(named).rule_ids == ("DAILY-04",)
    anonymous = _use(
        uses=(Purpose.OFFICIAL_STATISTICS,),
        audiences=(RequestAudience.ATTENDANCE_ACTION_ALLIANCE,),
        names_schools=False,
    )
    a = assess_use(anonymous)
    assert a.verdict is Verdict.ALLOWED
    assert a.findings == ()


def test_a_trust_using_data_of_schools_it_is_not_responsible_for() -> None:
    use = _use(user=TRUST, schools=(100001, 100999))
    a = assess_use(use)
    assert a.rule_ids == ("DAILY-02",)
    assert assess_use(_use(user=TRUST, schools=(100001,))).findings == ()


def test_publishing_identifiable_pupils() -> None:
    use = _use(
        uses=(Purpose.PUBLICATION,),
        audiences=(RequestAudience.PUBLIC,),
        granularity=Granularity.PUPIL,
    )
    a = assess_use(use)
    assert a.verdict is Verdict.PROHIBITED
    assert {"DP-09", "DAILY-04"} <= set(a.rule_ids)


def test_a_support_use_is_allowed() -> None:
    assert assess_use(_use()).verdict is Verdict.ALLOWED


def test_from_dict_and_errors() -> None:
    use = DataUse.from_dict(
        {
            "title": "Trust dashboard",
            "user": {"kind": "MAT", "name": "Oak Trust"},
            "decision_date": "2025-11-03",
            "uses": ["academization"],
        }
    )
    assert use.user.kind is RequesterKind.TRUST
    assert use.uses == (Purpose.ACADEMISATION,)
    with pytest.raises(InputError, match="unknown field 'purposes'"):
        DataUse.from_dict(
            {"title": "t", "user": {"kind": "dfe", "name": "DfE"}, "purposes": []}
        )
    with pytest.raises(InputError, match="at least one purpose"):
        _use(uses=())
    with pytest.raises(InputError, match="needs a DataUse"):
        assess_use("academisation")  # type: ignore[arg-type]
