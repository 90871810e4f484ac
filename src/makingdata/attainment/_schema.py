"""The KS2 results frame's schema, rules, check and validator (moved to :mod:`makingdata.schemas`).

They moved below the readers so that :func:`makingdata.io.read_ks2_results`
can apply them (``makingdata.io`` imports no kernel). The names here are the
same objects, re-exported unchanged; ``makingdata.attainment`` keeps them.
"""

from __future__ import annotations

from makingdata.schemas._ks2 import (
    KS2Results,
    check_ks2_results,
    ks2_results_rules,
    validate_ks2_results,
)

__all__ = [
    "KS2Results",
    "check_ks2_results",
    "ks2_results_rules",
    "validate_ks2_results",
]
