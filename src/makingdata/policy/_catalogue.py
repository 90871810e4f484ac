"""Rules as data: the catalogue of rules and checks, and the shipped rule table."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs
import polars as pl

from makingdata._sources import Citation, Source, cite, source_registry
from makingdata.errors import RuleError
from makingdata.policy._checks import BURDEN_CHECKS, CHECKS
from makingdata.policy._model import (
    BINDS,
    MODAL_VERDICTS,
    BurdenCheck,
    Check,
    Match,
    Provenance,
    Rule,
    SchoolYear,
    Verdict,
)
from makingdata.policy._render import (
    catalogue_markdown,
    severity_markdown,
    sources_markdown,
)
from makingdata.policy._requests import RequesterKind

if TYPE_CHECKING:
    from collections.abc import Iterator
    from os import PathLike

__all__ = [
    "BINDS",
    "BurdenCheck",
    "Catalogue",
    "Check",
    "Match",
    "Provenance",
    "Rule",
    "SchoolYear",
    "Verdict",
    "default_catalogue",
    "policy_sources",
    "rule_from_dict",
    "sources_markdown_table",
]


def _frozen_map(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


@attrs.frozen(slots=True)
class Catalogue:
    """An ordered set of rules, the check tables they name, and switched-off rules.

    Statutory rules come first, then guidance; within each, the order given.
    Catalogues are immutable: :meth:`with_rule` and :meth:`without_rule`
    return new ones, so an organisation's local catalogue never changes the
    shipped one.

    Attributes
    ----------
    rules
        Every rule, including switched-off ones.
    checks
        Check name → predicate over one request.
    burden_checks
        Check name → predicate over a school's year of requests.
    disabled
        Rule id → the recorded reason it was switched off.

    Examples
    --------
    >>> from makingdata.policy import default_catalogue
    >>> cat = default_catalogue()
    >>> len(cat) >= 43
    True
    >>> local = cat.without_rule("STAR-01", reason="SCSB no longer operates")
    >>> "STAR-01" in [r.id for r in local.active_rules()]
    False
    >>> local.disabled["STAR-01"]
    'SCSB no longer operates'
    """

    rules: tuple[Rule, ...]
    checks: Mapping[str, Check] = attrs.field(factory=lambda: CHECKS)
    burden_checks: Mapping[str, BurdenCheck] = attrs.field(
        factory=lambda: BURDEN_CHECKS
    )
    disabled: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_map)

    def __attrs_post_init__(self) -> None:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise RuleError(
                    f"rule id {rule.id!r} appears twice",
                    column="id",
                    hint="give each rule its own id",
                )
            seen.add(rule.id)
            if rule.check is not None and rule.check not in self.checks:
                raise RuleError(
                    f"rule {rule.id}: no check named {rule.check!r}",
                    column="check",
                    hint=f"use one of: {', '.join(sorted(self.checks))}",
                )
            if (
                rule.burden_check is not None
                and rule.burden_check not in self.burden_checks
            ):
                raise RuleError(
                    f"rule {rule.id}: no burden check named {rule.burden_check!r}",
                    column="burden_check",
                    hint=f"use one of: {', '.join(sorted(self.burden_checks))}",
                )
        for rule_id in self.disabled:
            if rule_id not in seen:
                raise RuleError(
                    f"cannot switch off {rule_id!r}: no such rule", column="id"
                )

    def __len__(self) -> int:
        return len(self.rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __getitem__(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise RuleError(
            f"no rule with id {rule_id!r}",
            column="id",
            hint="see default_catalogue().to_frame() for the ids",
        )

    def __contains__(self, rule_id: object) -> bool:
        return any(rule.id == rule_id for rule in self.rules)

    def active_rules(self) -> tuple[Rule, ...]:
        """Return the rules that are switched on, statutory rules first."""
        on = [r for r in self.rules if r.id not in self.disabled]
        return tuple(
            [r for r in on if r.statutory] + [r for r in on if not r.statutory]
        )

    def with_rule(
        self,
        rule: Rule,
        *,
        check: Check | None = None,
        burden_check: BurdenCheck | None = None,
    ) -> Catalogue:
        """Return a catalogue with ``rule`` added (a local rule).

        Parameters
        ----------
        rule
            The rule; its ``check`` names an existing check, or the one given.
        check
            A new predicate to register under ``rule.check``.
        burden_check
            A new burden predicate to register under ``rule.burden_check``.

        Returns
        -------
        Catalogue
            A new catalogue; this one is unchanged.

        Raises
        ------
        RuleError
            If the id is taken or a check name is unknown.

        Examples
        --------
        >>> from makingdata.policy import Provenance, Rule, Verdict, default_catalogue
        >>> rule = Rule(
        ...     id="OAK-01",
        ...     text="Oak Trust collects attainment twice a year at most.",
        ...     binds=("MAT",),
        ...     verdict=Verdict.PROHIBITED,
        ...     source="Oak Trust data policy 2025 §2",
        ...     provenance=Provenance.LOCAL,
        ...     check="twice_a_year",
        ... )
        >>> def twice(request):
        ...     return None
        >>> cat = default_catalogue().with_rule(rule, check=twice)
        >>> cat["OAK-01"].provenance.value
        'local'
        """
        checks = dict(self.checks)
        burden = dict(self.burden_checks)
        if check is not None:
            if rule.check is None:
                raise RuleError(
                    f"rule {rule.id}: a check was given but the rule names none",
                    column="check",
                )
            checks[rule.check] = check
        if burden_check is not None:
            if rule.burden_check is None:
                raise RuleError(
                    f"rule {rule.id}: a burden check was given but the rule names none",
                    column="burden_check",
                )
            burden[rule.burden_check] = burden_check
        return Catalogue(
            (*self.rules, rule),
            checks=MappingProxyType(checks),
            burden_checks=MappingProxyType(burden),
            disabled=self.disabled,
        )

    def without_rule(self, rule_id: str, *, reason: str) -> Catalogue:
        """Return a catalogue with one rule switched off, recording why.

        The rule stays in :attr:`rules` and in :meth:`to_frame` (with its
        reason); assessments list it as switched off.

        Raises
        ------
        RuleError
            If there is no such rule or the reason is empty.

        Examples
        --------
        >>> from makingdata.policy import default_catalogue
        >>> cat = default_catalogue().without_rule(
        ...     "MDW-REV-01", reason="reviewed termly"
        ... )
        >>> cat.to_frame().filter(id="MDW-REV-01")["disabled_reason"].item()
        'reviewed termly'
        """
        if rule_id not in self:
            raise RuleError(
                f"cannot switch off {rule_id!r}: no such rule",
                column="id",
                hint="see default_catalogue().to_frame() for the ids",
            )
        text: object = reason
        if not isinstance(text, str) or not text.strip():
            raise RuleError(
                f"switching off {rule_id} needs a reason",
                column="reason",
                hint="say why your organisation does not apply it",
            )
        return attrs.evolve(self, disabled={**self.disabled, rule_id: reason.strip()})

    def to_frame(self) -> pl.DataFrame:
        """Return the catalogue as a polars table, one row per rule.

        Examples
        --------
        >>> from makingdata.policy import default_catalogue
        >>> frame = default_catalogue().to_frame()
        >>> frame.columns[:5]
        ['id', 'text', 'binds', 'applies_to', 'verdict']
        >>> frame.filter(frame["id"] == "MDW-PRED-03")["verdict"].item()
        'prohibited'
        """
        order = {r.id: i for i, r in enumerate(self.active_rules())}
        return pl.DataFrame(
            {
                "id": [r.id for r in self.rules],
                "text": [r.text for r in self.rules],
                "binds": [list(r.binds) for r in self.rules],
                "applies_to": [[k.value for k in r.applies_to] for r in self.rules],
                "verdict": [r.verdict.value for r in self.rules],
                "statutory": [r.statutory for r in self.rules],
                "source": [r.source for r in self.rules],
                "provenance": [r.provenance.value for r in self.rules],
                "check": [r.check for r in self.rules],
                "burden_check": [r.burden_check for r in self.rules],
                "fields": [list(r.fields) for r in self.rules],
                "note": [r.note for r in self.rules],
                "enabled": [r.id not in self.disabled for r in self.rules],
                "disabled_reason": [self.disabled.get(r.id) for r in self.rules],
                "order": [order.get(r.id) for r in self.rules],
            },
            schema={
                "id": pl.String,
                "text": pl.String,
                "binds": pl.List(pl.String),
                "applies_to": pl.List(pl.String),
                "verdict": pl.Enum([v.value for v in Verdict]),
                "statutory": pl.Boolean,
                "source": pl.String,
                "provenance": pl.Enum([p.value for p in Provenance]),
                "check": pl.String,
                "burden_check": pl.String,
                "fields": pl.List(pl.String),
                "note": pl.String,
                "enabled": pl.Boolean,
                "disabled_reason": pl.String,
                "order": pl.UInt32,
            },
        )

    def to_markdown(self) -> str:
        """Return the catalogue as a Markdown table (the docs' rule page)."""
        return catalogue_markdown(self)

    def severity_markdown(self) -> str:
        """Return the severity review as a Markdown table.

        One row per active rule: its verdict, the modal verb of its governing
        source, the words it is in, the source, and why the verdict follows
        (:data:`~makingdata.policy.MODAL_VERDICTS`).

        Examples
        --------
        >>> from makingdata.policy import default_catalogue
        >>> table = default_catalogue().severity_markdown()
        >>> [row for row in table.splitlines() if row.startswith("| MDW-PM-01 ")][0][
        ...     :45
        ... ]
        '| MDW-PM-01 | discouraged | should not | obje'
        """
        return severity_markdown(self, MODAL_VERDICTS)


def _citations(
    raw: Any, *, path: str | PathLike[str] | None, where: str
) -> tuple[Citation, ...]:
    """Read a rule's ``cite`` list: ``{source, section, quote, via}`` tables."""
    if not isinstance(raw, list):
        raise RuleError(
            "expected a list of citations",
            path=path,
            column=f"{where}.cite",
            hint='write cite = [{ source = "uk-gdpr", section = "Art 5(1)(c)" }]',
        )
    keys = ("source", "section", "quote", "via")
    out = []
    for i, entry in enumerate(raw):
        col = f"{where}.cite[{i}]"
        if not isinstance(entry, dict) or "source" not in entry:
            raise RuleError(
                "a citation is a table with at least a 'source' id",
                path=path,
                column=col,
                hint="see policy_sources() for the ids",
            )
        for key in entry:
            if key not in keys:
                raise RuleError(
                    f"unknown field {key!r}",
                    path=path,
                    column=f"{col}.{key}",
                    hint=f"the fields are: {', '.join(keys)}",
                )
        try:
            out.append(
                cite(
                    entry["source"],
                    entry.get("section"),
                    quote=entry.get("quote"),
                    via=entry.get("via"),
                )
            )
        except RuleError as err:
            raise RuleError(
                err.message, path=path, column=f"{col}.source", hint=err.hint
            ) from None
    return tuple(out)


def rule_from_dict(  # noqa: PLR0912 - one branch per field checked
    data: Mapping[str, Any], *, path: str | PathLike[str] | None = None, where: str
) -> Rule:
    """Build a :class:`Rule` from a TOML table, naming the file and entry on error.

    A rule gives its source either as ``cite``, a list of citations of the
    source registry (``{ source = "uk-gdpr", section = "Art 5(1)(c)",
    quote = "..." }``), from which ``source`` is written, or as ``source``, a
    citation in words (a local policy the registry does not hold), or both.
    """
    allowed = ({a.name for a in attrs.fields(Rule)} - {"citations"}) | {"cite"}
    for key in data:
        if key not in allowed:
            raise RuleError(
                f"unknown field {key!r}",
                path=path,
                column=f"{where}.{key}",
                hint=f"the fields are: {', '.join(sorted(allowed))}",
            )
    kwargs = dict(data)
    if "cite" in data:
        citations = _citations(kwargs.pop("cite"), path=path, where=where)
        kwargs["citations"] = citations
        if "source" not in data:
            kwargs["source"] = "; ".join(c.text for c in citations)
    for key in ("id", "text", "binds", "verdict", "provenance"):
        if key not in data:
            raise RuleError(
                f"the required field {key!r} is missing",
                path=path,
                column=f"{where}.{key}",
            )
    if "source" not in kwargs:
        raise RuleError(
            "the rule names no source",
            path=path,
            column=f"{where}.source",
            hint='add cite = [{ source = ... }] or source = "..."',
        )
    try:
        kwargs["verdict"] = Verdict(data["verdict"])
    except ValueError:
        raise RuleError(
            f"{data['verdict']!r} is not a verdict",
            path=path,
            column=f"{where}.verdict",
            hint="use one of: prohibited, discouraged, allowed with conditions, required",
        ) from None
    try:
        kwargs["provenance"] = Provenance(data["provenance"])
    except ValueError:
        raise RuleError(
            f"{data['provenance']!r} is not a provenance",
            path=path,
            column=f"{where}.provenance",
            hint=f"use one of: {', '.join(p.value for p in Provenance)}",
        ) from None
    kinds = []
    for i, k in enumerate(data.get("applies_to", [])):
        try:
            kinds.append(RequesterKind(k))
        except ValueError:
            raise RuleError(
                f"{k!r} is not a requester kind",
                path=path,
                column=f"{where}.applies_to[{i}]",
                hint=f"use one of: {', '.join(m.value for m in RequesterKind)}",
            ) from None
    kwargs["applies_to"] = tuple(kinds)
    try:
        return Rule(**kwargs)
    except RuleError as err:
        raise RuleError(
            err.message, path=path, column=f"{where}.{err.column}", hint=err.hint
        ) from None
    except TypeError as err:
        raise RuleError(str(err), path=path, column=where) from None


def _shipped_rules() -> tuple[Rule, ...]:
    text = (
        resources.files("makingdata")
        .joinpath("data", "policy_rules.toml")
        .read_text(encoding="utf-8")
    )
    data = tomllib.loads(text)
    return tuple(
        rule_from_dict(row, path="policy_rules.toml", where=f"rule[{i}]")
        for i, row in enumerate(data["rule"])
    )


_DEFAULT: list[Catalogue] = []


def default_catalogue() -> Catalogue:
    """Return the shipped rule catalogue (read once from ``policy_rules.toml``).

    Examples
    --------
    >>> from makingdata.policy import default_catalogue
    >>> cat = default_catalogue()
    >>> cat.active_rules()[0].statutory
    True
    >>> cat["NAHT-PRED-01"].text
    'Requesters should not ask schools for predictions of pupil or cohort progress scores.'
    """
    if not _DEFAULT:
        _DEFAULT.append(Catalogue(_shipped_rules()))
    return _DEFAULT[0]


def policy_sources() -> Mapping[str, Source]:
    """Return the registry of sources the rules cite, by id.

    Each :class:`~makingdata.policy.Source` records the author, title, date,
    address, licence and whether it is a primary or a secondary source; a
    rule's :attr:`~makingdata.policy.Rule.citations` point into it with the
    section and the quoted words.

    Examples
    --------
    >>> from makingdata.policy import default_catalogue, policy_sources
    >>> policy_sources()["sos-letter-2019"].label
    'Secretary of State for Education, letter to academy trusts and local authorities, 17 July 2019'
    >>> c = default_catalogue()["SOS-FMT-01"].citations[0]
    >>> c.source.id, c.quote
    ('sos-letter-2019', 'Local authorities should not routinely ask for attainment data from schools in different formats.')
    """
    return source_registry()


def sources_markdown_table() -> str:
    """Return the sources page's table: every source and the rules citing it."""
    return sources_markdown(source_registry(), default_catalogue())
