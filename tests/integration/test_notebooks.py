"""The analysts' notebooks in examples/notebooks/ run, and show the rich reprs.

The notebooks are jupytext percent scripts: each runs here as a notebook would
run it, cell after cell in one namespace, with ``IPython.display.display``
standing in as a recorder, so that what a notebook shows can be checked: the
HTML of each result object (``_repr_html_``) and each chart's spec. No kernel
is needed.
"""

from __future__ import annotations

import runpy
import sys
import types
from pathlib import Path
from typing import Any

import altair as alt
import pytest

from makingdata.disclosure import ProtectedTable
from makingdata.io import ReadResult
from makingdata.policy import Assessment
from makingdata.publish import EesCheck
from makingdata.tables import Table

NOTEBOOKS = Path(__file__).resolve().parents[2] / "examples" / "notebooks"
ALL = sorted(p.name for p in NOTEBOOKS.glob("*.py"))


def run_notebook(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[Any], dict[str, Any]]:
    """Run a notebook; return what it displayed, in order, and its namespace."""
    shown: list[Any] = []
    display = types.ModuleType("IPython.display")
    display.display = lambda *objs, **_kw: shown.extend(objs)  # type: ignore[attr-defined]
    ipython = types.ModuleType("IPython")
    ipython.display = display  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display)
    monkeypatch.chdir(tmp_path)
    namespace = runpy.run_path(str(NOTEBOOKS / name), run_name="__main__")
    return shown, namespace


def html_of(shown: list[Any], kind: type) -> str:
    """The HTML of the first object of ``kind`` shown."""
    objs = [o for o in shown if isinstance(o, kind)]
    assert objs, f"no {kind.__name__} shown"
    html: str = objs[0]._repr_html_()
    assert html.startswith("<")
    return html


def charts_of(shown: list[Any]) -> list[dict[str, Any]]:
    return [
        o.to_dict()["usermeta"]["makingdata"]
        for o in shown
        if isinstance(o, alt.TopLevelMixin)
    ]


def test_the_notebooks_are_the_three_of_the_docs() -> None:
    assert ALL == ["getting_started.py", "rederive_dfe_file.py", "trust_week.py"]


@pytest.mark.parametrize("name", ALL)
def test_notebooks_are_jupytext_percent_scripts(name: str) -> None:
    text = (NOTEBOOKS / name).read_text()
    assert text.startswith("# ---\n# jupyter:\n#   jupytext:\n")
    assert "format_name: percent" in text
    assert text.count("# %% [markdown]") >= 4
    assert text.count("\n# %%\n") >= 4
    # the fallback that lets it run as a plain script
    assert "except ImportError:  # as a plain script" in text


def test_getting_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shown, ns = run_notebook("getting_started.py", tmp_path, monkeypatch)
    assert [type(o).__name__ for o in shown] == [
        "ReadResult",
        "Table",
        "ProtectedTable",
        "EesCheck",
        "Assessment",
        "VConcatChart",
    ]
    assert "44,560" in html_of(shown, ReadResult)  # rows read
    assert "fsm_status" in html_of(shown, Table)
    assert "public" in html_of(shown, ProtectedTable)
    assert "la_weekly.csv" in html_of(shown, EesCheck)
    assert "MDW-PRED-03" in html_of(shown, Assessment)
    assert ns["check"].ok
    assert ns["report"].ok
    assert ns["assessment"].verdict.value == "prohibited"
    assert (ns["OUT"] / "over_time.svg").read_text().startswith("<svg")
    (meta,) = charts_of(shown)
    assert meta["series"] == ["Birmingham"]


def test_rederive_dfe_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shown, ns = run_notebook("rederive_dfe_file.py", tmp_path, monkeypatch)
    # the 2016/17 file against today's standards: errors named, not hidden
    check = ns["check"]
    assert not check.ok
    assert {"harmonised_column", "la_code"} <= set(check.errors["rule"])
    assert "harmonised_column" in html_of(shown, EesCheck)
    assert "school_type" in html_of(shown, Table)
    la = ns["la_cells"]["result"].value_counts()
    counts = dict(zip(la["result"], la["count"], strict=True))
    assert counts == {"same": 157, "not computable": 48}
    assert set(ns["region_cells"]["result"]) == {"same"}
    assert ns["raw"].filter(result="differs")["column"].to_list() == ["enrolments"] * 3
    (meta,) = charts_of(shown)
    assert meta["gaps"] == 0


def test_trust_week(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shown, ns = run_notebook("trust_week.py", tmp_path, monkeypatch)
    names = [type(o).__name__ for o in shown]
    assert names == [
        "ReadResult",
        "Table",
        "VConcatChart",
        "VConcatChart",
        "ProtectedTable",
        "Assessment",
    ]
    assert "partner" in html_of(shown, ProtectedTable)
    assert "DAILY-01" in html_of(shown, Assessment)
    over_time, heatmap = charts_of(shown)
    trust = ns["weeks"].frame.filter(geographic_level="MAT")["trust_name"].unique()
    assert over_time["series"] == trust.to_list()
    assert heatmap["weeks"] == 3
    assert len(heatmap["schools"]) == ns["seen"]["urn"].n_unique()
    assert ns["audit"].ok
    assert ns["assessment"].verdict.value == "prohibited"
    assert (ns["OUT"] / "heatmap.svg").read_text().startswith("<svg")
