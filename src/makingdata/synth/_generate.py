"""Assemble the directory, the pupils and the mark engine for one request."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from makingdata.errors import InputError
from makingdata.synth._calendar import academic_year_of, build_calendar, calendar_frame
from makingdata.synth._directory import build_directory, load_las
from makingdata.synth._hash import hash_keys, mix_int
from makingdata.synth._ks2 import ks2_results_frame
from makingdata.synth._marks import MarkEngine, day_factors, inset_masks
from makingdata.synth._pupils import enrolments_frame, la_pupils

if TYPE_CHECKING:
    from makingdata.synth._directory import DirectoryPlan

_EPOCH = dt.date(1970, 1, 1)


def check_request(*, scale: float, start: dt.date, end: dt.date, seed: int) -> int:
    """Validate the arguments and return the academic year."""
    value: object = scale
    if (
        not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not 0 < value <= 1
    ):
        raise InputError(
            f"scale must be a number in (0, 1], got {scale!r}",
            hint="use 1.0 for all of England, 0.05 for about 5% of schools",
        )
    seed_value: object = seed
    if not isinstance(seed_value, int) or seed_value < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    if end < start:
        raise InputError(
            f"end {end.isoformat()} is before start {start.isoformat()}",
            hint="give start <= end",
        )
    year = academic_year_of(start)
    if academic_year_of(end) != year:
        raise InputError(
            f"{start.isoformat()} to {end.isoformat()} spans more than one academic year",
            hint=(
                f"generate each academic year separately (1 September to 31 August), "
                f"e.g. end={dt.date(year + 1, 8, 31).isoformat()}"
            ),
        )
    if year < 2006 or year > 2099:
        raise InputError(
            f"academic year {year}/{(year + 1) % 100:02d} is outside 2006/07-2099/00",
            hint="the generator models the 2006 and 2024 register regulations",
        )
    return year


def select_schools(
    directory: DirectoryPlan, *, la: int | str | None, trust: str | None
) -> pl.DataFrame:
    """Return the directory rows (schools frame) selected by LA and trust."""
    schools = directory.schools
    if la is not None:
        las = load_las()
        if isinstance(la, str) and not la.isdigit():
            hit = las.filter(pl.col("new_la_code") == la)
        else:
            hit = las.filter(pl.col("old_la_code") == int(la))
        if hit.is_empty():
            raise InputError(
                f"no local authority with code {la!r}",
                hint="give a 3-digit old LA code (e.g. 330) or a 9-character GSS code",
            )
        schools = schools.filter(pl.col("old_la_code") == hit["old_la_code"][0])
    if trust is not None:
        urns = directory.memberships.filter(pl.col("trust_id") == trust)["urn"]
        if urns.is_empty():
            raise InputError(
                f"no trust {trust!r} in the synthetic directory at this scale and seed",
                hint="pick a trust_id from generate(...).memberships",
            )
        schools = schools.filter(pl.col("urn").is_in(urns.implode()))
    return schools


def build(
    *,
    scale: float,
    start: dt.date,
    end: dt.date,
    seed: int,
    la: int | str | None,
    trust: str | None,
) -> tuple[
    pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame, MarkEngine, pl.DataFrame
]:
    """Return (schools, memberships, enrolments, calendar, engine, KS2 results)."""
    year = check_request(scale=scale, start=start, end=end, seed=seed)
    directory = build_directory(scale=scale, seed=seed, year=year)
    schools = select_schools(directory, la=la, trust=trust)
    plan = directory.plan.filter(pl.col("urn").is_in(schools["urn"].implode()))
    las = load_las()
    london = set(
        las.filter(pl.col("region_code") == "E12000007")["old_la_code"].to_list()
    )
    needed = sorted(set(plan["old_la_code"].to_list()))
    full_plan = directory.plan.filter(pl.col("old_la_code").is_in(needed))
    by_la = full_plan.partition_by("old_la_code", as_dict=True, maintain_order=True)
    parts = [
        la_pupils(
            by_la[(code,)],
            seed=seed,
            year=year,
            la=code,
            london=code in london,
        )
        for code in needed
    ]
    model = (
        pl.concat(parts)
        if parts
        else la_pupils(full_plan.head(0), seed=seed, year=year, la=0, london=False)
    )
    first = (start - _EPOCH).days
    last = (end - _EPOCH).days
    model = model.filter(
        pl.col("urn").is_in(schools["urn"].implode()),
        pl.col("enrol_start") <= last,
        (pl.col("enrol_end") < 0) | (pl.col("enrol_end") >= first),
    ).sort("urn", "pupil_key", "enrol_start")
    la_codes = las["old_la_code"].to_list()
    cal = build_calendar(year, la_codes)
    la_index = {int(c): i for i, c in enumerate(la_codes)}
    sch = model.select("urn").join(
        plan.select("urn", "old_la_code", "open_days", "close_days"),
        on="urn",
        how="left",
        maintain_order="left",
    )
    urn = model["urn"].to_numpy().astype(np.uint32)
    key = model["pupil_key"].to_numpy().astype(np.uint64)
    school_urns, school = np.unique(urn, return_inverse=True)
    seed_h = mix_int(seed, year, 404)
    pg = model["pg"].to_numpy().astype(np.int64)
    tier = model["tier"].to_numpy().astype(np.int64)
    engine = MarkEngine(
        cal=cal,
        factors=day_factors(cal),
        key=key,
        hkey=hash_keys(key, seed_h),
        urn=urn,
        school=school.astype(np.int32),
        la_idx=sch["old_la_code"]
        .replace_strict(la_index, return_dtype=pl.Int32)
        .to_numpy()
        .astype(np.int32),
        start=model["enrol_start"].to_numpy().astype(np.int64),
        end=model["enrol_end"].to_numpy().astype(np.int64),
        open_d=sch["open_days"].to_numpy().astype(np.int64),
        close_d=sch["close_days"].to_numpy().astype(np.int64),
        s_start=model["s_start"].to_numpy().astype(np.float32),
        grp=(pg * 3 + tier).astype(np.uint8),
        yg=model["yg"].to_numpy().astype(np.uint8),
        dual_role=model["dual_role"].to_numpy().astype(np.uint8),
        dual_mask=model["dual_mask"].to_numpy().astype(np.uint8),
        c2_from=model["c2_from"].to_numpy().astype(np.int16),
        c2_to=model["c2_to"].to_numpy().astype(np.int16),
        inset_mask=inset_masks(school_urns.astype(np.uint32), seed),
        school_h=hash_keys(school_urns.astype(np.uint64), mix_int(seed, year, 505)),
    )
    calendar = calendar_frame(cal).filter(
        pl.col("old_la_code").is_in(schools["old_la_code"].unique().implode()),
        pl.col("date").is_between(start, end),
    )
    memberships = directory.memberships.filter(
        pl.col("urn").is_in(schools["urn"].implode())
    )
    ks2 = ks2_results_frame(model, schools, seed=seed, year=year)
    return schools, memberships, enrolments_frame(model), calendar, engine, ks2
