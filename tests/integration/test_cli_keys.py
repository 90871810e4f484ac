"""Pseudonym keys on the command line: --key-file or the environment, never argv.

``--key VALUE`` is refused (exit 2) without repeating the value; ``--key-file``
and ``MAKINGDATA_PSEUDONYM_KEY`` work end to end for ``validate`` and
``aggregate``; ``makingdata key new`` makes a private key file that works.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import sys
from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata import synth
from makingdata.cli import main
from makingdata.errors import ExitCode
from makingdata.io import read_marks

if TYPE_CHECKING:
    from pathlib import Path

KEY = "cli-key-test-Hl4oDNBDCBTFMEUputtC4oPdXMk"
SECRET = "do-not-echo-this-secret-0uRiBWYMoGeRmdI16cK8"
ENV = "MAKINGDATA_PSEUDONYM_KEY"
ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ0123456789"
POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX file permissions")


def upn(serial: int) -> str:
    body = f"330{(serial // 1000) % 10_000:04d}24{serial % 1000:03d}"
    check = sum(i * ALPHABET.index(c) for i, c in enumerate(body, 2)) % 23
    return ALPHABET[check] + body


def key_file(folder: Path, key: str = KEY, mode: int = 0o600) -> Path:
    path = folder / "pseudonym.key"
    path.write_text(key + "\n")
    path.chmod(mode)
    return path


@pytest.fixture(autouse=True)
def _no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)


@pytest.fixture
def marks_csv(tmp_path: Path) -> Path:
    path = tmp_path / "marks.csv"
    path.write_text(
        "upn,urn,date,session,code\n"
        f"{upn(1)},100001,2024-09-02,AM,/\n"
        f"{upn(2)},100001,2024-09-02,AM,N\n"
    )
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic fortnight twice: with pupil_key, and with UPNs in its place."""
    d = synth.generate(
        scale=0.01, start=dt.date(2025, 9, 8), end=dt.date(2025, 9, 19), la=330, seed=5
    )
    root = tmp_path_factory.mktemp("keys")
    marks, enrolments = d.marks(), d.enrolments
    pupils = (
        pl.concat([marks.select("pupil_key"), enrolments.select("pupil_key")])
        .unique()
        .sort("pupil_key")
    )
    upns = pupils.with_columns(
        upn=pl.Series([upn(i) for i in range(pupils.height)], dtype=pl.String)
    )

    def with_upn(frame: pl.DataFrame) -> pl.DataFrame:
        joined = frame.join(upns, on="pupil_key", how="left", maintain_order="left")
        return joined.select("upn", pl.exclude("upn", "pupil_key"))

    marks.write_parquet(root / "marks_keyed.parquet")
    enrolments.write_parquet(root / "enrolments_keyed.parquet")
    with_upn(marks).write_parquet(root / "marks_upn.parquet")
    with_upn(enrolments).write_parquet(root / "enrolments_upn.parquet")
    d.schools.write_parquet(root / "schools.parquet")
    return root


def aggregate_args(root: Path, kind: str, out: Path) -> list[str]:
    return [
        "aggregate",
        "--marks", str(root / f"marks_{kind}.parquet"),
        "--enrolments", str(root / f"enrolments_{kind}.parquet"),
        "--schools", str(root / "schools.parquet"),
        "--from", "2025-09-08",
        "--to", "2025-09-19",
        "--level", "la,national",
        "--by", "fsm_status",
        "--out", str(out),
    ]  # fmt: skip


# --- --key on the command line ------------------------------------------------


@pytest.mark.parametrize("spelling", ["separate", "equals"])
def test_validate_refuses_a_key_on_the_command_line(
    marks_csv: Path, spelling: str, capsys: pytest.CaptureFixture[str]
) -> None:
    key = ["--key", SECRET] if spelling == "separate" else [f"--key={SECRET}"]
    code = main(["validate", str(marks_csv), "--kind", "marks", *key])
    assert code == ExitCode.USAGE
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    assert "--key-file" in err
    assert ENV in err


def test_aggregate_refuses_a_key_on_the_command_line(
    files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "table.csv"
    code = main([*aggregate_args(files, "upn", out), "--key", SECRET])
    assert code == ExitCode.USAGE
    printed = "".join(capsys.readouterr())
    assert SECRET not in printed
    assert "--key-file" in printed
    assert not out.exists()


# --- --key-file and the environment ------------------------------------------


def test_validate_with_a_key_file_hashes_as_the_library_does(
    marks_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "rejects.csv"
    args = ["validate", str(marks_csv), "--kind", "marks", "--format", "json"]
    code = main([*args, "--key-file", str(key_file(tmp_path)), "--report", str(report)])
    assert code == ExitCode.OK
    assert '"n_valid": 2' in capsys.readouterr().out
    keys = read_marks(marks_csv, key=KEY).valid["pupil_key"].to_list()
    assert len(set(keys)) == 2


def test_validate_with_the_environment_variable(
    marks_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(ENV, KEY)
    assert main(["validate", str(marks_csv), "--kind", "marks"]) == ExitCode.OK
    assert "valid 2" in capsys.readouterr().out


def test_aggregate_with_a_key_file_counts_as_with_pupil_keys(
    files: Path, tmp_path: Path
) -> None:
    keyed, hashed = tmp_path / "keyed.csv", tmp_path / "hashed.csv"
    assert main(aggregate_args(files, "keyed", keyed)) == ExitCode.OK
    path = key_file(tmp_path)
    code = main([*aggregate_args(files, "upn", hashed), "--key-file", str(path)])
    assert code == ExitCode.OK
    want, got = pl.read_csv(keyed), pl.read_csv(hashed)
    assert got.height == want.height > 0
    assert got.equals(want)


def test_aggregate_with_the_environment_variable(
    files: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyed, hashed = tmp_path / "keyed.csv", tmp_path / "hashed.csv"
    assert main(aggregate_args(files, "keyed", keyed)) == ExitCode.OK
    monkeypatch.setenv(ENV, KEY)
    assert main(aggregate_args(files, "upn", hashed)) == ExitCode.OK
    assert pl.read_csv(hashed).equals(pl.read_csv(keyed))


def test_aggregate_without_a_key_says_how_to_make_one(
    files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(aggregate_args(files, "upn", tmp_path / "t.csv"))
    assert code == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "a pseudonym key is needed" in err
    assert "makingdata key new --out" in err


@pytest.mark.parametrize("command", ["validate", "aggregate"])
def test_a_missing_key_file_is_input_naming_the_file(
    command: str,
    files: Path,
    marks_csv: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    missing = tmp_path / "no-such.key"
    args = (
        ["validate", str(marks_csv), "--kind", "marks"]
        if command == "validate"
        else aggregate_args(files, "upn", tmp_path / "t.csv")
    )
    assert main([*args, "--key-file", str(missing)]) == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"makingdata {command}: error: {missing}: cannot read the key file" in err


def test_a_weak_key_in_a_file_is_refused_without_echo(
    marks_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    weak = "2024" * 8  # 32 bytes, one pattern repeated
    path = key_file(tmp_path, weak)
    args = ["validate", str(marks_csv), "--kind", "marks", "--key-file", str(path)]
    assert main(args) == ExitCode.INPUT
    err = capsys.readouterr().err
    assert str(path) in err
    assert "2024" not in err
    assert "makingdata key new --out" in err


def test_a_weak_key_in_the_environment_is_refused_without_echo(
    marks_csv: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(ENV, "2024")
    assert main(["validate", str(marks_csv), "--kind", "marks"]) == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "2024" not in err
    assert f"the pseudonym key in {ENV} is 4 bytes long" in err


@POSIX
def test_a_key_file_others_can_read_is_refused(
    marks_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = key_file(tmp_path, mode=0o644)
    args = ["validate", str(marks_csv), "--kind", "marks", "--key-file", str(path)]
    assert main(args) == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "may be read or changed by other users (permissions 0644)" in err
    assert f"chmod 600 {path}" in err


# --- makingdata key new --------------------------------------------------------


def test_key_new_makes_a_private_key_file_that_works(
    marks_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "school.key"
    assert main(["key", "new", "--out", str(path)]) == ExitCode.OK
    out, err = capsys.readouterr()
    key = path.read_text()
    assert key.endswith("\n")
    assert len(key.strip()) == 43
    assert key.strip() not in out + err
    assert f"--key-file {path}" in err
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    args = ["validate", str(marks_csv), "--kind", "marks", "--key-file", str(path)]
    assert main(args) == ExitCode.OK
    want = read_marks(marks_csv, key=key.strip()).valid["pupil_key"].to_list()
    assert len(want) == 2


def test_key_new_makes_a_different_key_each_time(tmp_path: Path) -> None:
    a, b = tmp_path / "a.key", tmp_path / "b.key"
    assert main(["key", "new", "--out", str(a)]) == ExitCode.OK
    assert main(["key", "new", "--out", str(b)]) == ExitCode.OK
    assert a.read_bytes() != b.read_bytes()


def test_key_new_never_overwrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = key_file(tmp_path)
    before = path.read_bytes()
    assert main(["key", "new", "--out", str(path)]) == ExitCode.INPUT
    assert path.read_bytes() == before
    err = capsys.readouterr().err
    assert "already exists" in err
    assert str(path) in err
    assert [p.name for p in tmp_path.iterdir()] == ["pseudonym.key"]


def test_key_new_in_a_missing_folder_is_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "no" / "such" / "k.key"
    assert main(["key", "new", "--out", str(path)]) == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "does not exist" in err


@POSIX
def test_key_new_is_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        assert main(["key", "new", "--out", str(tmp_path / "k.key")]) == ExitCode.OK
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "k.key").stat().st_mode) == 0o600


@pytest.mark.skipif(sys.platform == "win32", reason="hard links")
def test_key_new_does_not_replace_a_file_that_appears_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from makingdata.cli import _key

    path = tmp_path / "k.key"
    real_new_key = _key.new_key

    def racing_new_key() -> str:
        path.write_text("written by someone else\n")  # between the check and the link
        return real_new_key()

    monkeypatch.setattr(_key, "new_key", racing_new_key)
    assert main(["key", "new", "--out", str(path)]) == ExitCode.INPUT
    assert path.read_text() == "written by someone else\n"
    assert "already exists" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["k.key"]
