"""End to end: ``makingdata audit-log show`` on a log written by scope."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from makingdata.access import AuditLog, read_audit_log, scope
from makingdata.cli import main
from makingdata.domain import (
    Directory,
    School,
    TrustMembership,
    default_local_authorities,
)
from makingdata.domain.sharing import SharingAgreement, Viewer
from makingdata.errors import AccessDenied, ExitCode

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
    assert (
        "would break the promise in DfE, Requesting daily data from schools – principles for collection and use, 2022, §4"
        in body[1]
    )
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


def test_show_missing_log_exits_input(tmp_path, capsys):
    assert main(["audit-log", "show", str(tmp_path / "nope.jsonl")]) == ExitCode.INPUT
    assert "no audit log at this path" in capsys.readouterr().err


@pytest.fixture(scope="module")
def synth_files(tmp_path_factory):
    from makingdata import synth

    d = synth.generate(
        scale=0.01, start=D(2025, 9, 8), end=D(2025, 9, 19), la=330, seed=3
    )
    root = tmp_path_factory.mktemp("agg_access")
    d.marks().write_parquet(root / "marks.parquet")
    d.enrolments.write_parquet(root / "enrolments.parquet")
    d.schools.write_parquet(root / "schools.parquet")
    d.memberships.write_parquet(root / "memberships.parquet")
    urns = sorted(d.schools["urn"].to_list())
    sharing = urns[::2]  # half the schools have a statutory agreement on file
    lines = ["urn,recipient,start,legal_basis"]
    lines += [f"{u},DfE,2024-08-19,statutory" for u in sharing]
    (root / "agreements.csv").write_text("\n".join(lines) + "\n")
    return root, d, set(sharing)


def _aggregate(root, *extra):
    return main(
        [
            "aggregate",
            "--marks", str(root / "marks.parquet"),
            "--enrolments", str(root / "enrolments.parquet"),
            "--schools", str(root / "schools.parquet"),
            "--memberships", str(root / "memberships.parquet"),
            "--from", "2025-09-08",
            "--to", "2025-09-19",
            "--level", "school",
            *extra,
        ]
    )  # fmt: skip


def test_aggregate_with_a_trust_viewer_shows_only_its_sharing_schools(
    synth_files, tmp_path
):
    root, d, sharing = synth_files
    window = (D(2025, 9, 8), D(2025, 9, 19))
    members = d.memberships.filter(
        (pl.col("joined").is_null() | (pl.col("joined") <= window[1]))
        & (pl.col("left").is_null() | (pl.col("left") >= window[0]))
    )
    trust = (
        members.filter(pl.col("urn").is_in(list(sharing)))
        .group_by("trust_id")
        .len()
        .sort("len", "trust_id")
        .row(-1)[0]
    )
    mine = set(members.filter(pl.col("trust_id") == trust)["urn"].to_list())
    log = tmp_path / "audit.jsonl"
    out = tmp_path / "trust.csv"
    code = _aggregate(
        root,
        "--viewer", f"trust:{trust}",
        "--purpose", "Support",
        "--agreements", str(root / "agreements.csv"),
        "--audit-log", str(log),
        "--out", str(out),
    )  # fmt: skip
    assert code == 0
    table = pl.read_csv(out)
    shown = set(table["school_urn"].cast(pl.Int64).to_list())
    assert shown
    assert shown <= mine & sharing
    everyone = tmp_path / "all.csv"
    assert _aggregate(root, "--audience", "dfe", "--out", str(everyone)) == 0
    full = pl.read_csv(everyone)
    assert set(full["school_urn"].cast(pl.Int64).to_list()) & mine & sharing == shown
    decisions = read_audit_log(log)
    assert decisions["decision"].to_list() == ["granted", "granted"]
    assert decisions["frame_kind"].to_list() == ["marks", "enrolments"]


def test_aggregate_refuses_a_forbidden_purpose(synth_files, tmp_path, capsys):
    root, _, _ = synth_files
    log = tmp_path / "audit.jsonl"
    code = _aggregate(
        root,
        "--viewer", "dfe",
        "--purpose", "academization",
        "--agreements", str(root / "agreements.csv"),
        "--audit-log", str(log),
        "--out", str(tmp_path / "t.csv"),
    )  # fmt: skip
    assert code == ExitCode.REFUSED
    assert (
        "would break the promise in DfE, Requesting daily data from schools"
        in capsys.readouterr().err
    )
    assert read_audit_log(log)["decision"].to_list() == ["refused"]
    assert not (tmp_path / "t.csv").exists()


def test_an_unknown_viewer_is_refused_and_logged(synth_files, tmp_path, capsys):
    root, _, _ = synth_files
    log = tmp_path / "audit.jsonl"
    code = _aggregate(
        root,
        "--viewer", "trust:TR99999",
        "--purpose", "support",
        "--agreements", str(root / "agreements.csv"),
        "--audit-log", str(log),
        "--out", str(tmp_path / "t.csv"),
    )  # fmt: skip
    assert code == ExitCode.INPUT
    assert "TR99999" in capsys.readouterr().err
    decisions = read_audit_log(log)
    assert decisions["decision"].to_list() == ["refused"]
    assert decisions["viewer"].to_list() == ["trust:TR99999"]
    assert "TR99999" in decisions["reason"][0]


def test_an_audit_log_under_a_file_is_a_clear_error(synth_files, tmp_path, capsys):
    root, _, _ = synth_files
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    code = _aggregate(
        root,
        "--viewer", "dfe",
        "--purpose", "support",
        "--agreements", str(root / "agreements.csv"),
        "--audit-log", str(blocker / "audit.jsonl"),
        "--out", str(tmp_path / "t.csv"),
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == ExitCode.INPUT
    assert "Traceback" not in err
    assert "audit.jsonl" in err
