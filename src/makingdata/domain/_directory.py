"""The Directory: schools, trusts, LAs and regions, answered as of a date."""

from __future__ import annotations

import datetime as dt
import itertools
import warnings
from typing import TYPE_CHECKING, TypeVar

import polars as pl

from makingdata._contracts import MEMBERSHIPS_SCHEMA, SCHOOLS_OPTIONAL, SCHOOLS_SCHEMA
from makingdata.domain._convert import (
    PREVIOUS_LA,
    build_rows,
    conform,
    frame_to_memberships,
    memberships_to_frame,
    school_from_row,
    schools_to_frame,
)
from makingdata.domain._identifiers import (
    is_valid_new_la_code,
    validate_new_la_code,
    validate_old_la_code,
    validate_trust_id,
    validate_urn,
)
from makingdata.domain._organisations import (
    LocalAuthority,
    Region,
    School,
    Trust,
    TrustMembership,
    default_local_authorities,
)
from makingdata.errors import InputError, MakingDataWarning

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["Directory"]

_F = TypeVar("_F", pl.DataFrame, pl.LazyFrame)
_DAY = dt.timedelta(days=1)
#: Columns :meth:`Directory.as_of` adds.
_AS_OF_COLUMNS = (
    "school_open",
    "trust_id",
    "old_la_code",
    "new_la_code",
    "la_name",
    "region_code",
    "region_name",
)

#: One stretch of a school's LA history: (first day, last day, LA); None = open end.
_Period = tuple[dt.date | None, dt.date | None, LocalAuthority]


class Directory:
    """Schools, their trusts, LAs and regions, answering questions as of a date.

    Schools open and close, move between trusts, and LAs are reorganised; every
    question is asked for a date. The directory answers one at a time
    (:meth:`school`, :meth:`la_of`, :meth:`trust_of`, :meth:`schools_in_trust`,
    :meth:`schools_in_la` …) and, for kernels, for a whole frame at once
    (:meth:`as_of`, :meth:`memberships_on`) with polars joins, never a Python
    loop per row.

    Rules (see the "Organisations and the Directory" concept page):

    * a school is open from ``open_date`` to ``close_date``, both included;
    * a membership runs from ``joined`` to ``left``, both included, and a school
      is in at most one trust on any day;
    * a school's LA on a date is the LA GIAS records for it, followed back to
      its predecessor before that LA came into operation (and on to its
      successor after it was abolished) when there is exactly one; where an LA
      was formed from several (BCP, 839) the school's ``previous_la_code``
      chooses, and without it the LA before the change is unknown (None);
    * geography (LA names, regions) comes from the directory's LA table, by
      GSS code; LAs that schools name but the table lacks are added as given.

    Parameters
    ----------
    schools
        The schools, one per URN.
    memberships
        Trust memberships over time; each URN must be one of ``schools``.
    trusts
        Trusts with names and types; trusts named only in ``memberships`` are
        added with the name the memberships give (or none).
    local_authorities
        The LA table; by default :func:`default_local_authorities` (the 153
        current LAs and those abolished since 2009, with their dates).

    Raises
    ------
    InputError
        On a duplicate URN, a membership for an unknown school, overlapping
        memberships of one school, or a school's LA whose old code disagrees
        with the LA table.

    Examples
    --------
    >>> import datetime as dt
    >>> from makingdata.domain import (
    ...     Directory,
    ...     LocalAuthority,
    ...     Region,
    ...     School,
    ...     TrustMembership,
    ... )
    >>> yh = Region("E12000003", "Yorkshire and The Humber")
    >>> ny = LocalAuthority(815, "E06000065", "North Yorkshire", yh)
    >>> school = School(121681, "Malton School", 8154012, ny, "Secondary")
    >>> moves = [
    ...     TrustMembership(
    ...         121681, "TR00001", dt.date(2016, 9, 1), dt.date(2021, 8, 31)
    ...     ),
    ...     TrustMembership(121681, "TR00002", dt.date(2021, 9, 1)),
    ... ]
    >>> d = Directory([school], moves)
    >>> d.la_of(
    ...     121681, on=dt.date(2023, 3, 31)
    ... ).new_la_code  # the county, before 1 April 2023
    'E10000023'
    >>> d.la_of(121681, on=dt.date(2023, 4, 1)).new_la_code
    'E06000065'
    >>> d.trust_of(121681, on=dt.date(2020, 1, 6)).trust_id
    'TR00001'
    >>> [s.urn for s in d.schools_in_trust("TR00002", on=dt.date(2024, 1, 8))]
    [121681]
    """

    __slots__ = (
        "_by_old",
        "_la_periods",
        "_las",
        "_member_frame",
        "_memberships",
        "_schools",
        "_segments",
        "_trusts",
    )

    def __init__(
        self,
        schools: Iterable[School],
        memberships: Iterable[TrustMembership] = (),
        *,
        trusts: Iterable[Trust] = (),
        local_authorities: Iterable[LocalAuthority] | None = None,
    ) -> None:
        self._schools = self._check_schools(schools)
        self._las = self._check_las(
            default_local_authorities()
            if local_authorities is None
            else local_authorities
        )
        self._by_old: dict[int, list[LocalAuthority]] = {}
        for la in self._las.values():
            self._by_old.setdefault(la.old_la_code, []).append(la)
        self._trusts: dict[str, Trust] = {t.trust_id: t for t in trusts}
        self._memberships = self._check_memberships(memberships)
        self._la_periods: dict[int, list[_Period]] = {
            urn: self._periods_for(school) for urn, school in self._schools.items()
        }
        self._member_frame = self._membership_frame()
        self._segments: pl.DataFrame | None = None

    # ------------------------------------------------------------ construction
    @staticmethod
    def _check_schools(schools: Iterable[School]) -> dict[int, School]:
        by_urn: dict[int, School] = {}
        for school in schools:
            if not isinstance(school, School):
                raise InputError(
                    f"expected School objects, got {school!r}",
                    column="schools",
                    hint="build School objects, or use Directory.from_frames",
                )
            if school.urn in by_urn:
                raise InputError(
                    f"URN {school.urn} appears twice among the schools",
                    column="urn",
                    hint="give each school once (its latest GIAS record)",
                )
            by_urn[school.urn] = school
        return by_urn

    def _check_las(self, table: Iterable[LocalAuthority]) -> dict[str, LocalAuthority]:
        las = {la.new_la_code: la for la in table}
        for school in self._schools.values():
            known = las.get(school.la.new_la_code)
            if known is None:
                las[school.la.new_la_code] = school.la
            elif known.old_la_code != school.la.old_la_code:
                raise InputError(
                    f"school {school.urn} is in LA {school.la.new_la_code} with old code "
                    f"{school.la.old_la_code}, but the LA table gives {known.old_la_code} "
                    f"({known.name})",
                    column="old_la_code",
                    hint="correct the school's LA, or pass local_authorities=",
                )
        return las

    def _check_memberships(
        self, memberships: Iterable[TrustMembership]
    ) -> dict[int, list[TrustMembership]]:
        by_urn: dict[int, list[TrustMembership]] = {}
        for m in memberships:
            if not isinstance(m, TrustMembership):
                raise InputError(
                    f"expected TrustMembership objects, got {m!r}",
                    column="memberships",
                    hint="build TrustMembership objects, or use Directory.from_frames",
                )
            if m.urn not in self._schools:
                raise InputError(
                    f"a membership of trust {m.trust_id} names URN {m.urn}, which is "
                    "not among the schools",
                    column="urn",
                    hint="include that school, or filter the memberships to the schools given",
                )
            by_urn.setdefault(m.urn, []).append(m)
            if m.trust_id not in self._trusts:
                self._trusts[m.trust_id] = Trust(m.trust_id, m.trust_name)
        for urn, history in by_urn.items():
            history.sort(key=lambda m: m.joined or dt.date.min)
            for before, after in itertools.pairwise(history):
                if before.left is None or (after.joined or dt.date.min) <= before.left:
                    raise InputError(
                        f"school {urn} is in trusts {before.trust_id} and "
                        f"{after.trust_id} at once (from "
                        f"{(after.joined or dt.date.min).isoformat()})",
                        column="joined",
                        hint="end the first membership before the next begins",
                    )
        return by_urn

    @classmethod
    def from_frames(
        cls,
        schools: pl.DataFrame,
        memberships: pl.DataFrame | None = None,
        *,
        local_authorities: Iterable[LocalAuthority] | None = None,
    ) -> Directory:
        """Build a directory from a ``schools`` frame and a ``memberships`` frame.

        Parameters
        ----------
        schools
            A frame with the columns of ``SCHOOLS_SCHEMA`` (and optionally
            ``previous_la_code``); ``lad_code`` and ``lad_name`` may be left
            out (null districts).
        memberships
            A frame with the columns of ``MEMBERSHIPS_SCHEMA``. When ``None``,
            each school with a ``trust_id`` is taken to be in that trust
            throughout (no dates). When given, the memberships are the truth
            and a schools ``trust_id`` that disagrees with the school's trust
            at the end of its records (:meth:`current_trust_ids`) gives a
            :class:`~makingdata.errors.MakingDataWarning`.
        local_authorities
            The LA table (default: :func:`default_local_authorities`).

        Raises
        ------
        InputError
            If a column is missing or cannot be cast, or a row is invalid (the
            message names the 0-based row).

        Examples
        --------
        >>> import polars as pl
        >>> from makingdata.domain import Directory
        >>> schools = pl.DataFrame(
        ...     {
        ...         "urn": [123456],
        ...         "school_name": ["Example Primary"],
        ...         "laestab": [8852001],
        ...         "old_la_code": [885],
        ...         "new_la_code": ["E10000034"],
        ...         "la_name": ["Worcestershire"],
        ...         "region_code": ["E12000005"],
        ...         "region_name": ["West Midlands"],
        ...         "trust_id": ["TR00092"],
        ...         "education_phase": ["Primary"],
        ...         "establishment_type": ["Academy converter"],
        ...         "establishment_type_group": ["Academies"],
        ...         "open_date": [None],
        ...         "close_date": [None],
        ...     }
        ... )
        >>> d = Directory.from_frames(schools)
        >>> d.trust_of(123456).trust_id
        'TR00092'
        """
        data = conform(
            schools,
            SCHOOLS_SCHEMA,
            name="schools",
            optional={PREVIOUS_LA: pl.UInt16()},
            nullable=SCHOOLS_OPTIONAL,
        )
        las = (
            default_local_authorities()
            if local_authorities is None
            else tuple(local_authorities)
        )
        table = {la.new_la_code: la for la in las}
        cache: dict[tuple[object, ...], LocalAuthority] = {}
        school_list = build_rows(data, lambda row: school_from_row(row, table, cache))
        frame_trusts: dict[int, str] = dict(
            data.select("urn", "trust_id").drop_nulls().iter_rows()
        )
        if memberships is None:
            member_list = build_rows(
                data.select("urn", "trust_id").drop_nulls(),
                lambda row: TrustMembership(row["urn"], row["trust_id"]),
            )
        else:
            member_list = frame_to_memberships(memberships)
        directory = cls(school_list, member_list, local_authorities=las)
        if memberships is not None:
            current = directory.current_trust_ids()
            differ = sorted(
                urn for urn, trust in frame_trusts.items() if current.get(urn) != trust
            )
            if differ:
                warnings.warn(
                    f"{len(differ)} school(s) have a trust_id in the schools frame that "
                    f"is not their trust in the memberships (e.g. URN {differ[0]}); the "
                    "memberships frame is used",
                    MakingDataWarning,
                    stacklevel=2,
                )
        return directory

    def to_frames(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Return ``(schools, memberships)`` frames, sorted by URN (and joined date).

        The schools frame follows ``SCHOOLS_SCHEMA`` (its ``trust_id`` is the
        school's trust at the end of its records, see :meth:`current_trust_ids`);
        a ``previous_la_code`` column is added when any school has one. The
        memberships frame follows ``MEMBERSHIPS_SCHEMA``, with trust names from
        the directory's trusts.

        Examples
        --------
        >>> from makingdata.domain import Directory, LocalAuthority, Region, School
        >>> la = LocalAuthority(
        ...     885, "E10000034", "Worcestershire", Region("E12000005", "West Midlands")
        ... )
        >>> schools, memberships = Directory(
        ...     [School(123456, "Example Primary", 8852001, la)]
        ... ).to_frames()
        >>> schools.height, memberships.height
        (1, 0)
        """
        schools = sorted(self._schools.values(), key=lambda s: s.urn)
        with_previous = any(s.previous_la_code is not None for s in schools)
        schools_frame = schools_to_frame(
            schools, trust_ids=self.current_trust_ids(), with_previous_la=with_previous
        )
        members = [
            TrustMembership(
                m.urn,
                m.trust_id,
                m.joined,
                m.left,
                trust_name=self._trusts[m.trust_id].name,
            )
            for urn in sorted(self._memberships)
            for m in self._memberships[urn]
        ]
        return schools_frame, memberships_to_frame(members)

    # ---------------------------------------------------------------- contents

    @property
    def local_authorities(self) -> tuple[LocalAuthority, ...]:
        """Every LA in the directory's table, sorted by GSS code."""
        return tuple(self._las[code] for code in sorted(self._las))

    @property
    def trusts(self) -> tuple[Trust, ...]:
        """Every trust the directory knows, sorted by trust id."""
        return tuple(self._trusts[t] for t in sorted(self._trusts))

    def __len__(self) -> int:
        return len(self._schools)

    def __repr__(self) -> str:
        members = sum(len(h) for h in self._memberships.values())
        return (
            f"Directory({len(self._schools)} schools, {len(self._trusts)} trusts, "
            f"{members} memberships, {len(self._las)} LAs)"
        )

    def memberships(self, urn: int | str) -> tuple[TrustMembership, ...]:
        """Return a school's trust memberships, oldest first.

        Examples
        --------
        >>> from makingdata.domain import Directory, LocalAuthority, Region, School
        >>> la = LocalAuthority(
        ...     885, "E10000034", "Worcestershire", Region("E12000005", "West Midlands")
        ... )
        >>> Directory([School(123456, "Example Primary", 8852001, la)]).memberships(
        ...     123456
        ... )
        ()
        """
        return tuple(self._memberships.get(self._known(urn).urn, ()))

    def current_trust_ids(self) -> dict[int, str]:
        """Return, per URN, the school's trust at the end of its records.

        That is the trust of its last membership when the membership has not
        ended, or ended on or after the school's close date (a closed academy
        keeps the trust it closed in, as GIAS shows it). Schools without such a
        membership are left out.

        Examples
        --------
        >>> from makingdata.domain import (
        ...     Directory,
        ...     LocalAuthority,
        ...     Region,
        ...     School,
        ...     TrustMembership,
        ... )
        >>> la = LocalAuthority(
        ...     885, "E10000034", "Worcestershire", Region("E12000005", "West Midlands")
        ... )
        >>> d = Directory(
        ...     [School(123456, "Example Primary", 8852001, la)],
        ...     [TrustMembership(123456, "TR00092")],
        ... )
        >>> d.current_trust_ids()
        {123456: 'TR00092'}
        """
        current: dict[int, str] = {}
        for urn in sorted(self._memberships):
            trust = self._last_trust(urn)
            if trust is not None:
                current[urn] = trust
        return current

    def _last_trust(self, urn: int) -> str | None:
        history = self._memberships.get(urn, [])
        if not history:
            return None
        last = history[-1]
        close = self._schools[urn].close_date
        if last.left is None or (close is not None and last.left >= close):
            return last.trust_id
        return None

    # --------------------------------------------------------- single lookups

    def _known(self, urn: int | str) -> School:
        number = validate_urn(urn)
        school = self._schools.get(number)
        if school is None:
            raise InputError(
                f"no school with URN {number} in this directory",
                column="urn",
                hint="check the URN, or build the directory with that school",
            )
        return school

    def school(self, urn: int | str, *, on: dt.date | None = None) -> School | None:
        """Return the school with this URN, or ``None`` if it is not open ``on``.

        Raises
        ------
        IdentifierError
            If ``urn`` is not a URN.
        InputError
            If no school has this URN.

        Examples
        --------
        >>> import datetime as dt
        >>> from makingdata.domain import Directory, LocalAuthority, Region, School
        >>> la = LocalAuthority(
        ...     885, "E10000034", "Worcestershire", Region("E12000005", "West Midlands")
        ... )
        >>> d = Directory(
        ...     [
        ...         School(
        ...             123456,
        ...             "Example Primary",
        ...             8852001,
        ...             la,
        ...             close_date=dt.date(2014, 8, 31),
        ...         )
        ...     ]
        ... )
        >>> d.school(123456, on=dt.date(2014, 9, 1)) is None
        True
        >>> d.school(654321)
        Traceback (most recent call last):
        ...
        makingdata.errors.InputError: column 'urn': no school with URN 654321 in this directory. What to do: check the URN, or build the directory with that school.
        """
        school = self._known(urn)
        if on is not None and not school.is_open_on(on):
            return None
        return school

    def schools(self, *, on: dt.date | None = None) -> tuple[School, ...]:
        """Return the schools (open ``on`` that date, if given), sorted by URN.

        Examples
        --------
        >>> from makingdata.domain import Directory
        >>> Directory([]).schools()
        ()
        """
        return tuple(
            self._schools[u]
            for u in sorted(self._schools)
            if on is None or self._schools[u].is_open_on(on)
        )

    def la(self, code: int | str, *, on: dt.date | None = None) -> LocalAuthority:
        """Return the LA with this GSS code, or with this 3-digit code ``on`` a date.

        A 3-digit code can name more than one LA over time (815 was the county
        E10000023 until 31 March 2023 and is the unitary E06000065 since); the
        date chooses, and without one the LA still in operation is returned.

        Raises
        ------
        InputError
            If no LA in the table has the code (in operation on the date).

        Examples
        --------
        >>> import datetime as dt
        >>> from makingdata.domain import Directory
        >>> d = Directory([])
        >>> d.la(815, on=dt.date(2020, 1, 1)).new_la_code, d.la(815).new_la_code
        ('E10000023', 'E06000065')
        >>> d.la("E10000006").successors
        ('E06000063', 'E06000064')
        """
        if isinstance(code, str) and is_valid_new_la_code(code):
            la = self._las.get(validate_new_la_code(code))
            if la is None:
                raise InputError(
                    f"no LA with GSS code {code} in the directory's LA table",
                    column="new_la_code",
                    hint="check the code, or pass local_authorities= with that LA",
                )
            return la
        old = validate_old_la_code(code, field="la_code")
        candidates = self._by_old.get(old, [])
        if on is None:
            chosen = [la for la in candidates if la.date_of_termination is None]
        else:
            chosen = [la for la in candidates if la.in_operation_on(on)]
        if len(chosen) != 1:
            when = "in operation" if on is None else f"in operation on {on.isoformat()}"
            raise InputError(
                f"{len(chosen)} LAs with old code {old} {when} in the directory's LA table",
                column="old_la_code",
                hint="use the 9-character GSS code, or give a date the LA existed",
            )
        return chosen[0]

    def _predecessor(self, la: LocalAuthority, school: School) -> LocalAuthority | None:
        preds = [self._las[c] for c in la.predecessors if c in self._las]
        if len(preds) == 1:
            return preds[0]
        if school.previous_la_code is not None:
            matching = [p for p in preds if p.old_la_code == school.previous_la_code]
            if len(matching) == 1:
                return matching[0]
        return None

    def _successor(self, la: LocalAuthority) -> LocalAuthority | None:
        succ = [self._las[c] for c in la.successors if c in self._las]
        return succ[0] if len(succ) == 1 else None

    def _periods_for(self, school: School) -> list[_Period]:
        recorded = self._las[school.la.new_la_code]
        periods: list[_Period] = [
            (recorded.date_of_operation, recorded.date_of_termination, recorded)
        ]
        la = recorded
        while la.date_of_operation is not None:
            prev = self._predecessor(la, school)
            if prev is None or any(p[2] is prev for p in periods):
                break
            periods.insert(
                0, (prev.date_of_operation, la.date_of_operation - _DAY, prev)
            )
            la = prev
        la = recorded
        while la.date_of_termination is not None:
            nxt = self._successor(la)
            if nxt is None or any(p[2] is nxt for p in periods):
                break
            periods.append(
                (la.date_of_termination + _DAY, nxt.date_of_termination, nxt)
            )
            la = nxt
        return periods

    def la_of(
        self, urn: int | str, *, on: dt.date | None = None
    ) -> LocalAuthority | None:
        """Return the LA the school was in on a date (``None`` if not known).

        Without a date, the LA GIAS records for the school (from the
        directory's LA table). The answer does not depend on whether the school
        was open on that date.

        Examples
        --------
        >>> import datetime as dt
        >>> from makingdata.domain import Directory, LocalAuthority, Region, School
        >>> nw = Region("E12000002", "North West")
        >>> cumberland = LocalAuthority(942, "E06000063", "Cumberland", nw)
        >>> d = Directory([School(112233, "Example School", 9422001, cumberland)])
        >>> d.la_of(112233, on=dt.date(2022, 9, 1)).name
        'Cumbria'
        """
        school = self._known(urn)
        if on is None:
            return self._las[school.la.new_la_code]
        for start, end, la in self._la_periods[school.urn]:
            if (start is None or start <= on) and (end is None or on <= end):
                return la
        return None

    def region_of(self, urn: int | str, *, on: dt.date | None = None) -> Region | None:
        """Return the region of the school's LA on a date (``None`` if not known).

        Examples
        --------
        >>> from makingdata.domain import Directory, LocalAuthority, Region, School
        >>> la = LocalAuthority(
        ...     885, "E10000034", "Worcestershire", Region("E12000005", "West Midlands")
        ... )
        >>> Directory([School(123456, "Example Primary", 8852001, la)]).region_of(
        ...     123456
        ... ).name
        'West Midlands'
        """
        la = self.la_of(urn, on=on)
        return None if la is None else la.region

    def trust_of(self, urn: int | str, *, on: dt.date | None = None) -> Trust | None:
        """Return the trust the school was in on a date (default: its trust at the end, see :meth:`current_trust_ids`).

        Examples
        --------
        >>> import datetime as dt
        >>> from makingdata.domain import (
        ...     Directory,
        ...     LocalAuthority,
        ...     Region,
        ...     School,
        ...     TrustMembership,
        ... )
        >>> la = LocalAuthority(
        ...     885, "E10000034", "Worcestershire", Region("E12000005", "West Midlands")
        ... )
        >>> d = Directory(
        ...     [School(123456, "Example Primary", 8852001, la)],
        ...     [TrustMembership(123456, "TR00092", dt.date(2015, 4, 1))],
        ... )
        >>> d.trust_of(123456, on=dt.date(2015, 3, 31)) is None
        True
        """
        school = self._known(urn)
        history = self._memberships.get(school.urn, [])
        if on is None:
            last = self._last_trust(school.urn)
            return self._trusts[last] if last is not None else None
        for m in history:
            if m.is_current_on(on):
                return self._trusts[m.trust_id]
        return None

    def schools_in_trust(self, trust_id: str, *, on: dt.date) -> tuple[School, ...]:
        """Return the schools open and in the trust on a date, sorted by URN.

        Examples
        --------
        >>> import datetime as dt
        >>> from makingdata.domain import Directory
        >>> Directory([]).schools_in_trust("TR00092", on=dt.date(2025, 1, 6))
        ()
        """
        tid = validate_trust_id(trust_id)
        return tuple(
            self._schools[urn]
            for urn in sorted(self._memberships)
            if self._schools[urn].is_open_on(on)
            and any(
                m.trust_id == tid and m.is_current_on(on)
                for m in self._memberships[urn]
            )
        )

    def schools_in_la(self, code: int | str, *, on: dt.date) -> tuple[School, ...]:
        """Return the schools open and in the LA on a date, sorted by URN.

        ``code`` is a GSS code or a 3-digit code (resolved on that date, see
        :meth:`la`).

        Examples
        --------
        >>> import datetime as dt
        >>> from makingdata.domain import Directory, LocalAuthority, Region, School
        >>> nw = Region("E12000002", "North West")
        >>> cumberland = LocalAuthority(942, "E06000063", "Cumberland", nw)
        >>> d = Directory([School(112233, "Example School", 9422001, cumberland)])
        >>> [s.urn for s in d.schools_in_la(909, on=dt.date(2022, 9, 1))]
        [112233]
        """
        target = self.la(code, on=on)
        return tuple(
            school
            for school in self.schools(on=on)
            if self.la_of(school.urn, on=on) == target
        )

    # --------------------------------------------------------- frame lookups

    def _membership_frame(self) -> pl.DataFrame:
        members = [
            m for urn in sorted(self._memberships) for m in self._memberships[urn]
        ]
        return pl.DataFrame(
            {
                "urn": [m.urn for m in members],
                "trust_id": [m.trust_id for m in members],
                "_from": [m.joined for m in members],
                "_to": [m.left for m in members],
            },
            schema={
                "urn": pl.UInt32,
                "trust_id": pl.String,
                "_from": pl.Date,
                "_to": pl.Date,
            },
        )

    def _school_segments(self, school: School) -> list[tuple[object, ...]]:
        """Split time into stretches over which nothing about the school changes.

        Each stretch starts where the school opens or closes, joins or leaves a
        trust, or changes LA; its attributes are those of any day in it, found
        with the same rules as the single lookups.
        """
        cuts: set[dt.date] = set()
        starts = [school.open_date] + [
            m.joined for m in self._memberships.get(school.urn, [])
        ]
        starts += [p[0] for p in self._la_periods[school.urn]]
        ends = [school.close_date] + [
            m.left for m in self._memberships.get(school.urn, [])
        ]
        ends += [p[1] for p in self._la_periods[school.urn]]
        cuts.update(d for d in starts if d is not None and d > dt.date.min)
        cuts.update(d + _DAY for d in ends if d is not None and d < dt.date.max)
        ordered = sorted(cuts)
        bounds: list[tuple[dt.date | None, dt.date | None]] = list(
            zip(
                [None, *ordered],
                [*(d - _DAY for d in ordered), None],
                strict=True,
            )
        )
        rows: list[tuple[object, ...]] = []
        for start, end in bounds:
            day = start or end or dt.date(2000, 1, 1)
            trust = self.trust_of(school.urn, on=day)
            la = self.la_of(school.urn, on=day)
            rows.append(
                (
                    school.urn,
                    start,
                    end,
                    school.is_open_on(day),
                    None if trust is None else trust.trust_id,
                    None if la is None else la.old_la_code,
                    None if la is None else la.new_la_code,
                    None if la is None else la.name,
                    None if la is None else la.region.code,
                    None if la is None else la.region.name,
                )
            )
        return rows

    def _segment_frame(self) -> pl.DataFrame:
        """All schools' stretches as one frame (built on first use, then kept)."""
        if self._segments is None:
            rows = [
                row
                for urn in sorted(self._schools)
                for row in self._school_segments(self._schools[urn])
            ]
            self._segments = pl.DataFrame(
                rows,
                schema={
                    "urn": pl.UInt32,
                    "_from": pl.Date,
                    "_to": pl.Date,
                    "school_open": pl.Boolean,
                    "trust_id": pl.String,
                    "old_la_code": SCHOOLS_SCHEMA["old_la_code"],
                    "new_la_code": pl.String,
                    "la_name": pl.String,
                    "region_code": pl.String,
                    "region_name": pl.String,
                },
                orient="row",
            )
        return self._segments

    def periods(self) -> pl.DataFrame:
        """Return, per school, the stretches of time over which nothing changes.

        One row per stretch: ``urn``, ``valid_from`` and ``valid_to`` (both
        included; null = open-ended), then the answers :meth:`as_of` gives for
        any day in it: ``school_open``, ``trust_id``, ``old_la_code``,
        ``new_la_code``, ``la_name``, ``region_code``, ``region_name``. The
        stretches of a school cover all time without overlapping, so a kernel
        (or another engine, e.g. DuckDB) can attach them to ``(urn, date)`` keys
        with one interval join.

        Examples
        --------
        >>> import datetime as dt
        >>> from makingdata.domain import Directory, LocalAuthority, Region, School
        >>> yh = Region("E12000003", "Yorkshire and The Humber")
        >>> ny = LocalAuthority(815, "E06000065", "North Yorkshire", yh)
        >>> d = Directory([School(121681, "Malton School", 8154012, ny)])
        >>> d.periods().select("valid_from", "valid_to", "new_la_code").rows()
        [(None, datetime.date(2023, 3, 31), 'E10000023'), (datetime.date(2023, 4, 1), None, 'E06000065')]
        """
        return self._segment_frame().rename({"_from": "valid_from", "_to": "valid_to"})

    def as_of(self, frame: _F, *, urn: str = "urn", date: str = "date") -> _F:
        """Add each row's school status, trust, LA and region on its date.

        The directory keeps, per school, the stretches of time over which
        nothing about it changes (it opens or closes, changes trust or LA at
        their ends). Each distinct ``(urn, date)`` pair of ``frame`` is matched
        to its stretch with an equi-join on URN and an interval filter, and the
        answer joined back, so a frame of millions of marks costs two joins,
        not a loop. Pass a :class:`polars.LazyFrame` to get one back (nothing
        is collected). Call it on small keys (e.g. marks grouped by
        ``(urn, date)``) where you can.

        Added columns: ``school_open`` (Boolean; null for a URN the directory
        does not know), ``trust_id``, ``old_la_code``, ``new_la_code``,
        ``la_name``, ``region_code``, ``region_name`` (null where not known).

        Parameters
        ----------
        frame
            Any frame with a URN column and a Date column.
        urn
            Name of the URN column (integer).
        date
            Name of the date column (``pl.Date``).

        Raises
        ------
        InputError
            If a column is missing, or the frame already has one of the added
            columns.

        Examples
        --------
        >>> import datetime as dt
        >>> import polars as pl
        >>> from makingdata.domain import (
        ...     Directory,
        ...     LocalAuthority,
        ...     Region,
        ...     School,
        ...     TrustMembership,
        ... )
        >>> yh = Region("E12000003", "Yorkshire and The Humber")
        >>> ny = LocalAuthority(815, "E06000065", "North Yorkshire", yh)
        >>> d = Directory(
        ...     [School(121681, "Malton School", 8154012, ny)],
        ...     [TrustMembership(121681, "TR00002", dt.date(2023, 1, 1))],
        ... )
        >>> marks = pl.DataFrame(
        ...     {
        ...         "urn": [121681, 121681],
        ...         "date": [dt.date(2022, 12, 1), dt.date(2023, 4, 3)],
        ...     }
        ... )
        >>> d.as_of(marks).select("trust_id", "new_la_code").rows()
        [(None, 'E10000023'), ('TR00002', 'E06000065')]
        """
        lazy = frame.lazy()
        schema = lazy.collect_schema()
        for col in (urn, date):
            if col not in schema:
                raise InputError(
                    f"the frame has no column {col!r}",
                    column=col,
                    hint=f"name the columns with urn= and date= (columns: {', '.join(schema)})",
                )
        clash = [c for c in _AS_OF_COLUMNS if c in schema]
        if clash:
            raise InputError(
                f"the frame already has column(s) {', '.join(repr(c) for c in clash)}",
                column=clash[0],
                hint="drop or rename them before calling as_of",
            )
        if schema[date] != pl.Date:
            raise InputError(
                f"column {date!r} is {schema[date]}, not Date",
                column=date,
                hint="cast it with pl.col(...).cast(pl.Date) or str.to_date first",
            )
        keys = (
            lazy.select(pl.col(urn).alias("_urn"), pl.col(date).alias("_date"))
            .drop_nulls()
            .unique()
        )
        segments = (
            self._segment_frame().lazy().with_columns(pl.col("urn").cast(schema[urn]))
        )
        looked_up = (
            keys.join(segments, left_on="_urn", right_on="urn", how="inner")
            .filter(
                (pl.col("_from").is_null() | (pl.col("_from") <= pl.col("_date")))
                & (pl.col("_to").is_null() | (pl.col("_date") <= pl.col("_to")))
            )
            .select("_urn", "_date", *_AS_OF_COLUMNS)
        )
        result = lazy.join(
            looked_up,
            left_on=[urn, date],
            right_on=["_urn", "_date"],
            how="left",
            maintain_order="left",
        )
        if isinstance(frame, pl.DataFrame):
            return result.collect()
        return result

    def memberships_on(self, start: dt.date, end: dt.date) -> pl.DataFrame:
        """Return one row per (date, URN) with the school's trust, for each day.

        Every day from ``start`` to ``end`` (both included) on which a school
        is a member of a trust gives a row ``date, urn, trust_id`` (sorted by
        date and URN), built with ``pl.date_ranges`` on the membership
        intervals, not a loop over days. Whether the school was open is not
        checked (see :meth:`as_of`).

        Raises
        ------
        InputError
            If ``end`` is before ``start``.

        Examples
        --------
        >>> import datetime as dt
        >>> from makingdata.domain import (
        ...     Directory,
        ...     LocalAuthority,
        ...     Region,
        ...     School,
        ...     TrustMembership,
        ... )
        >>> la = LocalAuthority(
        ...     885, "E10000034", "Worcestershire", Region("E12000005", "West Midlands")
        ... )
        >>> d = Directory(
        ...     [School(123456, "Example Primary", 8852001, la)],
        ...     [TrustMembership(123456, "TR00092", dt.date(2024, 9, 3))],
        ... )
        >>> d.memberships_on(dt.date(2024, 9, 2), dt.date(2024, 9, 4)).rows()
        [(datetime.date(2024, 9, 3), 123456, 'TR00092'), (datetime.date(2024, 9, 4), 123456, 'TR00092')]
        """
        if end < start:
            raise InputError(
                f"end {end.isoformat()} is before start {start.isoformat()}",
                column="end",
                hint="give the first day, then the last day",
            )
        lo, hi = pl.lit(start, dtype=pl.Date), pl.lit(end, dtype=pl.Date)
        clipped = self._member_frame.with_columns(
            _s=pl.max_horizontal(pl.col("_from").fill_null(lo), lo),
            _e=pl.min_horizontal(pl.col("_to").fill_null(hi), hi),
        ).filter(pl.col("_s") <= pl.col("_e"))
        return (
            clipped.select(
                pl.date_ranges("_s", "_e").alias("date"),
                pl.col("urn").cast(MEMBERSHIPS_SCHEMA["urn"]),
                "trust_id",
            )
            .explode("date")
            .sort("date", "urn")
        )
