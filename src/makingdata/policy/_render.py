"""Reports: plain text, Markdown and HTML for assessments, burdens and the catalogue.

Every piece of text that came from a request (titles, names, descriptions,
field values) is escaped for the output format: ``html.escape`` for HTML; for
Markdown, ``&``, ``<`` and ``>`` become entities (Markdown passes raw HTML
through) and pipes and line breaks are escaped so a table cell stays one cell.

The renderers sit below the result classes: they read an assessment, a
burden or a catalogue through the small protocols below (what a report
prints), so ``Assessment.to_text()`` and the like call down into this module
and nothing here imports the classes back.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping

    import polars as pl

    from makingdata._sources import Source
    from makingdata.policy._model import Finding, Rule, Verdict
    from makingdata.policy._requests import DataRequest

__all__ = [
    "assessment_html",
    "assessment_markdown",
    "assessment_text",
    "burden_html",
    "burden_markdown",
    "burden_text",
    "catalogue_markdown",
    "severity_markdown",
    "sources_markdown",
]


class _AssessmentLike(Protocol):
    """What a report of one assessment reads (:class:`~makingdata.policy.Assessment`)."""

    @property
    def request(self) -> DataRequest: ...
    @property
    def findings(self) -> tuple[Finding, ...]: ...
    @property
    def superseded(self) -> tuple[Finding, ...]: ...
    @property
    def disabled(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def verdict(self) -> Verdict: ...
    @property
    def exit_code(self) -> int: ...
    @property
    def rule_ids(self) -> tuple[str, ...]: ...
    @property
    def assumed_values(self) -> dict[str, str]: ...


class _BurdenLike(Protocol):
    """What a report of a school's year reads (:class:`~makingdata.policy.Burden`)."""

    @property
    def school(self) -> int: ...
    @property
    def academic_year(self) -> str: ...
    @property
    def requests(self) -> tuple[DataRequest, ...]: ...
    @property
    def findings(self) -> tuple[Finding, ...]: ...
    @property
    def assessments(self) -> tuple[_AssessmentLike, ...]: ...
    @property
    def verdict(self) -> Verdict: ...
    @property
    def exit_code(self) -> int: ...
    @property
    def attainment_points(self) -> int: ...
    @property
    def total_staff_hours(self) -> float: ...
    def per_requester(self) -> pl.DataFrame: ...


class _RuleBook(Protocol):
    """What the rules table reads (:class:`~makingdata.policy.Catalogue`)."""

    def active_rules(self) -> tuple[Rule, ...]: ...


def _who(request: DataRequest) -> str:
    r = request.requester
    text = f"{r.name} ({r.kind.value}"
    if r.acting_for is not None:
        text += f", acting for {r.acting_for.name} ({r.acting_for.kind.value})"
    return text + ")"


def _values(f: Finding, not_stated: tuple[str, ...] = ()) -> str:
    return (
        "; ".join(
            f"{k} = {v}" + (" (not stated)" if k in not_stated else "")
            for k, v in f.values
        )
        or "-"
    )


def _not_stated(req: DataRequest, assumed: dict[str, str]) -> str:
    """Return the fields the request left out, with the value read for each."""
    out = []
    for path in req.not_stated:
        if path in assumed:
            out.append(f"{path} (rules that depend on it assume {assumed[path]})")
            continue
        obj: object = req
        for part in path.replace("]", "").replace("[", ".").split("."):
            obj = obj[int(part)] if part.isdigit() else getattr(obj, part, None)  # type: ignore[index]
        value = obj
        if isinstance(value, tuple):
            value = ", ".join(str(getattr(v, "value", v)) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        else:
            value = getattr(value, "value", value)
        out.append(f"{path} (read as {value})")
    return "; ".join(out)


def _md(text: str) -> str:
    # Markdown passes raw HTML through, so markup characters become entities.
    escaped = html.escape(str(text), quote=False).replace("\\", "\\\\")
    return " ".join(escaped.replace("|", "\\|").split())


def _h(text: object) -> str:
    return html.escape(str(text), quote=True)


# ---------------------------------------------------------------- text


def _finding_text(
    f: Finding, indent: str = "", not_stated: tuple[str, ...] = ()
) -> list[str]:
    lines = [f"{indent}[{f.verdict.value}] {f.rule_id}: {f.text}"]
    if f.detail:
        lines.append(f"{indent}  found: {f.detail}")
    lines.append(f"{indent}  triggered by: {_values(f, not_stated)}")
    lines.extend(f"{indent}  assumed: {a}" for a in f.assumptions)
    lines.extend(f"{indent}  inferred from text: {a}" for a in f.inferred_from_text)
    lines.append(f"{indent}  source: {f.citation}")
    lines.extend(
        f'{indent}    "{c.quote}" ({c.source.author})' for c in f.citations if c.quote
    )
    if f.note:
        lines.append(f"{indent}  note: {f.note}")
    if f.superseded_by:
        lines.append(f"{indent}  set aside: {f.superseded_by} requires these items")
    return lines


def assessment_text(a: _AssessmentLike) -> str:
    """Return a plain-text report of one assessment."""
    req = a.request
    lines = [
        f"Request: {req.title}",
        f"From: {_who(req)}, dated {req.request_date.isoformat()}",
        f"Verdict: {a.verdict.value.upper()} (exit {a.exit_code}); "
        f"{len(a.findings)} finding(s)",
    ]
    if req.not_stated:
        lines.append(f"Not stated: {_not_stated(req, a.assumed_values)}")
    for f in a.findings:
        lines.append("")
        lines.extend(_finding_text(f, "", req.not_stated))
    if a.superseded:
        lines += ["", "Set aside because a statutory rule requires the same items:"]
        for f in a.superseded:
            lines.extend(_finding_text(f, "  ", req.not_stated))
    if a.disabled:
        lines += ["", "Rules switched off by this catalogue:"]
        lines += [f"  {i}: {reason}" for i, reason in a.disabled]
    return "\n".join(lines) + "\n"


def burden_text(b: _BurdenLike) -> str:
    """Return a plain-text report of a school's year of requests."""
    lines = [
        f"School {b.school}, academic year {b.academic_year}: "
        f"{len(b.requests)} request(s)",
        f"Verdict: {b.verdict.value.upper()} (exit {b.exit_code})",
        f"Attainment collection points: {b.attainment_points}",
        f"Estimated staff hours: {b.total_staff_hours:g}",
        "",
        "Per requester:",
    ]
    for row in b.per_requester().iter_rows(named=True):
        unknown = (
            f", {row['requests_without_estimate']} without an estimate"
            if row["requests_without_estimate"]
            else ""
        )
        lines.append(
            f"  {row['requester']} ({row['requester_kind']}): {row['requests']} "
            f"request(s), {row['collections']} collection(s), "
            f"{row['staff_hours']:g} hours{unknown}"
        )
    if b.findings:
        lines += ["", "Across the requests:"]
        for f in b.findings:
            lines.extend(_finding_text(f, "  "))
    lines += ["", "Each request:"]
    for a in b.assessments:
        ids = ", ".join(a.rule_ids) or "no findings"
        lines.append(
            f"  [{a.verdict.value}] {a.request.title} - {_who(a.request)}: {ids}"
        )
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------- markdown


def _findings_md(
    findings: tuple[Finding, ...], not_stated: tuple[str, ...] = ()
) -> list[str]:
    lines = [
        "| Rule | Verdict | Triggered by | Finding | Source |",
        "|---|---|---|---|---|",
    ]
    for f in findings:
        finding = f.text + (f" — {f.detail}" if f.detail else "")
        if f.superseded_by:
            finding += f" (set aside: {f.superseded_by} requires these items)"
        for assumption in f.assumptions:
            finding += f" Assumed: {assumption}."
        for words in f.inferred_from_text:
            finding += f" Inferred from text: {words}."
        lines.append(
            f"| {_md(f.rule_id)} | {_md(f.verdict.value)} | "
            f"{_md(_values(f, not_stated))} | "
            f"{_md(finding)} | {_md(f.citation)} |"
        )
    return lines


def assessment_markdown(a: _AssessmentLike) -> str:
    """Return a Markdown report of one assessment."""
    req = a.request
    lines = [
        f"## {_md(req.title)}",
        "",
        f"From {_md(_who(req))}, dated {req.request_date.isoformat()}.",
        "",
        f"**Verdict: {a.verdict.value}** (exit {a.exit_code}), "
        f"{len(a.findings)} finding(s).",
        "",
    ]
    if req.not_stated:
        lines += [f"Not stated: {_md(_not_stated(req, a.assumed_values))}.", ""]
    if a.findings:
        lines += [*_findings_md(a.findings, req.not_stated), ""]
    if a.superseded:
        lines += [
            "Set aside because a statutory rule requires the same items:",
            "",
            *_findings_md(a.superseded, req.not_stated),
            "",
        ]
    if a.disabled:
        lines += ["Rules switched off:", ""]
        lines += [f"- {_md(i)}: {_md(r)}" for i, r in a.disabled]
        lines.append("")
    return "\n".join(lines)


def burden_markdown(b: _BurdenLike) -> str:
    """Return a Markdown report of a school's year of requests."""
    lines = [
        f"## School {b.school}, {_md(b.academic_year)}",
        "",
        f"**Verdict: {b.verdict.value}** (exit {b.exit_code}). "
        f"{len(b.requests)} request(s); {b.attainment_points} attainment collection "
        f"point(s); {b.total_staff_hours:g} estimated staff hours.",
        "",
        "| Requester | Kind | Requests | Collections | Staff hours | Without estimate |",
        "|---|---|---|---|---|---|",
    ]
    lines.extend(
        f"| {_md(row['requester'])} | {row['requester_kind']} | {row['requests']} | "
        f"{row['collections']} | {row['staff_hours']:g} | "
        f"{row['requests_without_estimate']} |"
        for row in b.per_requester().iter_rows(named=True)
    )
    lines.append("")
    if b.findings:
        lines += ["### Across the requests", "", *_findings_md(b.findings), ""]
    lines += ["### Each request", "", "| Request | Requester | Verdict | Rules |"]
    lines.append("|---|---|---|---|")
    for a in b.assessments:
        lines.append(
            f"| {_md(a.request.title)} | {_md(_who(a.request))} | {a.verdict.value} | "
            f"{_md(', '.join(a.rule_ids) or '-')} |"
        )
    lines.append("")
    return "\n".join(lines)


# ----------------------------------------------------------------- html

_STYLE = {
    "prohibited": "#b00020",
    "discouraged": "#b35c00",
    "allowed with conditions": "#00587a",
    "required": "#2e7d32",
    "allowed": "#2e7d32",
}


def _badge(verdict: str) -> str:
    return (
        f'<span style="color:{_STYLE.get(verdict, "inherit")};font-weight:bold">'
        f"{_h(verdict)}</span>"
    )


def _source_html(f: Finding) -> str:
    if not f.citations:
        return _h(f.citation)
    parts = []
    for c in f.citations:
        text = _h(c.text)
        if c.source.url:
            text = f'<a href="{_h(c.source.url)}">{text}</a>'
        if c.quote:
            text += f"<br><small>&ldquo;{_h(c.quote)}&rdquo;</small>"
        parts.append(text)
    return "<br>".join(parts) + f" <small>[{_h(f.provenance.value)}]</small>"


def _findings_html(
    findings: tuple[Finding, ...], not_stated: tuple[str, ...] = ()
) -> str:
    rows = []
    for f in findings:
        finding = _h(f.text)
        if f.detail:
            finding += f"<br><small>{_h(f.detail)}</small>"
        for assumption in f.assumptions:
            finding += f"<br><small>assumed: {_h(assumption)}</small>"
        for words in f.inferred_from_text:
            finding += f"<br><small>inferred from text: {_h(words)}</small>"
        if f.superseded_by:
            finding += f"<br><small>set aside: {_h(f.superseded_by)} requires these items</small>"
        values = "<br>".join(
            f"<code>{_h(k)}</code> = {_h(v)}"
            + (" <small>(not stated)</small>" if k in not_stated else "")
            for k, v in f.values
        )
        rows.append(
            f"<tr><td><code>{_h(f.rule_id)}</code></td><td>{_badge(f.verdict.value)}</td>"
            f"<td>{values or '-'}</td><td>{finding}</td><td>{_source_html(f)}</td></tr>"
        )
    return (
        "<table><thead><tr><th>Rule</th><th>Verdict</th><th>Triggered by</th>"
        "<th>Finding</th><th>Source</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def assessment_html(a: _AssessmentLike) -> str:
    """Return an HTML fragment for one assessment (all user text escaped)."""
    req = a.request
    parts = [
        '<div class="makingdata-assessment">',
        f"<p><strong>{_h(req.title)}</strong><br>From {_h(_who(req))}, dated "
        f"{_h(req.request_date.isoformat())}</p>",
        f"<p>Verdict: {_badge(a.verdict.value)} (exit {a.exit_code}), "
        f"{len(a.findings)} finding(s)</p>",
    ]
    if req.not_stated:
        parts.append(f"<p>Not stated: {_h(_not_stated(req, a.assumed_values))}</p>")
    if a.findings:
        parts.append(_findings_html(a.findings, req.not_stated))
    if a.superseded:
        parts.append(
            "<p>Set aside because a statutory rule requires the same items:</p>"
        )
        parts.append(_findings_html(a.superseded, req.not_stated))
    if a.disabled:
        parts.append(
            "<p>Rules switched off:</p><ul>"
            + "".join(f"<li><code>{_h(i)}</code>: {_h(r)}</li>" for i, r in a.disabled)
            + "</ul>"
        )
    parts.append("</div>")
    return "".join(parts)


def burden_html(b: _BurdenLike) -> str:
    """Return an HTML fragment for a school's year of requests."""
    rows = "".join(
        f"<tr><td>{_h(r['requester'])}</td><td>{_h(r['requester_kind'])}</td>"
        f"<td>{r['requests']}</td><td>{r['collections']}</td>"
        f"<td>{r['staff_hours']:g}</td><td>{r['requests_without_estimate']}</td></tr>"
        for r in b.per_requester().iter_rows(named=True)
    )
    reqs = "".join(
        f"<tr><td>{_h(a.request.title)}</td><td>{_h(_who(a.request))}</td>"
        f"<td>{_badge(a.verdict.value)}</td><td>{_h(', '.join(a.rule_ids) or '-')}</td></tr>"
        for a in b.assessments
    )
    parts = [
        '<div class="makingdata-burden">',
        f"<p><strong>School {_h(b.school)}, {_h(b.academic_year)}</strong>: "
        f"{len(b.requests)} request(s); {b.attainment_points} attainment collection "
        f"point(s); {b.total_staff_hours:g} estimated staff hours</p>",
        f"<p>Verdict: {_badge(b.verdict.value)} (exit {b.exit_code})</p>",
        "<table><thead><tr><th>Requester</th><th>Kind</th><th>Requests</th>"
        "<th>Collections</th><th>Staff hours</th><th>Without estimate</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>",
    ]
    if b.findings:
        parts.append(_findings_html(b.findings))
    parts.append(
        "<table><thead><tr><th>Request</th><th>Requester</th><th>Verdict</th>"
        f"<th>Rules</th></tr></thead><tbody>{reqs}</tbody></table></div>"
    )
    return "".join(parts)


# ------------------------------------------------------------- catalogue


def catalogue_markdown(catalogue: _RuleBook) -> str:
    """Return the catalogue as a Markdown table, statutory rules first.

    The rules page of the documentation holds this table; a test compares the
    two, so the page cannot drift from the catalogue.
    """
    lines = [
        "| ID | Rule | Binds | Verdict | Statutory | Source | Provenance |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in catalogue.active_rules():
        text = r.text + (f" *Note: {r.note}*" if r.note else "")
        lines.append(
            f"| {_md(r.id)} | {_md(text)} | {_md(', '.join(r.binds))} | "
            f"{_md(r.verdict.value)} | {'yes' if r.statutory else 'no'} | "
            f"{_md(r.source)} | {_md(r.provenance.value)} |"
        )
    return "\n".join(lines) + "\n"


def sources_markdown(sources: Mapping[str, Source], catalogue: _RuleBook) -> str:
    """Return the source registry as a Markdown table, with the rules citing each.

    The sources page of the documentation holds this table; a test compares
    the two.
    """
    cited: dict[str, list[str]] = {sid: [] for sid in sources}
    for r in catalogue.active_rules():
        for c in r.citations:
            if r.id not in cited.setdefault(c.source.id, []):
                cited[c.source.id].append(r.id)
    lines = [
        "| Source | Author | Title | Date | Standing | Licence | Cited by |",
        "|---|---|---|---|---|---|---|",
    ]
    for src in sources.values():
        title = _md(src.title)
        if src.url:
            title = f"[{title}]({src.url})"
        if src.note:
            title += f" *{_md(src.note)}*"
        lines.append(
            f"| `{src.id}` | {_md(src.author)} | {title} | {_md(src.human_date)} | "
            f"{src.standing} | {_md(src.licence)} | "
            f"{_md(', '.join(cited[src.id]) or '-')} |"
        )
    return "\n".join(lines) + "\n"


def severity_markdown(
    catalogue: _RuleBook, modal_verdicts: Mapping[str, tuple[Verdict, str]]
) -> str:
    """Return the severity review: each rule's verdict, its source's modal verb and why they agree."""
    lines = [
        "| ID | Verdict | Modal verb | The source's words | Source | Why they agree |",
        "|---|---|---|---|---|---|",
    ]
    for r in catalogue.active_rules():
        why = modal_verdicts[r.modal][1] if r.modal is not None else "-"
        source = r.citations[0].text if r.citations else r.source
        lines.append(
            f"| {_md(r.id)} | {_md(r.verdict.value)} | {_md(r.modal or '-')} | "
            f"{_md(r.modal_words or '-')} | {_md(source)} | {_md(why)} |"
        )
    return "\n".join(lines) + "\n"
