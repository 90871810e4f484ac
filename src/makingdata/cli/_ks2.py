"""``makingdata ks2``: KS2 attainment tables from pupils' results, by group, against England.

Reads one or more KS2 results files (``--results``, repeatable; each may hold
several academic years), the schools (``--schools``), builds
:func:`~makingdata.attainment.ks2_table` at the levels asked, optionally adds
the comparisons of :mod:`makingdata.attainment` (``--compare national``,
``group`` or ``trend``), and writes it through :func:`write_table` like
``aggregate``: a plain CSV or an EES pair, protected for a partner or the
public. For a protected audience the comparisons are worked out from the
protected figures, so a suppressed cell gives a suppressed (blank, ``c``)
gap, never a number that would give it away.
"""

# No ``from __future__ import annotations``: typer reads the annotations at run time.

import enum
import sys
from pathlib import Path
from typing import Annotated

import attrs
import polars as pl
import typer

from makingdata._atomic import atomic_path
from makingdata.access import Audience
from makingdata.attainment import (
    KS2_BREAKDOWNS,
    KS2_SCHOOL_BREAKDOWNS,
    KS2_SUBJECTS,
    gap_to_group,
    gap_to_national,
    ks2_table,
    trend,
)
from makingdata.cli._aggregate import EesOption, OutOption
from makingdata.cli._console import Steps
from makingdata.cli._key import KeyFileOption, RefusedKeyOption, key_from_file
from makingdata.cli._options import LIST_HELP, exit_codes, split_list
from makingdata.cli._output import write_table
from makingdata.disclosure import ProtectedTable, protect, rule_set
from makingdata.errors import ExitCode, InputError
from makingdata.io import ReadResult, read_ks2_results, read_schools
from makingdata.tables import Table, level

#: Rejected rows shown one by one on stderr before "and N more".
_SHOWN_FAILURES = 10


#: ``--audience`` of ``ks2``: the protection of ``aggregate``, for pupils' results.
AudienceOption = Annotated[
    Audience | None,
    typer.Option(
        "--audience",
        help="who receives the file: school, trust, la or dfe get the table as "
        "built; partner and public get it protected (every pupil count of 1 to 5 "
        "and single-school aggregates suppressed with their complements, school "
        "rows dropped, EES symbols; the comparisons worked out from what is "
        "published). Without --audience the table is written only if it has no "
        "School rows and no pupil count from 1 to 5; otherwise the command stops "
        "(exit 5) and asks who the file is for",
        show_default=False,
    ),
]


class Compare(enum.StrEnum):
    """What ``--compare`` adds to the table."""

    NATIONAL = "national"
    GROUP = "group"
    TREND = "trend"


def _say_rejects(result: ReadResult) -> None:
    """Print how many rows were read and rejected, and where each reject is."""
    path = result.path
    name = Path(str(path)).name
    rejected = result.rejects.height
    print(
        f"KS2 results {name}: {result.n_read} read, {result.valid.height} valid, "
        f"{rejected} rejected",
        file=sys.stderr,
    )
    if not rejected:
        return
    where = "line" if result.format == "csv" else "row"
    failures = result.report.failures
    for rec in failures.head(_SHOWN_FAILURES).iter_rows(named=True):
        # a UPN is personal data: say which rule it broke, never its value
        value = "" if rec["column"] == "upn" else f" (value {rec['value']!r})"
        print(
            f"  {name}, {where} {rec['row']}, field {rec['column']}: "
            f"{rec['check']}{value}",
            file=sys.stderr,
        )
    if failures.height > _SHOWN_FAILURES:
        print(
            f"  ... and {failures.height - _SHOWN_FAILURES} more",
            file=sys.stderr,
        )
    print(
        "  rejected pupils are not counted; correct them in the file (--rejects "
        "PATH lists every row and rule)",
        file=sys.stderr,
    )


def _failures(result: ReadResult) -> pl.DataFrame:
    """Every rule each rejected row broke, with its file; a UPN's value is never written."""
    failures = result.report.failures
    return failures.select(
        pl.lit(Path(str(result.path)).name).alias("file"),
        pl.col("row").cast(pl.Int64),
        pl.col("column").cast(pl.String),
        pl.col("check").cast(pl.String),
        pl.when(pl.col("column") == "upn")
        .then(pl.lit(None, pl.String))
        .otherwise(pl.col("value").cast(pl.String))
        .alias("value"),
    )


def _read_results(
    paths: list[Path], key: bytes | None, rejects: Path | None
) -> tuple[pl.DataFrame, int]:
    """Return the valid results of every file, concatenated, and the rows rejected."""
    frames: list[pl.DataFrame] = []
    failures: list[pl.DataFrame] = []
    rejected = 0
    for path in paths:
        result = read_ks2_results(path, key=key)
        _say_rejects(result)
        frames.append(result.valid)
        failures.append(_failures(result))
        rejected += result.rejects.height
    if rejects is not None:
        listed = pl.concat(failures)
        with atomic_path(rejects, what="the rejects CSV", parents=True) as tmp:
            listed.write_csv(tmp)
        print(f"wrote {listed.height} rejected fields to {rejects}", file=sys.stderr)
    results = pl.concat(frames, how="vertical_relaxed")
    if not results.height:
        raise InputError(
            f"no valid pupil in the results: {rejected} rows rejected",
            path=paths[0] if len(paths) == 1 else None,
            hint="correct the rows listed above (--rejects PATH lists every one)",
        )
    # the same pupil and year in two files would be counted twice
    dup = results.select("pupil_key", "time_period").is_duplicated()
    if dup.any():
        years = sorted(set(results.filter(dup)["time_period"].to_list()))
        raise InputError(
            f"{int(dup.sum())} results are of a pupil and year given in more than "
            f"one file (years {', '.join(str(y) for y in years)})",
            column="pupil_key",
            hint="give each academic year once: one file per year, or one file "
            "holding several years",
        )
    return results, rejected


def _parse_compare(values: list[str] | None) -> list[Compare]:
    out: list[Compare] = []
    for v in split_list(values) or []:
        try:
            c = Compare(v.lower())
        except ValueError:
            raise typer.BadParameter(
                f"{v!r} is not one of {', '.join(c.value for c in Compare)}",
                param_hint="'--compare'",
            ) from None
        if c not in out:
            out.append(c)
    return out


def _is_national(name: str) -> bool:
    try:
        return level(name).name == "national"
    except InputError:  # district, or a name ks2_table refuses with its own message
        return False


def _check_compare(compare: list[Compare], levels: list[str], by: list[str]) -> None:
    """Refuse comparisons the table cannot carry, before anything is read."""
    if compare and not any(_is_national(lv) for lv in levels):
        raise typer.BadParameter(
            "every comparison is with England: add national to --level",
            param_hint="'--compare'",
        )
    if Compare.GROUP in compare and "disadvantage_status" not in by:
        raise typer.BadParameter(
            "the group gap compares disadvantaged pupils with all other pupils "
            "nationally: add --by disadvantage_status",
            param_hint="'--compare'",
        )


def _comparisons(table: Table, compare: list[Compare], by: list[str]) -> list[Table]:
    columns = [
        f"pt_{s}_met_expected_standard" for s in ("rwm", "read", "writta", "mat")
    ]
    names = table.frame.collect_schema().names()
    columns = [c for c in columns if c in names]
    out: list[Table] = []
    for c in compare:
        if c is Compare.NATIONAL:
            out.append(gap_to_national(table, columns=columns))
        elif c is Compare.GROUP:
            out.append(gap_to_group(table, columns=columns))
        else:
            out.append(trend(table, columns=columns))
    return out


#: What each comparison column says, after the subject (EES labels: at most 100 characters).
_SUFFIX_LABELS = {
    "_national": "% at the expected standard, England",
    "_gap_national": "% at the expected standard, gap to England (points)",
    "_comparison": "% at the expected standard, other pupils in England",
    "_gap_comparison": "% at the expected standard, gap to other pupils in England (points)",
    "_change": "% at the expected standard, change since the previous year (points)",
    "_change_national": "% at the expected standard, England's change (points)",
    "_change_against_national": "% at the expected standard, change minus England's "
    "change (points)",
}


def _short_names(columns: list[str]) -> dict[str, str]:
    """Name each comparison column ``pt_<subject>_exp<suffix>`` (EES names: 50 characters at most).

    Examples
    --------
    >>> from makingdata.cli._ks2 import _short_names
    >>> _short_names(["pt_rwm_met_expected_standard_gap_national", "previous_period"])
    {'pt_rwm_met_expected_standard_gap_national': 'pt_rwm_exp_gap_national'}
    """
    labels = {s.name: s.label for s in KS2_SUBJECTS}
    out: dict[str, str] = {}
    for c in columns:
        for subject in labels:
            stem = f"pt_{subject}_met_expected_standard"
            if c.startswith(stem) and c != stem:
                out[c] = f"pt_{subject}_exp{c.removeprefix(stem)}"
    return out


def _short_label(short: str) -> str:
    """Return the EES label of a comparison column named by :func:`_short_names`."""
    labels = {s.name: s.label for s in KS2_SUBJECTS}
    subject, _, suffix = short.removeprefix("pt_").partition("_exp")
    return f"{labels[subject]}: {_SUFFIX_LABELS[suffix]}"


def _join_comparisons(frame: pl.DataFrame, base: Table, extra: list[Table]) -> Table:
    """Add the new columns of each comparison to ``frame``, row for row."""
    spec = base.spec
    other = list(spec.other)
    labels = dict(spec.labels)
    for comp in extra:
        got = comp.frame.lazy().collect()
        new = [c for c in got.columns if c not in frame.columns]
        on = [c for c in got.columns if c in frame.columns and c not in comp.spec.other]
        renames = _short_names(new)
        # differences of DfE's whole-number percentages are whole numbers
        whole = [
            pl.col(c).round(0).cast(pl.Int64)
            for c in renames
            if got.schema[c].is_float()
        ]
        frame = frame.join(
            got.select(*on, *new).with_columns(whole).rename(renames),
            on=on,
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
        for c in new:
            short = renames.get(c, c)
            other.append(short)
            labels[short] = (
                "Academic year compared with (the previous year with results)"
                if c == "previous_period"
                else _short_label(short)
            )
    return Table(frame, attrs.evolve(spec, other=other, labels=labels))


def _compared(
    table: Table, compare: list[Compare], by: list[str], audience: str | None
) -> Table | ProtectedTable:
    """Return ``table`` with the comparisons, worked out from what ``audience`` will see."""
    if not compare:
        return table
    frame = table.frame.lazy().collect()
    if audience is not None and rule_set(audience).needs_protection:
        # compare the published figures: a suppressed cell gives no gap
        protected = protect(Table(frame, table.spec), audience)
        shown = protected.as_table()
        joined = _join_comparisons(
            protected.table, shown, _comparisons(shown, compare, by)
        )
        return attrs.evolve(protected, table=joined.data(), spec=joined.spec)
    built = Table(frame, table.spec)
    return _join_comparisons(frame, built, _comparisons(built, compare, by))


def ks2(
    *,
    results: Annotated[
        list[Path],
        typer.Option(
            "--results",
            metavar="PATH",
            help="KS2 pupil results (CSV or Parquet; one row per pupil and "
            "academic year); repeat for several years, or give one file holding "
            "several years (the trend)",
        ),
    ],
    schools: Annotated[
        Path,
        typer.Option(
            "--schools",
            metavar="PATH",
            help="schools (contract columns or GIAS), with lad_code/lad_name for "
            "--level district, establishment_type_group for --by school_type, "
            "education_phase for --by area_tier",
        ),
    ],
    level: Annotated[
        list[str] | None,
        typer.Option(
            "--level",
            metavar="LEVELS",
            help="school, trust, district, la, region, national (default "
            "la,national); " + LIST_HELP,
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            metavar="COLS",
            help="breakdowns: "
            f"{', '.join([*KS2_BREAKDOWNS, *KS2_SCHOOL_BREAKDOWNS])}; {LIST_HELP}",
            show_default=False,
        ),
    ] = None,
    years: Annotated[
        list[str] | None,
        typer.Option(
            "--years",
            metavar="YEARS",
            help="only these academic years, as 202425 (default: every year of "
            "the results); " + LIST_HELP,
            show_default=False,
        ),
    ] = None,
    compare: Annotated[
        list[str] | None,
        typer.Option(
            "--compare",
            metavar="WHAT",
            help="add comparisons: national (each row's gap to "
            "England, same year and group), group (disadvantaged pupils' gap to "
            "all other pupils nationally; needs --by disadvantage_status), trend "
            "(change since the previous year, and against England's change); "
            + LIST_HELP,
            show_default=False,
        ),
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects",
            metavar="PATH",
            help="write every rejected field as CSV (file, row, column, check, "
            "value; a UPN's value is left out)",
            show_default=False,
        ),
    ] = None,
    key_file: KeyFileOption = None,
    _key: RefusedKeyOption = None,
    out: OutOption = None,
    ees: EesOption = None,
    audience: AudienceOption = None,
) -> ExitCode:
    """Build a KS2 attainment table from pupils' results and the schools.

    DfE's measures (eligible pupils, % meeting the expected and the higher
    standard, average scaled scores) at each level asked, with breakdowns and
    Total rows; optionally each row's gap to England, the disadvantaged gap
    and the trend. Several years come from repeated --results or one file
    with several years. Rejected pupils are reported (file, line, field) and
    not counted: the exit code is then 1. Nothing is predicted.
    """
    if (out is None) == (ees is None):
        raise typer.BadParameter(
            "give exactly one of --out PATH (plain CSV) and --ees PATH (EES pair)",
            param_hint="'--out' / '--ees'",
        )
    wanted: list[int] = []
    for y in split_list(years) or []:
        if not (y.isdigit() and len(y) == 6):
            raise typer.BadParameter(
                f"{y!r} is not an academic year such as 202425", param_hint="'--years'"
            )
        wanted.append(int(y))
    comparisons = _parse_compare(compare)
    levels = split_list(level) or ["la", "national"]
    breakdowns = split_list(by) or []
    _check_compare(comparisons, levels, breakdowns)
    key = key_from_file(key_file)
    with Steps("ks2") as steps:
        steps.step(f"reading {', '.join(p.name for p in results)}")
        pupils, rejected = _read_results(results, key, rejects)
        steps.step(f"reading {schools.name}")
        schools_read = read_schools(schools)
        if schools_read.rejects.height:
            print(
                f"schools {schools.name}: {schools_read.rejects.height} rejected; "
                "pupils of a rejected school stop the command (run `makingdata "
                "validate` on the schools file)",
                file=sys.stderr,
            )
        if wanted:
            pupils = pupils.filter(pl.col("time_period").is_in(wanted))
            if not pupils.height:
                raise InputError(
                    f"the results have no pupils in {', '.join(map(str, wanted))}",
                    column="time_period",
                    hint="check --years against the years of the files",
                )
        steps.step("counting")
        table = ks2_table(
            pupils,
            schools_read.valid,
            levels=levels,
            by=breakdowns,
        )
        release = _compared(
            table,
            comparisons,
            breakdowns,
            None if audience is None else audience.value,
        )
        write_table(
            release,
            out=out,
            ees=ees,
            audience=None if audience is None else audience.value,
            steps=steps,
        )
    return ExitCode.FINDINGS if rejected else ExitCode.OK


def register(app: typer.Typer) -> None:
    """Add the ``ks2`` sub-command."""
    app.command(
        "ks2",
        short_help="build a KS2 attainment table from pupils' results and the schools",
        epilog=exit_codes(
            OK="the table is written",
            FINDINGS="the table is written; some pupils' rows were rejected (listed "
            "on stderr) and not counted",
            INPUT="",
            REFUSED="no --audience when one is needed",
        ),
    )(ks2)
