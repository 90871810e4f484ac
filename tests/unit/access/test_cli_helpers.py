from __future__ import annotations

import argparse
import datetime as dt

import polars as pl
import pytest

from makingdata.access import (
    add_scope_arguments,
    apply_cli_scope,
    parse_viewer,
    read_agreements,
)
from makingdata.errors import AccessDenied, InputError

D = dt.date


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("trust:TR00001", "trust:TR00001"),
        ("TRUST : tr00001", "trust:TR00001"),
        ("school:100002", "school:100002"),
        ("la:909", "la:E10000006"),
        ("la:e06000063", "la:E06000063"),
        ("partner:aaa", "partner:Attendance Action Alliance"),
        ("DFE", "dfe"),
        ("Public", "public"),
    ],
)
def test_parse_viewer(directory, text, label):
    assert parse_viewer(text, directory).label == label


@pytest.mark.parametrize("text", ["trust", "dfe:x", "ofsted", "school:"])
def test_parse_viewer_rejects(directory, text):
    with pytest.raises(InputError, match="is not a viewer"):
        parse_viewer(text, directory)


def test_read_agreements_names_the_line(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("urn,recipient,start\n100001,DfE,2022-02-01\n100002,DfE,01/02/2022\n")
    with pytest.raises(
        InputError, match=r"a.csv, row 3, column 'start': '01/02/2022' is not a date"
    ):
        read_agreements(p)
    p.write_text("urn,recipient,start\n100001,Ofsted,2022-02-01\n")
    with pytest.raises(
        InputError, match=r"row 2, column 'recipient': 'Ofsted' is not a recipient"
    ):
        read_agreements(p)
    p.write_text("urn,start\n100001,2022-02-01\n")
    with pytest.raises(InputError, match=r"no column\(s\) \['recipient'\]"):
        read_agreements(p)


def test_apply_cli_scope(tmp_path, marks, directory):
    p = tmp_path / "a.csv"
    p.write_text("urn,recipient,start,opt_out\n100002,DfE,2022-02-01,\n")
    parser = argparse.ArgumentParser()
    add_scope_arguments(parser, with_directory=False)
    args = parser.parse_args(
        ["--viewer", "trust:TR00001", "--purpose", "support", "--agreements", str(p)]
    )
    out = apply_cli_scope(marks, args, directory=directory)
    assert out["urn"].unique().to_list() == [100002]
    args = parser.parse_args(["--viewer", "trust:TR00001"])
    with pytest.raises(InputError, match="--purpose is missing"):
        apply_cli_scope(marks, args, directory=directory)
    args = parser.parse_args(["--viewer", "dfe", "--purpose", "academisation"])
    with pytest.raises(AccessDenied):
        apply_cli_scope(marks, args, directory=directory)
    full = argparse.ArgumentParser()
    add_scope_arguments(full)
    args = full.parse_args(["--viewer", "dfe", "--purpose", "support"])
    with pytest.raises(InputError, match="a viewer needs the Directory of schools"):
        apply_cli_scope(marks, args)
    assert apply_cli_scope(marks, full.parse_args([])).equals(marks)
    assert isinstance(apply_cli_scope(marks.lazy(), full.parse_args([])), pl.LazyFrame)


def test_scope_options_use_the_statute_from_19_august_2024(marks, directory):
    from makingdata.access import ScopeOptions

    opts = ScopeOptions.from_text(
        "trust:TR00002", "support", directory=directory, since=D(2024, 9, 2)
    )
    assert opts is not None
    assert opts.statutory
    assert opts.audience.value == "trust"
    seen = opts.apply(marks.filter(pl.col("date") >= D(2024, 8, 19)))
    # TR00002 holds 100001 from 2023-09-01; the statute covers it from 2024-08-19
    assert seen["urn"].unique().to_list() == [100001]
    assert seen["date"].unique().to_list() == [D(2024, 9, 2)]


@pytest.mark.parametrize("since", [D(2024, 8, 18), None])
def test_scope_options_before_the_statute_ask_for_agreements(directory, since):
    from makingdata.access import ScopeOptions

    with pytest.raises(InputError, match="--agreements") as caught:
        ScopeOptions.from_text(
            "la:E06000063", "monitoring", directory=directory, since=since
        )
    assert caught.value.column == "--agreements"


def test_scope_options_refuse_a_forbidden_purpose_before_asking_for_agreements(
    directory, tmp_path
):
    from makingdata.access import ScopeOptions, read_audit_log

    log = tmp_path / "audit.jsonl"
    with pytest.raises(AccessDenied):
        ScopeOptions.from_text(
            "dfe", "academisation", directory=directory, audit_log=log, since=None
        )
    assert read_audit_log(log)["decision"].to_list() == ["refused"]


def test_scope_options_parse_the_viewer_once(directory):
    from makingdata.access import ScopeOptions

    assert ScopeOptions.from_text(None, None, directory=directory) is None
    opts = ScopeOptions.from_text("school:100002", "support", directory=directory)
    assert opts is not None
    assert opts.viewer.label == "school:100002"
    assert opts.agreements == ()  # a school sees its own data without agreements
    with pytest.raises(InputError, match="--viewer is missing"):
        ScopeOptions.from_text(None, "support", directory=directory)


def test_apply_cli_scope_takes_the_period_from_the_marks(tmp_path, marks, directory):
    parser = argparse.ArgumentParser()
    add_scope_arguments(parser, with_directory=False)
    args = parser.parse_args(["--viewer", "trust:TR00002", "--purpose", "support"])
    recent = marks.filter(pl.col("date") >= D(2024, 8, 19))
    assert apply_cli_scope(recent, args, directory=directory)["urn"].to_list() == [
        100001
    ]
    with pytest.raises(InputError, match="no agreements file was given"):
        apply_cli_scope(marks, args, directory=directory)
