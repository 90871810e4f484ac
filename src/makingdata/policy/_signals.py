"""Text signals: the words of a request that give it away, whatever its fields say.

A flight path described as an "expected grade trajectory for pupils with
similar KS2 starting points" under ``kind = "other"``, or predictions asked
for "support" whose purpose says they will "hold headteachers to account", are
what their words say. The phrases are data (``data/policy_signals.toml``): each
signal has patterns written to catch paraphrases, and implies an item kind or
a use. :func:`inferred_request` returns the request as its words describe it;
:func:`~makingdata.policy.assess` runs the rules on it too, and a finding only
the words trigger says which words, in which field, and what the field said.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from typing import TYPE_CHECKING

import attrs

from makingdata.domain.purposes import Purpose
from makingdata.errors import RuleError
from makingdata.policy._requests import DataItem, DataRequest, ItemKind

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "Signal",
    "inferred_request",
    "signal_hits",
    "signals_markdown",
    "text_signals",
]

#: Item kinds the words may sharpen, and how specific each is: a flight path is
#: a kind of prediction, a prediction more than a plain attainment item.
_RANK: dict[ItemKind, int] = {
    ItemKind.OTHER: 0,
    ItemKind.FREE_TEXT: 0,
    ItemKind.ATTAINMENT_TEST: 0,
    ItemKind.TEACHER_ASSESSMENT: 0,
    ItemKind.PROGRESS_SCORE: 0,
    ItemKind.TARGET: 1,
    ItemKind.PREDICTION: 2,
    ItemKind.FLIGHT_PATH: 3,
}


@attrs.frozen(slots=True)
class Signal:
    """One phrase family that gives a request away.

    Attributes
    ----------
    id
        Stable identifier (``flight-path``).
    patterns
        Compiled regular expressions (case-insensitive).
    meaning
        What the words mean.
    kind
        The item kind the words imply, or ``None``.
    use
        The use the words imply, or ``None``.
    examples
        Phrases the signal catches (tested).

    Examples
    --------
    >>> from makingdata.policy import text_signals
    >>> s = {s.id: s for s in text_signals()}["flight-path"]
    >>> s.find("expected grade trajectory for pupils with similar KS2 starting points")
    'trajectory'
    """

    id: str
    patterns: tuple[re.Pattern[str], ...]
    meaning: str
    kind: ItemKind | None = None
    use: Purpose | None = None
    examples: tuple[str, ...] = ()

    def find(self, text: str) -> str | None:
        """Return the first phrase of ``text`` this signal catches, or ``None``."""
        for pattern in self.patterns:
            m = pattern.search(text)
            if m is not None:
                return m[0]
        return None


def _load() -> tuple[Signal, ...]:
    text = (
        resources.files("makingdata")
        .joinpath("data", "policy_signals.toml")
        .read_text(encoding="utf-8")
    )
    out = []
    for i, row in enumerate(tomllib.loads(text)["signal"]):
        where = f"signal[{i}]"
        what, _, value = str(row["implies"]).partition(":")
        try:
            kind = ItemKind(value) if what == "kind" else None
            use = Purpose(value) if what == "use" else None
            patterns = tuple(re.compile(p, re.IGNORECASE) for p in row["patterns"])
        except (ValueError, re.error) as err:  # pragma: no cover - the file is tested
            raise RuleError(
                str(err), path="policy_signals.toml", column=where
            ) from None
        if kind is None and use is None:  # pragma: no cover - the file is tested
            raise RuleError(
                f"{row['implies']!r} implies nothing",
                path="policy_signals.toml",
                column=f"{where}.implies",
                hint="write kind:<item kind> or use:<purpose>",
            )
        out.append(
            Signal(
                id=row["id"],
                patterns=patterns,
                meaning=row["meaning"],
                kind=kind,
                use=use,
                examples=tuple(row.get("examples", ())),
            )
        )
    return tuple(out)


_SIGNALS: list[tuple[Signal, ...]] = []


def text_signals() -> tuple[Signal, ...]:
    """Return the shipped text signals (read once from ``policy_signals.toml``).

    Examples
    --------
    >>> from makingdata.policy import text_signals
    >>> sorted(s.id for s in text_signals())[:2]
    ['accountability', 'flight-path']
    """
    if not _SIGNALS:
        _SIGNALS.append(_load())
    return _SIGNALS[0]


@attrs.frozen(slots=True)
class Hit:
    """A phrase a signal caught: where, and what it implies."""

    signal: Signal
    field: str
    phrase: str


def _texts(request: DataRequest) -> Iterator[tuple[str, str, int | None]]:
    """Yield ``(field path, text, item index or None)`` for every free-text field."""
    yield "title", request.title, None
    yield "purpose", request.purpose, None
    if request.intended_actions:
        yield "intended_actions", request.intended_actions, None
    if request.justification:
        yield "justification", request.justification, None
    for i, item in enumerate(request.items):
        if item.description:
            yield f"items[{i}].description", item.description, i
        if item.need:
            yield f"items[{i}].need", item.need, i


def signal_hits(request: DataRequest) -> tuple[Hit, ...]:
    """Return every phrase of the request's words that a signal catches.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.policy import *
    >>> from makingdata.policy._signals import signal_hits
    >>> req = DataRequest(
    ...     title="Autumn data",
    ...     requester=Requester(RequesterKind.TRUST, "Oak Trust"),
    ...     request_date=dt.date(2025, 10, 1),
    ...     purpose="so that we can hold headteachers to account",
    ...     items=(DataItem(ItemKind.OTHER, description="likely grades"),),
    ... )
    >>> [(h.signal.id, h.field, h.phrase) for h in signal_hits(req)]
    [('accountability', 'purpose', 'hold headteachers to account'), ('prediction', 'items[0].description', 'likely grades')]
    """
    out = []
    for field, text, _ in _texts(request):
        for signal in text_signals():
            phrase = signal.find(text)
            if phrase is not None:
                out.append(Hit(signal, field, phrase))
    return tuple(out)


def inferred_request(request: DataRequest) -> tuple[DataRequest, dict[str, str]]:
    """Return ``request`` as its words describe it, and what the words changed.

    An item whose own words (or the request's title, purpose or intended
    actions) name a more specific attainment kind (a flight path, a
    prediction, a target) is read as that kind; a use the words name and the
    fields do not give is added to ``uses``. The second value maps each changed
    field path (``items[0].kind``, ``uses``) to a sentence saying which words,
    where, and what the field said.
    """
    notes: dict[str, str] = {}
    items = list(request.items)
    request_hits = []
    uses = list(request.uses)
    for hit in signal_hits(request):
        if hit.signal.use is not None:
            have = set(uses) | (
                {request.purpose_category} if request.purpose_category else set()
            )
            if hit.signal.use not in have:
                uses.append(hit.signal.use)
                stated = ", ".join(p.value for p in request.uses) or "nothing"
                notes.setdefault(
                    "uses",
                    f"the words {hit.phrase!r} in {hit.field} mean "
                    f"{hit.signal.use.value}, which the uses ({stated}) do not say",
                )
            continue
        if hit.field.startswith("items["):
            _sharpen(items, int(hit.field[6 : hit.field.index("]")]), hit, notes)
        else:
            request_hits.append(hit)
    for hit in request_hits:
        for i in range(len(items)):
            _sharpen(items, i, hit, notes)
    if not notes:
        return request, notes
    return attrs.evolve(request, items=tuple(items), uses=tuple(uses)), notes


def _sharpen(items: list[DataItem], i: int, hit: Hit, notes: dict[str, str]) -> None:
    kind = hit.signal.kind
    item = items[i]
    if kind is None or item.kind not in _RANK or _RANK[kind] <= _RANK[item.kind]:
        return
    about = item.about if kind in (ItemKind.PREDICTION, ItemKind.TARGET) else None
    items[i] = attrs.evolve(item, kind=kind, about=about)
    path = f"items[{i}].kind"
    original = notes.get(path)
    said = original.rsplit("kind = ", 1)[-1] if original else None
    notes[path] = (
        f"the words {hit.phrase!r} in {hit.field} mean {kind.value}, but "
        f"{path} says kind = {said or item.kind.value}"
    )


def signals_markdown() -> str:
    """Return the text signals as a Markdown table (the rules page holds it)."""

    def cell(text: str) -> str:
        return " ".join(text.replace("|", "\\|").split())

    lines = [
        "| Signal | Means | Read as | Patterns | Examples |",
        "|---|---|---|---|---|",
    ]
    for s in text_signals():
        implies = f"kind `{s.kind.value}`" if s.kind else f"use `{s.use.value}`"  # type: ignore[union-attr]
        patterns = "<br>".join(f"`{cell(p.pattern)}`" for p in s.patterns)
        examples = "; ".join(f"“{cell(e)}”" for e in s.examples)
        lines.append(
            f"| `{s.id}` | {cell(s.meaning)} | {implies} | {patterns} | {examples} |"
        )
    return "\n".join(lines) + "\n"
