"""Seeded synthetic national data: schools, trusts, pupils and daily session marks.

Real pupil data can never ship with the library, so :func:`generate` makes data
that looks like England's: about 21,300 state-funded schools in the 153 real
local authorities (sized from the school census counts in the packaged LA
table), about 2,400 trusts, about 9.4 million pupils with national
characteristic rates, and two session marks a day for every pupil on roll,
with an absence mix calibrated to DfE's in-year statistics for 2025/26
(overall absence 6.9%, persistent absence 18.8%, severe about 2%; a generated
year at 5% of England measured 7.2%, 19.8% and 2.0%).

Everything is a pure function of ``seed``, ``scale`` and the academic year:
the same call gives byte-identical frames and Parquet files, and a subset (one
LA, one trust) or one day equals the matching part of the national output.
See the *Synthetic data* concept page for what is modelled, the target rates
and their sources, and what is not realistic.

Examples
--------
>>> import datetime as dt
>>> from makingdata import synth
>>> data = synth.generate(
...     scale=0.01, start=dt.date(2025, 9, 8), end=dt.date(2025, 9, 12), seed=1, la=330
... )
>>> data.schools["old_la_code"].unique().to_list()
[330]
>>> marks = data.marks()
>>> marks.columns
['urn', 'pupil_key', 'date', 'session', 'code']
>>> marks["date"].n_unique()
5
"""

from __future__ import annotations

from makingdata.synth._calendar import bank_holidays, school_calendar
from makingdata.synth._data import SynthData, generate
from makingdata.synth._targets import TARGETS, targets_frame

__all__ = [
    "TARGETS",
    "SynthData",
    "bank_holidays",
    "generate",
    "school_calendar",
    "targets_frame",
]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
