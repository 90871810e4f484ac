"""The charts extra: altair and vl-convert, or a message that says how to install them."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from makingdata.errors import MakingDataError

if TYPE_CHECKING:
    from types import ModuleType

#: What to run when the extra is missing.
INSTALL = 'pip install "makingdata[charts]"'


def require(module: str) -> ModuleType:
    """Import ``module`` (``altair`` or ``vl_convert``), or explain how to install it.

    Raises
    ------
    MakingDataError
        If the module is not installed; the message names the ``charts`` extra.

    Examples
    --------
    >>> require("altair").__name__
    'altair'
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise MakingDataError(
            f"makingdata.charts needs {module.replace('_', '-')}, which is not installed",
            hint=f"{INSTALL} (altair draws the charts, vl-convert renders PNG and SVG "
            "without a browser)",
        ) from err
