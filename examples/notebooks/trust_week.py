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
# # A trust's week
#
# A multi-academy trust's data team on a Monday morning: last week's
# attendance for each school and for the trust, how it moved over the last
# three weeks, what may go to a partner, and whether a data request the trust
# is about to send to its schools is one it should send. On synthetic data, so
# it runs anywhere; with a real export, replace the first cell's
# `synth.generate` and `data.write` by the export's folder.
#
# A notebook in jupytext's percent format: run it as a script, or open it as a
# notebook (`jupytext --to ipynb trust_week.py`).

# %%
import datetime as dt
import secrets
import tempfile
from pathlib import Path

import polars as pl

from makingdata import access, attendance, charts, disclosure, io, policy, synth
from makingdata.domain import Directory
from makingdata.errors import AccessDenied

try:  # in a notebook: the rich HTML reprs
    from IPython.display import display
except ImportError:  # as a plain script: the text reprs
    display = print

try:  # run as a script
    HERE = Path(__file__).resolve().parent
except NameError:  # in a notebook: the working folder is the notebook's
    HERE = Path.cwd()
OUT = Path(tempfile.mkdtemp(prefix="makingdata-notebook-"))
FIRST, MONDAY = dt.date(2025, 9, 8), dt.date(2025, 9, 22)
FRIDAY = MONDAY + dt.timedelta(days=4)

# %% [markdown]
# ## 1. The export, read and validated

# %%
data = synth.generate(scale=0.05, start=FIRST, end=FRIDAY, seed=7, la=330)
folder = data.write(OUT / "export")
marks = io.read_marks(folder / "marks", key=secrets.token_urlsafe(32))
display(marks)

# %% [markdown]
# ## 2. What the trust may see
#
# A trust sees its own schools, and each only for the days it was in the
# trust, for purposes the DfE's daily-data principles allow (*support*). Every
# decision, allowed or refused, goes to the audit log.

# %%
directory = Directory.from_frames(data.schools, data.memberships)
trust_id = (
    data.memberships.group_by("trust_id")
    .len()
    .sort(["len", "trust_id"], descending=[True, False])["trust_id"][0]
)
viewer = access.Viewer.trust(trust_id, directory)
agreements = access.statutory_agreements(directory)
log = OUT / "audit.jsonl"
seen = access.scope(
    marks.valid,
    viewer=viewer,
    purpose="support",
    directory=directory,
    agreements=agreements,
    audit=log,
)
print(f"{viewer.label}: {seen['urn'].n_unique()} schools, {seen.height:,} marks")
try:
    access.scope(
        marks.valid,
        viewer=viewer,
        purpose="Academisation",
        directory=directory,
        agreements=agreements,
        audit=log,
    )
except AccessDenied as refused:
    print(f"refused: {refused}")

# %% [markdown]
# ## 3. Three weeks, by school and for the trust

# %%
weeks = attendance.attendance_table(
    seen,
    data.enrolments,
    schools=data.schools,
    memberships=data.memberships,
    levels=("trust", "school"),
    period="week",
    start=FIRST,
    end=FRIDAY,
).collect()
display(weeks)

# %% [markdown]
# The trust's absence rate week by week, and its schools × weeks: darker is
# more absence. These stay with the trust's own staff (they show schools).

# %%
display(charts.attendance_over_time(weeks, level="trust", against=()))
heatmap = charts.weekly_heatmap(weeks)
display(heatmap)
charts.save_chart(heatmap, OUT / "heatmap.svg")

# %% [markdown]
# ## 4. Last week for a partner
#
# The trust shares last week's figures by FSM status with a partner group.
# Protected for a partner: no school names, small counts suppressed with
# their complements, and the audit proves no suppressed cell can be
# recovered.

# %%
week = attendance.attendance_table(
    seen,
    data.enrolments,
    schools=data.schools,
    memberships=data.memberships,
    levels=("trust", "school"),
    by=["fsm_status"],
    period="week",
    start=MONDAY,
    end=FRIDAY,
).collect()
partner = disclosure.protect(week, "partner")
display(partner)
audit = disclosure.audit(partner)
print(f"audit ok: {audit.ok}")
print(partner.to_ees().select("trust_name", "fsm_status", "sess_overall_percent"))

# %% [markdown]
# ## 5. A request the trust is about to send
#
# The trust wants its schools' daily registers for a purpose outside what
# the daily-data principles allow. `policy.assess` says so before the
# request goes out, with the rules and their sources.

# %%
request = policy.load_request(
    HERE.parent / "requests" / "trust_daily_out_of_scope.toml"
)
assessment = policy.assess(request)
display(assessment)
print(f"verdict: {assessment.verdict.value}")

# %%
assert audit.ok
assert (
    pl.Series(partner.to_ees().columns).is_in(["school_urn", "school_name"]).sum() == 0
)
