"""Unusable requests: every problem at once, with field, line and the nearest spelling."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from makingdata.cli import main
from makingdata.errors import ExitCode, InputError
from makingdata.policy import (
    Assessment,
    DataRequest,
    RequesterKind,
    RequestError,
    Verdict,
    assess,
    assess_burden,
    load_request,
    load_requests,
)

if TYPE_CHECKING:
    from pathlib import Path

THREE_PROBLEMS = """\
title = "Termly data drop"
request_date = 2025-10-01
fromat = "bespoke"
granularity = "schol"
[requester]
kind = "la"
name = "Anyshire"
[[items]]
kind = "attendance"
[[items]]
kind = "flightpath"
"""

FLIGHT_PATHS = """\
title = "Flight paths"
request_date = 2025-10-01
requester = { kind = "la", name = "Anyshire" }
[[items]]
kind = "flight_path"
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_problem_of_a_file_is_reported_with_field_and_line(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, "req.toml", THREE_PROBLEMS)
    with pytest.raises(RequestError) as info:
        load_request(path)
    problems = {p.column: p for p in info.value.problems}
    assert set(problems) == {"fromat", "granularity", "items[1].kind"}
    assert problems["fromat"].row == 3
    assert "did you mean 'format'?" in problems["fromat"].message
    assert problems["granularity"].row == 4
    assert "did you mean 'school'?" in problems["granularity"].message
    assert problems["items[1].kind"].row == 11
    assert "did you mean 'flight_path'?" in problems["items[1].kind"].message
    text = str(info.value)
    assert text.startswith(
        f"{path}: 3 problems in the request: (1) line 3, field 'fromat'"
    )
    assert "line 11, field 'items[1].kind'" in text
    assert isinstance(info.value, InputError)
    assert ExitCode.for_error(info.value) is ExitCode.INPUT


def test_lines_in_json_and_yaml(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    data = {
        "title": "t",
        "request_date": "2025-10-01",
        "requester": {"kind": "la", "name": "A"},
        "items": [{"kind": "attendance"}],
        "granularity": "pupils",
        "colour": "red",
    }
    text = json.dumps(data, indent=2)
    path = _write(tmp_path, "req.json", text)
    with pytest.raises(RequestError) as info:
        load_request(path)
    rows = {p.column: p.row for p in info.value.problems}
    lines = text.splitlines()
    assert rows == {
        "granularity": lines.index('  "granularity": "pupils",') + 1,
        "colour": lines.index('  "colour": "red"') + 1,
    }
    yaml_text = "title: t\nrequest_date: 2025-10-01\nrequester:\n  kind: la\n  name: A\nitems:\n  - kind: attendance\nformat: bespok\n"
    path = _write(tmp_path, "req.yaml", yaml_text)
    with pytest.raises(InputError) as one:
        load_request(path)
    assert one.value.row == 8
    assert one.value.column == "format"
    assert "did you mean 'bespoke'?" in one.value.message


def test_an_ambiguous_key_gets_no_line(tmp_path: Path) -> None:
    text = THREE_PROBLEMS.replace('kind = "la"', 'kind = "lea"').replace(
        "[requester]\n", "[requester]\n"
    )
    path = _write(
        tmp_path, "req.toml", text.replace("[[items]]", "items_x = 1\n[[items]]", 0)
    )
    with pytest.raises(RequestError) as info:
        load_request(path)
    problems = {p.column: p for p in info.value.problems}
    # "kind" is written three times; in TOML the [requester] table locates it
    assert problems["requester.kind"].row == 6


def test_from_dict_reports_every_problem() -> None:
    with pytest.raises(RequestError) as info:
        DataRequest.from_dict(
            {
                "title": "t",
                "request_date": "2025-13-01",
                "requester": {"kind": "vendorr", "name": ""},
                "items": [{"kind": "attendance", "held_in_mis": "yes"}],
                "staff_hours": "two",
            }
        )
    columns = [p.column for p in info.value.problems]
    assert columns == [
        "request_date",
        "requester.kind",
        "requester.name",
        "items[0].held_in_mis",
        "staff_hours",
    ]


@pytest.mark.parametrize(
    ("spelling", "kind"),
    [
        ("MAT", RequesterKind.TRUST),
        ("multi-academy trust", RequesterKind.TRUST),
        ("Academy Trust", RequesterKind.TRUST),
        ("local authority", RequesterKind.LA),
        ("LA", RequesterKind.LA),
        ("Department for Education", RequesterKind.DFE),
        ("governing body", RequesterKind.GOVERNING_BOARD),
    ],
)
def test_requester_kind_aliases(spelling: str, kind: RequesterKind) -> None:
    req = DataRequest.from_dict(
        {
            "title": "t",
            "request_date": "2025-10-01",
            "requester": {"kind": spelling, "name": "A"},
            "items": [{"kind": "attendance"}],
        }
    )
    assert req.requester.kind is kind


def test_every_bad_file_of_a_folder_is_reported(tmp_path: Path) -> None:
    _write(tmp_path, "a.toml", FLIGHT_PATHS)
    _write(tmp_path, "b.toml", THREE_PROBLEMS)
    _write(tmp_path, "c.toml", "title = ")
    with pytest.raises(RequestError) as info:
        load_requests(tmp_path)
    paths = [p.path for p in info.value.problems]
    assert paths.count(str(tmp_path / "b.toml")) == 3
    assert paths.count(str(tmp_path / "c.toml")) == 1
    assert "4 problems in the request files" in str(info.value)


def test_verdict_and_bad_input_exit_codes_differ(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prohibited = _write(tmp_path, "fp.toml", FLIGHT_PATHS)
    bad = _write(tmp_path, "bad.toml", THREE_PROBLEMS)
    assert Verdict.PROHIBITED.exit_code is ExitCode.PROHIBITED
    assert main(["check-request", str(prohibited)]) == ExitCode.PROHIBITED == 3
    assert main(["check-request", str(bad)]) == ExitCode.INPUT == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "3 problems in the request" in err


def test_json_mode_prints_a_json_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _write(tmp_path, "bad.toml", THREE_PROBLEMS)
    assert main(["check-request", str(bad), "--format", "json"]) == ExitCode.INPUT
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["exit_code"] == 4
    assert data["error"]["type"] == "RequestError"
    assert data["error"]["path"] == str(bad)
    fields = [(p["field"], p["line"]) for p in data["error"]["problems"]]
    assert fields == [("fromat", 3), ("granularity", 4), ("items[1].kind", 11)]
    assert "3 problems" in captured.err
    broken = _write(tmp_path, "broken.toml", "title = ")
    assert main(["check-request", str(broken), "--format", "json"]) == ExitCode.INPUT
    data = json.loads(capsys.readouterr().out)
    assert data["error"]["type"] == "InputError"
    assert "not valid TOML" in data["error"]["message"]
    missing = tmp_path / "missing.toml"
    assert main(["check-request", str(missing), "--format", "json"]) == ExitCode.INPUT
    assert json.loads(capsys.readouterr().out)["error"]["message"] == "no such file"


def test_json_mode_error_for_the_burden_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, "a.toml", FLIGHT_PATHS)
    code = main(
        ["check-requests", str(tmp_path), "--school", "100000", "--year", "2025",
         "--format", "json"]
    )  # fmt: skip
    assert code == ExitCode.INPUT
    data = json.loads(capsys.readouterr().out)
    assert data["error"]["field"] is not None or "2025" in data["error"]["message"]


def test_a_urn_no_request_is_addressed_to_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(
        tmp_path,
        "a.toml",
        FLIGHT_PATHS.replace(
            "requester = {", "recipients = [100001, 100002]\nrequester = {"
        ),
    )
    code = main(
        ["check-requests", str(tmp_path), "--school", "100010", "--year", "2025/26"]
    )
    assert code == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "no request is addressed to school 100010" in err
    assert "the requests name: 100001, 100002" in err
    assert (
        main(
            ["check-requests", str(tmp_path), "--school", "100001", "--year", "2025/26"]
        )
        == ExitCode.PROHIBITED
    )
    with pytest.raises(InputError, match="no requests to assess"):
        assess_burden([], school=100001, academic_year="2025/26")


def test_fields_left_out_are_not_stated_and_rules_say_what_they_assumed(
    tmp_path: Path,
) -> None:
    text = (
        'title = "Template"\nrequest_date = 2025-10-01\npurpose = "p"\n'
        'intended_actions = "a"\ncollections_per_year = 1\nstaff_hours = 1\n'
        'requester = { kind = "la", name = "Anyshire" }\n'
        '[[items]]\nkind = "attainment_test"\nneed = "n"\n'
    )
    request = load_request(_write(tmp_path, "t.toml", text))
    assert "format" in request.not_stated
    assert "items[0].held_in_mis" in request.not_stated
    a = assess(request)
    fmt = a.finding("SOS-FMT-01")  # a template request that leaves out format
    assert fmt.values[0] == ("format", "requester_template")
    assert any("format = requester_template (not stated" in x for x in fmt.assumptions)
    text_report = a.to_text()
    assert "Not stated: " in text_report
    assert "format (rules that depend on it assume requester_template)" in text_report
    assert "format = requester_template (not stated)" in text_report
    assert "assumed: format = requester_template" in text_report
    data = json.loads(a.to_json())
    assert data["request"]["not_stated"][:2] == ["recipient_type", "format"]
    assert any(f["assumptions"] for f in data["findings"])
    assert "Not stated" in a.to_markdown()
    assert "Not stated" in a.to_html()
    # stated in the file, nothing is assumed
    stated = text.replace('purpose = "p"', 'purpose = "p"\nformat = "school_existing"')
    stated = stated.replace('need = "n"', 'need = "n"\nheld_in_mis = true')
    b = assess(load_request(_write(tmp_path, "s.toml", stated)))
    assert "SOS-FMT-01" not in b.rule_ids
    assert all(not f.assumptions for f in b.findings if f.rule_id != "MDW-ATT-02")
    assert Assessment.from_json(a.to_json()) == a


def test_every_school_means_the_schools_the_requester_covers() -> None:
    from makingdata.policy import Requester

    trust = Requester(RequesterKind.TRUST, "Oak Trust", responsible_for=(100001,))
    request = DataRequest.from_dict(
        {
            "title": "t",
            "request_date": "2025-10-01",
            "requester": {
                "kind": "trust",
                "name": "Oak Trust",
                "responsible_for": [100001],
            },
            "items": [{"kind": "attendance"}],
        }
    )
    assert request.requester == trust
    assert assess_burden([request], school=100001, academic_year="2025/26").requests
    with pytest.raises(
        InputError, match=r"addressed to school 100011 \(did you mean 100001\?\)"
    ):
        assess_burden([request], school=100011, academic_year="2025/26")
