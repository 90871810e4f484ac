"""The kernels' one signature shape: frames positional, everything else by keyword.

``kernel(marks, enrolments, /, *, schools=, memberships=, levels=, by=,
period=, start=, end=, decimals=)``. Before 0.2 ``schools`` (and
``memberships``) could be passed by position; that still works for one
release, with a ``DeprecationWarning``.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from makingdata.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import polars as pl


def keyword_frames(
    func: str,
    args: Sequence[Any],
    names: Sequence[str],
    given: dict[str, Any],
) -> dict[str, Any]:
    """Move frames passed by position (deprecated) into ``given``, by name."""
    if len(args) > len(names):
        raise InputError(
            f"{func}() takes at most {2 + len(names)} frames by position, got "
            f"{2 + len(args)}",
            hint=f"pass {', '.join(f'{n}=...' for n in names)} by keyword",
        )
    if args:
        moved = names[: len(args)]
        warnings.warn(
            f"{func}(): passing {', '.join(moved)} by position is deprecated (0.2; "
            f"removed in 0.3): pass {', '.join(f'{n}=...' for n in moved)} by keyword",
            DeprecationWarning,
            stacklevel=3,
        )
    for name, value in zip(names, args, strict=False):
        if given.get(name) is not None:
            raise InputError(
                f"{func}() got {name} twice (by position and by keyword)",
                hint=f"pass {name}=... once, by keyword",
            )
        given[name] = value
    return given


def lazy(frame: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """Either frame type in: a DataFrame becomes lazy."""
    return frame.lazy()


def schools_and_memberships(
    func: str,
    args: Sequence[Any],
    schools: pl.LazyFrame | pl.DataFrame | None,
    memberships: pl.LazyFrame | pl.DataFrame | None,
) -> tuple[pl.LazyFrame | pl.DataFrame, pl.LazyFrame | pl.DataFrame | None]:
    """Return the schools (required) and memberships of a table kernel."""
    got = keyword_frames(
        func,
        args,
        ("schools", "memberships"),
        {"schools": schools, "memberships": memberships},
    )
    if got["schools"] is None:
        raise InputError(
            f"{func} needs the schools (their geography, phase and trust)",
            hint="pass schools=... (SCHOOLS_SCHEMA), e.g. read_schools(path).valid",
        )
    return got["schools"], got["memberships"]
