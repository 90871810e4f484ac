"""Input validation: requests, files, catalogues and arguments, with exact messages."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from typing import TYPE_CHECKING, Any

import attrs
import polars as pl
import pytest

if TYPE_CHECKING:
    from pathlib import Path

from makingdata.domain.purposes import Purpose, parse_purpose
from makingdata.errors import InputError, MakingDataError, RuleError
from makingdata.policy import (
    Citation,
    DataItem,
    DataRequest,
    Granularity,
    ItemKind,
    Match,
    Provenance,
    Requester,
    RequesterKind,
    RequestError,
    Rule,
    Verdict,
    academic_year_bounds,
    assess,
    assess_burden,
    default_catalogue,
    load_catalogue,
    load_request,
    load_requests,
    policy_sources,
)

GOOD = """
title = "t"
request_date = 2025-10-01
[requester]
kind = "la"
name = "Anyshire"
[[items]]
kind = "attendance"
[[items]]
kind = "behaviour"
[[items]]
kind = "{kind}"
"""

ITEM_KINDS = ", ".join(k.value for k in ItemKind)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_item_kind_names_file_field_and_allowed_values(tmp_path: Path) -> None:
    path = _write(tmp_path, "req.toml", GOOD.format(kind="flightpath"))
    with pytest.raises(InputError) as info:
        load_request(path)
    assert str(info.value) == (
        f"{path}, row 12, column 'items[2].kind': 'flightpath' is not a valid "
        f"ItemKind (did you mean 'flight_path'?). What to do: use one of: {ITEM_KINDS}."
    )
    assert info.value.column == "items[2].kind"
    assert info.value.path == str(path)


def test_spelling_of_enum_values_is_tolerated(tmp_path: Path) -> None:
    path = _write(tmp_path, "req.toml", GOOD.format(kind="Flight-Path"))
    assert load_request(path).items[2].kind is ItemKind.FLIGHT_PATH


@pytest.mark.parametrize(
    ("data", "column", "message"),
    [
        ({}, "title", "the required field 'title' is missing"),
        (
            {"title": "t", "request_date": "2025-13-01"},
            "request_date",
            "'2025-13-01' is not a date. What to do: write dates as YYYY-MM-DD.",
        ),
        (
            {"title": "t", "request_date": "2025-10-01", "colour": "red"},
            "colour",
            "unknown field 'colour'. What to do: the fields are: "
            + ", ".join(a.name for a in attrs.fields(DataRequest))
            + ".",
        ),
        (
            {
                "title": "t",
                "request_date": "2025-10-01",
                "requester": {"kind": "vendor", "name": "TrackerCo"},
                "items": [{"kind": "attendance"}],
            },
            "requester.acting_for",
            "a vendor request must say whom the vendor acts for. What to do: set "
            "acting_for to the LA, trust or other body that asked.",
        ),
        (
            {
                "title": "t",
                "request_date": "2025-10-01",
                "requester": {"kind": "la", "name": "A"},
                "items": [{"kind": "attendance", "codes": ["I", "Z9"]}],
            },
            "items[0].codes[1]",
            "'Z9' is not an attendance code. What to do: use a register mark from "
            "makingdata.codes.CODES (e.g. I, C1, J1).",
        ),
        (
            {
                "title": "t",
                "request_date": "2025-10-01",
                "requester": {"kind": "la", "name": "A"},
                "items": [{"kind": "attendance"}],
                "uses": ["support", "league tables"],
            },
            "uses[1]",
            "'league tables' is not a known purpose. What to do: use one of: "
            + ", ".join(p.value for p in Purpose)
            + ".",
        ),
        (
            {
                "title": "t",
                "request_date": "2025-10-01",
                "requester": {"kind": "la", "name": "A"},
                "items": [{"kind": "attendance"}],
                "granularity": "group",
            },
            "min_group_size",
            "group-level data needs the smallest group size. What to do: set "
            "min_group_size (e.g. 10).",
        ),
        (
            {
                "title": "t",
                "request_date": "2025-10-01",
                "requester": {"kind": "la", "name": "A"},
                "items": [{"kind": "attendance"}],
                "recipients": [12345],
            },
            "recipients[0]",
            "12345 is not a URN (6 digits). What to do: give the school's 6-digit "
            "unique reference number.",
        ),
        (
            {
                "title": "t",
                "request_date": "2025-10-01",
                "requester": {"kind": "la", "name": "A"},
                "items": [{"kind": "attendance", "held_in_mis": "yes"}],
            },
            "items[0].held_in_mis",
            "expected true or false, got 'yes'",
        ),
        (
            {
                "title": "t",
                "request_date": "2025-10-01",
                "requester": {"kind": "la", "name": "A"},
                "items": [],
            },
            "items",
            "the request asks for no items. What to do: list at least one item.",
        ),
        (
            {
                "title": "t",
                "request_date": "2025-10-01",
                "requester": {"kind": "la", "name": "A"},
                "items": [{"kind": "attendance"}],
                "collection_dates": ["2025-10-01", "2026-01-01"],
                "collections_per_year": 3,
            },
            "collections_per_year",
            "collections_per_year is 3 but 2 collection dates are listed. What to do: "
            "drop one of the two or make them agree.",
        ),
        (
            {
                "title": "t",
                "request_date": "2025-10-01",
                "requester": {"kind": "la", "name": "A"},
                "items": [{"kind": "attendance", "about": "progress_score"}],
            },
            "items[0].about",
            "'about' is only for predictions and targets, not attendance. What to do: "
            "remove it, or set kind to prediction or target.",
        ),
        (
            {
                "title": "t",
                "request_date": "2025-10-01",
                "requester": {"kind": "la", "name": "A"},
                "items": [{"kind": "progress_score", "results_year": "2025/27"}],
            },
            "items[0].results_year",
            "'2025/27' is not an academic year. What to do: write it as 2025/26 "
            "(the second year follows the first).",
        ),
    ],
)
def test_from_dict_errors(data: dict[str, Any], column: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        DataRequest.from_dict(data, path="req.json")
    if isinstance(info.value, RequestError):  # every problem of the request at once
        assert str(info.value).startswith("req.json: ")
        by_field = {p.column: str(p) for p in info.value.problems}
        assert by_field[column] == f"column {column!r}: {message}"
    else:
        assert str(info.value) == f"req.json, column {column!r}: {message}"


def test_json_and_yaml_load_the_same_request(tmp_path: Path) -> None:
    toml = _write(tmp_path, "a.toml", GOOD.format(kind="target"))
    request = load_request(toml)
    import json

    as_json = _write(tmp_path, "a.json", json.dumps(request.to_dict()))
    assert load_request(as_json) == request
    yaml = pytest.importorskip("yaml")
    as_yaml = _write(tmp_path, "a.yaml", yaml.safe_dump(request.to_dict()))
    assert load_request(as_yaml) == request


def test_yaml_without_pyyaml_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.import_module

    def fake(name: str, *args: Any) -> Any:
        if name == "yaml":
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", fake)
    path = _write(tmp_path, "a.yaml", "title: t\n")
    with pytest.raises(InputError) as info:
        load_request(path)
    assert str(info.value) == (
        f"{path}: reading YAML needs PyYAML, which is not installed. What to do: "
        "pip install 'makingdata[yaml]', or write the request as TOML or JSON."
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("a.toml", "title = ", "not valid TOML: "),
        ("a.json", "{", "not valid JSON: "),
        ("a.txt", "x", "cannot read '.txt'. What to do: use a .toml, .json, .yaml"),
        ("a.json", "[1, 2]", "expected a table of request fields, got list"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(InputError, match=re.escape(message)) as info:
        load_request(path)
    assert str(info.value).startswith(str(path))


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_request(tmp_path / "nope.toml")
    with pytest.raises(InputError, match="no such folder"):
        load_requests(tmp_path / "nope")
    with pytest.raises(InputError, match="the folder holds no request files"):
        load_requests(tmp_path)


def test_latin1_file_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_bytes('title = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(InputError, match=r"not UTF-8 text .* save the file as UTF-8"):
        load_request(path)


def test_construction_errors_name_the_field() -> None:
    with pytest.raises(InputError) as info:
        DataItem("attendance")  # type: ignore[arg-type]
    assert str(info.value) == (
        "column 'kind': 'attendance' is not a valid ItemKind. What to do: use one of: "
        f"{ITEM_KINDS}."
    )
    with pytest.raises(InputError, match="a vendor cannot act for another vendor"):
        Requester(
            RequesterKind.VENDOR,
            "A",
            acting_for=Requester(
                RequesterKind.VENDOR, "B", acting_for=Requester(RequesterKind.LA, "C")
            ),
        )
    with pytest.raises(InputError, match="only a vendor acts for another body"):
        Requester(RequesterKind.LA, "A", acting_for=Requester(RequesterKind.LA, "B"))
    with pytest.raises(InputError, match="column 'staff_hours': expected a number"):
        DataRequest(
            title="t",
            requester=Requester(RequesterKind.LA, "A"),
            request_date=dt.date(2025, 1, 1),
            items=(DataItem(ItemKind.ATTENDANCE),),
            staff_hours=True,  # type: ignore[arg-type]
        )


def test_errors_are_making_data_errors() -> None:
    assert issubclass(InputError, MakingDataError)
    assert issubclass(RuleError, MakingDataError)


def test_academic_year_forms() -> None:
    want = (dt.date(2025, 9, 1), dt.date(2026, 8, 31))
    assert academic_year_bounds("2025/26") == want
    assert academic_year_bounds("2025-26") == want
    assert academic_year_bounds("202526") == want
    assert academic_year_bounds("1999/00") == (
        dt.date(1999, 9, 1),
        dt.date(2000, 8, 31),
    )


def test_assess_needs_a_request() -> None:
    with pytest.raises(InputError) as info:
        assess({"title": "x"})  # type: ignore[arg-type]
    assert str(info.value) == (
        "assess() needs a DataRequest, not dict. What to do: build one, or read a "
        "file with load_request()."
    )


def test_assess_burden_arguments() -> None:
    with pytest.raises(InputError) as info:
        assess_burden([], school=12345, academic_year="2025/26")
    assert str(info.value) == (
        "column 'school': 12345 is not a URN (6 digits). What to do: give the "
        "school's 6-digit unique reference number."
    )
    with pytest.raises(InputError, match="'2025' is not an academic year"):
        assess_burden([], school=999001, academic_year="2025")


# ------------------------------------------------------------------ purposes


@pytest.mark.parametrize(
    ("text", "purpose"),
    [
        ("Academization", Purpose.ACADEMISATION),
        ("  ACADEMISATION ", Purpose.ACADEMISATION),
        ("Ofsted decision-making", Purpose.OFSTED_DECISION),
        ("ofsted_decision", Purpose.OFSTED_DECISION),
        ("RSC decisions", Purpose.RSC_DECISION),
        ("Schools causing concern judgments", Purpose.SCHOOL_CAUSING_CONCERN),
        ("SCC", Purpose.SCHOOL_CAUSING_CONCERN),
        ("trust-moves", Purpose.TRUST_PLACEMENT),
        ("Decisions to place or remove a school in a Trust", Purpose.TRUST_PLACEMENT),
        ("identifying children publicly", Purpose.PUBLIC_IDENTIFICATION_OF_CHILDREN),
        (
            "School identities to the Attendance Action Alliance",
            Purpose.SCHOOL_IDENTITIES_TO_ATTENDANCE_ACTION_ALLIANCE,
        ),
        ("TEACHER_PERFORMANCE_MANAGEMENT", Purpose.TEACHER_PERFORMANCE_MANAGEMENT),
        ("pay progression", Purpose.TEACHER_PERFORMANCE_MANAGEMENT),
        (Purpose.SUPPORT, Purpose.SUPPORT),
    ],
)
def test_parse_purpose_variants(text: str, purpose: Purpose) -> None:
    assert parse_purpose(text) is purpose


def test_parse_purpose_unknown_suggests_and_lists() -> None:
    allowed = ", ".join(p.value for p in Purpose)
    with pytest.raises(InputError) as info:
        parse_purpose("academisaton")
    assert str(info.value) == (
        "'academisaton' is not a known purpose (did you mean 'academisation'?). "
        f"What to do: use one of: {allowed}."
    )
    for ambiguous in ("ofsted", "rsc", ""):
        with pytest.raises(InputError):
            parse_purpose(ambiguous)
    with pytest.raises(InputError, match="a purpose must be text, not int"):
        parse_purpose(3)  # type: ignore[arg-type]


def test_forbidden_purposes_carry_the_seed_citation() -> None:
    forbidden = {p for p in Purpose if p.forbidden_for_shared_daily_data}
    assert forbidden == {
        Purpose.OFSTED_DECISION,
        Purpose.RSC_DECISION,
        Purpose.SCHOOL_CAUSING_CONCERN,
        Purpose.INSPECTION,
        Purpose.ACADEMISATION,
        Purpose.TRUST_PLACEMENT,
        Purpose.PUBLIC_IDENTIFICATION_OF_CHILDREN,
        Purpose.SCHOOL_IDENTITIES_TO_ATTENDANCE_ACTION_ALLIANCE,
    }
    for p in Purpose:
        assert p.label
        if p in forbidden:
            assert (
                p.citation
                == "DfE, Requesting daily data from schools – principles for collection and use, 2022, §4"
            )
            assert p.info.promise
        else:
            assert p.citation is None


def _seed_texts(real_data_dir: Path) -> dict[str, str]:
    seeds = real_data_dir.parent.parent / "seeds"
    if not seeds.is_dir():
        pytest.skip("the seed documents are not beside this checkout")
    quotes = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
    return {
        p.name: " ".join(p.read_text(encoding="utf-8").split()).translate(quotes)
        for p in seeds.glob("0*.txt")
    }


def test_promises_are_quoted_word_for_word(real_data_dir: Path) -> None:
    text = _seed_texts(real_data_dir)["003_39734155fc877a52.txt"]
    for p in Purpose:
        if p.forbidden_for_shared_daily_data:
            assert p.info.promise is not None
            assert " ".join(p.info.promise.split()) in text


#: The registry's entries whose text the seed documents hold (a source read as
#: quoted by NAHT is in NAHT's news item).
SEED_OF_SOURCE = {
    "naht-2018": "000_0f1b2404d5d9192d.txt",
    "dfe-primary-technical-guide-2018": "000_0f1b2404d5d9192d.txt",
    "sos-letter-2019": "001_f17a8c5675d6a96c.txt",
    "mdw-response-summary-2018": "002_51add875714f9af4.txt",
    "dfe-daily-data-principles-2022": "003_39734155fc877a52.txt",
    "council-ks2-minutes-2019": "004_d1b43f079d83920c.txt",
}


def _seed_of(citation: Citation) -> str | None:
    if citation.source.id in SEED_OF_SOURCE:
        return SEED_OF_SOURCE[citation.source.id]
    if citation.via is not None and citation.via.startswith("NAHT"):
        return SEED_OF_SOURCE["naht-2018"]
    return None


def test_quotes_in_rule_sources_are_in_the_seeds(real_data_dir: Path) -> None:
    texts = _seed_texts(real_data_dir)
    quotes = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
    checked = 0
    for rule in default_catalogue():
        for c in rule.citations:
            seed = _seed_of(c)
            if seed is None or c.quote is None:
                continue
            for part in (q.strip() for q in c.quote.translate(quotes).split("\u2026")):
                assert part in texts[seed], (rule.id, part)
                checked += 1
    assert checked > 20


# ------------------------------------------------------------------ catalogue


def test_catalogue_table_has_every_rule() -> None:
    cat = default_catalogue()
    frame = cat.to_frame()
    assert frame.height == len(cat) == 51
    assert frame["id"].is_unique().all()
    assert frame["enabled"].all()
    assert (
        frame.filter(pl.col("statutory"))["order"].max()
        < frame.filter(~pl.col("statutory"))["order"].min()
    )
    assert set(frame["provenance"].unique()) <= {p.value for p in Provenance}
    assert frame.filter(pl.col("check").is_null())["id"].to_list() == ["MDW-DUP-01"]


def test_switching_off_a_rule_records_the_reason() -> None:
    cat = default_catalogue().without_rule("MDW-PRED-03", reason="  pilot study  ")
    request = DataRequest(
        title="t",
        requester=Requester(RequesterKind.LA, "A"),
        request_date=dt.date(2025, 10, 1),
        items=(DataItem(ItemKind.FLIGHT_PATH),),
    )
    a = assess(request, catalogue=cat)
    assert "MDW-PRED-03" not in a.rule_ids
    assert a.disabled == (("MDW-PRED-03", "pilot study"),)
    assert "MDW-PRED-03: pilot study" in a.to_text()
    row = cat.to_frame().filter(id="MDW-PRED-03").row(0, named=True)
    assert row["enabled"] is False
    assert row["disabled_reason"] == "pilot study"
    assert "MDW-PRED-03" in assess(request).rule_ids  # the shipped one is unchanged


def test_switching_off_needs_a_known_rule_and_a_reason() -> None:
    cat = default_catalogue()
    with pytest.raises(RuleError) as info:
        cat.without_rule("NOPE-01", reason="x")
    assert str(info.value) == (
        "column 'id': cannot switch off 'NOPE-01': no such rule. What to do: see "
        "default_catalogue().to_frame() for the ids."
    )
    with pytest.raises(RuleError) as info:
        cat.without_rule("STAR-01", reason=" ")
    assert str(info.value) == (
        "column 'reason': switching off STAR-01 needs a reason. What to do: say why "
        "your organisation does not apply it."
    )


def _local_rule(**kw: Any) -> Rule:
    fields: dict[str, Any] = {
        "id": "OAK-01",
        "text": "No attainment data in July.",
        "binds": ("MAT",),
        "verdict": Verdict.DISCOURAGED,
        "source": "Oak Trust data policy §2",
        "provenance": Provenance.LOCAL,
        "check": "july_attainment",
    }
    fields.update(kw)
    return Rule(**fields)


def test_local_rule_with_its_own_check() -> None:
    def july(request: DataRequest) -> Match | None:
        if request.request_date.month == 7:
            return Match(values=(("request_date", str(request.request_date)),))
        return None

    cat = default_catalogue().with_rule(_local_rule(), check=july)
    request = DataRequest(
        title="t",
        requester=Requester(RequesterKind.TRUST, "Oak"),
        request_date=dt.date(2026, 7, 1),
        items=(DataItem(ItemKind.ATTENDANCE, need="x"),),
        purpose="p",
        intended_actions="a",
        staff_hours=1,
        last_reviewed=dt.date(2026, 1, 1),
    )
    a = assess(request, catalogue=cat)
    assert a.rule_ids == ("OAK-01",)
    assert a.finding("OAK-01").provenance is Provenance.LOCAL
    assert "OAK-01" not in assess(request).rule_ids


def test_catalogue_rejects_bad_rules() -> None:
    cat = default_catalogue()
    with pytest.raises(RuleError, match="rule id 'STAR-01' appears twice"):
        cat.with_rule(_local_rule(id="STAR-01", check="no_clearance"))
    with pytest.raises(
        RuleError, match="rule OAK-01: no check named 'july_attainment'"
    ):
        cat.with_rule(_local_rule())
    with pytest.raises(RuleError, match="rule OAK-01 has no check"):
        _local_rule(check=None)
    with pytest.raises(RuleError, match="'Trust' is not a party"):
        _local_rule(binds=("Trust",))
    with pytest.raises(RuleError, match="is not a rule verdict"):
        _local_rule(verdict=Verdict.ALLOWED)
    with pytest.raises(RuleError, match="no rule with id 'X'"):
        cat["X"]


def test_a_failing_local_check_is_a_rule_error() -> None:
    def broken(request: DataRequest) -> Match | None:
        raise ZeroDivisionError("boom")

    cat = default_catalogue().with_rule(_local_rule(), check=broken)
    request = DataRequest(
        title="t",
        requester=Requester(RequesterKind.TRUST, "Oak"),
        request_date=dt.date(2026, 7, 1),
        items=(DataItem(ItemKind.ATTENDANCE),),
    )
    with pytest.raises(RuleError) as info:
        assess(request, catalogue=cat)
    assert str(info.value) == (
        "column 'OAK-01': the check 'july_attainment' of rule OAK-01 failed: "
        "ZeroDivisionError: boom. What to do: fix or switch off the rule "
        "(Catalogue.without_rule)."
    )


def test_load_catalogue_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "local.toml",
        """
[[rule]]
id = "OAK-02"
text = "Oak Trust never asks for flight paths."
binds = ["MAT"]
applies_to = ["trust"]
verdict = "prohibited"
source = "Oak Trust data policy §3"
provenance = "local"
check = "flight_paths"

[[disable]]
id = "STAR-01"
reason = "the trust is not DfE"
""",
    )
    cat = load_catalogue(path)
    assert cat["OAK-02"].applies_to == (RequesterKind.TRUST,)
    assert cat.disabled == {"STAR-01": "the trust is not DfE"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[disable]]\nid = 'STAR-01'\n", "column 'disable[0].reason': the required field 'reason' is missing"),
        ("[[disable]]\nid = 'NOPE'\nreason = 'x'\n", "column 'disable[0].id': cannot switch off 'NOPE': no such rule"),
        ("[[rule]]\nid = 'X'\n", "column 'rule[0].text': the required field 'text' is missing"),
        (
            "[[rule]]\nid='X'\ntext='t'\nbinds=['MAT']\nverdict='banned'\nsource='s'\nprovenance='local'\ncheck='flight_paths'\n",
            "column 'rule[0].verdict': 'banned' is not a verdict. What to do: use one of: prohibited, discouraged, allowed with conditions, required.",
        ),
        (
            "[[rule]]\nid='X'\ntext='t'\nbinds=['MAT']\nverdict='prohibited'\nsource='s'\nprovenance='local'\ncheck='nope'\n",
            "column 'rule[0].check': rule X: no check named 'nope'",
        ),
        (
            "[[rule]]\nid='X'\ntext='t'\nbinds=['MAT']\nverdict='prohibited'\nsource='s'\nprovenance='local'\ncheck='flight_paths'\napplies_to=['mat']\n",
            "column 'rule[0].applies_to[0]': 'mat' is not a requester kind",
        ),
        ("[[rules]]\n", "unknown table 'rules'. What to do: use [[rule]] and [[disable]]."),
    ],
)  # fmt: skip
def test_load_catalogue_errors(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, "local.toml", text)
    with pytest.raises(RuleError) as info:
        load_catalogue(path)
    assert str(info.value).startswith(f"{path}")
    assert message in str(info.value)


def test_shipped_catalogue_cites_the_source_registry() -> None:
    registry = policy_sources()
    for rule in default_catalogue():
        assert rule.citations, rule.id
        assert all(c.source.id in registry for c in rule.citations), rule.id
        assert rule.source == "; ".join(c.text for c in rule.citations)
        assert "seeds/" not in rule.source
        assert "reference/" not in rule.source
        if rule.provenance is Provenance.SEED_ONLY:
            assert any(_seed_of(c) for c in rule.citations), rule.id


def test_rules_are_frozen_data() -> None:
    rule = default_catalogue()["DP-06"]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        rule.verdict = Verdict.DISCOURAGED  # type: ignore[misc]
    assert Granularity.PUPIL.value == "pupil"
