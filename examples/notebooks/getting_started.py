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
# # Getting started with makingdata
#
# The whole data path on synthetic data, one step a cell: read and validate an
# export, count attendance the DfE way, protect the table for the public,
# write it for Explore Education Statistics (EES) and check the files, check a
# data request, and draw a chart. Each result object shows itself as a small
# HTML summary in a notebook.
#
# This file is a notebook in jupytext's *percent* format: run it as a script
# (`python getting_started.py`), or open it as a notebook (`jupytext --to
# ipynb getting_started.py`, or open the `.py` in JupyterLab with jupytext).

# %%
import datetime as dt
import secrets
import tempfile
from pathlib import Path

import polars as pl

from makingdata import attendance, charts, disclosure, io, policy, publish, synth

try:  # in a notebook: the rich HTML reprs
    from IPython.display import display
except ImportError:  # as a plain script: the text reprs
    display = print

OUT = Path(tempfile.mkdtemp(prefix="makingdata-notebook-"))
try:  # run as a script
    HERE = Path(__file__).resolve().parent
except NameError:  # in a notebook: the working folder is the notebook's
    HERE = Path.cwd()

# %% [markdown]
# ## 1. An export, read back and validated
#
# `makingdata.synth` stands in for a school information system: a seeded
# slice of one local authority (Birmingham, `330`) for two weeks. We write it
# as an export and read the marks back with `io.read_marks`, which checks every
# row. The pseudonym key turns UPNs into `pupil_key`s; for synthetic pupils a
# throwaway key is fine (a real one is made once with
# `makingdata key new --out pseudonym.key`).

# %%
data = synth.generate(
    scale=0.01, start=dt.date(2025, 9, 8), end=dt.date(2025, 9, 19), seed=1, la=330
)
folder = data.write(OUT / "export")
marks = io.read_marks(folder / "marks", key=secrets.token_urlsafe(32))
display(marks)  # a ReadResult: rows read, valid, rejected, and every rule's result

# %%
assert marks.n_read == marks.n_valid + marks.n_rejected

# %% [markdown]
# ## 2. Counted the DfE way
#
# `attendance_table` gives an EES-shaped `Table`: one row per week, level and
# FSM group, with session counts and rates computed as ratios of sums.

# %%
table = attendance.attendance_table(
    marks.valid,
    data.enrolments,
    schools=data.schools,
    levels=("la", "school"),
    by=["fsm_status"],
    period="week",
    start=data.start,
    end=data.end,
).collect()
display(table)

# %% [markdown]
# ## 3. Protected for the public
#
# Before a table leaves the people allowed to see pupil-level data, protect it
# for its audience. For the public: school rows go, small counts are
# suppressed (`c`) with enough other cells that none can be recovered, and the
# audit proves it.

# %%
public = disclosure.protect(
    table.with_frame(table.frame.filter(pl.col("geographic_level") != "School")),
    "public",
)
display(public)
report = disclosure.audit(public)
print(f"audit ok: {report.ok}")

# %% [markdown]
# ## 4. Written for EES, and checked
#
# `write_ees` writes the data file and its `.meta.csv` (it refuses a table not
# protected for the audience); `check_ees` applies the EES open data
# standards, as DfE's screener does, and lists every problem.

# %%
files = publish.write_ees(public, OUT / "la_weekly.csv", audience="public")
check = publish.check_ees(files.data)
display(check)

# %% [markdown]
# ## 5. A data request, checked against the rules
#
# Schools are asked for data by LAs, trusts, DfE and others.
# `policy.assess` checks a request against the Making Data Work principles and
# the statutory duties, with a verdict and the sources of every rule.

# %%
request = policy.load_request(HERE.parent / "requests" / "la_flight_paths.toml")
assessment = policy.assess(request)
display(assessment)

# %% [markdown]
# ## 6. A chart
#
# Charts take a `Table` or a `ProtectedTable`: a suppressed cell is a gap with
# its symbol, never a 0. In a notebook the chart draws itself;
# `charts.save_chart` writes SVG, PNG or a self-contained HTML page.

# %%
la_rows = table.with_frame(table.frame.filter(pl.col("fsm_status") == "Total"))
chart = charts.attendance_over_time(
    la_rows, level="la", against=(), title="Overall absence rate (%) by week"
)
display(chart)
svg = charts.save_chart(chart, OUT / "over_time.svg")
print(f"saved {svg.name} in {OUT}")
