"""Text signals: the words give a request away, in other words too."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from makingdata.domain.purposes import Purpose
from makingdata.policy import (
    ItemKind,
    Verdict,
    assess,
    load_request,
    text_signals,
)
from makingdata.policy._signals import inferred_request, signal_hits

if TYPE_CHECKING:
    from types import ModuleType


def _cases() -> ModuleType:
    name = "makingdata_tests_policy_cases"
    if name not in sys.modules:
        path = Path(__file__).with_name("_policy_cases.py")
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


C = _cases()
SIGNALS = {s.id: s for s in text_signals()}


@pytest.mark.parametrize(
    ("signal", "example"),
    [(s.id, e) for s in text_signals() for e in s.examples],
)
def test_each_signal_catches_its_documented_examples(signal: str, example: str) -> None:
    assert SIGNALS[signal].find(example) is not None


#: Paraphrases that are in no list: a signal must catch the idea, not one spelling.
PARAPHRASES = [
    ("flight-path", "Flightpaths for Y6 writing"),
    ("flight-path", "the grade trajectories we expect for each child"),
    ("flight-path", "compared with pupils who had similar prior KS2 starting-points"),
    ("flight-path", "is each child above the expected pathway?"),
    ("prediction", "what grade do you predict for each Year 11 student"),
    ("prediction", "Anticipated end-of-year outcomes in reading"),
    ("prediction", "projected Progress 8 scores"),
    ("prediction", "pupils off-track in maths"),
    ("target", "Aspirational targets set in September"),
    ("target", "end of key stage targets"),
    ("accountability", "so the board can hold each principal fully to account"),
    ("accountability", "heads will be held personally accountable"),
    ("accountability", "published as a league-table across the trust"),
    ("accountability", "ranking all of our academies"),
    ("accountability", "a red/amber/green rating for every school"),
    ("teacher-performance", "used in teachers' appraisal meetings"),
    ("teacher-performance", "linked to performance-related pay"),
]


@pytest.mark.parametrize(("signal", "text"), PARAPHRASES)
def test_paraphrases_are_caught(signal: str, text: str) -> None:
    assert SIGNALS[signal].find(text) is not None, text


@pytest.mark.parametrize(
    "text",
    [
        "Target attendance support visits",
        "Support attendance",
        "Track every pupil against the curriculum",
        "the expected standard in reading",
        "a named use",
        "Baseline",
    ],
)
def test_innocent_words_are_not_caught(text: str) -> None:
    assert [s.id for s in text_signals() if s.find(text)] == []


def test_a_flight_path_in_other_words_is_not_allowed() -> None:
    request = C.make(
        items=(
            C.item(
                ItemKind.OTHER,
                description="expected grade trajectory for each pupil, from pupils "
                "with similar KS2 starting points in previous years",
            ),
        ),
    )
    assert "MDW-PRED-03" not in assess(C.make()).rule_ids
    a = assess(request)
    f = a.finding("MDW-PRED-03")
    assert f.verdict is Verdict.PROHIBITED
    assert a.verdict is Verdict.PROHIBITED
    [note] = f.inferred_from_text
    assert "'trajectory' in items[0].description mean flight_path" in note
    assert "items[0].kind says kind = other" in note
    assert "inferred from text: " in a.to_text()
    data = json.loads(a.to_json())
    found = next(x for x in data["findings"] if x["rule_id"] == "MDW-PRED-03")
    assert found["inferred_from_text"] == [note]


def test_a_mislabelled_prediction_meets_the_accountability_rules() -> None:
    request = C.make(
        requester=C.TRUST,
        items=(C.item(ItemKind.PREDICTION),),
        purpose="Predicted outcomes so that we can hold headteachers to account",
        purpose_category=Purpose.SUPPORT,
        uses=(Purpose.SUPPORT,),
    )
    a = assess(request)
    assert (
        a.verdict is Verdict.PROHIBITED
    )  # DP-03: support data used to hold to account
    dp03 = a.finding("DP-03")
    assert dp03.verdict is Verdict.PROHIBITED
    assert any("hold headteachers to account" in n for n in dp03.inferred_from_text)
    assert any("(support) do not say" in n for n in dp03.inferred_from_text)
    assert a.finding("NAHT-PRED-06").inferred_from_text


def test_words_never_lower_what_the_fields_say() -> None:
    request = C.make(items=(C.item(ItemKind.FLIGHT_PATH, description="likely grades"),))
    worded, notes = inferred_request(request)
    assert worded.items[0].kind is ItemKind.FLIGHT_PATH
    assert notes == {}
    assert not assess(request).finding("MDW-PRED-03").inferred_from_text


def test_request_level_words_sharpen_attainment_items_only() -> None:
    request = C.make(
        title="Half-termly flight paths",
        items=(C.item(ItemKind.ATTENDANCE), C.item(ItemKind.ATTAINMENT_TEST)),
    )
    worded, notes = inferred_request(request)
    assert [i.kind for i in worded.items] == [ItemKind.ATTENDANCE, ItemKind.FLIGHT_PATH]
    assert list(notes) == ["items[1].kind"]
    assert [h.field for h in signal_hits(request)] == ["title"]


def test_text_signals_in_a_file(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text(
        'title = "Autumn tracking"\nrequest_date = 2025-10-01\n'
        'purpose = "Rank schools in the trust"\n'
        'requester = { kind = "MAT", name = "Oak Trust" }\n'
        '[[items]]\nkind = "other"\n'
        'description = "Y11 forecast grades, English and maths"\n'
    )
    a = assess(load_request(path))
    assert {"NAHT-PRED-06", "MDW-PRED-02"} & set(a.rule_ids)
    assert all(
        f.inferred_from_text for f in a.findings if f.rule_id in ("NAHT-PRED-06",)
    )


def test_signals_table_is_on_the_rules_page() -> None:
    import re

    from makingdata.policy._signals import signals_markdown

    page = Path(__file__).resolve().parents[3] / "docs" / "concepts" / "rules.md"
    text = page.read_text(encoding="utf-8")
    match = re.search(r"<!-- signals:start -->\n(.*)<!-- signals:end -->", text, re.S)
    assert match, "the rules page lost its signals markers"
    assert match[1] == signals_markdown()
