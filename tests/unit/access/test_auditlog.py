from __future__ import annotations

import json

import pytest

from makingdata.access import AuditLog, read_audit_log, scope
from makingdata.domain.sharing import Viewer
from makingdata.errors import AccessDenied, InputError


def test_every_decision_is_recorded(tmp_path, marks, directory, agreements):
    path = tmp_path / "logs" / "audit.jsonl"
    log = AuditLog(path, fsync=True)
    tr1 = Viewer.trust("TR00001", directory)
    out = scope(
        marks,
        viewer=tr1,
        purpose="Support",
        directory=directory,
        agreements=agreements,
        audit=log,
    )
    with pytest.raises(AccessDenied):
        scope(
            marks,
            viewer=tr1,
            purpose="inspection",
            directory=directory,
            agreements=agreements,
            audit=str(path),
        )
    lazy = scope(
        marks.lazy(),
        viewer=Viewer.dfe(),
        purpose="research",
        directory=directory,
        agreements=agreements,
        audit=log,
    )
    rows = read_audit_log(path)
    assert rows["decision"].to_list() == ["granted", "refused", "granted"]
    first = rows.row(0, named=True)
    assert first["viewer"] == "trust:TR00001"
    assert first["purpose_asked"] == "Support"
    assert first["purpose"] == "support"
    assert first["frame_kind"] == "marks"
    assert first["rows_in"] == marks.height
    assert first["rows_out"] == out.height
    assert first["urns"] == [100001, 100002]
    assert first["schools_in_scope"] == 2
    refused = rows.row(1, named=True)
    assert (
        refused["citation"]
        == "DfE, Requesting daily data from schools – principles for collection and use, 2022, §4"
    )
    assert "inspection" in refused["reason"]
    third = rows.row(2, named=True)
    assert third["rows_in"] is None
    assert third["rows_out"] is None
    assert third["schools_in_scope"] == 3
    assert lazy.collect().height > 0


def test_log_is_only_appended(tmp_path):
    path = tmp_path / "a.jsonl"
    log = AuditLog(path)
    log.record({"decision": "granted", "viewer": "dfe"})
    before = path.read_bytes()
    log.record({"decision": "refused", "viewer": "public"})
    after = path.read_bytes()
    assert after.startswith(before)
    assert len(after.splitlines()) == 2
    assert json.loads(after.splitlines()[1])["viewer"] == "public"
    assert path.stat().st_mode & 0o777 == 0o600  # readable by its owner only


def test_unknown_viewer_refusal_is_recorded(tmp_path, marks, directory, agreements):
    from makingdata.domain.sharing import Audience
    from makingdata.errors import ScopeError

    path = tmp_path / "a.jsonl"
    with pytest.raises(ScopeError):
        scope(
            marks,
            viewer=Viewer(Audience.TRUST, "TR00001"),
            purpose="support",
            directory=directory,
            agreements=agreements,
            audit=path,
        )
    row = read_audit_log(path).row(0, named=True)
    assert row["decision"] == "refused"
    assert "not built by a Viewer constructor" in row["reason"]


def test_read_errors_name_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"decision": "granted"}\n\nnot json\n')
    with pytest.raises(InputError, match=r"bad.jsonl, row 3: not a JSON line"):
        read_audit_log(path)
    path.write_text("[1, 2]\n")
    with pytest.raises(InputError, match="row 1: the line is not a JSON object"):
        read_audit_log(path)
    with pytest.raises(InputError, match="no audit log at this path"):
        read_audit_log(tmp_path / "missing.jsonl")
