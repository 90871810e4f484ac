"""The docs pages agree with the catalogue and with what the command prints."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from makingdata.cli import main
from makingdata.policy import default_catalogue

if TYPE_CHECKING:
    import pytest

ROOT = Path(__file__).resolve().parents[3]
RULES_PAGE = ROOT / "docs" / "concepts" / "rules.md"
HOW_TO = ROOT / "docs" / "how-to" / "check-a-data-request.md"


def test_rules_page_table_is_the_catalogue() -> None:
    text = RULES_PAGE.read_text(encoding="utf-8")
    match = re.search(r"<!-- rules:start -->\n(.*)<!-- rules:end -->", text, re.S)
    assert match, "the rules page lost its table markers"
    assert match[1] == default_catalogue().to_markdown(), (
        "docs/concepts/rules.md is out of date: replace the table between the markers "
        "with default_catalogue().to_markdown()"
    )


def test_every_rule_id_is_on_the_rules_page() -> None:
    text = RULES_PAGE.read_text(encoding="utf-8")
    for rule in default_catalogue():
        assert f"| {rule.id} |" in text


def test_how_to_output_is_what_the_command_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = HOW_TO.read_text(encoding="utf-8")
    shown = re.search(r"```text\n(.*?)```", text, re.S)
    assert shown
    main(["check-request", str(ROOT / "examples/requests/la_flight_paths.toml")])
    out = capsys.readouterr().out
    for line in shown[1].splitlines():
        assert line in out.splitlines()


def test_field_reference_page_is_the_model() -> None:
    from makingdata.policy._fields import field_reference_markdown

    page = ROOT / "docs" / "reference" / "request-fields.md"
    text = page.read_text(encoding="utf-8")
    match = re.search(r"<!-- fields:start -->\n(.*)<!-- fields:end -->", text, re.S)
    assert match, "the field reference lost its markers"
    assert match[1] == field_reference_markdown(), (
        "docs/reference/request-fields.md is out of date: replace the table between "
        "the markers with makingdata.policy._fields.field_reference_markdown()"
    )
    import attrs

    from makingdata.policy import DataItem, DataRequest, Requester

    for cls, prefix in (
        (DataRequest, ""),
        (Requester, "requester."),
        (DataItem, "items[]."),
    ):
        for a in attrs.fields(cls):
            if a.name != "not_stated":
                assert f"| `{prefix}{a.name}` |" in text, a.name
    assert "`multi academy trust` (trust)" in text
    assert "`local authority` (la)" in text
