"""The command as a whole: exit codes, errors without tracebacks, progress, list syntax, completion."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from rich.console import Console

import makingdata
from makingdata import synth
from makingdata.cli import _codes, _console, _synth, build_parser, main
from makingdata.cli._options import rewrite_legacy_lists
from makingdata.errors import ExitCode

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "requests"
START, END = dt.date(2025, 9, 8), dt.date(2025, 9, 12)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, synth.SynthData]:
    d = synth.generate(scale=0.01, start=START, end=END, la=330, seed=7)
    root = tmp_path_factory.mktemp("cli_app")
    d.marks().write_parquet(root / "marks.parquet")
    d.enrolments.write_parquet(root / "enrolments.parquet")
    d.schools.write_parquet(root / "schools.parquet")
    d.memberships.write_parquet(root / "memberships.parquet")
    return root, d


def aggregate(root: Path, *extra: str) -> int:
    return main(
        [
            "aggregate",
            "--marks", str(root / "marks.parquet"),
            "--enrolments", str(root / "enrolments.parquet"),
            "--schools", str(root / "schools.parquet"),
            "--memberships", str(root / "memberships.parquet"),
            "--period", "ytd",
            "--to", END.isoformat(),
            *extra,
        ]
    )  # fmt: skip


def small_schools_csv(tmp_path: Path) -> Path:
    schools = tmp_path / "schools.csv"
    schools.write_text("urn,school_name,old_la_code\n100001,Oak,330\n1,Elm,330\n")
    return schools


# ------------------------------------------------------------------ exit codes


def test_the_enum_is_public_and_its_codes_distinct() -> None:
    assert makingdata.ExitCode is ExitCode
    assert len({int(c) for c in ExitCode}) == len(ExitCode)
    assert ExitCode.USAGE == 2  # click's own code for a bad option
    results = {ExitCode.FINDINGS, ExitCode.PROHIBITED}
    failures = {ExitCode.USAGE, ExitCode.INPUT, ExitCode.REFUSED, ExitCode.INTERNAL}
    assert not results & failures


def test_ok_and_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codes"]) == ExitCode.OK
    schools = small_schools_csv(tmp_path)
    assert main(["validate", str(schools), "--kind", "schools"]) == ExitCode.FINDINGS
    assert "urn_invalid" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["codes", "--nope"],
        ["codes", "--category", "Sometimes"],
        ["codes", "--on", "2025-13-01"],
        ["validate"],
        ["aggregate", "--marks", "m", "--enrolments", "e", "--schools", "s"],
        ["no-such-command"],
    ],
)
def test_a_bad_command_line_is_usage(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "Error:" in err
    assert "Traceback" not in err


def test_a_prohibited_request_is_prohibited(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check-request", str(EXAMPLES / "la_flight_paths.toml")])
    assert code == ExitCode.PROHIBITED
    assert "Verdict: PROHIBITED" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "missing.csv", "--kind", "marks"],
        ["check-ees", "missing.csv"],
        ["protect", "missing.csv", "--audience", "public", "--out", "o.csv"],
        ["audit-table", "missing.csv"],
        ["rollup", "--input", "missing.csv", "--out", "o.csv"],
        ["check-request", "missing.toml"],
        ["audit-log", "show", "missing.jsonl"],
    ],
)
def test_a_missing_file_is_input(
    argv: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert errors == err.splitlines()[-1:], err  # one line, the last
    assert errors[0].startswith(f"makingdata {argv[0]}: error: ")
    assert "missing" in errors[0]


def test_a_missing_marks_file_is_input(
    files: tuple[Path, synth.SynthData],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, _ = files
    code = main(
        [
            "aggregate",
            "--marks", str(tmp_path / "nope.parquet"),
            "--enrolments", str(root / "enrolments.parquet"),
            "--schools", str(root / "schools.parquet"),
            "--out", str(tmp_path / "t.csv"),
        ]
    )  # fmt: skip
    assert code == ExitCode.INPUT
    assert "Traceback" not in capsys.readouterr().err


def test_a_release_without_audience_is_refused(
    files: tuple[Path, synth.SynthData],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, _ = files
    out = tmp_path / "school.csv"
    assert aggregate(root, "--level", "school", "--out", str(out)) == ExitCode.REFUSED
    assert "makingdata aggregate: error: " in capsys.readouterr().err
    assert not out.exists()


def test_a_bug_is_internal_with_one_line_and_no_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken:
        def values(self) -> list[object]:
            raise ZeroDivisionError("planted for the test")

    monkeypatch.setattr(_codes, "CODES", Broken())
    monkeypatch.delenv("MAKINGDATA_DEBUG", raising=False)
    assert main(["codes"]) == ExitCode.INTERNAL
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("makingdata codes: internal error: ")
    assert "ZeroDivisionError: planted for the test" in lines[0]
    assert "bug in makingdata" in lines[0]
    assert "MAKINGDATA_DEBUG=1" in lines[0]
    assert "Traceback" not in captured.err
    monkeypatch.setenv("MAKINGDATA_DEBUG", "1")
    assert main(["codes"]) == ExitCode.INTERNAL
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.splitlines()[-1].startswith("makingdata codes: internal error: ")


def test_ctrl_c_is_interrupted(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Interrupted:
        def values(self) -> list[object]:
            raise KeyboardInterrupt

    monkeypatch.setattr(_codes, "CODES", Interrupted())
    assert main(["codes"]) == ExitCode.INTERRUPTED
    assert "Traceback" not in capsys.readouterr().err


def test_a_closed_pipe_is_broken_pipe() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "makingdata.cli", "codes"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # the reader goes away before the command writes
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == ExitCode.BROKEN_PIPE
    assert b"Traceback" not in err


def test_the_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == ExitCode.OK
    out = capsys.readouterr().out
    for code in ExitCode:
        assert re.search(rf"^ +{int(code)} +{code.name} ", out, re.M), code
    for command in ("validate", "aggregate", "check-request", "audit-table"):
        assert main([command, "--help"]) == ExitCode.OK
        assert "Exit codes:" in capsys.readouterr().out


def test_no_arguments_print_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == ExitCode.OK
    assert "Commands:" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == ExitCode.OK
    assert capsys.readouterr().out == f"makingdata {makingdata.__version__}\n"


def test_build_parser_is_deprecated() -> None:
    with pytest.warns(DeprecationWarning, match="build_parser is deprecated"):
        command = build_parser()
    assert "aggregate" in command.commands


# -------------------------------------------------------------------- progress


def test_without_a_terminal_stdout_has_only_the_results(
    files: tuple[Path, synth.SynthData],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, _ = files
    out = tmp_path / "national.csv"
    code = aggregate(
        root, "--level", "national", "--audience", "dfe", "--out", str(out)
    )
    assert code == ExitCode.OK
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "counting" not in captured.err  # no progress in a pipe
    assert f"wrote 1 rows to {out}" in captured.err


def _forced_terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """Make the progress console a terminal writing to a buffer."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=120)
    monkeypatch.setattr(_console, "progress_console", lambda: console)
    monkeypatch.setattr(_synth, "progress_console", lambda: console)
    return buffer


def test_progress_on_a_terminal_names_the_steps_and_leaves_stdout_alone(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schools = small_schools_csv(tmp_path)
    argv = ["validate", str(schools), "--kind", "schools"]
    assert main(argv) == ExitCode.FINDINGS
    plain = capsys.readouterr().out
    buffer = _forced_terminal(monkeypatch)
    assert main(argv) == ExitCode.FINDINGS
    drawn = capsys.readouterr().out

    def timeless(text: str) -> str:
        return re.sub(r"\(\d+\.\d s\)", "(s)", text)

    assert timeless(drawn) == timeless(plain)
    assert "makingdata validate: reading and checking schools.csv" in buffer.getvalue()


def test_synth_draws_a_bar_on_a_terminal(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    buffer = _forced_terminal(monkeypatch)
    code = main(
        [
            "synth",
            "--scale", "0.01",
            "--start", "2025-10-20",
            "--end", "2025-10-21",
            "--out", str(tmp_path / "data"),
            "--la", "330",
        ]
    )  # fmt: skip
    assert code == ExitCode.OK
    captured = capsys.readouterr()
    assert captured.out.startswith("wrote ")
    assert captured.out.count("\n") == 1
    assert "days" not in captured.err  # the bar went to the terminal, not the log
    assert "2/2" in buffer.getvalue()


# ----------------------------------------------------------------- list syntax


def test_lists_are_comma_separated_or_repeated(
    files: tuple[Path, synth.SynthData], tmp_path: Path
) -> None:
    root, _ = files
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    common = ["--audience", "dfe"]
    assert (
        aggregate(
            root, *common, "--level", "la,national", "--by", "fsm_status,sex",
            "--out", str(one),
        )
        == ExitCode.OK
    )  # fmt: skip
    assert (
        aggregate(
            root, *common, "--level", "la", "--level", "national",
            "--by", "fsm_status", "--by", "sex", "--out", str(two),
        )
        == ExitCode.OK
    )  # fmt: skip
    first, second = pl.read_csv(one), pl.read_csv(two)
    assert first.height > 0
    assert first.equals(second)
    assert set(first["geographic_level"]) == {"Local authority", "National"}
    assert {"fsm_status", "sex"} <= set(first.columns)


def test_space_separated_filters_still_work_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "t.csv"
    pl.DataFrame(
        {
            "time_period": [202526] * 3,
            "time_identifier": ["Academic year"] * 3,
            "geographic_level": ["Local authority"] * 3,
            "new_la_code": ["E06000001"] * 3,
            "fsm_status": ["Total", "FSM eligible", "Not known to be FSM eligible"],
            "sex": ["Total"] * 3,
            "num_schools": [40] * 3,
            "enrolments": [900, 3, 897],
        }
    ).write_csv(table)
    new, old = tmp_path / "new.csv", tmp_path / "old.csv"
    argv = ["protect", str(table), "--audience", "public"]
    assert main([*argv, "--filters", "fsm_status,sex", "--out", str(new)]) == 0
    assert "deprecated" not in capsys.readouterr().err
    assert main([*argv, "--filters", "fsm_status", "sex", "--out", str(old)]) == 0
    err = capsys.readouterr().err
    assert "`--filters fsm_status sex` (a space-separated list) is deprecated" in err
    assert "write `--filters fsm_status,sex`" in err
    assert new.read_text() == old.read_text()
    assert pl.read_csv(new, infer_schema=False)["enrolments"].to_list() == [
        "900",
        "c",
        "c",
    ]


def test_the_legacy_rewrite_stops_at_the_table_and_at_options() -> None:
    names = ["protect", "audit-table"]
    assert rewrite_legacy_lists(
        ["audit-table", "--counts", "a", "b", "t.csv", "--filters", "c"], names
    ) == ["audit-table", "--counts", "a,b", "t.csv", "--filters", "c"]
    assert rewrite_legacy_lists(["aggregate", "--by", "a", "b"], names) == [
        "aggregate",
        "--by",
        "a",
        "b",
    ]


# ------------------------------------------------------------ viewer and law


def _busiest_trust(d: synth.SynthData) -> str:
    return str(
        d.memberships.group_by("trust_id")
        .len()
        .sort(["len", "trust_id"], descending=[True, False])["trust_id"][0]
    )


def test_a_trust_viewer_needs_no_agreements_after_19_august_2024(
    files: tuple[Path, synth.SynthData], tmp_path: Path
) -> None:
    root, d = files
    trust = _busiest_trust(d)
    out = tmp_path / "trust.csv"
    code = aggregate(
        root, "--level", "school", "--viewer", f"trust:{trust}",
        "--purpose", "support", "--out", str(out),
    )  # fmt: skip
    assert code == ExitCode.OK
    shown = set(pl.read_csv(out)["school_urn"].to_list())
    members = set(d.memberships.filter(pl.col("trust_id") == trust)["urn"].to_list())
    assert shown
    assert shown <= members


def test_before_19_august_2024_a_missing_agreements_file_is_input(
    files: tuple[Path, synth.SynthData],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, d = files
    out = tmp_path / "trust.csv"
    code = aggregate(
        root, "--level", "la", "--from", "2024-06-03",
        "--viewer", f"trust:{_busiest_trust(d)}", "--purpose", "support",
        "--out", str(out),
    )  # fmt: skip
    assert code == ExitCode.INPUT
    err = capsys.readouterr().err
    assert "no agreements file was given" in err
    assert "--agreements" in err
    assert not out.exists()


# ------------------------------------------------------------------ completion


def test_show_completion_prints_the_script(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # --show-completion prints the script of the shell it runs under (detected
    # from the process tree, which a test runner started in the background
    # does not have): pretend to run under bash
    import shellingham

    monkeypatch.setattr(shellingham, "detect_shell", lambda: ("bash", "/bin/bash"))
    assert main(["--show-completion"]) == ExitCode.OK
    script = capsys.readouterr().out
    assert "_MAKINGDATA_COMPLETE" in script
    assert "complete " in script


def test_completion_of_sub_command_names(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_MAKINGDATA_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "makingdata check-r")
    monkeypatch.setenv("COMP_CWORD", "1")
    assert main([]) == ExitCode.OK
    assert capsys.readouterr().out.split() == ["check-request", "check-requests"]
    monkeypatch.setenv("COMP_WORDS", "makingdata aggregate --aud")
    monkeypatch.setenv("COMP_CWORD", "2")
    assert main([]) == ExitCode.OK
    assert capsys.readouterr().out.split() == ["--audience", "--audit-log"]
