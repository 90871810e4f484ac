"""Pupil keys: the identifiers that may leave a school, and re-identification."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from makingdata.domain._fields import to_urn
from makingdata.errors import InputError, ScopeError
from makingdata.io import pseudonymise

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["DIRECT_IDENTIFIERS", "Reidentifier", "rotation_map"]

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
        :mod:`makingdata.io`.

    Raises
    ------
    InputError
        If there is no key, or it is empty or longer than 64 bytes.

    Examples
    --------
    >>> import polars as pl
    >>> from makingdata.access import Reidentifier
    >>> from makingdata.io import pseudonymise

    if TYPE_CHECKING:
    from collections.abc import Iterable
    >>> upns = ["B801200005001", "A801200005001"]  # the second is invalid
    >>> r = Reidentifier(123456, upns, key="school-secret")
    >>> r.rejected["upn"].to_list()
    ['A801200005001']
    >>> keyed = pseudonymise(pl.DataFrame({"upn": [upns[0]]}), key="school-secret")
    >>> marks = keyed.with_columns(urn=pl.lit(123456, pl.UInt32))
    >>> r.reidentify(marks)["upn"].to_list()
    ['B801200005001']
    >>> other = pseudonymise(pl.DataFrame({"upn": [upns[0]]}), key="another-key")
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
    ) -> None:
        self.urn = to_urn(urn)
        given = pl.DataFrame({"upn": list(upns)}, schema={"upn": pl.String})
        keyed = pseudonymise(
            given.select(pl.col("upn").alias("_u")), key=key, column="_u"
        )
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
        >>> from makingdata.access import Reidentifier
        >>> Reidentifier(123456, ["B801200005001"], key="k").mapping().columns
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
    them to the new key without ever writing a UPN down.

    Raises
    ------
    ScopeError
        If the two belong to different schools.

    Examples
    --------
    >>> from makingdata.access import Reidentifier, rotation_map
    >>> upns = ["B801200005001"]
    >>> m = rotation_map(
    ...     Reidentifier(123456, upns, key="2024"),
    ...     Reidentifier(123456, upns, key="2025"),
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
    """Raise if a frame leaving the school still names pupils directly."""
    found = [c for c in columns if c in DIRECT_IDENTIFIERS]
    if found:
        raise ScopeError(
            f"the frame has pupil identifier column(s) {found} and is for "
            f"{viewer}: pupil identities leave a school only as pupil_key",
            column=found[0],
            hint="read it with makingdata.io (or makingdata.io.pseudonymise) so "
            "UPNs become pupil_key, and drop names",
        )
