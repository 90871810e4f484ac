"""End to end: ``makingdata audit-log show`` on a log written by scope."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from makingdata.access import AuditLog, scope
from makingdata.cli import main
from makingdata.domain import (
    Directory,
    School,
    TrustMembership,
    default_local_authorities,
)
from makingdata.domain.sharing import SharingAgreement, Viewer
from makingdata.errors import AccessDenied

D = dt.date


@pytest.fixture
def log_path(tmp_path):
    las = {la.new_la_code: la for la in default_local_authorities()}
    d = Directory(
        [
            School(100001, "Alpha", 9422001, las["E06000063"]),
            School(100002, "Beta", 9432001, las["E06000064"]),
        ],
        [TrustMembership(100001, "TR00001", D(2021, 9, 1))],
    )
    shared = [SharingAgreement(u, "DfE", D(2022, 2, 1)) for u in (100001, 100002)]
    marks = pl.DataFrame(
        {"urn": [100001, 100002], "date": [D(2023, 1, 9), D(2023, 1, 9)]},
        schema={"urn": pl.UInt32, "date": pl.Date},
    )
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    trust = Viewer.trust("TR00001", d)
    scope(
        marks,
        viewer=trust,
        purpose="support",
        directory=d,
        agreements=shared,
        audit=log,
    )
    with pytest.raises(AccessDenied):
        scope(
            marks,
            viewer=trust,
            purpose="academisation",
            directory=d,
            agreements=shared,
            audit=log,
        )
    scope(
        marks,
        viewer=Viewer.dfe(),
        purpose="research",
        directory=d,
        agreements=shared,
        audit=log,
    )
    return path


def test_show_prints_every_decision(log_path, capsys):
    assert main(["audit-log", "show", str(log_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:5] == ["line", "time", "action", "decision", "viewer"]
    body = out[1:-1]
    assert [line.split()[3] for line in body] == ["granted", "refused", "granted"]
    assert "would break the promise in seeds/003_39734155fc877a52.txt §4" in body[1]
    assert out[-1] == "3 decision(s)"


def test_show_filters_by_viewer_and_refusals(log_path, capsys):
    assert main(["audit-log", "show", str(log_path), "--viewer", "TRUST:tr00001"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "2 decision(s)"
    assert main(["audit-log", "show", str(log_path), "--refusals"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "1 decision(s)"
    assert "academisation" in out[1]
    assert main(["audit-log", "show", str(log_path), "--viewer", "dfe", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["viewer"] == "dfe"
    assert record["rows_out"] == 2
    assert record["urns"] == [100001, 100002]


def test_show_missing_log_exits_2(tmp_path, capsys):
    assert main(["audit-log", "show", str(tmp_path / "nope.jsonl")]) == 2
    assert "no audit log at this path" in capsys.readouterr().err
