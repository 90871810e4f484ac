"""How-to → An LA's KS2 scrutiny report: every code block runs, on hand-made results."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import polars as pl

from makingdata.attainment import KS2_RESULTS_SCHEMA, progress_reference

PAGE = Path(__file__).parents[2] / "docs" / "how-to" / "ks2-scrutiny.md"
SCHOOLS = pl.DataFrame(
    {
        "urn": [100001, 100002, 100003, 100004],
        "school_name": ["A First", "B Primary", "C Middle", "D Primary"],
        "laestab": [8852001, 8852002, 8854003, 8852004],
        "new_la_code": ["E10000034"] * 4,
        "la_name": ["Worcestershire"] * 4,
        "old_la_code": [885] * 4,
        "region_code": ["E12000005"] * 4,
        "region_name": ["West Midlands"] * 4,
        "lad_code": ["E07000236", "E07000234", "E07000236", "E07000234"],
        "lad_name": ["Redditch", "Bromsgrove", "Redditch", "Bromsgrove"],
        "education_phase": [
            "Primary",
            "Primary",
            "Middle (deemed secondary)",
            "Primary",
        ],
        "establishment_type_group": ["Academies", "Local authority maintained schools"]
        * 2,
    }
)


def _results(year: int, rng: random.Random) -> pl.DataFrame:
    rows = [
        {
            "pupil_key": i,
            "urn": rng.choice(SCHOOLS["urn"].to_list()),
            "time_period": year,
            "read_scaled_score": rng.randint(85, 118),
            "mat_scaled_score": rng.randint(85, 118),
            "gps_scaled_score": rng.randint(85, 118),
            "writta_outcome": rng.choice(["EXS", "GDS", "WTS"]),
            "scita_outcome": "EXS",
            "disadvantaged": rng.random() < 0.3,
            "sen_provision": rng.choice(
                ["No SEN provision", "SEN support / SEN without an EHC plan"]
            ),
        }
        for i in range(200)
    ]
    return pl.DataFrame(rows, schema=KS2_RESULTS_SCHEMA)


def test_every_code_block_of_the_how_to_runs() -> None:
    rng = random.Random(17)
    results_of = {y: _results(y, rng) for y in (201819, 202122, 202223, 202324, 202425)}
    results_2023 = results_of[202223].with_columns(prior_attainment_group=pl.lit("12"))
    names: dict[str, Any] = {
        "schools": SCHOOLS,
        "results_of": results_of,
        "results": results_of[202425],
        "results_2023": results_2023,
        "reference_2023": progress_reference(results_2023),
    }
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.DOTALL)
    assert len(blocks) == 6
    for block in blocks:
        exec(block, names)
    assert names["just_short"].height >= 0
    assert names["improving"].frame["previous_period"].drop_nulls().len() > 0
    assert names["progress"].collect().frame.height > 0
