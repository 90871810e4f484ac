"""UPN checks and the keyed hash that turns a UPN into ``pupil_key``."""

from __future__ import annotations

import hashlib
import os

import polars as pl

from makingdata.domain import check_upns
from makingdata.errors import InputError

#: Environment variable read when no key is passed.
KEY_ENV_VAR = "MAKINGDATA_PSEUDONYM_KEY"

#: BLAKE2b accepts keys of 1 to 64 bytes.
_MAX_KEY_BYTES = 64

#: The messages of the readers' UPN rules. Which rule a UPN breaks is decided
#: by :func:`makingdata.domain.check_upns` (``upn_rule``).
UPN_RULES: dict[str, str] = {
    "upn_length": "upn must be 13 characters",
    "upn_format": "upn must be a check letter, 11 digits and a final digit or letter",
    "upn_la_code": "characters 2-4 of the upn must be an English LA code",
    "upn_check_letter": "the upn's check letter does not match (DfE check-letter algorithm)",
}


def resolve_key(key: str | bytes | None) -> bytes:
    """Return the pseudonym key as bytes, from ``key`` or the environment.

    Raises
    ------
    InputError
        If there is no key, or it is empty or longer than 64 bytes.
    """
    if key is None:
        env = os.environ.get(KEY_ENV_VAR)
        if not env:
            raise InputError(
                "a pseudonym key is needed to turn UPNs into pupil_key, and none "
                "was given",
                column="upn",
                hint=f"pass key=... (or --key), or set the {KEY_ENV_VAR} "
                "environment variable to your organisation's secret",
            )
        key = env
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not 1 <= len(raw) <= _MAX_KEY_BYTES:
        raise InputError(
            f"the pseudonym key must be 1 to {_MAX_KEY_BYTES} bytes long "
            f"(got {len(raw)})",
            hint="use a random secret of 16 to 64 bytes",
        )
    return raw


def upn_problem(upn: str) -> str | None:
    """Return the rule a (compacted) UPN breaks, or None if it is valid.

    The rule is :func:`makingdata.domain.check_upns`'s ``upn_rule``.

    Examples
    --------
    >>> from makingdata.io._pseudonym import upn_problem
    >>> upn_problem("B801200005001") is None
    True
    >>> upn_problem("A801200005001")
    'upn_check_letter'
    """
    rule: str | None = check_upns(pl.Series([upn], dtype=pl.String)).item(0, "upn_rule")
    return rule


def hash_upn(upn: str, key: bytes) -> int:
    """Return the keyed BLAKE2b pupil key (8-byte digest, big-endian) of one UPN.

    Examples
    --------
    >>> from makingdata.io._pseudonym import hash_upn
    >>> hash_upn("B801200005001", b"secret") == hash_upn("B801200005001", b"secret")
    True
    >>> hash_upn("B801200005001", b"secret") == hash_upn("B801200005001", b"other")
    False
    """
    digest = hashlib.blake2b(upn.encode("ascii"), key=key, digest_size=8).digest()
    return int.from_bytes(digest, "big")


def upn_map(upns: pl.Series, key: bytes) -> pl.DataFrame:
    """Check and hash each distinct UPN once.

    ``upns`` holds compacted (upper case, no spaces) UPN text and may repeat;
    the result has one row per distinct non-null UPN: ``_upn`` (the text),
    ``pupil_key`` (UInt64, null when the UPN is invalid) and ``_upn_rule``
    (the rule it breaks, or null). Python runs once per distinct UPN, never
    per row.
    """
    distinct = upns.drop_nulls().unique()
    texts: list[str] = distinct.to_list()
    rules: list[str | None] = check_upns(distinct).get_column("upn_rule").to_list()
    keys = [
        None if rule else hash_upn(text, key)
        for text, rule in zip(texts, rules, strict=True)
    ]
    return pl.DataFrame(
        {"_upn": texts, "pupil_key": keys, "_upn_rule": rules},
        schema={
            "_upn": pl.String,
            "pupil_key": pl.UInt64,
            "_upn_rule": pl.Enum(list(UPN_RULES)),
        },
    )


def compact_upn_expr(col: str | pl.Expr) -> pl.Expr:
    """Return UPN text in stdnum's compact form: no spaces, upper case, stripped.

    Mirrors ``stdnum.gb.upn.compact`` (remove spaces, upper-case, strip other
    surrounding whitespace), so the text that is checked is the text that is
    hashed: a UPN with a tab around it gets the same ``pupil_key`` as without.
    """
    c = pl.col(col) if isinstance(col, str) else col
    text = (
        c.cast(pl.String)
        .str.replace_all(" ", "", literal=True)
        .str.to_uppercase()
        .str.strip_chars()
    )
    return pl.when(text.str.len_bytes() == 0).then(None).otherwise(text)


def pseudonymise(
    frame: pl.DataFrame | pl.LazyFrame,
    *,
    key: str | bytes | None = None,
    column: str = "upn",
) -> pl.DataFrame:
    """Replace a UPN column by ``pupil_key`` (keyed BLAKE2b, 8 bytes, UInt64).

    Each distinct UPN is checked (length, format, LA code, DfE check letter,
    via ``stdnum.gb.upn``) and hashed once, then joined back. The UPN column
    is dropped; rows whose UPN is missing or invalid get a null ``pupil_key``.
    The readers use the same hash, so keys agree across files read with the
    same key.

    Parameters
    ----------
    frame
        Any frame with a UPN column.
    key
        The secret key (1-64 bytes); defaults to the
        ``MAKINGDATA_PSEUDONYM_KEY`` environment variable.
    column
        Name of the UPN column.

    Returns
    -------
    polars.DataFrame
        ``frame`` without ``column``, with ``pupil_key`` first.

    Raises
    ------
    InputError
        If there is no key, or ``column`` is not in the frame.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.io import pseudonymise
    >>> df = pl.DataFrame({"upn": ["B801200005001", "b8012 00005001", "bad"]})
    >>> out = pseudonymise(df, key="secret")
    >>> out.columns
    ['pupil_key']
    >>> out["pupil_key"][0] == out["pupil_key"][1], out["pupil_key"][2]
    (True, None)
    """
    secret = resolve_key(key)
    lf = frame.lazy()
    names = lf.collect_schema().names()
    if column not in names:
        raise InputError(
            f"the frame has no {column!r} column",
            column=column,
            hint=f"name the UPN column; the frame has {names}",
        )
    df = lf.with_columns(compact_upn_expr(column).alias("_upn")).collect()
    mapping = upn_map(df.get_column("_upn"), secret)
    out = df.join(
        mapping.select("_upn", "pupil_key"),
        on="_upn",
        how="left",
        maintain_order="left",
    )
    rest = [c for c in names if c != column]
    return out.select("pupil_key", *rest)
