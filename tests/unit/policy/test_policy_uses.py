"""Uses and sharing decisions: checked by the rules about uses, and no others."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from pathlib import Path

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


def test_check_use_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from makingdata.cli import main
    from makingdata.errors import ExitCode

    folder = tmp_path
    use = folder / "use.toml"
    use.write_text(
        'title = "Academisation review"\ndecision_date = 2025-11-03\n'
        'uses = ["academisation"]\n'
        'user = { kind = "dfe", name = "Department for Education" }\n'
    )
    assert main(["check-use", str(use)]) == ExitCode.PROHIBITED
    out = capsys.readouterr().out
    assert "DAILY-03" in out
    assert "ATT-01" not in out
    assert "STAR-01" not in out
    bad = folder / "bad.toml"
    bad.write_text(
        'title = "t"\ndecision_date = 2025-11-03\nusse = ["support"]\n'
        'user = { kind = "dfe", name = "DfE" }\n'
    )
    assert main(["check-use", str(bad), "--format", "json"]) == ExitCode.INPUT
    data = json.loads(capsys.readouterr().out)
    assert data["error"]["field"] == "usse"
    assert data["error"]["line"] == 3
    assert "did you mean 'uses'?" in data["error"]["message"]
