"""Counter-based random numbers: a stateless hash of (key, counters) to [0, 1).

Every random draw that must not depend on which other rows are generated with
it (a pupil's mark on a day, a school's INSET choice) is a pure function of its
keys, so one school, one LA or one day can be generated alone and still equal
its part of the national output.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
F64 = npt.NDArray[np.float64]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / float(1 << 53)


def mix(x: U64) -> U64:
    """Return the splitmix64 finaliser of ``x`` (a bijection on uint64)."""
    with np.errstate(over="ignore"):
        z = (x ^ (x >> _S30)) * _M1
        z = (z ^ (z >> _S27)) * _M2
    out: U64 = z ^ (z >> _S31)
    return out


def mix_int(*parts: int) -> int:
    """Hash a few small Python integers to one uint64 (as a Python int)."""
    acc = np.zeros(1, dtype=np.uint64)
    for p in parts:
        val = np.array([p % (1 << 64)], dtype=np.uint64)
        acc = mix(acc + val * _GOLDEN + _GOLDEN)
    return int(acc[0])


def hash_keys(keys: U64, *counters: int | npt.NDArray[np.integer]) -> U64:
    """Hash each key with the given counters (scalars or arrays like ``keys``)."""
    h = keys.astype(np.uint64, copy=True)
    for c in counters:
        cc = np.atleast_1d(np.asarray(c)).astype(np.uint64)
        h = mix(h ^ mix(cc * _GOLDEN + _M2))
    return h


def to_unit(h: U64) -> F64:
    """Map uint64 hashes to floats in ``[0, 1)`` (top 53 bits)."""
    out: F64 = (h >> _S11).astype(np.float64) * _INV53
    return out


def low_unit(h: U64) -> F64:
    """Map hashes to a second, nearly independent uniform (the low 20 bits)."""
    out: F64 = (h & np.uint64(0xFFFFF)).astype(np.float64) / float(1 << 20)
    return out


_S40 = np.uint64(40)
_INV24 = np.float32(1.0 / float(1 << 24))


def to_unit32(h: U64) -> npt.NDArray[np.float32]:
    """Map uint64 hashes to float32 in ``[0, 1)`` (top 24 bits; cheaper)."""
    out: npt.NDArray[np.float32] = (h >> _S40).astype(np.float32) * _INV24
    return out
