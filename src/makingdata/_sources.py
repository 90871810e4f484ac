"""The registry of sources the policy rules and the access refusals cite.

One record per document (``data/policy_sources.toml``): who wrote it, its
title, date, address, licence and whether it is a primary source (the body
that decided) or a secondary one (a report of it). A :class:`Citation` points
at one source, with the section and the quoted words; its :attr:`~Citation.text`
is the human citation every report prints, e.g. "DfE, Requesting daily data
from schools – principles for collection and use, 2022, §4".

This module sits below every package that cites (``domain``, ``access``,
``policy``) and imports nothing of makingdata but its errors.

Examples
--------
>>> from makingdata._sources import cite
>>> cite("sos-letter-2019").text
'Secretary of State for Education, letter to academy trusts and local authorities, 17 July 2019'
>>> cite("dfe-daily-data-principles-2022", "§4").text
'DfE, Requesting daily data from schools – principles for collection and use, 2022, §4'
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from makingdata.errors import InputError, RuleError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "DAILY_DATA_PRINCIPLES",
    "STANDINGS",
    "Citation",
    "Source",
    "cite",
    "source_registry",
]

#: The registry id of DfE's daily-data principles (2022).
DAILY_DATA_PRINCIPLES = "dfe-daily-data-principles-2022"

#: What a source can be: the body that decided or wrote it, or a report of it.
STANDINGS: tuple[str, ...] = ("primary", "secondary")

#: English month names (not ``calendar.month_name``, which follows the locale).
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip


def _human_date(text: str) -> str:
    """``2019-07-17`` → ``17 July 2019``; ``2018-11`` → ``November 2018``."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text)
    if m is None:
        return text
    year, month, day = m.groups()
    if month is None:
        return year
    if day is None:
        return f"{_MONTHS[int(month) - 1]} {year}"
    d = dt.date(int(year), int(month), int(day))
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


@attrs.frozen(slots=True)
class Source:
    """One document in the registry.

    Attributes
    ----------
    id
        Stable identifier the rules cite.
    author
        Who wrote or issued it.
    title
        Its title.
    date
        ISO date, year-month or year.
    url
        Where to read it; ``""`` when no reliable address is held.
    licence
        Its licence, or how makingdata uses it.
    standing
        ``"primary"`` or ``"secondary"``.
    form
        What kind of document it is (a letter, a news item), if that names it
        better than its title.
    note
        How it was read, caveats.

    Examples
    --------
    >>> from makingdata._sources import source_registry
    >>> src = source_registry()["sos-letter-2019"]
    >>> src.title, src.standing
    ('Reducing workload: making data work in schools', 'primary')
    """

    id: str
    author: str
    title: str
    date: str
    url: str = ""
    licence: str = ""
    standing: str = "primary"
    form: str | None = None
    note: str | None = None

    @property
    def label(self) -> str:
        """Author, form (or title) and date: how a report names the source."""
        return f"{self.author}, {self.form or self.title}, {_human_date(self.date)}"

    @property
    def human_date(self) -> str:
        """The date as words (``17 July 2019``)."""
        return _human_date(self.date)

    def to_dict(self) -> dict[str, Any]:
        """Return the record as plain data."""
        return attrs.asdict(self)


@attrs.frozen(slots=True)
class Citation:
    """A pointer into one source: the section and the words quoted.

    Attributes
    ----------
    source
        The document.
    section
        Section, page, paragraph or article (``§4``, ``p29``, ``Art 5(1)(c)``).
    quote
        The passage relied on, in the source's words.
    via
        Who reported it, when the source was read second-hand.

    Examples
    --------
    >>> from makingdata._sources import cite
    >>> c = cite("naht-2018", "DfE's confirmation, bullet 2", quote="…")
    >>> c.text
    "NAHT, LAs and MATs should no longer request target setting data from schools, 13 December 2018, DfE's confirmation, bullet 2"
    >>> c.to_dict()["title"]
    'LAs and MATs should no longer request target setting data from schools'
    """

    source: Source
    section: str | None = None
    quote: str | None = None
    via: str | None = None

    @property
    def text(self) -> str:
        """The human citation: author, title or form, date, section (and via whom)."""
        out = self.source.label
        if self.section:
            out += f", {self.section}"
        if self.via:
            out += f" (as reported by {self.via})"
        return out

    def to_dict(self) -> dict[str, Any]:
        """Return the citation as plain data (the source's fields flattened in)."""
        return {
            "citation": self.text,
            "source_id": self.source.id,
            "author": self.source.author,
            "title": self.source.title,
            "date": self.source.date,
            "section": self.section,
            "quote": self.quote,
            "via": self.via,
            "url": self.source.url or None,
            "licence": self.source.licence,
            "standing": self.source.standing,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Citation:
        """Build a citation from :meth:`to_dict` output (or a rule file's ``cite`` entry).

        A known ``source_id`` (or ``source``) takes its record from the
        registry; otherwise the fields given build the source.
        """
        sid = data.get("source_id", data.get("source"))
        registry = source_registry()
        if isinstance(sid, str) and sid in registry:
            src = registry[sid]
        else:
            try:
                src = Source(
                    id=str(sid),
                    author=str(data["author"]),
                    title=str(data["title"]),
                    date=str(data.get("date", "")),
                    url=str(data.get("url") or ""),
                    licence=str(data.get("licence", "")),
                    standing=str(data.get("standing", "primary")),
                )
            except KeyError as err:
                raise InputError(
                    f"the citation names no known source and has no {err.args[0]!r}",
                    column="citations",
                    hint=_did_you_mean(str(sid), registry),
                ) from None
        return cls(
            source=src,
            section=data.get("section"),
            quote=data.get("quote"),
            via=data.get("via"),
        )


def _did_you_mean(name: str, registry: Mapping[str, Source]) -> str:
    close = difflib.get_close_matches(name, list(registry), n=1)
    ids = ", ".join(sorted(registry))
    if close:
        return f"did you mean {close[0]!r}? The ids are: {ids}"
    return f"use one of: {ids}"


def _load() -> Mapping[str, Source]:
    text = (
        resources.files("makingdata")
        .joinpath("data", "policy_sources.toml")
        .read_text(encoding="utf-8")
    )
    out: dict[str, Source] = {}
    for i, row in enumerate(tomllib.loads(text)["source"]):
        try:
            src = Source(**row)
        except TypeError as err:  # pragma: no cover - the shipped file is tested
            raise RuleError(
                str(err), path="policy_sources.toml", column=f"source[{i}]"
            ) from None
        if src.standing not in STANDINGS:  # pragma: no cover - tested
            raise RuleError(
                f"{src.standing!r} is not a standing",
                path="policy_sources.toml",
                column=f"source[{i}].standing",
            )
        out[src.id] = src
    return MappingProxyType(out)


_REGISTRY: list[Mapping[str, Source]] = []


def source_registry() -> Mapping[str, Source]:
    """Return every source, by id (read once from ``policy_sources.toml``).

    Examples
    --------
    >>> from makingdata._sources import source_registry
    >>> "dfe-daily-data-principles-2022" in source_registry()
    True
    """
    if not _REGISTRY:
        _REGISTRY.append(_load())
    return _REGISTRY[0]


def cite(
    source_id: str,
    section: str | None = None,
    *,
    quote: str | None = None,
    via: str | None = None,
) -> Citation:
    """Return a citation of a registered source.

    Raises
    ------
    RuleError
        If no source has that id (with the nearest id).

    Examples
    --------
    >>> from makingdata._sources import cite
    >>> cite("uk-gdpr", "Art 5(1)(c)").text
    'UK Parliament, UK General Data Protection Regulation, 2021, Art 5(1)(c)'
    >>> cite("uk-gdrp")
    Traceback (most recent call last):
    ...
    makingdata.errors.RuleError: column 'source': no source with id 'uk-gdrp'. What to do: did you mean 'uk-gdpr'? The ids are: ...
    """
    registry = source_registry()
    if source_id not in registry:
        raise RuleError(
            f"no source with id {source_id!r}",
            column="source",
            hint=_did_you_mean(source_id, registry),
        )
    return Citation(registry[source_id], section, quote, via)
