"""The field reference of a request file, generated from the request model.

Every field of :class:`~makingdata.policy.DataRequest`, its requester and its
items: the type, the allowed values with the other spellings accepted, the
default (or "not stated"), what it means (from the class docstring) and an
example. The docs page ``reference/request-fields.md`` holds the table; a test
compares the two.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import attrs

from makingdata.domain.purposes import Purpose
from makingdata.policy._assess import ASSUMPTIONS
from makingdata.policy._requests import (
    REQUESTER_KIND_ALIASES,
    DataItem,
    DataRequest,
    Format,
    Granularity,
    InterventionTrigger,
    ItemKind,
    RequestAudience,
    Requester,
    RequesterKind,
    SchoolType,
)

if TYPE_CHECKING:
    import enum

__all__ = ["field_reference_markdown"]

_ENUMS: dict[str, type[enum.Enum]] = {
    "Format": Format,
    "Granularity": Granularity,
    "InterventionTrigger": InterventionTrigger,
    "ItemKind": ItemKind,
    "RequestAudience": RequestAudience,
    "RequesterKind": RequesterKind,
    "SchoolType": SchoolType,
    "Purpose": Purpose,
}

#: What a file writes for each field (TOML syntax).
_EXAMPLES: dict[str, str] = {
    "title": '"Half-termly KS2 flight paths"',
    "requester": '{ kind = "la", name = "Anyshire County Council" }',
    "request_date": "2025-10-01",
    "items": '[{ kind = "attendance", need = "target support visits" }]',
    "purpose": '"Support attendance in the autumn term"',
    "intended_actions": '"Target attendance support visits"',
    "purpose_category": '"support"',
    "uses": '["support", "school improvement"]',
    "recipients": "[100001, 100002]",
    "recipient_type": '"state_funded"',
    "format": '"school_existing"',
    "collection_dates": "[2025-12-05, 2026-03-27]",
    "collections_per_year": "2",
    "routine": "true",
    "same_time_for_all_classes": "false",
    "uses_school_collection_points": "true",
    "granularity": '"group"',
    "min_group_size": "10",
    "pseudonymised": "true",
    "names_schools": "false",
    "audiences": '["la", "governors"]',
    "intervention_trigger": '"inadequate_ofsted"',
    "legal_basis": '"UK GDPR Art 6(1)(e); Education Act 1996 s537A"',
    "article_9_condition": '"Art 9(2)(g)"',
    "retention": '"1 year, then deleted"',
    "dpia_done": "true",
    "secure_transfer": "true",
    "privacy_notice_covers": "true",
    "opt_out_possible": "true",
    "shared_daily_data": "false",
    "staff_hours": "1.5",
    "justification": '"Group-level data would hide the pupils who need support"',
    "clearance_reference": '"SCSB 2025/117"',
    "last_reviewed": "2025-07-01",
    "requester.kind": '"trust"',
    "requester.name": '"Oak Academy Trust"',
    "requester.identifier": '"TR01234"',
    "requester.acting_for": '{ kind = "trust", name = "Oak Academy Trust" }',
    "requester.responsible_for": "[100001, 100002]",
    "items[].kind": '"attainment_test"',
    "items[].description": '"KS2 maths: working at the expected standard"',
    "items[].held_in_mis": "true",
    "items[].statutory": "false",
    "items[].need": '"decide which pupils get catch-up tuition"',
    "items[].about": '"progress_score"',
    "items[].results_year": '"2025/26"',
    "items[].codes": '["I", "C1"]',
    "items[].covers_from": "2024-09-01",
}

#: Fields written by makingdata, not by people.
_INTERNAL = {"not_stated"}


def _attributes(cls: type) -> dict[str, str]:
    """Return the Attributes section of a numpy docstring, by name."""
    doc = cls.__doc__ or ""
    m = re.search(r"Attributes\n\s*-+\n(.*?)(?:\n\s*\n\s*Examples|\Z)", doc, re.S)
    out: dict[str, str] = {}
    if m is None:  # pragma: no cover - every model documents its attributes
        return out
    name = None
    for line in m[1].splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if len(line) - len(line.lstrip()) == 4:
            name = stripped
            out[name] = ""
        elif name is not None:
            out[name] = f"{out[name]} {stripped}".strip()
    return out


def _md(text: str) -> str:
    # Sphinx roles and double backticks from the docstrings become plain code.
    text = re.sub(r":\w+:`~?(?:[\w.]+\.)?([^`]+)`", r"`\1`", text)
    text = text.replace("``", "`")
    return " ".join(text.replace("|", "\\|").split())


def _type(a: attrs.Attribute[Any]) -> str:
    t = str(a.type).replace("dt.date", "date")
    t = t.replace("tuple[", "list of ").replace(", ...]", "").replace("]", "")
    t = t.replace(" | None", "")
    return {
        "str": "text",
        "int": "whole number",
        "float": "number",
        "bool": "true / false",
        "date": "date (YYYY-MM-DD)",
        "list of date": "list of dates",
        "list of int": "list of URNs",
        "list of str": "list of text",
        "list of DataItem": "list of items (below)",
        "Requester": "table (requester, below)",
    }.get(t, t)


def _allowed(a: attrs.Attribute[Any]) -> str:
    t = str(a.type)
    for name, enum_cls in _ENUMS.items():
        if re.search(rf"\b{name}\b", t):
            values = ", ".join(f"`{m.value}`" for m in enum_cls)
            if enum_cls is RequesterKind:
                aliases = ", ".join(
                    f"`{k.replace('_', ' ')}` ({v.value})"
                    for k, v in REQUESTER_KIND_ALIASES.items()
                )
                return f"{values}; also {aliases}; any case, spaces or hyphens"
            if enum_cls is Purpose:
                return (
                    f"{values}; also their plain-English names and common "
                    "spellings (`pay progression`, `academization`, `for Ofsted` …)"
                )
            return f"{values} (any case; spaces or hyphens for underscores)"
    if a.name == "codes":
        return "register marks in force (makingdata.codes)"
    return "-"


def _default(a: attrs.Attribute[Any]) -> str:
    if a.default is attrs.NOTHING:
        return "**required**"
    value = a.default
    if value is None or value in ((), ""):
        return "not stated"
    shown = getattr(value, "value", value)
    if isinstance(value, tuple):
        shown = ", ".join(str(getattr(v, "value", v)) for v in value)
    if isinstance(value, bool):
        shown = "true" if value else "false"
    if a.name in ASSUMPTIONS:
        assumed = ASSUMPTIONS[a.name][0]
        assumed_text = getattr(assumed, "value", assumed)
        if isinstance(assumed, bool):
            assumed_text = "true" if assumed else "false"
        return f"not stated; rules that depend on it assume `{assumed_text}`"
    return f"not stated; read as `{shown}`"


def _rows(cls: type, prefix: str) -> list[str]:
    docs = _attributes(cls)
    rows = []
    for a in attrs.fields(cls):
        if a.name in _INTERNAL:
            continue
        path = f"{prefix}{a.name}"
        rows.append(
            f"| `{path}` | {_md(_type(a))} | {_md(_allowed(a))} | "
            f"{_md(_default(a))} | {_md(docs.get(a.name, ''))} | "
            f"`{_md(_EXAMPLES.get(path, ''))}` |"
        )
    return rows


def field_reference_markdown() -> str:
    """Return the field reference of a request file as Markdown tables.

    Examples
    --------
    >>> from makingdata.policy._fields import field_reference_markdown
    >>> text = field_reference_markdown()
    >>> "| `requester.kind` |" in text and "`multi academy trust` (trust)" in text
    True
    """
    head = [
        "| Field | Type | Allowed values | If left out | Meaning | Example |",
        "|---|---|---|---|---|---|",
    ]
    parts = [
        "### The request",
        "",
        *head,
        *_rows(DataRequest, ""),
        "",
        "### `requester`",
        "",
        *head,
        *_rows(Requester, "requester."),
        "",
        "### `items` (one table per item)",
        "",
        *head,
        *_rows(DataItem, "items[]."),
    ]
    return "\n".join(parts) + "\n"
