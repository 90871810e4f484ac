"""Session marks for one day, vectorised over every enrolment on roll."""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np
import numpy.typing as npt
import polars as pl

from makingdata._contracts import MARKS_SCHEMA
from makingdata.codes import (
    CODE_DTYPE,
    CODE_LETTERS,
    CODE_SET_2024_START,
    SESSION_DTYPE,
)
from makingdata.synth._calendar import N_INSET, N_INSET_CANDIDATES, CalendarArrays
from makingdata.synth._hash import (
    U64,
    hash_keys,
    low_unit,
    mix,
    mix_int,
    to_unit,
    to_unit32,
)
from makingdata.synth._pupils import SPELL_LENGTH_P

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

_CODE = {c: i for i, c in enumerate(CODE_LETTERS)}
_EPOCH = dt.date(1970, 1, 1)

#: Reasons a full-day absence spell can carry, and their shares of spell days
#: by phase (primary, secondary, special): the 2025/26 year-to-date national
#: shares of these reasons (DfE in-year attendance, EES_ytd_data.csv).
SPELL_REASONS = ("I", "O", "G", "C", "E", "R", "N", "T", "J1", "C1")
SPELL_SHARES = (
    (2.79, 0.79, 0.53, 0.37, 0.04, 0.07, 0.05, 0.014, 0.017, 0.003),
    (3.63, 2.61, 0.31, 0.43, 0.29, 0.06, 0.05, 0.003, 0.016, 0.005),
    (5.02, 2.80, 0.41, 1.68, 0.17, 0.05, 0.07, 0.007, 0.010, 0.005),
)
#: Tilts of the reason mix by absence tier (0 low, 1 persistent, 2 severe).
_TIER_TILT = {
    0: {"O": 0.70, "I": 1.10, "G": 1.20},
    1: {"O": 0.90},
    2: {"O": 1.40, "I": 0.70, "C": 1.30},
}
#: Spell-start multipliers by weekday (Mon..Fri) and by month.
WEEKDAY_FACTOR = (1.12, 0.92, 0.90, 0.94, 1.22)
MONTH_FACTOR = {
    9: 0.80, 10: 0.95, 11: 1.05, 12: 1.15, 1: 1.10, 2: 1.05,
    3: 1.00, 4: 0.95, 5: 0.95, 6: 0.95, 7: 1.05, 8: 1.0,
}  # fmt: skip
NEAR_BREAK_FACTOR = 1.25
#: Weight of unauthorised holiday (G) on days next to a break and on other days
#: (G spells last longer, so the base share is scaled down to match).
G_NEAR = 3.2
G_FAR = 0.27
#: Session-level marks, share of sessions by phase (primary, secondary, special).
LATE_L = (0.0112, 0.0279, 0.0077)
LATE_U = (0.0017, 0.0030, 0.0032)
MEDICAL_M = (0.0027, 0.0038, 0.0101)
AEA_B = (0.0019, 0.0030, 0.0089)
AEA_P = (0.00085, 0.0014, 0.0005)
AEA_K = (0.00018, 0.0008, 0.0010)
TRIP_DAY = (0.0073, 0.0073, 0.0046)
#: Probability a school is unexpectedly closed on a day (a Y4 / Y day).
CLOSURE_DAY = 0.0004
_G_LONG = (0.0, 0.1, 0.2, 0.2, 0.5)


def _reason_table() -> F64:
    """Cumulative reason probabilities, shape (phase 3, tier 3, near 2, season 3, R)."""
    r = len(SPELL_REASONS)
    out = np.zeros((3, 3, 2, 3, r))
    for pg in range(3):
        for tier in range(3):
            for near in range(2):
                for season in range(3):
                    w = np.array(SPELL_SHARES[pg], dtype=np.float64)
                    for code, f in _TIER_TILT[tier].items():
                        w[SPELL_REASONS.index(code)] *= f
                    w[SPELL_REASONS.index("G")] *= G_NEAR if near else G_FAR
                    w[SPELL_REASONS.index("I")] *= (0.75, 1.0, 1.3)[season]
                    c = np.cumsum(w)
                    out[pg, tier, near, season] = c / c[-1]
    return out


_REASON_CUM = _reason_table()
_REASON_CODE = np.array([_CODE[c] for c in SPELL_REASONS], dtype=np.uint8)
_LEN_CUM = np.cumsum(SPELL_LENGTH_P) / np.sum(SPELL_LENGTH_P)
_G_CUM = np.cumsum(_G_LONG) / np.sum(_G_LONG)
_LEGACY = {"C1": "C", "J1": "J", "C2": "C", "K": "B", "Y4": "Y"}
_TO_LEGACY = np.arange(len(CODE_LETTERS), dtype=np.uint8)
for _new, _old in _LEGACY.items():
    _TO_LEGACY[_CODE[_new]] = _CODE[_old]


_GOLDEN_INT = 0x9E3779B97F4A7C15
_GOLDEN = np.uint64(_GOLDEN_INT)
_SESSION_LETTERS = ("L", "U", "M", "B", "P", "K")
_SESSION_CODES = np.array([*[_CODE[c] for c in _SESSION_LETTERS], 0], dtype=np.uint8)


def _session_tables() -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Cumulative session-code probabilities, row = phase * 3 + tier."""
    tilt = (0.85, 1.4, 1.7)
    am = np.zeros((9, len(_SESSION_LETTERS)), dtype=np.float64)
    pm = np.zeros_like(am)
    for pg in range(3):
        for tier in range(3):
            k_tilt = 3.0 if tier else 0.3
            p_am = [
                LATE_L[pg] * 2 * tilt[tier],
                LATE_U[pg] * 2 * tilt[tier],
                MEDICAL_M[pg],
                AEA_B[pg],
                AEA_P[pg],
                AEA_K[pg] * k_tilt,
            ]
            p_pm = [0.0, 0.0, *p_am[2:]]
            am[pg * 3 + tier] = np.cumsum(p_am)
            pm[pg * 3 + tier] = np.cumsum(p_pm)
    # a zero-width band can never be hit: u >= edge counts strictly
    return am.astype(np.float32), pm.astype(np.float32)


_AM_CUM, _PM_CUM = _session_tables()


def _season(month: npt.NDArray[np.int8]) -> npt.NDArray[np.int64]:
    m = month.astype(np.int64)
    winter = np.isin(m, [11, 12, 1, 2])
    low = np.isin(m, [9, 6, 7])
    out: npt.NDArray[np.int64] = np.where(winter, 2, np.where(low, 0, 1))
    return out


def day_factors(cal: CalendarArrays) -> npt.NDArray[np.float32]:
    """Spell-start multiplier per LA per school day, mean 1 over each LA's year."""
    wd = np.asarray(WEEKDAY_FACTOR)[np.clip(cal.weekday, 0, 4)]
    mf = np.vectorize(MONTH_FACTOR.get)(cal.month.astype(np.int64), 1.0)
    f = wd * mf * np.where(cal.near_break, NEAR_BREAK_FACTOR, 1.0)
    valid = cal.month > 0
    f = np.where(valid, f, 0.0)
    mean = f.sum(axis=1, keepdims=True) / np.maximum(
        valid.sum(axis=1, keepdims=True), 1
    )
    out: npt.NDArray[np.float32] = (f / mean).astype(np.float32)
    return out


@attrs.frozen(eq=False)
class MarkEngine:
    """Everything needed to generate any day's marks for a set of enrolments."""

    cal: CalendarArrays
    factors: npt.NDArray[np.float32]
    key: U64
    hkey: U64
    urn: npt.NDArray[np.uint32]
    school: npt.NDArray[np.int32]
    la_idx: npt.NDArray[np.int32]
    start: I64
    end: I64
    open_d: I64
    close_d: I64
    s_start: npt.NDArray[np.float32]
    grp: npt.NDArray[np.uint8]
    yg: npt.NDArray[np.uint8]
    dual_role: npt.NDArray[np.uint8]
    dual_mask: npt.NDArray[np.uint8]
    c2_from: npt.NDArray[np.int16]
    c2_to: npt.NDArray[np.int16]
    inset_mask: npt.NDArray[np.uint8]
    school_h: U64

    def day(self, date: dt.date) -> pl.DataFrame:
        """Return the marks of ``date`` (empty on a weekend or holiday)."""
        t = self.cal.day_index(date)
        e = (date - _EPOCH).days
        sd_la = self.cal.school_day[:, t].astype(np.int64)
        sd_all = sd_la[self.la_idx]
        active = (
            (sd_all >= 0)
            & (self.start <= e)
            & ((self.end < 0) | (self.end >= e))
            & (self.open_d <= e)
            & ((self.close_d < 0) | (self.close_d >= e))
        )
        rows = np.nonzero(active)[0]
        am, pm = self._codes(rows, sd_all[rows], t, e, date)
        if date < CODE_SET_2024_START:
            am, pm = _TO_LEGACY[am], _TO_LEGACY[pm]
        n = rows.size
        codes = np.empty(2 * n, dtype=np.uint8)
        codes[0::2] = am
        codes[1::2] = pm
        return pl.DataFrame(
            {
                "urn": pl.Series(np.repeat(self.urn[rows], 2), dtype=pl.UInt32),
                "pupil_key": pl.Series(np.repeat(self.key[rows], 2), dtype=pl.UInt64),
                "date": pl.Series([date], dtype=pl.Date).new_from_index(0, 2 * n)
                if n
                else pl.Series([], dtype=pl.Date),
                "session": pl.Series(
                    np.tile(np.array([0, 1], dtype=np.uint8), n)
                ).cat.to(SESSION_DTYPE),
                "code": pl.Series(codes).cat.to(CODE_DTYPE),
            }
        ).cast(MARKS_SCHEMA)  # type: ignore[arg-type]

    def _codes(  # noqa: PLR0915
        self, rows: I64, sd: I64, t: int, e: int, date: dt.date
    ) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
        n = rows.size
        la = self.la_idx[rows].astype(np.int64)
        hk = self.hkey[rows]
        grp = self.grp[rows]
        s = self.s_start[rows]
        sch = self.school[rows]
        year = self.cal.year

        # full-day absence spells started on this or one of the 4 previous
        # school days; the hash of (pupil, school day) decides start, reason
        # and length, so a spell is the same whichever day it is seen from
        absent_code = np.zeros(n, dtype=np.uint8)
        absent = np.zeros(n, dtype=np.bool_)
        flat_f = self.factors.reshape(-1)
        pos_f = la * self.factors.shape[1] + sd
        hk_sd = hk + (sd.astype(np.uint64) + np.uint64(year * 1000)) * _GOLDEN
        for j in range(len(SPELL_LENGTH_P)):
            h = mix(hk_sd - np.uint64((j * _GOLDEN_INT) % (1 << 64)))
            f = np.take(flat_f, pos_f - j, mode="clip")
            started = to_unit32(h) < s * f
            if j:
                started &= (sd >= j) & ~absent
            idx = np.nonzero(started)[0]
            if idx.size == 0:
                continue
            hr = mix(h[idx] ^ np.uint64(0x5851F42D4C957F2D))
            la_i = la[idx]
            sdi = sd[idx] - j
            near = self.cal.near_break[la_i, sdi].astype(np.int64)
            season = _season(self.cal.month[la_i, sdi])
            g = grp[idx].astype(np.int64)
            cum = _REASON_CUM[g // 3, g % 3, near, season]
            reason = (to_unit(hr)[:, None] >= cum).sum(axis=1)
            code = _REASON_CODE[np.minimum(reason, len(SPELL_REASONS) - 1)]
            length = np.searchsorted(_LEN_CUM, low_unit(h[idx]), side="right") + 1
            g_len = np.searchsorted(_G_CUM, low_unit(hr), side="right") + 1
            length = np.where(code == _CODE["G"], g_len, length)
            cover = length > j
            hit = idx[cover]
            absent[hit] = True
            absent_code[hit] = code[cover]
        am = np.where(absent, absent_code, np.uint8(_CODE["/"]))
        pm = np.where(absent, absent_code, np.uint8(_CODE["\\"]))

        # session-level marks (late, appointments, off-site activities): one
        # threshold test for every row, the code table only for the few hit
        for k, (out, table) in enumerate(((am, _AM_CUM), (pm, _PM_CUM))):
            u = to_unit32(
                mix(hk ^ np.uint64(((e * 2 + k + 1) * 0x2545F4914F6CDD1D) % (1 << 64)))
            )
            idx = np.nonzero((u < table[:, -1][grp]) & ~absent)[0]
            pick = (u[idx, None] >= table[grp[idx]]).sum(axis=1)
            out[idx] = _SESSION_CODES[pick]

        # per school and year group: trips (V), work experience (W), and per
        # school: unexpected closure (Y4); tables are tiny, then one gather
        yg = self.yg[rows].astype(np.int64)
        n_s = self.school_h.size
        cell = sch.astype(np.int64) * 16 + yg
        sh = np.repeat(self.school_h, 16)
        ygs = np.tile(np.arange(16, dtype=np.uint64), n_s)
        trip_p = np.repeat(np.asarray(TRIP_DAY, dtype=np.float32), 3)
        trip_t = to_unit32(mix(sh ^ mix(np.uint64(e) + ygs * np.uint64(7919))))
        trip = trip_t[cell] < trip_p[grp]
        week = (e + 3) // 7
        if date.month in (6, 7):
            wk_t = to_unit32(mix(sh ^ mix(np.uint64(week * 131 + 17) + ygs)))
            work = (wk_t[cell] < 0.08) & ((yg == 10) | (yg == 12)) & (grp // 3 == 1)
        else:
            work = np.zeros(n, dtype=np.bool_)
        u_pm = low_unit(mix(hk ^ np.uint64((e * 7 + 3) % (1 << 64))))
        if date.month in (5, 6):
            study = ((yg == 11) | (yg == 13)) & (u_pm < 0.03)
        else:
            study = np.zeros(n, dtype=np.bool_)
        for mask, letter in ((trip, "V"), (work, "W"), (study, "S")):
            sel = mask & ~absent
            am[sel] = _CODE[letter]
            pm[sel] = _CODE[letter]
        # reduced timetable: afternoons C2
        c2f = self.c2_from[rows]
        c2 = (c2f >= 0) & (sd >= c2f) & (sd < self.c2_to[rows]) & ~absent
        pm[c2] = _CODE["C2"]
        # phased start for reception: not required to attend some afternoons
        if date.month == 9:
            pm[(yg == 0) & (sd < 5) & (u_pm >= 0.5)] = _CODE["X"]
        # INSET days (#), unexpected closures (Y4), dual registration (D)
        slot = self.cal.inset_slot[la, t].astype(np.int64)
        mask_s = self.inset_mask[sch]
        inset = (slot >= 0) & (
            ((mask_s >> np.maximum(slot, 0).astype(np.uint8)) & 1) == 1
        )
        closed_s = (
            to_unit32(mix(self.school_h ^ np.uint64((e * 0x9E37 + 5) % (1 << 64))))
            < CLOSURE_DAY
        )
        closed = closed_s[sch]
        role = self.dual_role[rows]
        at_sub = ((self.dual_mask[rows] >> np.uint8(date.weekday())) & 1) == 1
        away = ((role == 1) & at_sub) | ((role == 2) & ~at_sub)
        for mask, letter in ((away, "D"), (closed, "Y4"), (inset, "#")):
            am[mask] = _CODE[letter]
            pm[mask] = _CODE[letter]
        return am, pm


def inset_masks(urn: npt.NDArray[np.uint32], seed: int) -> npt.NDArray[np.uint8]:
    """Choose each school's 5 INSET days among the 8 candidates (a bit mask)."""
    h = hash_keys(urn.astype(np.uint64), mix_int(seed, 303))
    order = np.argsort(
        to_unit(
            hash_keys(
                np.repeat(h, N_INSET_CANDIDATES),
                np.tile(np.arange(N_INSET_CANDIDATES), urn.size),
            )
        ).reshape(urn.size, N_INSET_CANDIDATES),
        axis=1,
    )
    # the first two days of the year are INSET days at most schools
    order = np.concatenate(
        [
            np.tile([0, 1], (urn.size, 1)),
            order[np.isin(order, [0, 1], invert=True)].reshape(urn.size, -1),
        ],
        axis=1,
    )
    mask = np.zeros(urn.size, dtype=np.uint8)
    for k in range(N_INSET):
        mask |= (np.uint8(1) << order[:, k].astype(np.uint8)).astype(np.uint8)
    return mask
