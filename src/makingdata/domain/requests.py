"""Deprecated: the data-request model moved to :mod:`makingdata.policy` in 0.2.

``from makingdata.domain.requests import DataRequest`` (and the module's other
names, and ``from makingdata.domain import DataRequest``) still works until
0.3, with a ``DeprecationWarning``; write ``from makingdata.policy import
DataRequest`` instead.

This module is the deprecation shim only. The domain sits below the policy
engine in the data path and never imports it; the shim reaches up by name,
through :func:`importlib.import_module`, and only when a caller asks for one
of the old names.

Examples
--------
>>> import warnings
>>> import makingdata.domain.requests as old
>>> import makingdata.policy
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     same = old.DataRequest is makingdata.policy.DataRequest
>>> same, caught[0].category.__name__
(True, 'DeprecationWarning')
>>> print(caught[0].message)
makingdata.domain.requests.DataRequest is deprecated in 0.2, removed in 0.3: import it from makingdata.policy (from makingdata.policy import DataRequest).
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

#: The names of this module until 0.2, now in ``makingdata.policy``.
MOVED_TO_POLICY: tuple[str, ...] = (
    "ATTAINMENT_KINDS",
    "DataItem",
    "DataRequest",
    "Format",
    "Granularity",
    "InterventionTrigger",
    "ItemKind",
    "RequestAudience",
    "Requester",
    "RequesterKind",
    "SchoolType",
    "academic_year_bounds",
)

# ``from makingdata.domain.requests import *`` keeps giving the old names (each
# with its warning) until 0.3.
__all__ = list(MOVED_TO_POLICY)


def moved(name: str, old_module: str) -> Any:
    """Warn that ``old_module.name`` moved to ``makingdata.policy`` and return it.

    Parameters
    ----------
    name
        One of :data:`MOVED_TO_POLICY`.
    old_module
        The module the caller named (``makingdata.domain`` or
        ``makingdata.domain.requests``), quoted in the warning.

    Returns
    -------
    object
        The very object ``makingdata.policy`` exports under that name.

    Raises
    ------
    AttributeError
        If ``name`` is not a moved name (what a module without it raises).
    """
    if name not in MOVED_TO_POLICY:
        raise AttributeError(f"module {old_module!r} has no attribute {name!r}")
    warnings.warn(
        f"{old_module}.{name} is deprecated in 0.2, removed in 0.3: import it from "
        f"makingdata.policy (from makingdata.policy import {name}).",
        DeprecationWarning,
        stacklevel=3,
    )
    # Deprecation shim only: nothing else in the domain imports the policy
    # package, which is above it in the data path.
    return getattr(importlib.import_module("makingdata.policy"), name)


def __getattr__(name: str) -> Any:
    return moved(name, __name__)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(MOVED_TO_POLICY))
