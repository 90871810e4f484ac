"""Every output of the command appears whole or not at all.

Each command runs in a subprocess under a file-size limit (``RLIMIT_FSIZE``)
of half the size of its output, measured first without a limit, so that the
write fails part way:

- *full disk*: ``SIGXFSZ`` ignored, the write fails with ``EFBIG`` -> one
  error line naming the output, exit 4 (``INPUT``), no traceback, and nothing
  at all left in the output folder (no target, no partial file);
- *killed*: ``SIGXFSZ`` at its default, the process is killed by the signal
  mid-write -> no file (or folder) at the target: only a ``.partial-`` name,
  which no reader given the target's name sees.

Before the atomic writes, both left a truncated CSV that polars reads without
error (the EES data file without its meta file), a rejects report with a part
of the rows, and a synthetic data set with some of its files.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pytest

import makingdata
from makingdata import synth
from makingdata.cli import main
from makingdata.errors import ExitCode

if TYPE_CHECKING:
    from collections.abc import Callable

#: The folder holding the package under test, so the subprocess runs the same code.
SRC = Path(makingdata.__file__).resolve().parent.parent

START, END = dt.date(2025, 9, 8), dt.date(2025, 9, 19)
READ = ["--marks", "marks.parquet", "--enrolments", "enrolments.parquet"]
READ += ["--schools", "schools.parquet"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small inputs for every command: one LA, two weeks."""
    root = tmp_path_factory.mktemp("inputs")
    d = synth.generate(scale=0.01, start=START, end=END, la=330, seed=3)
    d.marks().write_parquet(root / "marks.parquet")
    d.enrolments.write_parquet(root / "enrolments.parquet")
    d.schools.write_parquet(root / "schools.parquet")
    school = ["aggregate", *_abs(root, READ), "--level", "school,la,national"]
    school += ["--by", "fsm_status", "--period", "week", "--audience", "dfe"]
    assert main([*school, "--out", str(root / "school.csv")]) == ExitCode.OK
    eth = ["aggregate", *_abs(root, READ), "--level", "school,la"]
    eth += ["--by", "ethnicity_major", "--audience", "dfe"]
    assert main([*eth, "--out", str(root / "eth.csv")]) == ExitCode.OK
    protect = ["protect", str(root / "eth.csv"), "--audience", "public"]
    assert main([*protect, "--out", str(root / "protected.csv")]) == ExitCode.OK
    bad = "urn,school_name,old_la_code\n" + "1,Elm,330\n" * 3000
    (root / "bad_schools.csv").write_text(bad)
    return root


def _abs(root: Path, args: list[str]) -> list[str]:
    return [str(root / a) if a.endswith(".parquet") else a for a in args]


#: name -> (arguments with OUT for the output folder, the output files, exit code when written)
CASES: dict[str, tuple[list[str], list[str], int]] = {
    "aggregate --out": (
        ["aggregate", *READ, "--level", "la,national", "--by", "fsm_status",
         "--period", "week", "--audience", "dfe", "--out", "OUT/table.csv"],
        ["table.csv"], ExitCode.OK,
    ),
    "aggregate --ees": (
        ["aggregate", *READ, "--level", "la,national", "--by", "fsm_status",
         "--period", "week", "--audience", "dfe", "--ees", "OUT/la_fsm.csv"],
        ["la_fsm.csv", "la_fsm.meta.csv"], ExitCode.OK,
    ),
    "rollup --out": (
        ["rollup", "--input", "school.csv", "--to", "la,national", "--by",
         "fsm_status", "--audience", "dfe", "--out", "OUT/rolled.csv"],
        ["rolled.csv"], ExitCode.OK,
    ),
    "protect --out": (
        ["protect", "eth.csv", "--audience", "public", "--out", "OUT/public.csv"],
        ["public.csv"], ExitCode.OK,
    ),
    "audit-table --out": (
        ["audit-table", "protected.csv", "--out", "OUT/cells.csv"],
        ["cells.csv"], ExitCode.FINDINGS,
    ),
    "validate --report": (
        ["validate", "bad_schools.csv", "--kind", "schools", "--report",
         "OUT/rejects.csv"],
        ["rejects.csv"], ExitCode.FINDINGS,
    ),
    "check-ees --problems": (
        ["check-ees", "school.csv", "--problems", "OUT/problems.csv"],
        ["problems.csv"], ExitCode.FINDINGS,
    ),
}  # fmt: skip


def _args(args: list[str], out: Path) -> list[str]:
    return [a.replace("OUT", str(out)) for a in args]


KILLABLE = (
    "import signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_DFL); "
    "from makingdata.cli import main; sys.exit(main(sys.argv[1:]))"
)


def _limited(limit: int, *, killed: bool) -> Callable[[], None]:
    def preexec() -> None:
        if not killed:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return preexec


def _run(
    args: list[str], cwd: Path, *, limit: int, killed: bool
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",  # the only files written are the outputs
        "PYTHONPATH": os.pathsep.join(
            [str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    # Python ignores SIGXFSZ at start-up; the killed run puts the default back
    # (terminate the process) before it runs the command
    command = ["-c", KILLABLE] if killed else ["-m", "makingdata.cli"]
    return subprocess.run(
        [sys.executable, *command, *args],
        cwd=cwd,
        env=env,
        preexec_fn=_limited(limit, killed=killed),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def limits(inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    """Half the size of the first file each command writes (measured without a limit)."""
    sizes: dict[str, int] = {}
    for name, (args, files, code) in CASES.items():
        out = tmp_path_factory.mktemp("reference")
        cwd = Path.cwd()
        try:
            os.chdir(inputs)
            assert main(_args(args, out)) == code, name
        finally:
            os.chdir(cwd)
        written = [(out / f).stat().st_size for f in files]
        # EES: the meta file is written first; either write failing is the test
        sizes[name] = min(written) // 2
        assert sizes[name] > 0, name
    return sizes


@pytest.mark.parametrize("case", list(CASES))
def test_a_full_disk_is_a_clean_error_and_leaves_nothing(
    case: str, inputs: Path, limits: dict[str, int], tmp_path: Path
) -> None:
    args, files, _code = CASES[case]
    done = _run(_args(args, tmp_path), inputs, limit=limits[case], killed=False)
    assert done.returncode == ExitCode.INPUT, done.stderr
    assert "Traceback" not in done.stderr
    assert "could not write" in done.stderr
    assert "File too large" in done.stderr
    assert str(tmp_path / files[0]) in done.stderr
    assert "What to do:" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("case", list(CASES))
def test_a_killed_write_leaves_no_file_that_looks_complete(
    case: str, inputs: Path, limits: dict[str, int], tmp_path: Path
) -> None:
    args, files, _code = CASES[case]
    done = _run(_args(args, tmp_path), inputs, limit=limits[case], killed=True)
    assert done.returncode == -signal.SIGXFSZ, done.stderr
    for name in files:
        assert not (tmp_path / name).exists(), name
    # what is left carries a partial name, never the target's
    left = [p.name for p in tmp_path.iterdir()]
    assert all(n.startswith(".") and ".partial-" in n for n in left), left


SYNTH = ["synth", "--scale", "0.01", "--la", "330", "--start", "2025-10-20"]
SYNTH += ["--end", "2025-10-21", "--quiet"]


@pytest.fixture(scope="module")
def synth_limit(tmp_path_factory: pytest.TempPathFactory) -> int:
    """A limit that lets the first file of the data set through and stops a later one."""
    out = tmp_path_factory.mktemp("synth") / "data"
    assert main([*SYNTH, "--out", str(out)]) == ExitCode.OK
    sizes = {p.relative_to(out).as_posix(): p.stat().st_size for p in out.rglob("*.*")}
    limit = sizes["enrolments.parquet"] // 2
    assert sizes["schools.parquet"] < limit, sizes
    return limit


def test_synth_on_a_full_disk_leaves_no_folder(
    synth_limit: int, tmp_path: Path
) -> None:
    out = tmp_path / "data"
    done = _run([*SYNTH, "--out", str(out)], tmp_path, limit=synth_limit, killed=False)
    assert done.returncode == ExitCode.INPUT, done.stderr
    assert "Traceback" not in done.stderr
    assert "could not write the synthetic data set" in done.stderr
    assert str(out) in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_killed_synth_leaves_no_folder_and_the_next_run_names_its_remains(
    synth_limit: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "data"
    done = _run([*SYNTH, "--out", str(out)], tmp_path, limit=synth_limit, killed=True)
    assert done.returncode == -signal.SIGXFSZ, done.stderr
    assert not out.exists()
    (stale,) = tmp_path.iterdir()
    assert stale.name.startswith(".data.partial-")
    assert (stale / "schools.parquet").exists()  # it was killed part way
    # the next run is not blocked, says what was left, and writes the whole set
    assert main([*SYNTH, "--out", str(out)]) == ExitCode.OK
    assert f"{stale} is a partial folder left by an interrupted run" in (
        capsys.readouterr().err
    )
    days = pl.scan_parquet(out / "marks", hive_partitioning=True).select("date")
    assert days.unique().collect().height == 2


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "bad_schools.csv", "--kind", "schools", "--report"],
        ["audit-table", "protected.csv", "--out"],
        ["check-ees", "school.csv", "--problems"],
    ],
    ids=["validate", "audit-table", "check-ees"],
)
def test_an_output_in_a_missing_folder_is_a_clean_error(
    args: list[str],
    inputs: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(inputs)
    target = tmp_path / "no such folder" / "out.csv"
    assert main([*args, str(target)]) == ExitCode.INPUT
    err = capsys.readouterr().err
    assert f"{target}: could not write" in err
    assert "create the folder first" in err
    assert not target.parent.exists()
