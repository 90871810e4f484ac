"""Synthetic KS2 results for the Year 6 pupils of the synthetic attendance (private).

One row per Year 6 pupil in ``KS2_RESULTS_SCHEMA``, for the academic year
generated, consistent with the enrolments: the same ``pupil_key``, the school
of the pupil's latest spell in the range (where the pupil sat the tests), and
the pupil's sex, month of birth, SEN provision, looked-after status and FSM
eligibility (``disadvantaged`` is FSM, looked after, or FSM in an earlier
year of the last six).

The model is a latent attainment per pupil: a school effect, an LA effect,
gaps for disadvantage, SEN support, EHC plans, the pupil's absence propensity
(the share of days the attendance model makes the pupil miss), the month of
birth and, slightly, middle schools; each subject adds its own noise and a
sex difference. Fixed thresholds on the subject scores give the expected
and the higher standards at the national rates of :data:`KS2_TARGETS` (the
thresholds were calibrated once on a national run: the figures are tested,
not forced), and a scaled score runs linearly from 100 at the expected
threshold to 110 at the higher one, clipped to 80–120. Result codes (absent,
working below the standard of the test, unable to access, just arrived,
missing, maladministration) and the pre-key stage writing standards come at
low rates, mostly to the pupils the model puts lowest.

Every draw is a hash of the pupil's key (or the school's URN, or the LA
code) and the seed, so a subset (one LA) equals its part of the national
output and the same seed gives the same frame.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np
import numpy.typing as npt
import polars as pl

from makingdata._contracts import (
    KS2_RESULTS_SCHEMA,
    KS2_SCALED_SCORE_RANGE,
    EducationPhase,
)
from makingdata.synth._hash import hash_keys, mix_int, to_unit

F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

#: Share of pupils not FSM-eligible now who were in the last six years (so
#: that about 31% of Year 6 are disadvantaged with the generator's FSM rates).
EVER_FSM_EXTRA = 0.075
#: Probability of English as an additional language, by major ethnic group
#: (White, Mixed, Asian, Black, Other, Unknown); about 22% overall.
EAL_BY_ETHNICITY = (0.075, 0.20, 0.72, 0.42, 0.68, 0.30)
#: Share of pupils whose first language is unclassified (``eal`` null).
EAL_UNCLASSIFIED = 0.004

#: Latent attainment: the gaps (in latent standard deviations).
GAP_DISADVANTAGED = 0.52
GAP_SEN_SUPPORT = 1.35
GAP_EHC = 2.45
#: Per unit of absence share (0.10 = 10% of days missed).
GAP_ABSENCE = 3.0
#: Per month younger than a September birthday (August-born: 11 months).
GAP_MONTH = 0.022
#: Pupils taught KS2 in a middle school (modelled, not sourced).
GAP_MIDDLE = 0.08
SCHOOL_SD = 0.32
LA_SD = 0.10
#: Subject noise around the latent attainment.
SUBJECT_SD = 0.55
#: Girls' advantage by subject (half added for girls, half taken for boys).
SEX_DIFF = {"read": 0.15, "writ": 0.26, "mat": -0.04, "gps": 0.18, "sci": 0.05}
_SUBJECTS = ("read", "writ", "mat", "gps", "sci")

#: Thresholds on each subject's score: expected standard, higher standard
#: (calibrated on a national run, seed 0, scale 0.05: see the tests).
EXPECTED_AT = {
    "read": -1.652,
    "writ": -1.562,
    "mat": -1.607,
    "gps": -1.576,
    "sci": -2.044,
}
HIGHER_AT = {"read": 0.083, "writ": 0.814, "mat": 0.153, "gps": -0.034}
#: Below this a test is "working below the standard of the test" (B) and
#: writing is a pre-key stage standard.
BELOW_TEST_AT = -4.0
#: Rates of the other codes: absent (plus a share rising with absence), unable
#: to access, just arrived (EAL pupils), missing, maladministration.
P_ABSENT = 0.004
P_ABSENT_PER_ABSENCE2 = 0.30
P_UNABLE = 0.001
P_JUST_ARRIVED_EAL = 0.004
P_MISSING = 0.0003
P_MALADMIN = 0.0001


def _normal(h1: npt.NDArray[np.uint64], h2: npt.NDArray[np.uint64]) -> F64:
    """Return standard normal draws from two hashes (Box-Muller)."""
    u1 = np.maximum(to_unit(h1), 1e-12)
    u2 = to_unit(h2)
    out: F64 = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
    return out


def _scaled(y: F64, expected: float, higher: float) -> F64:
    """Return the scaled score of subject scores ``y``: 100 at ``expected``, 110 at ``higher``."""
    lo, hi = KS2_SCALED_SCORE_RANGE
    raw = 100.0 + 10.0 * (y - expected) / (higher - expected)
    score = np.floor(raw)
    score = np.where(y >= expected, np.maximum(score, 100), np.minimum(score, 99))
    score = np.where(y >= higher, np.maximum(score, 110), np.minimum(score, 109))
    out: F64 = np.clip(score, lo, hi)
    return out


@attrs.frozen
class _Pupils:
    """The Year 6 pupils, their characteristics and their subject scores."""

    y6: pl.DataFrame
    key: npt.NDArray[np.uint64]
    draw: Callable[[int], npt.NDArray[np.uint64]]
    disadvantaged: B
    eal: npt.NDArray[np.object_]
    month: npt.NDArray[np.int64]
    absence: F64
    score: dict[str, F64]


def _pupils(
    model: pl.DataFrame, schools: pl.DataFrame, *, seed: int, year: int
) -> _Pupils:
    """Return the Year 6 pupils of ``model`` with their latent subject scores."""
    y6 = (
        model.filter(pl.col("yg") == 6)
        .sort("pupil_key", "enrol_start")
        .group_by("pupil_key", maintain_order=True)
        .last()
        .join(
            schools.select(
                pl.col("urn").cast(model.schema["urn"]),
                "old_la_code",
                "education_phase",
            ),
            on="urn",
            how="left",
        )
        .sort("urn", "pupil_key")
    )
    key = y6["pupil_key"].to_numpy().astype(np.uint64)
    salt = mix_int(seed, year, 606)

    def draw(k: int) -> npt.NDArray[np.uint64]:
        return hash_keys(key, salt, k)

    urn = y6["urn"].to_numpy().astype(np.uint64)
    la = y6["old_la_code"].to_numpy().astype(np.uint64)
    school_eff = SCHOOL_SD * _normal(hash_keys(urn, salt, 1), hash_keys(urn, salt, 2))
    la_eff = LA_SD * _normal(hash_keys(la, salt, 3), hash_keys(la, salt, 4))

    fsm = y6["fsm_eligible"].to_numpy().astype(bool)
    cla = y6["looked_after"].to_numpy().astype(bool)
    disadvantaged = fsm | cla | (to_unit(draw(10)) < EVER_FSM_EXTRA)
    sen = y6["sen"].to_numpy().astype(np.int64)
    sex = y6["sex"].to_numpy().astype(np.int64)  # 0 male, 1 female, 2 unknown
    female = np.where(sex == 1, 0.5, np.where(sex == 0, -0.5, 0.0))
    eth = y6["eth"].to_numpy().astype(np.int64)
    eal: npt.NDArray[np.object_] = np.where(
        to_unit(draw(11)) < np.asarray(EAL_BY_ETHNICITY)[eth], True, False
    ).astype(object)
    eal[to_unit(draw(12)) < EAL_UNCLASSIFIED] = None
    dob = y6.select(pl.from_epoch("date_of_birth", time_unit="d").dt.month())
    month = dob.to_series().to_numpy().astype(np.int64)
    younger = (month - 9) % 12
    absence = y6["absence"].to_numpy().astype(np.float64)
    middle = (
        y6["education_phase"]
        .cast(pl.String)
        .is_in(
            [
                EducationPhase.MIDDLE_DEEMED_PRIMARY.value,
                EducationPhase.MIDDLE_DEEMED_SECONDARY.value,
            ]
        )
        .to_numpy()
    )

    latent = (
        _normal(draw(20), draw(21))
        + school_eff
        + la_eff
        - GAP_DISADVANTAGED * disadvantaged
        - GAP_SEN_SUPPORT * (sen == 1)
        - GAP_EHC * (sen == 2)
        - GAP_ABSENCE * absence
        - GAP_MONTH * younger
        - GAP_MIDDLE * middle
    )
    score = {
        s: latent
        + SEX_DIFF[s] * female
        + SUBJECT_SD * _normal(draw(30 + i), draw(40 + i))
        for i, s in enumerate(_SUBJECTS)
    }

    return _Pupils(
        y6=y6,
        key=key,
        draw=draw,
        disadvantaged=disadvantaged,
        eal=eal,
        month=month,
        absence=absence,
        score=score,
    )


def ks2_results_frame(
    model: pl.DataFrame, schools: pl.DataFrame, *, seed: int, year: int
) -> pl.DataFrame:
    """Return the KS2 results of the Year 6 pupils of ``model`` (``KS2_RESULTS_SCHEMA``).

    ``model`` is the generator's pupil frame (one row per spell, with the
    characteristics and the absence propensity ``absence``); ``schools`` the
    selected directory rows.
    """
    p = _pupils(model, schools, seed=seed, year=year)
    y6, key, draw, score = p.y6, p.key, p.draw, p.score
    disadvantaged, eal, month, absence = p.disadvantaged, p.eal, p.month, p.absence
    n = y6.height
    cla = y6["looked_after"].to_numpy().astype(bool)
    absent_p = P_ABSENT + P_ABSENT_PER_ABSENCE2 * absence**2
    eal_known = np.asarray([v is True for v in eal])
    columns: dict[str, pl.Series] = {}
    for i, s in enumerate(("read", "mat", "gps")):
        y = score[s]
        u = to_unit(draw(50 + i))
        code = np.full(n, None, dtype=object)
        code[y < BELOW_TEST_AT] = "B"
        rest = code == None  # noqa: E711 - elementwise on an object array
        cuts = np.cumsum(
            [
                absent_p,
                np.full(n, P_UNABLE),
                np.where(eal_known, P_JUST_ARRIVED_EAL, 0.0),
                np.full(n, P_MISSING),
                np.full(n, P_MALADMIN),
            ],
            axis=0,
        )
        for letter, cut, before in zip(
            ("A", "T", "J", "M", "Q"),
            cuts,
            [np.zeros(n), *cuts[:-1]],
            strict=True,
        ):
            code[rest & (u >= before) & (u < cut)] = letter
        scaled = _scaled(y, EXPECTED_AT[s], HIGHER_AT[s])
        columns[f"{s}_scaled_score"] = pl.Series(
            np.where(code == None, scaled, np.nan),  # noqa: E711
            nan_to_null=True,
        )
        columns[f"{s}_code"] = pl.Series(code.tolist(), dtype=pl.String)

    y = score["writ"]
    depth = np.clip(
        np.floor((y - (BELOW_TEST_AT - 3.0)) / 0.5).astype(np.int64) + 1, 0, 6
    )
    pk = np.array(["EM", "PK1", "PK2", "PK3", "PK4", "PK5", "PK6"], dtype=object)
    writing = np.where(
        y >= HIGHER_AT["writ"],
        "GDS",
        np.where(
            y >= EXPECTED_AT["writ"],
            "EXS",
            np.where(y >= BELOW_TEST_AT, "WTS", pk[depth]),
        ),
    ).astype(object)
    writing[to_unit(draw(60)) < absent_p / 4] = "A"
    science = np.where(score["sci"] >= EXPECTED_AT["sci"], "EXS", "HNM").astype(object)
    science[to_unit(draw(61)) < absent_p / 4] = "A"

    frame = pl.DataFrame(
        {
            "pupil_key": key,
            "urn": y6["urn"],
            "time_period": np.full(n, year * 100 + (year + 1) % 100, dtype=np.int32),
            "read_scaled_score": columns["read_scaled_score"],
            "read_code": columns["read_code"],
            "mat_scaled_score": columns["mat_scaled_score"],
            "mat_code": columns["mat_code"],
            "gps_scaled_score": columns["gps_scaled_score"],
            "gps_code": columns["gps_code"],
            "writta_outcome": pl.Series(writing.tolist(), dtype=pl.String),
            "scita_outcome": pl.Series(science.tolist(), dtype=pl.String),
            "disadvantaged": disadvantaged,
            "sen_provision": y6["sen"],
            "eal": pl.Series(eal.tolist(), dtype=pl.Boolean),
            "sex": y6["sex"],
            "looked_after": cla,
            "month_of_birth": month,
        },
        nan_to_null=True,
    )
    sen_labels = KS2_RESULTS_SCHEMA["sen_provision"].categories.to_list()  # type: ignore[attr-defined]
    sex_labels = KS2_RESULTS_SCHEMA["sex"].categories.to_list()  # type: ignore[attr-defined]
    return frame.with_columns(
        pl.col("sen_provision").replace_strict(
            dict(enumerate(sen_labels)), return_dtype=pl.String
        ),
        pl.col("sex").replace_strict(
            dict(enumerate(sex_labels)), return_dtype=pl.String
        ),
    ).cast(KS2_RESULTS_SCHEMA)  # type: ignore[arg-type]
