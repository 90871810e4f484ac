"""Pupil pseudonyms: the keyed hash of a UPN, and who may turn it back.

The one module for pupil identities, below both :mod:`makingdata.io` (which
turns UPNs into ``pupil_key`` at the read boundary) and
:mod:`makingdata.access` (which keeps identities inside the school), and used
by :mod:`makingdata.disclosure` for the columns no aggregate may carry:

* the key: :func:`resolve_key` (``key=`` or :data:`KEY_ENV_VAR`),
  :func:`read_key_file`, :func:`new_key`, and the rule a key must meet
  (:func:`key_problem`);
* UPN text and rules: :func:`compact_upn_expr`, :data:`UPN_RULES`,
  :func:`upn_problem`;
* the keyed hash: :func:`hash_upn`, :func:`upn_map`, :func:`pseudonymise`;
* the direct identifiers: :data:`DIRECT_IDENTIFIERS`,
  :func:`forbid_direct_identifiers`;
* re-identification inside a school: :class:`Reidentifier`,
  :func:`rotation_map`.

Private: the public names are re-exported by :mod:`makingdata.io`
(``pseudonymise``, ``KEY_ENV_VAR``, ``read_key_file``) and :mod:`makingdata.access`
(``Reidentifier``, ``rotation_map``, ``DIRECT_IDENTIFIERS``).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import secrets
import stat
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from makingdata.domain import check_upns
from makingdata.domain._fields import to_urn
from makingdata.errors import InputError, ScopeError

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "BIRTH_COHORT",
    "BIRTH_DATE_SPELLINGS",
    "DIRECT_IDENTIFIERS",
    "IDENTIFIER_SPELLINGS",
    "KEY_ENV_VAR",
    "UPN_RULES",
    "Reidentifier",
    "birth_cohort_expr",
    "compact_upn_expr",
    "forbid_direct_identifiers",
    "hash_upn",
    "is_birth_date",
    "is_direct_identifier",
    "key_problem",
    "new_key",
    "pseudonymise",
    "read_key_file",
    "resolve_key",
    "rotation_map",
    "upn_map",
    "upn_problem",
]

#: Environment variable read when no key is passed.
KEY_ENV_VAR = "MAKINGDATA_PSEUDONYM_KEY"

#: The shortest key accepted, in bytes: a key must be far beyond guessing.
MIN_KEY_BYTES = 32

#: The longest key accepted, in bytes: BLAKE2b takes keys of up to 64 bytes.
MAX_KEY_BYTES = 64

#: The fewest different byte values a key may have.
_MIN_DISTINCT_BYTES = 8

#: Group and other read/write permission bits: a key file must have none.
_SHARED_BITS = stat.S_IRGRP | stat.S_IWGRP | stat.S_IROTH | stat.S_IWOTH

#: How to make a key, in every message that refuses one.
MAKE_KEY_HINT = (
    "make a random key with `makingdata key new --out pseudonym.key` (or "
    '`python -c "import secrets; print(secrets.token_urlsafe(32))"`) and pass '
    f"it with --key-file pseudonym.key or the {KEY_ENV_VAR} environment variable"
)

#: The messages of the readers' UPN rules. Which rule a UPN breaks is decided
#: by :func:`makingdata.domain.check_upns` (``upn_rule``).
UPN_RULES: dict[str, str] = {
    "upn_length": "upn must be 13 characters",
    "upn_format": "upn must be a check letter, 11 digits and a final digit or letter",
    "upn_la_code": "characters 2-4 of the upn must be an English LA code",
    "upn_check_letter": "the upn's check letter does not match (DfE check-letter algorithm)",
}


def key_problem(key: bytes) -> str | None:
    """Return why ``key`` is not a usable pseudonym key, or None if it is.

    The rule: a key is 32 to 64 bytes (text counts in UTF-8 bytes; BLAKE2b
    takes at most 64), has at least 8 different byte values, is not a
    shorter pattern repeated (``abcabc…``, ``20242024…``), and is not a run
    (no single step between neighbouring bytes, such as ``+1`` in
    ``abcdef…`` or ``0`` in ``aaaa…``, makes up more than half of them).
    A key from ``secrets.token_urlsafe(32)``, ``secrets.token_hex(32)``,
    ``secrets.token_bytes(32)`` or :func:`new_key` meets it. The rule cannot
    tell a random key from a guessable one that happens to pass, so make
    keys at random. The answer never quotes the key.

    Examples
    --------
    >>> import secrets
    >>> from makingdata._pseudonym import key_problem
    >>> key_problem(secrets.token_urlsafe(32).encode()) is None
    True
    >>> key_problem(b"2024")
    'is 4 bytes long; it must be 32 to 64 bytes'
    >>> key_problem(b"abc" * 11)
    'has only 3 different byte values; it needs at least 8'
    >>> key_problem(b"abcdefgh" * 4)
    'is one 8-byte pattern repeated'
    >>> key_problem(b"abcdefghijklmnopqrstuvwxyz012345")
    'is a run of evenly spaced characters (such as abcdef… or 0123…)'
    """
    n = len(key)
    if not MIN_KEY_BYTES <= n <= MAX_KEY_BYTES:
        return f"is {n} bytes long; it must be {MIN_KEY_BYTES} to {MAX_KEY_BYTES} bytes"
    distinct = len(set(key))
    if distinct < _MIN_DISTINCT_BYTES:
        return (
            f"has only {distinct} different byte value{'' if distinct == 1 else 's'}; "
            f"it needs at least {_MIN_DISTINCT_BYTES}"
        )
    period = next((p for p in range(1, n // 2 + 1) if key[p:] == key[:-p]), None)
    if period is not None:
        return f"is one {period}-byte pattern repeated"
    steps = Counter(b - a for a, b in itertools.pairwise(key))
    if 2 * steps.most_common(1)[0][1] > n - 1:
        return "is a run of evenly spaced characters (such as abcdef… or 0123…)"
    return None


def _checked(raw: bytes, source: str, path: str | None = None) -> bytes:
    problem = key_problem(raw)
    if problem is not None:
        raise InputError(
            f"the pseudonym key {source} {problem}: a short or patterned key can "
            "be guessed, and every pupil_key made with it turned back into a UPN",
            path=path,
            hint=MAKE_KEY_HINT,
        )
    return raw


def resolve_key(key: str | bytes | None) -> bytes:
    """Return the pseudonym key as bytes, from ``key`` or the environment.

    ``key`` (text is encoded as UTF-8) or else the
    ``MAKINGDATA_PSEUDONYM_KEY`` environment variable (:data:`KEY_ENV_VAR`)
    must meet the key rule of :func:`key_problem`: 32 to 64 bytes, varied,
    not a pattern (the rule is spelt out in :func:`read_key_file`). Read a key kept in a file with :func:`read_key_file`.

    Raises
    ------
    InputError
        If there is no key, or it breaks the rule (the message says how to
        make one and never quotes the key).

    Examples
    --------
    >>> import secrets
    >>> from makingdata._pseudonym import resolve_key
    >>> len(resolve_key(secrets.token_hex(32)))
    64
    >>> resolve_key("2024")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    makingdata.errors.InputError: the pseudonym key given as key= is 4 bytes long; ...
    """
    raw, source = _key_bytes(key)
    return _checked(raw, source)


def _key_bytes(key: str | bytes | None) -> tuple[bytes, str]:
    """Return the key given (or in the environment) as bytes, and where it came from."""
    if key is not None:
        return (key.encode("utf-8") if isinstance(key, str) else bytes(key)), (
            "given as key="
        )
    env = os.environ.get(KEY_ENV_VAR)
    if not env:
        raise InputError(
            "a pseudonym key is needed to turn UPNs into pupil_key, and none was given",
            column="upn",
            hint=f"{MAKE_KEY_HINT} (in Python: key=... or "
            "key=makingdata.io.read_key_file(PATH))",
        )
    return env.encode("utf-8"), f"in {KEY_ENV_VAR}"


def _legacy_key(key: str | bytes | None) -> bytes:
    """Return a key that older releases accepted (1 to 64 bytes), without the rule."""
    raw, source = _key_bytes(key)
    if not 1 <= len(raw) <= MAX_KEY_BYTES:
        raise InputError(
            f"the pseudonym key {source} is {len(raw)} bytes long; BLAKE2b takes "
            f"1 to {MAX_KEY_BYTES} bytes",
            hint=MAKE_KEY_HINT,
        )
    return raw


def read_key_file(path: str | os.PathLike[str]) -> bytes:
    r"""Return the pseudonym key kept in a file, checked.

    The file holds the key and nothing else; one trailing line break
    (``\n`` or ``\r\n``) is dropped, every other byte is the key. On
    POSIX a regular file that its group or other users may read or write is
    refused (``chmod 600 FILE``): the key would no longer be secret. A pipe
    (``--key-file <(secret-tool lookup ...)``) is read as it is.

    Every pseudonym key (``key=``, this file, or the
    ``MAKINGDATA_PSEUDONYM_KEY`` environment variable) must be 32 to 64
    bytes (text counts in UTF-8 bytes; BLAKE2b takes at most 64), have at
    least 8 different byte values, not be a shorter pattern repeated
    (``abcabc…``) and not be a run (``abcdef…``, ``0123…``, ``aaaa…``). A
    longer key is refused, not shortened. Make keys at random:
    ``makingdata key new --out PATH`` or
    ``python -c "import secrets; print(secrets.token_urlsafe(32))"``.

    Parameters
    ----------
    path
        The key file, as made by ``makingdata key new --out PATH``.

    Returns
    -------
    bytes
        The key, for ``key=`` of the readers and :func:`pseudonymise`.

    Raises
    ------
    InputError
        If the file is missing or unreadable, others may read or write it,
        or its key breaks the rule; the message names the file, never the key.

    Examples
    --------
    >>> import os, pathlib, secrets, tempfile
    >>> from makingdata.io import read_key_file
    >>> p = pathlib.Path(tempfile.mkdtemp(), "pseudonym.key")
    >>> _ = p.write_text(secrets.token_urlsafe(32) + "\n")
    >>> p.chmod(0o600)
    >>> len(read_key_file(p))
    43
    """
    where = str(path)
    try:
        with Path(path).open("rb") as handle:
            info = os.fstat(handle.fileno())
            raw = handle.read(MAX_KEY_BYTES + 3)
    except OSError as err:
        raise InputError(
            f"cannot read the key file: {err.strerror or type(err).__name__}",
            path=where,
            hint="give the path of a file that holds only the key; " + MAKE_KEY_HINT,
        ) from None
    if (
        os.name == "posix"
        and stat.S_ISREG(info.st_mode)
        and info.st_mode & _SHARED_BITS
    ):
        raise InputError(
            "the key file may be read or changed by other users (permissions "
            f"{stat.S_IMODE(info.st_mode):04o}), so the key is not secret",
            path=where,
            hint=f"make it private with `chmod 600 {where}`, and if others may "
            "have read it, make a new key and rotate (makingdata.access.rotation_map)",
        )
    if len(raw) > MAX_KEY_BYTES + 2:  # more than the longest key and a line break
        raise InputError(
            f"the key file holds more than {MAX_KEY_BYTES} bytes: a pseudonym key "
            f"is {MIN_KEY_BYTES} to {MAX_KEY_BYTES} bytes, alone in its file",
            path=where,
            hint=MAKE_KEY_HINT,
        )
    if raw.endswith(b"\r\n"):
        raw = raw[:-2]
    elif raw.endswith(b"\n"):
        raw = raw[:-1]
    return _checked(raw, "in the key file", path=where)


def new_key() -> str:
    """Return a new random pseudonym key (43 URL-safe characters, 256 bits).

    The key is ``secrets.token_urlsafe(32)``, which meets the rule of
    :func:`key_problem`. ``makingdata key new --out PATH`` writes one to a
    private file.

    Examples
    --------
    >>> from makingdata._pseudonym import key_problem, new_key
    >>> key = new_key()
    >>> len(key), key_problem(key.encode()), key == new_key()
    (43, None, False)
    """
    while True:
        key = secrets.token_urlsafe(32)
        if key_problem(key.encode("ascii")) is None:
            return key


def upn_problem(upn: str) -> str | None:
    """Return the rule a (compacted) UPN breaks, or None if it is valid.

    The rule is :func:`makingdata.domain.check_upns`'s ``upn_rule``.

    Examples
    --------
    >>> from makingdata._pseudonym import upn_problem
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
    >>> from makingdata._pseudonym import hash_upn
    >>> import secrets
    >>> key, other = secrets.token_bytes(32), secrets.token_bytes(32)
    >>> hash_upn("B801200005001", key) == hash_upn("B801200005001", key)
    True
    >>> hash_upn("B801200005001", key) == hash_upn("B801200005001", other)
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
        The secret key, 32 to 64 bytes of random text or bytes (the rule:
        :func:`~makingdata.io.read_key_file`); defaults to the
        ``MAKINGDATA_PSEUDONYM_KEY`` environment variable. A key kept in a
        file: ``key=read_key_file(path)``.
    column
        Name of the UPN column.

    Returns
    -------
    polars.DataFrame
        ``frame`` without ``column``, with ``pupil_key`` first.

    Raises
    ------
    InputError
        If there is no key, the key is too short or too plain (see
        :func:`~makingdata.io.read_key_file`), or ``column`` is not in the
        frame.

    Examples
    --------
    >>> import secrets
    >>> import polars as pl
    >>> from makingdata.io import pseudonymise
    >>> df = pl.DataFrame({"upn": ["B801200005001", "b8012 00005001", "bad"]})
    >>> out = pseudonymise(df, key=secrets.token_urlsafe(32))
    >>> out.columns
    ['pupil_key']
    >>> out["pupil_key"][0] == out["pupil_key"][1], out["pupil_key"][2]
    (True, None)
    """
    return _pseudonymise(frame, resolve_key(key), column)


def _pseudonymise(
    frame: pl.DataFrame | pl.LazyFrame, secret: bytes, column: str
) -> pl.DataFrame:
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


#: Columns that name a pupil directly. They never leave the school: every
#: other viewer receives pupils only as ``pupil_key``.
DIRECT_IDENTIFIERS: tuple[str, ...] = (
    "upn",
    "former_upn",
    "uln",
    "forename",
    "surname",
    "legal_forename",
    "legal_surname",
)

#: Header spellings of direct identifiers, as MIS exports and spreadsheets
#: write them, compared case- and separator-insensitively (``UPN``,
#: ``Pupil UPN``, ``first-name`` …; see :func:`is_direct_identifier`).
IDENTIFIER_SPELLINGS: tuple[str, ...] = (
    *DIRECT_IDENTIFIERS,
    "unique_pupil_number",
    "pupil_upn",
    "previous_upn",
    "unique_learner_number",
    "first_name",
    "firstname",
    "given_name",
    "middle_name",
    "middle_names",
    "last_name",
    "lastname",
    "family_name",
    "preferred_forename",
    "preferred_surname",
    "legal_first_name",
    "legal_last_name",
    "name",
    "full_name",
    "pupil_name",
    "student_name",
    "child_name",
    "postcode",
    "post_code",
    "home_postcode",
    "address",
    "home_address",
    "email",
    "phone",
    "telephone",
)


def _squash(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


_SQUASHED = frozenset(_squash(n) for n in IDENTIFIER_SPELLINGS)


#: Header spellings of a pupil's date of birth (compared like
#: :data:`IDENTIFIER_SPELLINGS`; see :func:`is_birth_date`).
BIRTH_DATE_SPELLINGS: tuple[str, ...] = (
    "date_of_birth",
    "dob",
    "d_o_b",
    "birth_date",
    "birthdate",
    "pupil_dob",
    "pupil_date_of_birth",
    "child_dob",
)

_SQUASHED_BIRTH = frozenset(_squash(n) for n in BIRTH_DATE_SPELLINGS)

#: The column a coarsened date of birth is written to.
BIRTH_COHORT = "birth_cohort"


def is_birth_date(column: str) -> bool:
    """Whether a column holds a pupil's date of birth, whatever its spelling.

    Examples
    --------
    >>> from makingdata.access import is_birth_date
    >>> [is_birth_date(c) for c in ("DOB", "Date of Birth", "birth_cohort")]
    [True, True, False]
    """
    return _squash(column) in _SQUASHED_BIRTH


def birth_cohort_expr(column: str) -> pl.Expr:
    """Return 1 September of the school year a date of birth falls in.

    Pupils born from 1 September to 31 August are one school year group, so
    this keeps every age at 31 August exactly (the formula of
    :func:`makingdata.domain.age_at_31_august` gives the same age for the
    coarsened date) while dropping the day and month of birth. The result
    is a Date named :data:`BIRTH_COHORT`.

    Examples
    --------
    >>> import datetime as dt
    >>> import polars as pl
    >>> from makingdata.access import birth_cohort_expr
    >>> frame = pl.DataFrame({"dob": [dt.date(2016, 8, 31), dt.date(2016, 9, 1)]})
    >>> frame.select(birth_cohort_expr("dob"))["birth_cohort"].to_list()
    [datetime.date(2015, 9, 1), datetime.date(2016, 9, 1)]
    """
    day = pl.col(column).cast(pl.Date, strict=False)
    year = day.dt.year() - (day.dt.month() < 9).cast(pl.Int32)
    return pl.date(year, 9, 1).alias(BIRTH_COHORT)


def is_direct_identifier(column: str) -> bool:
    """Whether a column names a pupil directly, whatever its case and separators.

    ``UPN``, ``Upn``, ``pupil_upn``, ``Surname``, ``First Name`` and
    ``Post-code`` are all direct identifiers (:data:`IDENTIFIER_SPELLINGS`);
    ``pupil_key`` (the keyed hash) is not. A date of birth is not a direct
    identifier but it narrows a pupil down: :func:`is_birth_date` finds it,
    and :func:`makingdata.access.scope` coarsens it to the pupil's birth
    cohort for every viewer beyond the school (:func:`birth_cohort_expr`).

    Examples
    --------
    >>> from makingdata.access import is_direct_identifier
    >>> [
    ...     is_direct_identifier(c)
    ...     for c in ("UPN", "First Name", "Post-code", "pupil_key")
    ... ]
    [True, True, True, False]
    """
    return _squash(column) in _SQUASHED


class Reidentifier:
    """Turn a school's pupil keys back into UPNs: only with its key, only its pupils.

    ``pupil_key`` is the keyed BLAKE2b hash of the UPN that
    :func:`makingdata.io.pseudonymise` (and every reader in
    :mod:`makingdata.io`) computes at the read boundary. A keyed hash cannot
    be inverted; a school that holds its key *and its own UPN list* can hash
    its list and look keys up. That is all this class does: it keeps the map
    from the school's UPNs to their keys, and answers only for keys in that
    map and rows of that school. The key is used once, when the map is built,
    and is not kept.

    Parameters
    ----------
    urn
        The school whose pupils these are.
    upns
        The school's UPNs (its admission register); spaces and case do not
        matter.
    key
        The secret the school's data was read with; defaults to the
        ``MAKINGDATA_PSEUDONYM_KEY`` environment variable, as in
        :mod:`makingdata.io`. It must meet the key rule
        (:func:`~makingdata.io.read_key_file`) unless
        ``allow_weak_key``.
    allow_weak_key
        Accept any key of 1 to 64 bytes, as earlier versions did: only to
        build the *old* side of a :func:`rotation_map` away from a key that
        is now refused as too short or too plain.

    Raises
    ------
    InputError
        If there is no key, or it breaks the key rule (any key not of 1 to
        64 bytes, with ``allow_weak_key``).

    Examples
    --------
    >>> import secrets
    >>> import polars as pl
    >>> from makingdata.access import Reidentifier
    >>> from makingdata.io import pseudonymise
    >>> school_key = secrets.token_urlsafe(32)
    >>> upns = ["B801200005001", "A801200005001"]  # the second is invalid
    >>> r = Reidentifier(123456, upns, key=school_key)
    >>> r.rejected["upn"].to_list()
    ['A801200005001']
    >>> keyed = pseudonymise(pl.DataFrame({"upn": [upns[0]]}), key=school_key)
    >>> marks = keyed.with_columns(urn=pl.lit(123456, pl.UInt32))
    >>> r.reidentify(marks)["upn"].to_list()
    ['B801200005001']
    >>> another_key = secrets.token_urlsafe(32)
    >>> other = pseudonymise(pl.DataFrame({"upn": [upns[0]]}), key=another_key)
    >>> r.reidentify(other)["upn"].to_list()  # not this school's key: no UPN
    [None]
    """

    __slots__ = ("_map", "_rejected", "urn")

    def __init__(
        self,
        urn: int | str,
        upns: Iterable[str],
        *,
        key: str | bytes | None = None,
        allow_weak_key: bool = False,
    ) -> None:
        self.urn = to_urn(urn)
        secret = _legacy_key(key) if allow_weak_key else resolve_key(key)
        given = pl.DataFrame({"upn": list(upns)}, schema={"upn": pl.String})
        keyed = _pseudonymise(given.select(pl.col("upn").alias("_u")), secret, "_u")
        both = pl.concat([given, keyed], how="horizontal")
        self._rejected = both.filter(pl.col("pupil_key").is_null()).select("upn")
        valid = both.filter(pl.col("pupil_key").is_not_null())
        upn_text = (
            pl.col("upn").str.replace_all(" ", "", literal=True).str.to_uppercase()
        )
        self._map = valid.select("pupil_key", upn_text.alias("upn")).unique(
            "pupil_key", keep="first", maintain_order=True
        )

    def __repr__(self) -> str:
        return f"Reidentifier(urn={self.urn}, pupils={self._map.height})"

    @property
    def rejected(self) -> pl.DataFrame:
        """UPNs of the list that are not valid UPNs (they have no key)."""
        return self._rejected

    def __len__(self) -> int:
        return self._map.height

    def mapping(self) -> pl.DataFrame:
        """Return the school's ``pupil_key → upn`` map (keep it inside the school).

        Examples
        --------
        >>> import secrets
        >>> from makingdata.access import Reidentifier
        >>> key = secrets.token_urlsafe(32)
        >>> Reidentifier(123456, ["B801200005001"], key=key).mapping().columns
        ['pupil_key', 'upn']
        """
        return self._map

    def reidentify(
        self,
        frame: pl.DataFrame,
        *,
        key_column: str = "pupil_key",
        urn_column: str | None = "urn",
    ) -> pl.DataFrame:
        """Add a ``upn`` column to a frame of this school's pupils.

        Keys that are not one of this school's pupils (another school's, or
        made with another key) get a null ``upn``. When the frame has a URN
        column, every row must belong to this school.

        Raises
        ------
        InputError
            If ``key_column`` is missing, or the frame already has ``upn``.
        ScopeError
            If a row belongs to another school.
        """
        cols = frame.columns
        if key_column not in cols:
            raise InputError(
                f"the frame has no {key_column!r} column",
                column=key_column,
                hint=f"name the key column with key_column= (columns: {cols})",
            )
        if "upn" in cols:
            raise InputError(
                "the frame already has a 'upn' column",
                column="upn",
                hint="drop it before re-identifying",
            )
        if urn_column is not None and urn_column in cols:
            others = (
                frame.filter(pl.col(urn_column).cast(pl.Int64) != self.urn)
                .get_column(urn_column)
                .unique()
                .sort()
                .to_list()
            )
            if others:
                raise ScopeError(
                    f"school {self.urn} may re-identify only its own pupils; the "
                    f"frame has rows of URN(s) {others[:5]}",
                    column=urn_column,
                    hint="filter the frame to this school's rows first",
                )
        keyed = self._map.with_columns(
            pl.col("pupil_key").cast(frame.schema[key_column])
        )
        return frame.join(
            keyed,
            left_on=key_column,
            right_on="pupil_key",
            how="left",
            maintain_order="left",
        )


def rotation_map(old: Reidentifier, new: Reidentifier) -> pl.DataFrame:
    """Return ``old_pupil_key → new_pupil_key`` for one school's key rotation.

    Both re-identifiers must be the same school's, built from its UPN list
    with the old and the new key. Join the result on stored frames to move
    them to the new key without ever writing a UPN down. To move away from a
    key that is now refused as too short or too plain, build the old side
    with ``Reidentifier(urn, upns, key=old, allow_weak_key=True)``.

    Raises
    ------
    ScopeError
        If the two belong to different schools.

    Examples
    --------
    >>> import secrets
    >>> from makingdata.access import Reidentifier, rotation_map
    >>> upns = ["B801200005001"]
    >>> m = rotation_map(
    ...     Reidentifier(123456, upns, key="2024", allow_weak_key=True),
    ...     Reidentifier(123456, upns, key=secrets.token_urlsafe(32)),
    ... )
    >>> m.columns, m.height
    (['old_pupil_key', 'new_pupil_key'], 1)
    """
    if old.urn != new.urn:
        raise ScopeError(
            f"a key rotation is per school: {old.urn} and {new.urn} differ",
            column="urn",
            hint="build both re-identifiers for the same school",
        )
    return (
        old.mapping()
        .join(new.mapping(), on="upn", how="inner")
        .select(
            pl.col("pupil_key").alias("old_pupil_key"),
            pl.col("pupil_key_right").alias("new_pupil_key"),
        )
    )


def forbid_direct_identifiers(columns: Iterable[str], *, viewer: str) -> None:
    """Raise if a frame leaving the school still names pupils directly.

    Columns are matched with :func:`is_direct_identifier` (case and
    separators do not matter; common MIS spellings included).
    """
    found = [c for c in columns if is_direct_identifier(c)]
    if found:
        raise ScopeError(
            f"the frame has pupil identifier column(s) {found} and is for "
            f"{viewer}: pupil identities leave a school only as pupil_key",
            column=found[0],
            hint="read it with makingdata.io (or makingdata.io.pseudonymise) so "
            "UPNs become pupil_key, and drop names",
        )
