"""Reading KS2 pupil results (one row per pupil at the end of key stage 2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from makingdata._contracts import (
    KS2_RESULTS_SCHEMA,
    KS2_TA_DTYPE,
    KS2_TEST_CODE_DTYPE,
    SEN_PROVISION_DTYPE,
    SEX_DTYPE,
)
from makingdata.io import _parse as prs
from makingdata.io._exports import _SEN, _SEX, ReadResult, _pupil_id, finish
from makingdata.io._source import (
    ROW,
    Field,
    Source,
    missing_columns_error,
    read_source,
)
from makingdata.schemas import RowRule, ks2_results_rules

if TYPE_CHECKING:
    from os import PathLike

__all__ = ["KS2_RESULTS_FIELDS", "read_ks2_results"]

#: The test subjects: reading, maths, grammar-punctuation-spelling.
_TESTS = ("read", "mat", "gps")
_TEST_NAMES = {"read": "reading", "mat": "maths", "gps": "gps"}

#: Column names of a KS2 results file, with the spellings accepted for each
#: (after trimming, lower-casing and joining with ``_``).
KS2_RESULTS_FIELDS: tuple[Field, ...] = (
    Field("upn", ("unique_pupil_number", "pupil_upn")),
    Field("pupil_key", ()),
    Field("urn", ("school_urn", "establishment_urn")),
    Field("time_period", ("academic_year", "ks2_year")),
    *(
        f
        for s in _TESTS
        for f in (
            Field(
                f"{s}_scaled_score",
                (f"{_TEST_NAMES[s]}_scaled_score", f"{s}_score", f"ks2_{s}score"),
            ),
            Field(
                f"{s}_code",
                (
                    f"{_TEST_NAMES[s]}_code",
                    f"{s}_result_code",
                    f"{_TEST_NAMES[s]}_result_code",
                ),
            ),
        )
    ),
    Field("writta_outcome", ("writing_ta", "writing_teacher_assessment", "writta")),
    Field("scita_outcome", ("science_ta", "science_teacher_assessment", "scita")),
    Field("disadvantaged", ("disadvantage", "disadv", "pupil_premium", "pp")),
    Field("sen_provision", ("sen", "sen_status", "senprovision")),
    Field("eal", ("first_language_not_english", "english_additional_language")),
    Field("sex", ("gender",)),
    Field("looked_after", ("cla", "lac", "looked_after_child", "in_care")),
    Field("month_of_birth", ("mob", "birth_month")),
)

#: The data rules of :func:`~makingdata.schemas.ks2_results_rules` the reader
#: applies on the typed columns (the others are the parsers' own).
_DATA_RULES = frozenset(
    {
        "time_period_academic_year",
        *(
            f"{s}_{r}"
            for s in _TESTS
            for r in ("scaled_score_range", "score_and_code", "no_result")
        ),
        "scita_outcome_valid",
        "writta_outcome_valid",
        "month_of_birth_range",
        "duplicate_pupil",
    }
)


def _time_period(dtype: pl.DataType) -> prs.Parsed:
    """Parse ``202425``, ``2024/25``, ``2024-25`` or ``2024/2025`` into Int32 ``202425``."""
    if isinstance(dtype, (pl.Int32, pl.Int64, pl.UInt32, pl.UInt64)):
        v = pl.col(prs.raw("time_period")).cast(pl.Int64)
        typed = pl.when(v.is_between(100_000, 999_999)).then(v).cast(pl.Int32)
        present = v.is_not_null()
    else:
        t = pl.col(prs.raw("time_period")).cast(pl.String).str.strip_chars()
        t = pl.when(t.str.len_bytes() == 0).then(None).otherwise(t)
        six = t.str.extract(r"^(\d{6})$", 1)
        short = pl.concat_str(
            t.str.extract(r"^(\d{4})[/-]\d{2}$", 1),
            t.str.extract(r"^\d{4}[/-](\d{2})$", 1),
        )
        long = pl.concat_str(
            t.str.extract(r"^(\d{4})[/-]\d{2}\d{2}$", 1),
            t.str.extract(r"^\d{4}[/-]\d{2}(\d{2})$", 1),
        )
        typed = pl.coalesce(six, short, long).cast(pl.Int32, strict=False)
        present = t.is_not_null()
    rules = (
        RowRule(
            "time_period_missing", "time_period", "time_period is blank", present.not_()
        ),
        RowRule(
            "time_period_invalid",
            "time_period",
            "time_period must be an academic year: 202425, 2024/25 or 2024/2025",
            present & pl.col("time_period").is_null(),
        ),
    )
    return prs.Parsed(typed, rules)


def read_ks2_results(
    path: str | PathLike[str],
    *,
    key: str | bytes | None = None,
    encoding: str | None = None,
    separator: str = ",",
    strict: bool = False,
) -> ReadResult:
    r"""Read and validate KS2 pupil results (one row per pupil and academic year).

    Required: ``upn`` (or ``pupil_key``), ``urn`` (the school where the pupil
    sat the tests), ``time_period`` (``202425``, ``2024/25`` or
    ``2024/2025``), and for each test — reading (``read``), maths (``mat``),
    grammar-punctuation-spelling (``gps``) — a ``<test>_scaled_score`` column
    (80–120) and a ``<test>_code`` column (DfE's result codes, see
    :class:`~makingdata.domain.KS2TestCode`; at least one of the two columns
    of each test must be in the file). Optional (null when the column is
    absent): ``writta_outcome`` and ``scita_outcome`` (teacher assessment
    outcomes, :class:`~makingdata.domain.KS2TeacherAssessment`),
    ``disadvantaged``, ``eal``, ``looked_after`` (true/false, yes/no, y/n,
    1/0), ``sen_provision`` (CBDS ``N``/``K``/``E`` or the EES labels),
    ``sex`` (``M``/``F``/``U`` or the EES labels), ``month_of_birth`` (1–12).
    Codes and outcomes are read in any case. Header aliases, encodings and UPN
    hashing are as in :func:`read_marks`: UPNs become ``pupil_key`` here and
    never reach ``valid``.

    Every row is kept or rejected with its reasons, never dropped: besides
    the values that cannot be read, each rule of
    :func:`~makingdata.schemas.ks2_results_rules` that concerns a row is
    applied — a scaled score outside 80–120, a test with both a score and a
    code or with neither, a science outcome that is not EXS, HNM or a code,
    HNM in writing, a month of birth outside 1–12, a repeated pupil and year
    (every row of the repeat is rejected).

    Parameters
    ----------
    path
        A ``.csv`` file, a ``.parquet`` file or a Parquet directory.
    key
        Secret for the UPN hash (as for :func:`read_marks`); defaults to
        ``MAKINGDATA_PSEUDONYM_KEY``. Not needed with ``pupil_key``.
    encoding
        CSV text encoding; detected when ``None``.
    separator
        CSV field separator.
    strict
        Raise :class:`~makingdata.errors.ValidationError` if any row is rejected.

    Returns
    -------
    ReadResult
        ``valid`` results in :data:`~makingdata.schemas.KS2_RESULTS_SCHEMA`
        (they pass :func:`~makingdata.schemas.check_ks2_results`).

    Raises
    ------
    InputError
        If the input cannot be used at all (as :func:`read_marks`), or a test
        has neither a score nor a code column.
    ValidationError
        With ``strict=True``, if any row is rejected.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from makingdata.io import read_ks2_results
    >>> p = pathlib.Path(tempfile.mkdtemp(), "ks2.csv")
    >>> _ = p.write_text(
    ...     "UPN,URN,Academic Year,read_scaled_score,read_code,mat_scaled_score,"
    ...     "mat_code,gps_scaled_score,gps_code,writta_outcome,scita_outcome,SEN\n"
    ...     "B801200005001,100001,2024/25,104,,,a,99,,EXS,EXS,N\n"
    ...     "A801200005001,100001,2024/25,121,,100,,100,,GDS,EXS,K\n"
    ... )
    >>> result = read_ks2_results(p, key="example-key-xtdrHM3hka0or0zXRGAmVBEQ")
    >>> result.valid.select("time_period", "read_scaled_score", "mat_code").row(0)
    (202425, 104, 'A')
    >>> result.rejects.select("row", "errors").row(0)
    (3, ['upn_check_letter', 'read_scaled_score_range'])
    """
    return read_source(
        path,
        KS2_RESULTS_FIELDS,
        lambda source: _read_ks2_results(source, key=key, strict=strict),
        encoding=encoding,
        separator=separator,
    )


def _read_ks2_results(
    source: Source, *, key: str | bytes | None, strict: bool
) -> ReadResult:
    present = source.headers
    missing = [c for c in ("urn", "time_period") if c not in present]
    if "upn" not in present and "pupil_key" not in present:
        missing.insert(0, "upn")
    missing += [
        f"{s}_scaled_score"
        for s in _TESTS
        if f"{s}_scaled_score" not in present and f"{s}_code" not in present
    ]
    if missing:
        raise missing_columns_error(source, missing, KS2_RESULTS_FIELDS)
    id_col = "upn" if "upn" in present else "pupil_key"
    other_id = "pupil_key" if id_col == "upn" else "upn"
    names = [
        f.name for f in KS2_RESULTS_FIELDS if f.name in present and f.name != other_id
    ]
    lf = source.lazy.rename({c: prs.raw(c) for c in present}).select(
        ROW, *[prs.raw(c) for c in names]
    )
    # Optional columns that are absent become null text, so one code path reads them.
    absent = [c for c in KS2_RESULTS_SCHEMA if c not in present and c != "pupil_key"]
    raw = lf.with_columns([pl.lit(None, pl.String).alias(prs.raw(c)) for c in absent])
    lazy, id_col, id_rules = _pupil_id(source, KS2_RESULTS_FIELDS, raw, key)
    s = raw.collect_schema()
    parsed: dict[str, prs.Parsed] = {
        "urn": prs.parse_urn(s[prs.raw("urn")]),
        "time_period": _time_period(s[prs.raw("time_period")]),
    }
    for t in _TESTS:
        parsed[f"{t}_scaled_score"] = prs.parse_uint(
            s[prs.raw(f"{t}_scaled_score")],
            f"{t}_scaled_score",
            pl.UInt8(),
            digits=r"^\d{1,3}$",
            what="a whole-number scaled score (80 to 120)",
        )
        parsed[f"{t}_code"] = prs.parse_enum(
            s[prs.raw(f"{t}_code")],
            f"{t}_code",
            KS2_TEST_CODE_DTYPE,
            None,
            what="a KS2 test result code (A, B, F, H, J, L, M, P, Q, T or U)",
        )
    for ta in ("writta_outcome", "scita_outcome"):
        parsed[ta] = prs.parse_enum(
            s[prs.raw(ta)],
            ta,
            KS2_TA_DTYPE,
            None,
            what="a KS2 teacher assessment outcome (GDS, EXS, WTS, HNM, PK1-PK6, "
            "EM, BLW, A, D, L, F, P or Q)",
        )
    parsed["disadvantaged"] = prs.parse_bool(
        s[prs.raw("disadvantaged")], "disadvantaged"
    )
    parsed["sen_provision"] = prs.parse_enum(
        s[prs.raw("sen_provision")],
        "sen_provision",
        SEN_PROVISION_DTYPE,
        _SEN,
        what="N, K, E or an EES SEN provision label",
    )
    parsed["eal"] = prs.parse_bool(s[prs.raw("eal")], "eal")
    parsed["sex"] = prs.parse_enum(
        s[prs.raw("sex")],
        "sex",
        SEX_DTYPE,
        _SEX,
        what="M, F, U or Male, Female, Unknown",
    )
    parsed["looked_after"] = prs.parse_bool(s[prs.raw("looked_after")], "looked_after")
    parsed["month_of_birth"] = prs.parse_uint(
        s[prs.raw("month_of_birth")],
        "month_of_birth",
        pl.UInt8(),
        digits=r"^\d{1,2}$",
        what="a month number (1 to 12)",
    )
    typed_names = [c for c in KS2_RESULTS_SCHEMA if c != "pupil_key"]
    typed = {name: parsed[name].expr for name in typed_names}
    data_rules = [r for r in ks2_results_rules() if r.name in _DATA_RULES]
    return finish(
        source,
        kind="KS2 results",
        lazy=lazy,
        raw=raw,
        raw_columns=[id_col, *typed_names],
        typed=typed,
        rules=[
            *id_rules,
            *(r for n in typed_names for r in parsed[n].rules),
            *data_rules,
        ],
        contract=KS2_RESULTS_SCHEMA,
        column_alias={"pupil_key": id_col},
        strict=strict,
    )
