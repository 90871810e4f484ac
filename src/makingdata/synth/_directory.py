"""Synthetic schools, trusts and trust memberships sized from the real LA table."""

from __future__ import annotations

import datetime as dt
import importlib.resources

import attrs
import numpy as np
import numpy.typing as npt
import polars as pl

from makingdata._contracts import (
    EDUCATION_PHASE_DTYPE,
    MEMBERSHIPS_SCHEMA,
    SCHOOLS_SCHEMA,
    EducationPhase,
)
from makingdata.synth._districts import (
    THREE_TIER_LADS,
    district_names,
    school_districts,
)
from makingdata.synth._hash import mix_int

I64 = npt.NDArray[np.int64]

#: LAs modelled with a three-tier system (first, middle and high schools):
#: Central Bedfordshire and Northumberland throughout, Worcestershire and
#: Staffordshire only in the districts of ``THREE_TIER_LADS`` (partly
#: three-tier counties).
THREE_TIER_LAS: tuple[int, ...] = (823, 929, 885, 860)
#: The LAs that are three-tier throughout.
WHOLLY_THREE_TIER_LAS: tuple[int, ...] = (823, 929)

#: Share of schools that are academies, by base phase (primary, secondary, special).
ACADEMY_SHARE = (0.40, 0.80, 0.45)
#: Share of secondary schools (outside three-tier LAs) that are all-through.
ALL_THROUGH_SHARE = 0.05
#: Share of secondary (and high) schools with a sixth form.
SIXTH_FORM_SHARE = 0.65
#: Shares of schools opening, closing and changing trust during the year.
OPEN_SHARE = 0.004
CLOSE_SHARE = 0.004
TRUST_MOVE_SHARE = 0.015

#: Trust size bands (smallest, largest) and their probabilities.
_TRUST_BANDS = ((1, 1), (2, 5), (6, 10), (11, 20), (21, 40), (41, 60))
_TRUST_P = (0.50, 0.30, 0.11, 0.06, 0.025, 0.005)

# internal phase codes
PRIMARY, SECONDARY, SPECIAL, ALL_THROUGH, MIDDLE_P, MIDDLE_S, FIRST, HIGH = range(8)
_PHASE_LABEL = {
    PRIMARY: EducationPhase.PRIMARY,
    SECONDARY: EducationPhase.SECONDARY,
    SPECIAL: EducationPhase.SPECIAL,
    ALL_THROUGH: EducationPhase.ALL_THROUGH,
    MIDDLE_P: EducationPhase.MIDDLE_DEEMED_PRIMARY,
    MIDDLE_S: EducationPhase.MIDDLE_DEEMED_SECONDARY,
    FIRST: EducationPhase.PRIMARY,
    HIGH: EducationPhase.SECONDARY,
}
_NAME_WORD = {
    PRIMARY: "Primary School",
    SECONDARY: "Secondary School",
    SPECIAL: "Special School",
    ALL_THROUGH: "All-through School",
    MIDDLE_P: "Middle School",
    MIDDLE_S: "Middle School",
    FIRST: "First School",
    HIGH: "High School",
}
#: (lowest, highest) year group of each phase; 0 = reception.
_YEARS = {
    PRIMARY: (0, 6),
    SECONDARY: (7, 11),
    SPECIAL: (0, 14),
    ALL_THROUGH: (0, 11),
    MIDDLE_P: (5, 8),
    MIDDLE_S: (5, 8),
    FIRST: (0, 4),
    HIGH: (9, 11),
}
#: Establishment-number bands (GIAS habit: 2xxx primary, 4xxx secondary, 7xxx special).
_ESTAB_BAND = {
    PRIMARY: (2000, 2000),
    FIRST: (2000, 2000),
    MIDDLE_P: (2000, 2000),
    SECONDARY: (4000, 2000),
    HIGH: (4000, 2000),
    MIDDLE_S: (4000, 2000),
    ALL_THROUGH: (4000, 2000),
    SPECIAL: (7000, 1000),
}


def load_las() -> pl.DataFrame:
    """Return the packaged LA table (``makingdata/data/las.csv``)."""
    ref = importlib.resources.files("makingdata") / "data" / "las.csv"
    with importlib.resources.as_file(ref) as path:
        return pl.read_csv(
            path,
            schema_overrides={"old_la_code": pl.UInt16, "new_la_code": pl.String},
        )


@attrs.frozen
class DirectoryPlan:
    """The directory frames plus the per-school sizing the pupil step needs."""

    schools: pl.DataFrame
    memberships: pl.DataFrame
    plan: pl.DataFrame


def allocate(counts: I64, scale: float, floor: int) -> I64:
    """Scale counts per LA by largest remainder, keeping ``floor`` where any exist."""
    raw = counts.astype(np.float64) * scale
    base = np.floor(raw).astype(np.int64)
    target = round(float(counts.sum()) * scale)
    order = np.argsort(-(raw - base), kind="stable")
    extra = max(target - int(base.sum()), 0)
    base[order[:extra]] += 1
    out: I64 = np.where(counts > 0, np.maximum(base, floor), 0)
    return out


def _days(d: dt.date) -> int:
    return (d - dt.date(1970, 1, 1)).days


def _draw_days(rng: np.random.Generator, a: dt.date, b: dt.date, n: int) -> I64:
    out: I64 = rng.integers(_days(a), _days(b) + 1, size=n)
    return out


def build_directory(*, scale: float, seed: int, year: int) -> DirectoryPlan:  # noqa: PLR0915
    """Build schools, memberships and the sizing plan for academic ``year``."""
    las = load_las()
    rng = np.random.default_rng(mix_int(seed, year, 101) % (1 << 63))
    n_la = las.height
    la_code = las["old_la_code"].to_numpy().astype(np.int64)
    three = np.isin(la_code, WHOLLY_THREE_TIER_LAS)
    p_cnt = las["primary_schools"].to_numpy().astype(np.int64)
    s_cnt = las["secondary_schools"].to_numpy().astype(np.int64)
    x_cnt = las["special_schools"].to_numpy().astype(np.int64)
    p_enr = las["primary_enrolments"].to_numpy().astype(np.float64)
    s_enr = las["secondary_enrolments"].to_numpy().astype(np.float64)
    x_enr = las["special_enrolments"].to_numpy().astype(np.float64)

    def mean_cohort(
        enr: npt.NDArray[np.float64], cnt: I64, years: float
    ) -> npt.NDArray[np.float64]:
        nat = enr.sum() / max(int(cnt.sum()), 1) / years
        ok = (cnt > 0) & (enr > 0)
        out: npt.NDArray[np.float64] = np.where(
            ok, enr / np.maximum(cnt, 1) / years, nat
        )
        return out

    p_coh = mean_cohort(p_enr, p_cnt, 6.0)
    s_coh = mean_cohort(s_enr, s_cnt, 5.0)
    x_coh = mean_cohort(x_enr, x_cnt, 11.0)
    # three-tier LAs: one LA-wide cohort shared by first, middle and high schools
    la_cohort = (p_enr + s_enr) / 11.0
    first_coh = np.where(three, la_cohort / np.maximum(p_cnt, 1), p_coh)
    # middle and high schools (about half the "secondary" count each) share the
    # LA-wide cohort, in wholly and partly three-tier areas alike
    mid_coh = 2 * la_cohort / np.maximum(s_cnt, 1)

    n_p = allocate(p_cnt, scale, 1)
    n_s = allocate(s_cnt, scale, 0)
    # an LA without primary schools (Isles of Scilly) keeps its secondary
    n_s = np.where((n_p == 0) & (s_cnt > 0), np.maximum(n_s, 1), n_s)
    n_x = allocate(x_cnt, scale, 0)
    la_idx = np.concatenate(
        [np.repeat(np.arange(n_la), n) for n in (n_p, n_s, n_x)]
    ).astype(np.int64)
    base = np.concatenate(
        [
            np.full(int(n.sum()), k, dtype=np.int64)
            for k, n in enumerate((n_p, n_s, n_x))
        ]
    )
    n = la_idx.size
    # districts from a generator of their own: the main stream does not move
    lad = school_districts(
        las["new_la_code"].to_numpy().astype(object)[la_idx],
        np.random.default_rng(mix_int(seed, year, 103) % (1 << 63)),
    )
    phase = np.select(
        [base == 0, base == 1], [PRIMARY, SECONDARY], default=SPECIAL
    ).astype(np.int64)
    u = rng.random(n)
    in3 = three[la_idx] | np.isin(lad, THREE_TIER_LADS)
    phase = np.where(in3 & (base == 0), FIRST, phase)
    phase = np.where(in3 & (base == 1) & (u < 0.375), MIDDLE_S, phase)
    phase = np.where(in3 & (base == 1) & (u >= 0.375) & (u < 0.5), MIDDLE_P, phase)
    phase = np.where(in3 & (base == 1) & (u >= 0.5), HIGH, phase)
    phase = np.where(~in3 & (base == 1) & (u < ALL_THROUGH_SHARE), ALL_THROUGH, phase)

    sigma = np.array([0.45, 0.35, 0.40])[base]
    w = rng.lognormal(-(sigma**2) / 2, sigma)
    coh = (
        np.select(
            [
                phase == PRIMARY,
                phase == FIRST,
                np.isin(phase, [MIDDLE_P, MIDDLE_S, HIGH]),
            ],
            [p_coh[la_idx], first_coh[la_idx], mid_coh[la_idx]],
            default=np.where(base == 2, x_coh[la_idx], s_coh[la_idx]),
        )
        * w
    )
    yg_lo = np.array([_YEARS[int(p)][0] for p in range(8)])[phase]
    yg_hi = np.array([_YEARS[int(p)][1] for p in range(8)])[phase]
    sixth = np.isin(phase, [SECONDARY, ALL_THROUGH, HIGH]) & (
        rng.random(n) < SIXTH_FORM_SHARE
    )
    yg_hi = np.where(sixth, 13, yg_hi)

    academy = rng.random(n) < np.array(ACADEMY_SHARE)[base]
    opening = rng.random(n) < OPEN_SHARE
    closing = ~opening & (rng.random(n) < CLOSE_SHARE)
    academy |= opening
    # new schools open with their lowest two year groups only
    yg_hi = np.where(opening & (base != 2), np.minimum(yg_lo + 1, yg_hi), yg_hi)

    # URNs: maintained 100000-134999, academies 135000-149999, openings 150000-159999
    urn = np.zeros(n, dtype=np.int64)
    for mask, lo, hi in (
        (~academy, 100000, 135000),
        (academy & ~opening, 135000, 150000),
        (opening, 150000, 160000),
    ):
        k = int(mask.sum())
        urn[mask] = rng.choice(np.arange(lo, hi), size=k, replace=False)

    sep1 = dt.date(year, 9, 1)
    open_day = np.where(
        academy,
        _draw_days(rng, dt.date(2011, 9, 1), dt.date(year, 8, 1), n),
        _draw_days(rng, dt.date(1950, 1, 1), dt.date(2010, 8, 31), n),
    )
    open_day = np.where(
        opening, _draw_days(rng, sep1, dt.date(year + 1, 4, 30), n), open_day
    )
    close_day = np.where(
        closing, _draw_days(rng, dt.date(year, 10, 1), dt.date(year + 1, 7, 15), n), -1
    )

    est_type, est_group = _establishment_types(rng, phase, base, academy, opening)
    frame = pl.DataFrame(
        {
            "urn": urn,
            "la_idx": la_idx,
            "phase_code": phase,
            "yg_lo": yg_lo,
            "yg_hi": yg_hi,
            "cohort": coh,
            "sixth": sixth,
            "academy": academy,
            "open_days": open_day,
            "close_days": close_day,
            "establishment_type": est_type,
            "establishment_type_group": est_group,
            "lad_code": pl.Series(lad.tolist(), dtype=pl.String),
        }
    ).sort("urn")
    las_idx = las.with_row_index("la_idx").with_columns(pl.col("la_idx").cast(pl.Int64))
    frame = frame.join(las_idx, on="la_idx", how="left").sort("urn")
    frame = _estab_and_names(frame)
    trusts, memberships, current = _trusts(frame, rng, year)
    frame = frame.join(current, on="urn", how="left")
    schools = frame.select(
        pl.col("urn").cast(pl.UInt32),
        "school_name",
        ((pl.col("old_la_code").cast(pl.UInt32) * 10000) + pl.col("estab"))
        .cast(pl.UInt32)
        .alias("laestab"),
        pl.col("old_la_code").cast(pl.UInt16),
        "new_la_code",
        "la_name",
        "region_code",
        "region_name",
        "trust_id",
        pl.col("phase_code")
        .replace_strict(
            {k: v.value for k, v in _PHASE_LABEL.items()}, return_dtype=pl.String
        )
        .cast(EDUCATION_PHASE_DTYPE)
        .alias("education_phase"),
        "establishment_type",
        "establishment_type_group",
        pl.from_epoch(pl.col("open_days"), time_unit="d").alias("open_date"),
        pl.when(pl.col("close_days") >= 0)
        .then(pl.from_epoch(pl.col("close_days"), time_unit="d"))
        .alias("close_date"),
        "lad_code",
        pl.col("lad_code")
        .replace_strict(district_names(), default=pl.col("la_name"))
        .alias("lad_name"),
    )
    schools = schools.cast(SCHOOLS_SCHEMA)  # type: ignore[arg-type]
    plan = frame.select(
        pl.col("urn").cast(pl.UInt32),
        pl.col("la_idx").cast(pl.Int32),
        pl.col("old_la_code").cast(pl.Int64),
        "phase_code",
        "yg_lo",
        "yg_hi",
        "cohort",
        "sixth",
        "open_days",
        "close_days",
        "region_code",
        "trust_id",
    )
    del trusts
    return DirectoryPlan(schools=schools, memberships=memberships, plan=plan)


def _establishment_types(
    rng: np.random.Generator,
    phase: I64,
    base: I64,
    academy: npt.NDArray[np.bool_],
    opening: npt.NDArray[np.bool_],
) -> tuple[list[str], list[str]]:
    n = phase.size
    u = rng.random(n)
    types: list[str] = []
    groups: list[str] = []
    for i in range(n):  # about 21,500 schools at full scale: small
        special = base[i] == 2
        if opening[i]:
            types.append("Free schools special" if special else "Free schools")
            groups.append("Free Schools")
        elif academy[i]:
            sponsor = u[i] < 0.3
            if special:
                types.append(
                    "Academy special sponsor led"
                    if sponsor
                    else "Academy special converter"
                )
            else:
                types.append("Academy sponsor led" if sponsor else "Academy converter")
            groups.append("Academies")
        elif special:
            types.append(
                "Foundation special school"
                if u[i] < 0.1
                else "Community special school"
            )
            groups.append("Special schools")
        else:
            x = u[i]
            types.append(
                "Community school"
                if x < 0.55
                else "Voluntary aided school"
                if x < 0.75
                else "Voluntary controlled school"
                if x < 0.92
                else "Foundation school"
            )
            groups.append("Local authority maintained schools")
    return types, groups


def _estab_and_names(frame: pl.DataFrame) -> pl.DataFrame:
    band_lo = {k: v[0] for k, v in _ESTAB_BAND.items()}
    band_size = {k: v[1] for k, v in _ESTAB_BAND.items()}
    frame = frame.with_columns(
        band_lo=pl.col("phase_code").replace_strict(band_lo, return_dtype=pl.Int64),
        band_size=pl.col("phase_code").replace_strict(band_size, return_dtype=pl.Int64),
        word=pl.col("phase_code").replace_strict(_NAME_WORD, return_dtype=pl.String),
    )
    rank = pl.int_range(pl.len()).over("old_la_code", "band_lo")
    frame = frame.with_columns(
        estab=(
            pl.col("band_lo")
            + (rank * 7919 + pl.col("old_la_code").cast(pl.Int64) * 37)
            % pl.col("band_size")
        ).cast(pl.UInt32),
        school_name=pl.format(
            "Synthetic {} {}",
            pl.col("word"),
            pl.int_range(1, pl.len() + 1).over("word"),
        ),
    )
    return frame.drop("band_lo", "band_size", "word")


def _trusts(
    frame: pl.DataFrame, rng: np.random.Generator, year: int
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Group academies into trusts by region and return (trusts, memberships, current)."""
    acad = frame.filter(pl.col("academy")).with_columns(
        _k=pl.Series(rng.random(int(frame["academy"].sum())))
    )
    # keep trusts mostly within an LA but let big ones run on into the next LA
    acad = acad.sort("region_code", "old_la_code", "_k")
    trust_of = np.zeros(acad.height, dtype=np.int64)
    next_trust = 0
    for _region, idx in (
        acad.with_row_index("_i")
        .group_by("region_code", maintain_order=True)
        .agg("_i")
        .iter_rows()
    ):
        pos = 0
        rows = np.asarray(idx)
        while pos < rows.size:
            band = rng.choice(len(_TRUST_BANDS), p=_TRUST_P)
            lo, hi = _TRUST_BANDS[band]
            size = int(rng.integers(lo, hi + 1))
            trust_of[rows[pos : pos + size]] = next_trust
            pos += size
            next_trust += 1
    n_trusts = next_trust
    ids = rng.choice(np.arange(1000, 100000), size=n_trusts, replace=False)
    sizes = np.bincount(trust_of, minlength=n_trusts)
    trust_ids = [f"TR{int(i):05d}" for i in ids]
    names = [
        f"Synthetic {'Academy' if sizes[t] == 1 else 'Learning'} Trust {t + 1}"
        for t in range(n_trusts)
    ]
    trusts = pl.DataFrame({"trust_id": trust_ids, "trust_name": names, "size": sizes})
    id_arr = np.array(trust_ids, dtype=object)
    name_arr = np.array(names, dtype=object)
    first = acad.with_columns(
        trust_id=pl.Series(id_arr[trust_of].tolist(), dtype=pl.String),
        trust_name=pl.Series(name_arr[trust_of].tolist(), dtype=pl.String),
    )
    # some academies change trust during the year (to a multi-academy trust in the region)
    movers_mask = (
        (rng.random(first.height) < TRUST_MOVE_SHARE)
        & (first["open_days"].to_numpy() < _days(dt.date(year, 9, 1)))
        & (first["close_days"].to_numpy() < 0)
    )
    move_day = _draw_days(
        rng, dt.date(year, 9, 1), dt.date(year + 1, 7, 31), first.height
    )
    # the new trust is the trust of another academy in the same region
    region = first["region_code"].to_numpy()
    starts = np.searchsorted(region, region, side="left")
    ends = np.searchsorted(region, region, side="right")
    pick = starts + np.floor(rng.random(first.height) * (ends - starts)).astype(
        np.int64
    )
    dest = trust_of[pick]
    movers_mask &= dest != trust_of
    first = first.with_columns(
        _move=pl.Series(movers_mask),
        _move_day=pl.Series(move_day),
        _dest_id=pl.Series(id_arr[dest].tolist(), dtype=pl.String),
        _dest_name=pl.Series(name_arr[dest].tolist(), dtype=pl.String),
    )
    first_rows = first.select(
        "urn",
        "trust_id",
        "trust_name",
        joined=pl.col("open_days"),
        left=pl.when(pl.col("_move"))
        .then(pl.col("_move_day") - 1)
        .when(pl.col("close_days") >= 0)
        .then(pl.col("close_days")),
    )
    second_rows = first.filter(pl.col("_move")).select(
        "urn",
        trust_id=pl.col("_dest_id"),
        trust_name=pl.col("_dest_name"),
        joined=pl.col("_move_day"),
        left=pl.lit(None, dtype=pl.Int64),
    )
    memberships = (
        pl.concat([first_rows, second_rows])
        .with_columns(
            pl.from_epoch("joined", time_unit="d"),
            pl.from_epoch("left", time_unit="d"),
        )
        .sort("urn", "joined")
        .cast(MEMBERSHIPS_SCHEMA)  # type: ignore[arg-type]
    )
    current = (
        memberships.sort("urn", "joined")
        .group_by("urn", maintain_order=True)
        .agg(pl.col("trust_id").last())
        .with_columns(pl.col("urn").cast(pl.Int64))
    )
    return trusts, memberships, current
