"""Synthetic pupils: enrolments with characteristics and an absence propensity."""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import polars as pl

from makingdata._contracts import (
    ENROLMENTS_SCHEMA,
    ETHNICITY_DTYPE,
    SEN_PROVISION_DTYPE,
    SEX_DTYPE,
    YEAR_GROUP_DTYPE,
)
from makingdata.synth._directory import (
    ALL_THROUGH,
    HIGH,
    MIDDLE_S,
    SECONDARY,
    SPECIAL,
)
from makingdata.synth._hash import mix, mix_int

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

# ---------------------------------------------------------------- characteristics
#: Male share (mainstream, special).
MALE = (0.512, 0.70)
#: Ethnicity major group shares, England (White, Mixed, Asian, Black, Other, Unknown).
ETHNICITY_ENGLAND = (0.675, 0.072, 0.135, 0.064, 0.035, 0.019)
#: The same for London.
ETHNICITY_LONDON = (0.385, 0.115, 0.200, 0.170, 0.090, 0.040)
#: FSM eligibility by phase group (primary, secondary, special) and for sixth form.
FSM = (0.255, 0.235, 0.46)
FSM_SIXTH = 0.17
#: (SEN support, EHC plan) by phase group.
SEN = ((0.140, 0.036), (0.120, 0.032), (0.02, 0.97))
#: Looked-after and child-in-need base rates.
LOOKED_AFTER = 0.0070
CHILD_IN_NEED = 0.030

# ---------------------------------------------------------------- absence model
#: Mean full-day absence by phase group (primary, secondary, special), as a share
#: of school days, before the characteristic multipliers; tuned so the generated
#: overall absence lands on the targets in ``TARGETS`` (session-level codes add
#: the rest).
ABSENCE_BASE = (0.0322, 0.0465, 0.062)
#: Gamma shape of the everyday propensity (smaller = more spread).
GAMMA_SHAPE = (1.10, 0.95, 0.9)
#: Probability of being a (near-)severe absentee, before multipliers.
SEVERE_WEIGHT = (0.007, 0.030, 0.045)
#: Relative absence of groups (multipliers on the propensity).
MULT_FSM = 1.75
MULT_SEN_SUPPORT = 1.45
MULT_EHC = 1.60
MULT_CIN = 1.40
#: Spell lengths in school days (1..5) and their probabilities.
SPELL_LENGTH_P = (0.45, 0.25, 0.15, 0.10, 0.05)
#: Shares of pupils moving school, leaving, joining, dual registered, on a
#: reduced timetable during the year.
MOVE_SHARE = 0.030
LEAVE_SHARE = 0.010
JOIN_SHARE = 0.010
DUAL_SHARE = 0.001
REDUCED_SHARE = 0.012

_EPOCH = dt.date(1970, 1, 1)


def _days(d: dt.date) -> int:
    return (d - _EPOCH).days


def phase_group(phase_code: I64, yg: I64) -> I64:
    """0 primary, 1 secondary, 2 special: the DfE in-year phase of a pupil."""
    sec = np.isin(phase_code, [SECONDARY, HIGH, MIDDLE_S]) | (
        (phase_code == ALL_THROUGH) & (yg >= 7)
    )
    out: I64 = np.where(phase_code == SPECIAL, 2, np.where(sec, 1, 0)).astype(np.int64)
    return out


def _spell_inverse() -> tuple[F64, F64]:
    """Grid mapping a spell-start probability to the share of days absent."""
    q = 1.0 - np.concatenate([[0.0], np.cumsum(SPELL_LENGTH_P)[:-1]])
    s = np.linspace(0.0, 1.0, 2001)
    p = 1.0 - np.prod(1.0 - np.outer(s, q), axis=1)
    return p, s


_P_GRID, _S_GRID = _spell_inverse()


def start_probability(absent_share: F64) -> F64:
    """Invert the spell model: the daily spell-start probability for a share."""
    out: F64 = np.interp(np.clip(absent_share, 0.0, 0.999), _P_GRID, _S_GRID)
    return out


def _year_factor(phase_code: I64, yg: I64) -> F64:
    """Pupils per year group relative to the school's compulsory cohort."""
    f = np.ones(yg.size)
    f = np.where(yg >= 12, 0.45, f)
    special = phase_code == SPECIAL
    f = np.where(special & (yg == 0), 0.3, f)
    f = np.where(special & (yg >= 12), 0.5, f)
    # all-through schools: a primary phase half the size of the secondary
    f = np.where((phase_code == ALL_THROUGH) & (yg < 7), 0.5, f)
    out: F64 = f
    return out


def _choose(rng: np.random.Generator, p: tuple[float, ...] | F64, n: int) -> I64:
    cum = np.cumsum(np.asarray(p, dtype=np.float64))
    cum /= cum[-1]
    out: I64 = np.searchsorted(cum, rng.random(n), side="right").astype(np.int64)
    return out


def _logit(p: float | F64) -> F64:
    a = np.asarray(p, dtype=np.float64)
    out: F64 = np.log(a / (1 - a))
    return out


def _expit(x: F64) -> F64:
    out: F64 = 1.0 / (1.0 + np.exp(-x))
    return out


def la_pupils(  # noqa: PLR0915
    schools: pl.DataFrame, *, seed: int, year: int, la: int, london: bool
) -> pl.DataFrame:
    """Return the enrolment and model rows for the schools of one LA.

    ``schools`` is the LA's slice of the directory plan.
    """
    rng = np.random.default_rng(mix_int(seed, year, la, 202) % (1 << 63))
    urn_s = schools["urn"].to_numpy().astype(np.int64)
    phase_s = schools["phase_code"].to_numpy().astype(np.int64)
    lo_s = schools["yg_lo"].to_numpy().astype(np.int64)
    hi_s = schools["yg_hi"].to_numpy().astype(np.int64)
    coh_s = schools["cohort"].to_numpy().astype(np.float64)
    open_s = schools["open_days"].to_numpy().astype(np.int64)
    close_s = schools["close_days"].to_numpy().astype(np.int64)
    n_s = urn_s.size
    # one row per school x year group, then Poisson counts of pupils
    span = hi_s - lo_s + 1
    sch_rep = np.repeat(np.arange(n_s), span)
    yg_rep = lo_s[sch_rep] + (
        np.arange(sch_rep.size) - np.repeat(np.cumsum(span) - span, span)
    )
    lam = coh_s[sch_rep] * _year_factor(phase_s[sch_rep], yg_rep)
    counts = rng.poisson(lam)
    si = np.repeat(sch_rep, counts)
    yg = np.repeat(yg_rep, counts)
    n = si.size
    phase = phase_s[si]
    pg = phase_group(phase, yg)
    sixth = yg >= 12

    # keys: a bijective hash of (year, LA, counter) mixed with the seed
    seed_h = np.uint64(mix_int(seed, 7))
    raw = (
        (np.uint64(year - 1990) << np.uint64(52))
        | (np.uint64(la) << np.uint64(32))
        | np.arange(n, dtype=np.uint64)
    )
    key = mix(raw ^ seed_h)

    special = phase == SPECIAL
    male = rng.random(n) < np.where(special, MALE[1], MALE[0])
    sex = np.where(male, 0, 1).astype(np.uint8)
    sex = np.where(rng.random(n) < 0.0005, 2, sex).astype(np.uint8)
    eth = _choose(rng, ETHNICITY_LONDON if london else _ethnicity_rest(), n).astype(
        np.uint8
    )

    la_eff = rng.normal(0.0, 0.30)
    sch_eff = rng.normal(0.0, 0.45, size=n_s)
    base_fsm = np.where(sixth, FSM_SIXTH, np.asarray(FSM)[pg])
    p_fsm = _expit(_logit(base_fsm) + la_eff + sch_eff[si] - 0.08)
    fsm = rng.random(n) < p_fsm
    sup_b = np.asarray([s[0] for s in SEN])[pg]
    ehc_b = np.asarray([s[1] for s in SEN])[pg]
    tilt = np.where(fsm, 1.6, 1.0) / (1 + 0.6 * base_fsm)
    tilt = tilt * np.where(male, 1.35, 1.0) / 1.18
    tilt = np.where(special, 1.0, tilt)
    u = rng.random(n)
    ehc = u < ehc_b * tilt
    sup = ~ehc & (u < (ehc_b + sup_b) * tilt)
    sen = np.where(ehc, 2, np.where(sup, 1, 0)).astype(np.uint8)
    risk = np.where(fsm, 2.2, 1.0) * np.where(sen > 0, 2.0, 1.0) / 1.7
    cla = rng.random(n) < LOOKED_AFTER * risk
    cin = cla | (rng.random(n) < CHILD_IN_NEED * risk)

    # date of birth: age at 31 August = year group + 4
    age = yg + 4
    lo_dob = np.array([_days(dt.date(year - int(a) - 1, 9, 1)) for a in range(25)])
    dob = lo_dob[age] + rng.integers(0, 365, size=n)

    # absence propensity (share of school days missed in full-day spells)
    yf = np.where(pg == 1, 0.8 + 0.1 * np.clip(yg - 7, 0, 6), 1.0)
    yf = np.where(yg == 0, 1.05, yf)
    mult = (
        np.where(fsm, MULT_FSM, 1.0)
        * np.where(sen == 1, MULT_SEN_SUPPORT, 1.0)
        * np.where((sen == 2) & ~special, MULT_EHC, 1.0)
        * np.where(cin, MULT_CIN, 1.0)
        * yf
        * np.exp(rng.normal(-0.01, 0.12) + rng.normal(-0.02, 0.2, size=n_s)[si])
    )
    shape = np.asarray(GAMMA_SHAPE)[pg]
    z = rng.gamma(shape, 1.0 / shape)
    share = np.asarray(ABSENCE_BASE)[pg] * mult * z
    severe = rng.random(n) < np.asarray(SEVERE_WEIGHT)[pg] * np.minimum(mult, 4.0)
    share = np.where(severe, rng.beta(5.0, 3.0, size=n), share)
    share = np.minimum(share, 0.97)
    tier = np.where(share >= 0.3, 2, np.where(share >= 0.1, 1, 0)).astype(np.uint8)
    s_start = start_probability(share).astype(np.float32)

    # spells: admission dates, moves, joins, leaves
    sep1 = _days(dt.date(year, 9, 1))
    entry = np.array([_days(dt.date(year - k, 9, 1)) for k in range(16)])
    start = entry[np.clip(yg - lo_s[si], 0, 15)]
    start = np.maximum(start, open_s[si])
    end = np.full(n, -1, dtype=np.int64)
    closing = close_s[si] >= 0
    late_join = ~closing & (rng.random(n) < JOIN_SHARE)
    start = np.where(late_join, sep1 + 14 + rng.integers(0, 290, size=n), start)
    start = np.maximum(start, open_s[si])
    leave = ~late_join & ~closing & (rng.random(n) < LEAVE_SHARE)
    end = np.where(leave, sep1 + 30 + rng.integers(0, 290, size=n), end)
    mover = ~late_join & ~leave & ~closing & (rng.random(n) < MOVE_SHARE)
    move_day = sep1 + 30 + rng.integers(0, 270, size=n)
    move_day = np.where(closing, close_s[si] + 1, move_day)
    mover |= closing
    dest = _destinations(
        rng,
        si,
        yg=yg,
        lo_s=lo_s,
        hi_s=hi_s,
        close_s=close_s,
        special_s=phase_s == SPECIAL,
    )
    mover &= (dest >= 0) & (move_day - 1 >= start)
    end = np.where(mover & ~closing, move_day - 1, end)
    # a closing school's roll ends on its closing day, moved or not
    end = np.where(closing, close_s[si], end)
    # a leave dated before the spell began (a school opening late) is dropped
    end = np.where((end >= 0) & (end < start), -1, end)
    gap = np.where(closing, 0, rng.integers(0, 15, size=n))

    # dual registration with a special school (or another school) in the LA
    specials = np.nonzero(phase_s == SPECIAL)[0]
    dual = (
        ~special
        & (yg >= 1)
        & (yg <= 11)
        & (rng.random(n) < DUAL_SHARE)
        & (specials.size > 0)
        & ~mover
        & (end < 0)
    )
    sub = (
        specials[rng.integers(0, max(specials.size, 1), size=n) % max(specials.size, 1)]
        if specials.size
        else np.zeros(n, dtype=np.int64)
    )
    dual_mask = np.array([0b00010, 0b00100, 0b01010, 0b00001], dtype=np.uint8)[
        rng.integers(0, 4, size=n)
    ]
    reduced = (tier >= 1) & (yg >= 1) & (rng.random(n) < REDUCED_SHARE / 0.3)
    c2_from = rng.integers(0, 160, size=n).astype(np.int16)
    c2_len = rng.integers(15, 45, size=n).astype(np.int16)

    base = {
        "pupil_key": key,
        "urn": urn_s[si],
        "enrol_start": start,
        "enrol_end": end,
        "date_of_birth": dob,
        "age_at_31_august": age.astype(np.uint8),
        "yg": yg.astype(np.uint8),
        "sex": sex,
        "eth": eth,
        "fsm_eligible": fsm,
        "sen": sen,
        "looked_after": cla,
        "child_in_need": cin,
        "pg": pg.astype(np.uint8),
        "absence": share.astype(np.float32),
        "s_start": s_start,
        "tier": tier,
        "dual_role": np.where(dual, 1, 0).astype(np.uint8),
        "dual_mask": np.where(dual, dual_mask, 0).astype(np.uint8),
        "c2_from": np.where(reduced, c2_from, -1).astype(np.int16),
        "c2_to": np.where(reduced, c2_from + c2_len, -1).astype(np.int16),
    }
    main = pl.DataFrame(base)
    parts = [main]
    mv = np.nonzero(mover)[0]
    if mv.size:
        moved = main[mv].with_columns(
            urn=pl.Series(urn_s[dest[mv]]),
            enrol_start=pl.Series(move_day[mv] + gap[mv]),
            enrol_end=pl.lit(-1, dtype=pl.Int64),
        )
        parts.append(moved)
    du = np.nonzero(dual)[0]
    if du.size:
        subs = main[du].with_columns(
            urn=pl.Series(urn_s[sub[du]]),
            enrol_start=pl.Series(np.maximum(start[du], sep1)),
            dual_role=pl.lit(2, dtype=pl.UInt8),
            c2_from=pl.lit(-1, dtype=pl.Int16),
            c2_to=pl.lit(-1, dtype=pl.Int16),
        )
        parts.append(subs)
    return pl.concat(parts)


def _ethnicity_rest() -> F64:
    """Ethnicity shares outside London so that England matches ETHNICITY_ENGLAND."""
    share_london = 0.137
    eng = np.asarray(ETHNICITY_ENGLAND)
    lon = np.asarray(ETHNICITY_LONDON)
    out: F64 = np.clip((eng - share_london * lon) / (1 - share_london), 0.001, None)
    return out


def _destinations(
    rng: np.random.Generator,
    si: I64,
    *,
    yg: I64,
    lo_s: I64,
    hi_s: I64,
    close_s: I64,
    special_s: B,
) -> I64:
    """Pick, for each pupil, another school of the LA to move to (or -1).

    The school is of the same kind (mainstream or special) and teaches the
    pupil's year group.
    """
    dest = np.full(si.size, -1, dtype=np.int64)
    ok_s = close_s < 0
    for sp in (False, True):
        for g in range(15):
            cand = np.nonzero(ok_s & (lo_s <= g) & (hi_s >= g) & (special_s == sp))[0]
            rows = np.nonzero((yg == g) & (special_s[si] == sp))[0]
            if cand.size < 2 or rows.size == 0:
                continue
            pick = cand[rng.integers(0, cand.size, size=rows.size)]
            same = pick == si[rows]
            nxt = cand[(np.searchsorted(cand, pick) + 1) % cand.size]
            dest[rows] = np.where(same, nxt, pick)
    return dest


_YG_LABELS = ["R", *[str(i) for i in range(1, 15)]]


def enrolments_frame(model: pl.DataFrame) -> pl.DataFrame:
    """Select the contract columns (ENROLMENTS_SCHEMA) from the model frame."""
    return model.select(
        "pupil_key",
        "urn",
        pl.from_epoch("enrol_start", time_unit="d").alias("enrol_start"),
        pl.when(pl.col("enrol_end") >= 0)
        .then(pl.from_epoch("enrol_end", time_unit="d"))
        .alias("enrol_end"),
        pl.from_epoch("date_of_birth", time_unit="d").alias("date_of_birth"),
        "age_at_31_august",
        pl.col("yg")
        .replace_strict(dict(enumerate(_YG_LABELS)), return_dtype=pl.String)
        .cast(YEAR_GROUP_DTYPE)
        .alias("year_group"),
        pl.col("sex")
        .replace_strict({0: "Male", 1: "Female", 2: "Unknown"}, return_dtype=SEX_DTYPE)
        .alias("sex"),
        pl.col("eth")
        .replace_strict(
            dict(enumerate(ETHNICITY_DTYPE.categories.to_list())),
            return_dtype=ETHNICITY_DTYPE,
        )
        .alias("ethnicity_major"),
        "fsm_eligible",
        pl.col("sen")
        .replace_strict(
            dict(enumerate(SEN_PROVISION_DTYPE.categories.to_list())),
            return_dtype=SEN_PROVISION_DTYPE,
        )
        .alias("sen_provision"),
        "looked_after",
        "child_in_need",
    ).cast(ENROLMENTS_SCHEMA)  # type: ignore[arg-type]
