"""attrs converters and validators shared by the domain models.

Every check raises a :class:`~makingdata.errors.MakingDataError` subclass
(which is also a ``ValueError``) naming the model, the field and what to do.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from makingdata._contracts import (
    EducationPhase,
    EthnicityMajor,
    SenProvision,
    Sex,
    YearGroup,
)
from makingdata.domain._identifiers import (
    validate_lad_code,
    validate_laestab,
    validate_new_la_code,
    validate_old_la_code,
    validate_region_code,
    validate_trust_id,
    validate_urn,
)
from makingdata.errors import InputError

if TYPE_CHECKING:
    import enum
    from collections.abc import Callable

    import attrs

_UINT64_MAX = 2**64 - 1


def _owner(instance: object) -> str:
    return type(instance).__name__


def check_date(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    """Check that ``value`` is a ``datetime.date`` (not a datetime)."""
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InputError(
            f"{_owner(instance)}.{attribute.name} must be a datetime.date, "
            f"got {value!r} (a {type(value).__name__})",
            column=attribute.name,
            hint="pass datetime.date(year, month, day)",
        )


def check_optional_date(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    """Check that ``value`` is ``None`` or a ``datetime.date``."""
    if value is not None:
        check_date(instance, attribute, value)


def check_text(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    """Check that ``value`` is a non-blank string."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(
            f"{_owner(instance)}.{attribute.name} must be non-blank text, got {value!r}",
            column=attribute.name,
            hint=f"give the {attribute.name.replace('_', ' ')}",
        )


def check_optional_text(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    """Check that ``value`` is ``None`` or a non-blank string."""
    if value is not None:
        check_text(instance, attribute, value)


def check_bool(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    """Check that ``value`` is ``True`` or ``False`` (not 0/1, not 'Y')."""
    if not isinstance(value, bool):
        raise InputError(
            f"{_owner(instance)}.{attribute.name} must be True or False, got {value!r}",
            column=attribute.name,
            hint="map the source's flag (Y/N, 1/0) to a bool first",
        )


def check_pupil_key(
    instance: object, attribute: attrs.Attribute[Any], value: object
) -> None:
    """Check that ``value`` is an integer in the UInt64 range."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not (0 <= value <= _UINT64_MAX)
    ):
        raise InputError(
            f"{_owner(instance)}.{attribute.name} must be a whole number from 0 to "
            f"2**64 - 1, got {value!r}",
            column=attribute.name,
            hint="use the pupil_key that makingdata.io derives from the UPN",
        )


def check_instance_of(
    cls: type,
) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """Return a validator checking that ``value`` is an instance of ``cls``."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, cls):
            raise InputError(
                f"{_owner(instance)}.{attribute.name} must be a {cls.__name__}, "
                f"got {value!r} (a {type(value).__name__})",
                column=attribute.name,
                hint=f"build a {cls.__name__} first and pass it",
            )

    return check


def _enum(cls: type[enum.StrEnum], value: object, field: str) -> Any:
    if isinstance(value, cls):
        return value
    if isinstance(value, str) and value in cls._value2member_map_:
        return cls(value)
    allowed = ", ".join(repr(m.value) for m in cls)
    raise InputError(
        f"{value!r} is not a valid {cls.__name__}: expected one of {allowed}",
        column=field,
        hint="use the EES label (or the enum member) for this characteristic",
    )


def to_sex(value: Sex | str) -> Sex:
    """Convert to :class:`Sex`."""
    result: Sex = _enum(Sex, value, "sex")
    return result


def to_ethnicity(value: EthnicityMajor | str) -> EthnicityMajor:
    """Convert to :class:`EthnicityMajor`."""
    result: EthnicityMajor = _enum(EthnicityMajor, value, "ethnicity_major")
    return result


def to_sen(value: SenProvision | str) -> SenProvision:
    """Convert to :class:`SenProvision`."""
    result: SenProvision = _enum(SenProvision, value, "sen_provision")
    return result


def to_year_group(value: YearGroup | str) -> YearGroup:
    """Convert to :class:`YearGroup`."""
    result: YearGroup = _enum(YearGroup, value, "year_group")
    return result


def to_optional_phase(value: EducationPhase | str | None) -> EducationPhase | None:
    """Convert to :class:`EducationPhase` (``None`` kept)."""
    if value is None:
        return None
    result: EducationPhase = _enum(EducationPhase, value, "phase")
    return result


def to_urn(value: int | str) -> int:
    """Convert to a validated URN."""
    return validate_urn(value)


def to_laestab(value: int | str) -> int:
    """Convert to a validated LAESTAB."""
    return validate_laestab(value)


def to_old_la_code(value: int | str) -> int:
    """Convert to a validated old LA code."""
    return validate_old_la_code(value)


def to_optional_old_la_code(value: int | str | None) -> int | None:
    """Convert to a validated old LA code, or ``None``."""
    return (
        None if value is None else validate_old_la_code(value, field="previous_la_code")
    )


def to_new_la_code(value: str) -> str:
    """Convert to a validated new (GSS) LA code."""
    return validate_new_la_code(value)


def to_optional_lad_code(value: str | None) -> str | None:
    """Convert to a validated LAD code, or ``None``."""
    return None if value is None else validate_lad_code(value)


def to_region_code(value: str) -> str:
    """Convert to a validated region code."""
    return validate_region_code(value, field="code")


def to_trust_id(value: str) -> str:
    """Convert to a validated trust id."""
    return validate_trust_id(value)


def _la_codes(value: object, field: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, tuple | list):
        raise InputError(
            f"expected a tuple of GSS codes, got {value!r}",
            column=field,
            hint="pass a tuple of new LA codes, e.g. ('E10000023',)",
        )
    return tuple(validate_new_la_code(v, field=field) for v in value)


def to_predecessors(value: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Convert to a tuple of validated GSS codes (predecessor LAs)."""
    return _la_codes(value, "predecessors")


def to_successors(value: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Convert to a tuple of validated GSS codes (successor LAs)."""
    return _la_codes(value, "successors")


def check_order(
    owner: object,
    start_name: str,
    start: dt.date | None,
    end_name: str,
    end: dt.date | None,
) -> None:
    """Raise unless ``start <= end`` (either may be ``None``)."""
    if start is not None and end is not None and start > end:
        raise InputError(
            f"{_owner(owner)}.{end_name} ({end.isoformat()}) is before "
            f"{start_name} ({start.isoformat()})",
            column=end_name,
            hint=f"{end_name} must be on or after {start_name}; swap or correct them",
        )
