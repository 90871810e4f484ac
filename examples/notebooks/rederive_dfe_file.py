# ---
# jupyter:
#   jupytext:
#     formats: py:percent,ipynb
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Re-deriving a published DfE file
#
# DfE publishes its absence statistics at school level *and* as local
# authority, regional and national aggregates. If makingdata counts the way
# DfE counts, rolling up DfE's own school rows gives DfE's own aggregates, cell
# for cell. This notebook checks that on a real file: *Absence for four year
# olds*, from DfE's "Pupil absence in schools in England 2016/17" release,
# for the North East in 2016/17 (the extract in `data/`, under the Open
# Government Licence v3.0: see `data/README.md`).
#
# It shows three things an analyst meets with every published file:
#
# 1. how a file published under yesterday's standards fares against today's
#    (`check_ees`);
# 2. school rows rolled up to LA rows give DfE's LA figures exactly, except
#    where a school's figure was suppressed (`x`), which no one outside DfE
#    can add up;
# 3. LA rows rolled up to the region give DfE's regional figures only with
#    DfE's rounding of regional enrolments to the nearest 5.
#
# A notebook in jupytext's percent format: run it as a script, or open it as a
# notebook (`jupytext --to ipynb rederive_dfe_file.py`).

# %%
from pathlib import Path

import polars as pl

from makingdata import charts, publish
from makingdata.attendance import rollup
from makingdata.tables import SYMBOLS, read_published

try:  # in a notebook: the rich HTML reprs
    from IPython.display import display
except ImportError:  # as a plain script: the text reprs
    display = print

try:  # run as a script
    HERE = Path(__file__).resolve().parent
except NameError:  # in a notebook: the working folder is the notebook's
    HERE = Path.cwd()
FILE = HERE / "data" / "absence_for_four_year_olds_north_east_201617.csv"
COUNTS = ["num_schools", "enrolments", "sess_possible", "sess_overall"]
INDICATORS = [*COUNTS, "sess_overall_percent"]

# %% [markdown]
# ## 1. The file against today's EES standards
#
# The file was published in 2017, before the open data standards took their
# present form: `check_ees` lists what DfE's screener would say of it now (a
# `school_type` column that is no longer the harmonised name, Northumberland's
# LA code that has since changed, no `indicator_dp` in the metadata).

# %%
check = publish.check_ees(FILE)
display(check)

# %% [markdown]
# ## 2. The file, read as a table
#
# Read as text, so that the symbols stay symbols (`x`: not available — here a
# school's figure withheld), then as a `Table` that knows its filters and
# indicators.

# %%
text = pl.read_csv(FILE, infer_schema=False)
published = read_published(text)
display(published)
print(text["geographic_level"].value_counts(sort=True))


# %% [markdown]
# ## 3. Schools to local authorities
#
# `rollup` adds the school rows up to LA rows, by school type with a `Total`,
# and computes the rate as a ratio of sums, rounded half up to 1 place as DfE
# rounds it. A sum over a school whose figure is `x` stays `x`.


# %%
def compare(derived: pl.DataFrame, level: str) -> pl.DataFrame:
    """One row per cell of ``level``: the derived value beside DfE's."""
    key = "region_code" if level == "Regional" else "new_la_code"

    def cells(frame: pl.DataFrame, name: str) -> pl.DataFrame:
        return (
            frame.filter(pl.col("geographic_level") == level)
            .select(
                key, "school_type", *(pl.col(c).cast(pl.String) for c in INDICATORS)
            )
            .unpivot(
                index=[key, "school_type"], variable_name="column", value_name=name
            )
        )

    joined = cells(derived, "derived").join(
        cells(text, "dfe"), on=[key, "school_type", "column"], how="left"
    )
    # a sum over an ``x`` is ``x``, and a rate over one is null
    computable = pl.col("derived").is_not_null() & ~pl.col("derived").is_in(
        list(SYMBOLS)
    )
    same = pl.col("derived").cast(pl.Float64, strict=False) == pl.col("dfe").cast(
        pl.Float64, strict=False
    )
    return joined.with_columns(
        result=pl.when(~computable)
        .then(pl.lit("not computable"))
        .when(same)
        .then(pl.lit("same"))
        .otherwise(pl.lit("differs"))
    )


la = rollup(text, levels="la", by=["school_type"], decimals=1).collect()
display(la)
la_cells = compare(la.data(), "Local authority")
print(la_cells["result"].value_counts(sort=True))

# %%
assert la_cells.filter(pl.col("result") == "differs").height == 0
assert la_cells.filter(pl.col("result") == "same").height > 150

# %% [markdown]
# Every LA cell that can be computed from the school rows is DfE's own figure.
# The cells that cannot are those where a school's figure is `x`: DfE added
# the real number; a reader of the file cannot.

# %% [markdown]
# ## 4. Local authorities to the region, with DfE's rounding
#
# DfE publishes regional and national enrolments in this file rounded to the
# nearest 5. Rolled up from the LA rows without that rounding, the regional
# enrolments differ; with `rounding={"region": 5}`, every regional cell is
# DfE's.

# %%
unrounded = rollup(
    text, levels="region", by=["school_type"], from_level="Local authority", decimals=1
).collect()
raw = compare(unrounded.data(), "Regional")
print(raw.filter(pl.col("result") == "differs"))

region = rollup(
    text,
    levels="region",
    by=["school_type"],
    from_level="Local authority",
    decimals=1,
    rounding={"region": 5},
).collect()
region_cells = compare(region.data(), "Regional")
print(region_cells["result"].value_counts(sort=True))

# %%
assert set(raw.filter(pl.col("result") == "differs")["column"]) == {"enrolments"}
assert set(region_cells["result"]) == {"same"}

# %% [markdown]
# ## 5. A chart of the published rates
#
# The overall absence rate of four-year-olds by school type in the region —
# from DfE's regional rows.

# %%
chart = charts.absence_by_group(
    published,
    "school_type",
    level="region",
    measures=("sess_overall_percent",),
    national=False,
    title="Overall absence rate of four-year-olds by school type, North East, 2016/17",
    source="DfE, Pupil absence in schools in England 2016/17 (Open Government Licence v3.0)",
)
display(chart)
