"""The source registry: human citations in every output, never an internal path."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from makingdata.cli import main
from makingdata.domain.purposes import Purpose
from makingdata.domain.sharing import LegalBasis
from makingdata.errors import RuleError
from makingdata.policy import (
    MODAL_VERDICTS,
    Assessment,
    Citation,
    Finding,
    ItemKind,
    Match,
    Verdict,
    assess,
    assess_burden,
    default_catalogue,
    load_catalogue,
    policy_sources,
)
from makingdata.policy._catalogue import sources_markdown_table

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

ROOT = Path(__file__).resolve().parents[3]
SOURCES_PAGE = ROOT / "docs" / "concepts" / "sources.md"

#: What no output may contain: the file names of the source documents and the
#: research note, which are not part of makingdata.
INTERNAL = re.compile(r"seeds/|\d{3}_[0-9a-f]{16}|reference/[a-z-]+\.md|\.txt\b")


def _every_rule_fired() -> Assessment:
    """An assessment with one finding per rule of the shipped catalogue."""
    findings = tuple(
        Finding(
            rule_id=r.id,
            text=r.text,
            verdict=r.verdict,
            source=r.source,
            provenance=r.provenance,
            statutory=r.statutory,
            values=(("items[0].kind", "attendance"),),
            items=(0,),
            detail=Match(detail="found").detail,
            note=r.note,
            citations=r.citations,
        )
        for r in default_catalogue()
    )
    return Assessment(request=C.BASE, findings=findings)


def test_every_rule_in_every_format_cites_people_not_files() -> None:
    a = _every_rule_fired()
    outputs = {
        "text": a.to_text(),
        "markdown": a.to_markdown(),
        "html": a.to_html(),
        "json": a.to_json(),
        "catalogue": default_catalogue().to_markdown(),
        "frame": str(default_catalogue().to_frame().to_dicts()),
    }
    for name, out in outputs.items():
        assert INTERNAL.search(out) is None, (name, INTERNAL.search(out))
    for rule in default_catalogue():
        for c in rule.citations:
            for name in ("text", "markdown", "json"):
                assert c.source.author in outputs[name], (name, rule.id)
    assert (
        "Secretary of State for Education, letter to academy trusts and local "
        "authorities, 17 July 2019" in outputs["text"]
    )
    assert (
        "DfE, Requesting daily data from schools – principles for collection and "
        "use, 2022, §4" in outputs["markdown"]
    )


def test_burden_reports_cite_people_not_files() -> None:
    requests = (
        C.make(requester=C.LA, items=(C.item(ItemKind.ATTAINMENT_TEST),)),
        C.make(requester=C.TRUST, items=(C.item(ItemKind.ATTAINMENT_TEST),)),
    )
    b = assess_burden(requests, school=100000, academic_year="2025/26")
    for out in (b.to_text(), b.to_markdown(), b.to_html(), b.to_json()):
        assert INTERNAL.search(out) is None


def test_json_carries_each_citation_as_fields() -> None:
    request = C.make(items=(C.item(ItemKind.FLIGHT_PATH),))
    data = json.loads(assess(request).to_json())
    f = next(f for f in data["findings"] if f["rule_id"] == "MDW-PRED-03")
    first = f["citations"][0]
    assert first["author"] == "DfE"
    assert first["title"].startswith("Primary accountability technical guide")
    assert first["date"] == "2018-12-13"
    assert first["section"] == "p29, paragraph 1"
    assert "not valid as a prediction" in first["quote"]
    assert first["via"] == "NAHT, 13 December 2018"
    assert first["standing"] == "primary"
    assert set(first) >= {"citation", "source_id", "url", "licence"}
    back = Assessment.from_json(assess(request).to_json())
    assert (
        back.finding("MDW-PRED-03").citations
        == assess(request).finding("MDW-PRED-03").citations
    )


def test_cli_reports_cite_people_not_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "req.toml"
    path.write_text(
        'title = "Flight paths"\nrequest_date = 2025-10-01\n'
        'requester = { kind = "la", name = "Anyshire" }\n'
        'shared_daily_data = true\nuses = ["academisation"]\n'
        '[[items]]\nkind = "flight_path"\n'
    )
    for fmt in ("text", "markdown", "html", "json"):
        main(["check-request", str(path), "--format", fmt])
        out = capsys.readouterr().out
        assert INTERNAL.search(out) is None, fmt
        assert "DfE, Requesting daily data from schools" in out, fmt


def test_access_and_domain_citations_come_from_the_registry() -> None:
    text = policy_sources()["dfe-daily-data-principles-2022"].label
    assert Purpose.ACADEMISATION.citation == f"{text}, §4"
    for basis in LegalBasis:
        assert INTERNAL.search(basis.citation) is None
    assert LegalBasis.CONSENT.citation.startswith(f"{text}, §3")


def test_registry_records_are_complete() -> None:
    for sid, src in policy_sources().items():
        assert src.id == sid
        assert src.author
        assert src.title
        assert src.date
        assert src.licence
        assert src.standing in ("primary", "secondary")
        assert not src.url or src.url.startswith("https://")


def test_sources_page_is_the_registry() -> None:
    text = SOURCES_PAGE.read_text(encoding="utf-8")
    match = re.search(r"<!-- sources:start -->\n(.*)<!-- sources:end -->", text, re.S)
    assert match, "the sources page lost its table markers"
    assert match[1] == sources_markdown_table(), (
        "docs/concepts/sources.md is out of date: replace the table between the "
        "markers with makingdata.policy._catalogue.sources_markdown_table()"
    )


def test_local_rule_cites_the_registry(tmp_path: Path) -> None:
    path = tmp_path / "local.toml"
    path.write_text(
        '[[rule]]\nid = "OAK-01"\ntext = "Oak Trust asks twice a year."\n'
        'binds = ["MAT"]\nverdict = "discouraged"\nprovenance = "local"\n'
        'check = "attainment_points_over_limit"\n'
        'cite = [{ source = "sos-letter-2019", quote = "two or three" }]\n'
    )
    rule = load_catalogue(path)["OAK-01"]
    assert rule.source.startswith("Secretary of State for Education, letter")
    assert isinstance(rule.citations[0], Citation)


def test_local_rule_with_a_misspelt_source_says_the_nearest(tmp_path: Path) -> None:
    path = tmp_path / "local.toml"
    path.write_text(
        '[[rule]]\nid = "OAK-01"\ntext = "t"\nbinds = ["MAT"]\n'
        'verdict = "discouraged"\nprovenance = "local"\n'
        'check = "attainment_points_over_limit"\n'
        'cite = [{ source = "sos-leter-2019" }]\n'
    )
    with pytest.raises(
        RuleError, match=r"rule\[0\]\.cite\[0\]\.source.*did you mean 'sos-letter-2019'"
    ):
        load_catalogue(path)


# ------------------------------------------------------------ severity review


@pytest.mark.parametrize("rule_id", [r.id for r in default_catalogue()])
def test_verdict_follows_the_source_modal_verb(rule_id: str) -> None:
    rule = default_catalogue()[rule_id]
    assert rule.modal in MODAL_VERDICTS, rule_id
    assert rule.modal_words, rule_id
    assert rule.verdict is MODAL_VERDICTS[rule.modal][0], (rule_id, rule.modal)


def test_should_not_is_never_prohibited() -> None:
    for rule in default_catalogue():
        if rule.modal in ("should not", "not routinely", "need not", "avoid"):
            assert rule.verdict is not Verdict.PROHIBITED, rule.id
    assert default_catalogue()["MDW-PM-01"].verdict is Verdict.DISCOURAGED
    assert "should not" in default_catalogue()["MDW-PM-01"].text


def test_accountability_predictions_prohibited_for_dfe_discouraged_for_a_trust() -> (
    None
):
    for requester, verdict in (
        (C.DFE, Verdict.PROHIBITED),
        (C.TRUST, Verdict.DISCOURAGED),
    ):
        request = C.make(
            requester=requester,
            items=(C.item(ItemKind.PREDICTION),),
            uses=(Purpose.ACCOUNTABILITY,),
            purpose_category=Purpose.ACCOUNTABILITY,
        )
        assert assess(request).finding("NAHT-PRED-06").verdict is verdict


def test_an_unknown_modal_verb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "local.toml"
    path.write_text(
        '[[rule]]\nid = "OAK-01"\ntext = "t"\nbinds = ["MAT"]\n'
        'verdict = "discouraged"\nprovenance = "local"\nsource = "Oak policy"\n'
        'check = "attainment_points_over_limit"\nmodal = "ought"\n'
    )
    with pytest.raises(RuleError, match="'ought' is not a modal verb"):
        load_catalogue(path)


def test_severity_table_is_on_the_rules_page() -> None:
    text = (ROOT / "docs" / "concepts" / "rules.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- severity:start -->\n(.*)<!-- severity:end -->", text, re.S)
    assert match, "the rules page lost its severity markers"
    assert match[1] == default_catalogue().severity_markdown()
