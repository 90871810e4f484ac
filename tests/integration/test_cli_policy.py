"""``makingdata check-request`` and ``check-requests`` on the example request files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from makingdata.cli import main
from makingdata.cli._policy import exit_code
from makingdata.errors import ExitCode
from makingdata.policy import (
    REQUEST_SUFFIXES,
    Verdict,
    assess,
    assess_burden,
    default_catalogue,
    load_request,
    load_requests,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "requests"
FILES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in REQUEST_SUFFIXES)
EXPECTED = re.compile(
    r"Expected: (allowed with conditions|prohibited|discouraged|required|allowed)\b"
)
#: JSON has no comments; its scenario and expectation are written here instead.
JSON_EXPECTED = {"dfe_attainment_no_trigger.json": Verdict.PROHIBITED}
SCHOOL = "999001"
YEAR = "2025/26"


def _expected(path: Path) -> Verdict:
    if path.name in JSON_EXPECTED:
        return JSON_EXPECTED[path.name]
    match = EXPECTED.search(path.read_text(encoding="utf-8"))
    assert match, f"{path.name} has no 'Expected: <verdict>' line"
    return Verdict(match[1])


def test_examples_cover_every_format() -> None:
    assert {p.suffix for p in FILES} >= {".toml", ".json", ".yaml"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_example_gets_its_expected_verdict_and_exit_code(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    want = _expected(path)
    code = main(["check-request", str(path)])
    out = capsys.readouterr().out
    assert code == exit_code(want)
    assert f"Verdict: {want.value.upper()}" in out
    assert assess(load_request(path)).verdict is want


def test_the_examples_trigger_every_rule_in_the_catalogue() -> None:
    fired: set[str] = set()
    for path in FILES:
        a = assess(load_request(path))
        fired |= set(a.rule_ids) | {f.rule_id for f in a.superseded}
    burden = assess_burden(
        load_requests(EXAMPLES), school=int(SCHOOL), academic_year=YEAR
    )
    fired |= {f.rule_id for f in burden.findings}
    missing = sorted({r.id for r in default_catalogue()} - fired)
    assert missing == []


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html"])
def test_formats(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = EXAMPLES / "la_flight_paths.toml"
    code = main(["check-request", str(path), "--format", fmt])
    out = capsys.readouterr().out
    assert code == ExitCode.PROHIBITED
    assert "MDW-PRED-03" in out
    if fmt == "json":
        data = json.loads(out)
        assert data["verdict"] == "prohibited"
        assert data["request"]["title"] == "Half-termly KS2 flight paths"
    if fmt == "html":
        assert out.startswith('<div class="makingdata-assessment">')
    if fmt == "markdown":
        assert "| Rule | Verdict | Triggered by | Finding | Source |" in out


def test_check_requests_reports_the_burden(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check-requests", str(EXAMPLES), "--school", SCHOOL, "--year", YEAR])
    out = capsys.readouterr().out
    burden = assess_burden(
        load_requests(EXAMPLES), school=int(SCHOOL), academic_year=YEAR
    )
    assert code == ExitCode.PROHIBITED
    assert f"Attainment collection points: {burden.attainment_points}" in out
    assert f"Estimated staff hours: {burden.total_staff_hours:g}" in out
    assert "[discouraged] MDW-DUP-01" in out
    assert "Oak Academy Trust (trust)" in out


def test_check_requests_json(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check-requests", str(EXAMPLES), "--school", SCHOOL, "--year", YEAR, "--format", "json"])  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert data["school"] == int(SCHOOL)
    assert {f["rule_id"] for f in data["findings"]} >= {"MDW-ATT-01", "MDW-DUP-01"}
    assert sum(r["requests"] for r in data["per_requester"]) == len(data["requests"])


def test_local_rules_switch_a_rule_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = tmp_path / "local.toml"
    local.write_text(
        '[[disable]]\nid = "STAR-01"\nreason = "SCSB no longer operates"\n',
        encoding="utf-8",
    )
    path = EXAMPLES / "dfe_attainment_no_trigger.json"
    main(["check-request", str(path)])
    assert "STAR-01" in capsys.readouterr().out
    main(["check-request", str(path), "--rules", str(local)])
    out = capsys.readouterr().out
    assert "[allowed with conditions] STAR-01" not in out
    assert "STAR-01: SCSB no longer operates" in out


def test_bad_input_exits_input_with_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'title = "t"\nrequest_date = 2025-10-01\n'
        'requester = { kind = "council", name = "A" }\n'
        '[[items]]\nkind = "attendance"\n',
        encoding="utf-8",
    )
    assert main(["check-request", str(bad)]) == ExitCode.INPUT
    err = capsys.readouterr().err
    assert err.startswith("makingdata check-request: error: ")
    assert "column 'requester.kind': 'council' is not a valid RequesterKind" in err
    assert "use one of: dfe, rsc, ofsted, la, trust" in err


def test_bad_year_exits_input(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check-requests", str(EXAMPLES), "--school", SCHOOL, "--year", "2025"])
    assert code == ExitCode.INPUT
    assert "'2025' is not an academic year" in capsys.readouterr().err
