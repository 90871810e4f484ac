"""Renamed public names that keep working for one release, with a warning.

A package lists its old names and the objects they now stand for, and installs
:func:`renamed_getattr` as its module ``__getattr__``. The old name then
returns the *same* object as the new one, after a :class:`DeprecationWarning`
that names the replacement and the release that removes it.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

#: The release in which the names deprecated in this one are removed.
REMOVED_IN = "0.2"


def renamed_getattr(
    module: str, renamed: Mapping[str, tuple[str, object]]
) -> Callable[[str], object]:
    """Return a module ``__getattr__`` that serves renamed names with a warning.

    Parameters
    ----------
    module
        The module's dotted name, as users import it.
    renamed
        Old name -> (the new name's dotted path, the object it names).

    Returns
    -------
    Callable
        A function to assign to the module's ``__getattr__``.

    Examples
    --------
    >>> import warnings
    >>> get = renamed_getattr("pkg", {"old": ("pkg.new", len)})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     get("old") is len
    True
    >>> print(caught[0].message)
    pkg.old is deprecated and will be removed in makingdata 0.2; use pkg.new (the same object).
    >>> get("other")
    Traceback (most recent call last):
    ...
    AttributeError: module 'pkg' has no attribute 'other'
    """

    def __getattr__(name: str) -> object:  # noqa: N807 - a module __getattr__
        try:
            new, obj = renamed[name]
        except KeyError:
            raise AttributeError(
                f"module {module!r} has no attribute {name!r}"
            ) from None
        warnings.warn(
            f"{module}.{name} is deprecated and will be removed in makingdata "
            f"{REMOVED_IN}; use {new} (the same object).",
            DeprecationWarning,
            stacklevel=2,
        )
        return obj

    return __getattr__
