"""Reading schools: a file in the schools contract, or a GIAS establishment extract."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import polars as pl

from makingdata._contracts import EDUCATION_PHASE_DTYPE, SCHOOLS_SCHEMA, EducationPhase
from makingdata.io import _parse as prs
from makingdata.io._exports import ReadResult, finish
from makingdata.io._source import (
    ROW,
    Field,
    Source,
    missing_columns_error,
    read_source,
)
from makingdata.schemas import RowRule, schools_rules

if TYPE_CHECKING:
    from collections.abc import Mapping
    from os import PathLike

#: Column names of the schools contract and of GIAS ``edubasealldata`` extracts
#: (after trimming, lower-casing and joining with ``_``: ``LA (code)`` ->
#: ``la_code``).
SCHOOLS_FIELDS: tuple[Field, ...] = (
    Field("urn", ("school_urn",)),
    Field("school_name", ("establishmentname", "establishment_name", "name")),
    Field("laestab", ("la_estab", "dfe_number", "dfe_no")),
    Field("establishment_number", ("establishmentnumber", "estab")),
    Field("old_la_code", ("la_code", "la", "lea_code")),
    Field("new_la_code", ("gsslacode_name", "gss_la_code")),
    Field("la_name", ()),
    Field("region_code", ("gor_code_gss",)),
    Field("region_name", ("gor_name", "region")),
    Field("trust_id", ("trusts_code", "group_id")),
    Field("education_phase", ("phaseofeducation_name", "phase_of_education", "phase")),
    Field("establishment_type", ("typeofestablishment_name", "type_of_establishment")),
    Field(
        "establishment_type_group",
        ("establishmenttypegroup_name", "establishment_type_group_name"),
    ),
    Field("open_date", ("opendate",)),
    Field("close_date", ("closedate",)),
    Field(
        "lad_code",
        ("districtadministrative_code", "district_administrative_code", "lad"),
    ),
    Field(
        "lad_name",
        ("districtadministrative_name", "district_administrative_name", "district"),
    ),
)

#: GIAS placeholders for "no value".
GIAS_NULLS: tuple[str, ...] = ("not applicable", "does not apply", "none", "..", "n/a")

_PHASES = {p.value.lower(): p.value for p in EducationPhase} | {
    "middle deemed primary": EducationPhase.MIDDLE_DEEMED_PRIMARY.value,
    "middle deemed secondary": EducationPhase.MIDDLE_DEEMED_SECONDARY.value,
    "all through": EducationPhase.ALL_THROUGH.value,
    "ap": EducationPhase.ALTERNATIVE_PROVISION.value,
}


@cache
def la_table() -> pl.DataFrame:
    """Return the LA reference table (old/new codes, names, regions).

    Examples
    --------
    >>> from makingdata.io._gias import la_table
    >>> la_table().filter(old_la_code=330).select("la_name", "region_code").row(0)
    ('Birmingham', 'E12000005')
    """
    data = resources.files("makingdata.data").joinpath("las.csv").read_bytes()
    return pl.read_csv(
        data,
        columns=["old_la_code", "new_la_code", "la_name", "region_code", "region_name"],
        schema_overrides={"old_la_code": pl.UInt16},
    )


def _clean(name: str) -> pl.Expr:
    """Trimmed text with GIAS placeholders as null."""
    t = prs.inline_text(name)
    return pl.when(t.str.to_lowercase().is_in(list(GIAS_NULLS))).then(None).otherwise(t)


def read_schools(
    path: str | PathLike[str],
    *,
    encoding: str | None = None,
    separator: str = ",",
    trust_ids: Mapping[str, str] | None = None,
    strict: bool = False,
) -> ReadResult:
    r"""Read and validate schools: the schools contract or a GIAS extract.

    Accepts a file with the columns of :data:`~makingdata.schemas.SCHOOLS_SCHEMA`
    or a GIAS ``edubasealldata`` extract (latin-1, ``dd-mm-yyyy`` dates):
    ``URN``, ``EstablishmentName``, ``LA (code)``, ``EstablishmentNumber``
    (LAESTAB = LA code x 10000 + number), ``GSSLACode (name)``, ``GOR (name)``,
    ``Trusts (code)``, ``PhaseOfEducation (name)``, ``TypeOfEstablishment (name)``,
    ``EstablishmentTypeGroup (name)``, ``OpenDate``, ``CloseDate``, and the
    local authority district ``DistrictAdministrative (code)`` and ``(name)``
    (``lad_code``, ``lad_name``: null when the file has no such columns; a
    code that is not an English district's GSS code is rejected,
    ``lad_code_format``); the other GIAS columns are ignored and GIAS placeholders (``Not applicable``,
    ``Does not apply``, ``None``, ``..``) read as blank.

    LA name, new LA code and region come from the LA reference table
    (``makingdata/data/las.csv``) where the file leaves them blank; the region
    code is looked up from the region name (GIAS ``GOR (name)``). A school whose
    LA code is not one of England's 153 LAs is rejected (``la_unknown``).
    The phase is the EES label: special schools (type group ``Special schools``,
    or a type whose name says special, such as special academies) are
    ``Special``, pupil referral units and AP academies ``Alternative provision``;
    phases outside the EES list (``16 plus``) are left null and counted under
    ``education_phase_unmapped``. GIAS ``Trusts (code)`` holds the trust's group UID, not its ``TR`` id: pass ``trust_ids`` (UID -> ``TRnnnnn``,
    from GIAS ``allgroupsdata``) to fill ``trust_id``, else UIDs are left null
    and counted under ``trust_uid_unmapped``.

    Parameters
    ----------
    path
        A ``.csv`` file (GIAS or contract columns), a ``.parquet`` file or a
        Parquet directory.
    encoding
        CSV text encoding; detected when ``None`` (GIAS files are latin-1).
    separator
        CSV field separator.
    trust_ids
        Map from GIAS group UID (as text) to trust id (``TR`` + 5 digits).
    strict
        Raise :class:`~makingdata.errors.ValidationError` if any row is rejected.

    Returns
    -------
    ReadResult
        ``valid`` schools in :data:`~makingdata.schemas.SCHOOLS_SCHEMA`.

    Raises
    ------
    InputError
        If the input cannot be used at all.
    ValidationError
        With ``strict=True``, if any row is rejected.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from makingdata.io import read_schools
    >>> p = pathlib.Path(tempfile.mkdtemp(), "edubasealldata.csv")
    >>> _ = p.write_bytes(
    ...     b'"URN","LA (code)","EstablishmentNumber","EstablishmentName",'
    ...     b'"PhaseOfEducation (name)","OpenDate","GOR (name)","Trusts (code)"\n'
    ...     b'"100001","330","2001","St Mary\xe9s","Primary","01-09-2011",'
    ...     b'"West Midlands","Not applicable"\n'
    ... )
    >>> r = read_schools(p)
    >>> r.encoding
    'latin-1'
    >>> r.valid.select("laestab", "school_name", "new_la_code", "region_code").row(0)
    (3302001, 'St Maryés', 'E08000025', 'E12000005')
    >>> r.valid["lad_code"].to_list()  # no DistrictAdministrative columns
    [None]
    """
    return read_source(
        path,
        SCHOOLS_FIELDS,
        lambda source: _read_schools(source, trust_ids=trust_ids or {}, strict=strict),
        encoding=encoding,
        separator=separator,
    )


def _read_schools(
    source: Source, *, trust_ids: Mapping[str, str], strict: bool
) -> ReadResult:
    present = source.headers
    missing = [c for c in ("urn", "school_name") if c not in present]
    if missing:
        raise missing_columns_error(source, missing, SCHOOLS_FIELDS)
    names = [f.name for f in SCHOOLS_FIELDS]
    lf = source.lazy.rename({c: prs.raw(c) for c in present})
    lf = lf.with_columns(
        [pl.lit(None, pl.String).alias(prs.raw(c)) for c in names if c not in present]
    ).select(ROW, *[prs.raw(c) for c in names])
    raw = lf.select(ROW, *[prs.raw(c) for c in names if c in present])
    # GIAS placeholders -> null, as text, before any parsing.
    frame = lf.with_columns(
        [_clean(c).alias(f"_t_{c}") for c in names if c not in {"urn"}]
    )
    s = frame.collect_schema()
    las = la_table()
    regions = dict(
        zip(
            las["region_name"].str.to_lowercase().to_list(),
            las["region_code"].to_list(),
            strict=True,
        )
    )
    urn = prs.parse_urn(s[prs.raw("urn")])
    old_la = pl.col("_t_old_la_code")
    old_la_ok = old_la.str.contains(r"^\d{3}$")
    old_la_typed = pl.when(old_la_ok).then(old_la).cast(pl.UInt16)
    known = old_la_typed.is_in(las["old_la_code"].implode())
    estab = pl.col("_t_establishment_number")
    laestab_text = pl.col("_t_laestab")
    laestab = pl.coalesce(
        pl.when(laestab_text.str.contains(r"^\d{7}$"))
        .then(laestab_text)
        .cast(pl.UInt32),
        pl.when(estab.str.contains(r"^\d{4}$") & old_la_ok).then(
            old_la_typed.cast(pl.UInt32) * 10_000 + estab.cast(pl.UInt32)
        ),
    )
    lookup = las.rename({c: f"_la_{c}" for c in las.columns if c != "old_la_code"})
    frame = frame.with_columns(_old_la=old_la_typed).join(
        lookup.lazy(),
        left_on="_old_la",
        right_on="old_la_code",
        how="left",
        maintain_order="left",
    )
    region_name = pl.coalesce(pl.col("_t_region_name"), pl.col("_la_region_name"))
    region_code = pl.coalesce(
        pl.col("_t_region_code"),
        pl.col("_t_region_name")
        .str.to_lowercase()
        .replace_strict(regions, default=None, return_dtype=pl.String),
        pl.col("_la_region_code"),
    )
    trust = pl.col("_t_trust_id")
    trust_is_uid = trust.str.contains(r"^\d+$")
    trust_id = (
        pl.when(trust_is_uid)
        .then(
            trust.replace_strict(dict(trust_ids), default=None, return_dtype=pl.String)
        )
        .otherwise(trust)
    )
    group = pl.col("_t_establishment_type_group").str.to_lowercase()
    etype = pl.col("_t_establishment_type").str.to_lowercase()
    phase_text = pl.col("_t_education_phase")
    phase = (
        pl.when((group == "special schools") | etype.str.contains("special"))
        .then(pl.lit(EducationPhase.SPECIAL.value))
        .when(etype.str.contains("pupil referral unit|alternative provision"))
        .then(pl.lit(EducationPhase.ALTERNATIVE_PROVISION.value))
        .otherwise(
            phase_text.str.to_lowercase().replace_strict(
                _PHASES, default=None, return_dtype=pl.String
            )
        )
        .cast(EDUCATION_PHASE_DTYPE)
    )
    open_date = prs.parse_date(
        pl.String(), "open_date", required=False, text_expr=pl.col("_t_open_date")
    )
    close_date = prs.parse_date(
        pl.String(), "close_date", required=False, text_expr=pl.col("_t_close_date")
    )
    typed = {
        "urn": urn.expr,
        "school_name": pl.col("_t_school_name"),
        "laestab": laestab,
        "old_la_code": old_la_typed,
        "new_la_code": pl.coalesce(pl.col("_t_new_la_code"), pl.col("_la_new_la_code")),
        "la_name": pl.coalesce(pl.col("_t_la_name"), pl.col("_la_la_name")),
        "region_code": region_code,
        "region_name": region_name,
        "trust_id": trust_id,
        "education_phase": phase,
        "establishment_type": pl.col("_t_establishment_type"),
        "establishment_type_group": pl.col("_t_establishment_type_group"),
        "open_date": open_date.expr,
        "close_date": close_date.expr,
        "lad_code": pl.col("_t_lad_code").str.to_uppercase(),
        "lad_name": pl.col("_t_lad_name"),
    }
    rules = [
        *urn.rules,
        RowRule(
            "school_name_missing",
            "school_name",
            "school_name is blank",
            pl.col("_t_school_name").is_null(),
        ),
        RowRule(
            "old_la_code_missing",
            "old_la_code",
            "old_la_code (GIAS LA (code)) is blank",
            old_la.is_null(),
        ),
        RowRule(
            "old_la_code_invalid",
            "old_la_code",
            "old_la_code must be three digits",
            old_la.is_not_null() & old_la_ok.not_(),
        ),
        RowRule(
            "la_unknown",
            "old_la_code",
            "old_la_code is not one of England's 153 LAs (makingdata/data/las.csv)",
            old_la_ok & known.not_(),
        ),
        RowRule(
            "laestab_invalid",
            "laestab",
            "laestab must be seven digits, or EstablishmentNumber four digits",
            (laestab_text.is_not_null() & laestab_text.str.contains(r"^\d{7}$").not_())
            | (
                laestab_text.is_null()
                & estab.is_not_null()
                & estab.str.contains(r"^\d{4}$").not_()
            ),
        ),
        *open_date.rules,
        *close_date.rules,
        *[
            r
            for r in schools_rules()
            if r.name
            in {
                "duplicate_urn",
                "laestab_matches_la",
                "new_la_code_format",
                "region_code_format",
                "trust_id_format",
                "open_after_close",
                "lad_code_format",
                "lad_name_without_code",
            }
        ],
    ]
    warnings = [
        RowRule(
            "education_phase_unmapped",
            "education_phase",
            "phases outside the EES list (e.g. GIAS '16 plus') were left null",
            phase_text.is_not_null() & pl.col("education_phase").is_null(),
            severity="WARNING",
        ),
        RowRule(
            "trust_uid_unmapped",
            "trust_id",
            "GIAS trust UIDs without a trust_ids entry were left null "
            "(pass trust_ids=)",
            trust_is_uid & pl.col("trust_id").is_null(),
            severity="WARNING",
        ),
    ]
    raw_columns = [c for c in names if c in present]
    return finish(
        source,
        kind="schools",
        lazy=frame,
        raw=raw,
        raw_columns=raw_columns,
        typed=typed,
        rules=rules,
        warnings=warnings,
        contract=SCHOOLS_SCHEMA,
        strict=strict,
    )
