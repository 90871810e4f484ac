"""makingdata._atomic: a file, a group of files or a folder appears whole or not at all."""

from __future__ import annotations

import datetime as dt
import errno
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest

from makingdata import synth
from makingdata._atomic import (
    atomic_dir,
    atomic_files,
    atomic_path,
    partial_name,
    stale_partials,
    write_error,
)
from makingdata.errors import ExportError, InputError
from makingdata.synth import _write as synth_write

if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def write_then(
    writer: AbstractContextManager[Path],
    stop: BaseException | type[BaseException] | None = None,
    then: Callable[[], None] | None = None,
) -> None:
    """Write a file (or a file in the folder), then raise ``stop`` or call ``then``."""
    with writer as tmp:
        (tmp / "a.txt" if tmp.is_dir() else tmp).write_text("half")
        if then is not None:
            then()
        if stop is not None:
            raise stop


def write_group(data: Path, meta: Path, stop: BaseException | None = None) -> None:
    with atomic_files([data, meta]) as (d, m):
        d.write_text("new data")
        if stop is not None:
            raise stop
        m.write_text("new meta")


# --- one file --------------------------------------------------------------------


def test_the_target_appears_only_when_the_body_has_finished(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    with atomic_path(out) as tmp:
        assert tmp.parent == tmp_path
        assert tmp.name.startswith(".t.csv.partial-")
        tmp.write_text("a\n1\n")
        assert not out.exists()
    assert out.read_text() == "a\n1\n"
    assert names(tmp_path) == ["t.csv"]


@pytest.mark.parametrize("stop", [KeyboardInterrupt, RuntimeError, SystemExit])
def test_an_interrupted_body_keeps_the_old_file_and_leaves_no_partial(
    tmp_path: Path, stop: type[BaseException]
) -> None:
    out = tmp_path / "t.csv"
    out.write_text("old\n")
    with pytest.raises(stop):
        write_then(atomic_path(out), stop)
    assert out.read_text() == "old\n"
    assert names(tmp_path) == ["t.csv"]


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        (errno.ENOSPC, "free space on the disk"),
        (errno.EFBIG, "raise the file-size limit"),
        (errno.EACCES, "a folder you can write to"),
        (errno.ENOENT, "create the folder first"),
        (errno.EISDIR, "give a file name"),
    ],
)
def test_a_failed_write_is_an_export_error_naming_the_file(
    tmp_path: Path, code: int, hint: str
) -> None:
    out = tmp_path / "t.csv"
    with pytest.raises(ExportError, match="could not write the table") as err:
        write_then(atomic_path(out, what="the table"), OSError(code, os.strerror(code)))
    assert err.value.path == str(out)
    assert hint in (err.value.hint or "")
    assert "nothing was left behind" in (err.value.hint or "")
    assert names(tmp_path) == []


def test_a_polars_error_wrapping_an_os_error_is_a_failed_write(tmp_path: Path) -> None:
    out = tmp_path / "t.parquet"
    wrapped = pl.exceptions.ComputeError(
        "parquet: File out of specification: underlying IO error: File too large "
        "(os error 27)"
    )
    with pytest.raises(ExportError, match="File too large") as err:
        write_then(atomic_path(out), wrapped)
    assert "raise the file-size limit" in (err.value.hint or "")
    assert err.value.__cause__ is wrapped
    assert names(tmp_path) == []


def test_other_errors_go_on_as_they_are(tmp_path: Path) -> None:
    with pytest.raises(KeyError), atomic_path(tmp_path / "t.csv"):
        raise KeyError("x")
    assert write_error(InputError("bad input (os error 2)"), "t.csv") is None


def test_a_missing_folder_is_an_error_unless_parents_are_asked_for(
    tmp_path: Path,
) -> None:
    out = tmp_path / "a" / "b" / "t.csv"
    with pytest.raises(ExportError, match="No such file"), atomic_path(out):
        pass  # pragma: no cover - the partial file cannot be created
    with atomic_path(out, parents=True) as tmp:
        tmp.write_text("x")
    assert out.read_text() == "x"


def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(
    tmp_path: Path,
) -> None:
    old = os.umask(0o022)
    try:
        with atomic_path(tmp_path / "new.csv") as tmp:
            tmp.write_text("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o644
    kept = tmp_path / "kept.csv"
    kept.write_text("old")
    kept.chmod(0o640)
    with atomic_path(kept) as tmp:
        tmp.write_text("new")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    assert kept.read_text() == "new"


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    with atomic_path(link) as tmp:
        tmp.write_text("new")
    assert link.is_symlink()
    assert real.read_text() == "new"


# --- a group of files ------------------------------------------------------------


def test_a_group_appears_together(tmp_path: Path) -> None:
    data, meta = tmp_path / "t.csv", tmp_path / "t.meta.csv"
    with atomic_files([data, meta]) as (d, m):
        d.write_text("data")
        m.write_text("meta")
        assert names(tmp_path) == sorted([d.name, m.name])
    assert (data.read_text(), meta.read_text()) == ("data", "meta")


def test_the_mark_goes_first_and_comes_back_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between the renames: the new data without a meta file, never the old meta beside it."""
    data, meta = tmp_path / "t.csv", tmp_path / "t.meta.csv"
    data.write_text("old data")
    meta.write_text("old meta")
    renamed: list[str] = []
    original = Path.replace

    def replace(src: Path, dst: Any) -> Path:
        renamed.append(Path(dst).name)
        if Path(dst) == meta:
            assert not meta.exists()  # the old mark was removed before any rename
            assert data.read_text() == "new data"
            raise KeyboardInterrupt  # killed between the renames
        return original(src, dst)

    monkeypatch.setattr(Path, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        write_group(data, meta)
    assert renamed == ["t.csv", "t.meta.csv"]
    # what a failure (not a kill) leaves: nothing of the group
    assert names(tmp_path) == []


def test_a_failed_member_leaves_the_old_group(tmp_path: Path) -> None:
    data, meta = tmp_path / "t.csv", tmp_path / "t.meta.csv"
    data.write_text("old data")
    meta.write_text("old meta")
    with pytest.raises(ExportError, match="No space"):
        write_group(data, meta, stop=OSError(errno.ENOSPC, "No space left on device"))
    assert (data.read_text(), meta.read_text()) == ("old data", "old meta")
    assert names(tmp_path) == ["t.csv", "t.meta.csv"]


def test_one_file_named_twice_is_refused(tmp_path: Path) -> None:
    with (
        pytest.raises(InputError, match="named twice"),
        atomic_files([tmp_path / "t.csv", tmp_path / "." / "t.csv"]),
    ):
        pass  # pragma: no cover
    assert names(tmp_path) == []


# --- a folder --------------------------------------------------------------------


def test_a_folder_appears_only_when_the_body_has_finished(tmp_path: Path) -> None:
    out = tmp_path / "new" / "data"
    with atomic_dir(out) as tmp:
        (tmp / "sub").mkdir()
        (tmp / "sub" / "a.txt").write_text("a")
        assert not out.exists()
        assert tmp.name.startswith(".data.partial-")
    assert (out / "sub" / "a.txt").read_text() == "a"
    assert names(out.parent) == ["data"]


def test_an_empty_folder_is_replaced_and_a_full_one_refused(tmp_path: Path) -> None:
    out = tmp_path / "data"
    out.mkdir()
    with atomic_dir(out) as tmp:
        (tmp / "a.txt").write_text("a")
    assert names(out) == ["a.txt"]
    with pytest.raises(InputError, match="not empty"), atomic_dir(out):
        pass  # pragma: no cover - refused before the body
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="not a folder"), atomic_dir(tmp_path / "file"):
        pass  # pragma: no cover
    assert names(tmp_path) == ["data", "file"]


def test_something_written_into_the_target_meanwhile_is_not_overwritten(
    tmp_path: Path,
) -> None:
    out = tmp_path / "data"

    def meanwhile() -> None:
        out.mkdir()
        (out / "theirs.txt").write_text("theirs")

    with pytest.raises(InputError, match="was written to the folder"):
        write_then(atomic_dir(out), then=meanwhile)
    assert names(out) == ["theirs.txt"]
    assert names(tmp_path) == ["data"]


@pytest.mark.parametrize("stop", [KeyboardInterrupt, OSError(errno.ENOSPC, "full")])
def test_an_interrupted_folder_is_removed(
    tmp_path: Path, stop: BaseException | type[BaseException]
) -> None:
    out = tmp_path / "data"
    with pytest.raises((KeyboardInterrupt, ExportError)):
        write_then(atomic_dir(out), stop)
    assert names(tmp_path) == []


def test_stale_partials_are_listed_and_never_block(tmp_path: Path) -> None:
    out = tmp_path / "data"
    stale = partial_name(out)
    stale.mkdir()
    (tmp_path / ".other.partial-00000000").mkdir()
    assert stale_partials(out) == [stale]
    with atomic_dir(out) as tmp:
        (tmp / "a.txt").write_text("a")
    assert names(tmp_path) == sorted([".other.partial-00000000", stale.name, "data"])
    assert stale_partials(tmp_path / "missing" / "data") == []


# --- synth writes its folder this way ---------------------------------------------

MON = dt.date(2025, 11, 10)


def test_synth_interrupted_after_two_days_leaves_no_folder(tmp_path: Path) -> None:
    data = synth.generate(scale=0.01, start=MON, end=MON + dt.timedelta(days=3), la=330)
    seen: list[dt.date] = []

    def on_day(date: dt.date, _n: int) -> None:
        seen.append(date)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        data.write(tmp_path / "data", on_day=on_day)
    assert len(seen) == 2
    assert names(tmp_path) == []


def test_synth_on_a_full_disk_is_an_export_error_and_leaves_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = synth.generate(scale=0.01, start=MON, end=MON + dt.timedelta(days=3), la=330)
    original = synth_write.write_parquet_deterministic
    written: list[str] = []

    def write(frame: pl.DataFrame, path: Path) -> None:
        if "2025-11-12" in str(path):
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(path.name)
        original(frame, path)

    monkeypatch.setattr(synth_write, "write_parquet_deterministic", write)
    with pytest.raises(ExportError, match="could not write the synthetic data set"):
        data.write(tmp_path / "data")
    assert written.count("part-0.parquet") == 2  # two days were written
    assert names(tmp_path) == []


def test_synth_refuses_a_folder_with_other_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    data = synth.generate(scale=0.01, start=MON, end=MON, la=330)
    with pytest.raises(InputError, match="not empty"):
        data.write(tmp_path)
    assert names(tmp_path) == ["notes.txt"]


# --- the library's other writers --------------------------------------------------


def test_write_protected_csv_on_a_full_disk_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from makingdata.disclosure import protect, write_protected_csv

    table = protect(
        pl.DataFrame(
            {"sex": ["Total", "F", "M"], "enrolments": [30, 14, 16], "num_schools": 2}
        ),
        "public",
    )
    original = pl.DataFrame.write_csv

    def half_then_full(self: pl.DataFrame, file: Any, **kwargs: Any) -> None:
        Path(file).write_text("sex,enrolments\nTotal,")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_csv", half_then_full)
    with pytest.raises(ExportError, match="could not write the CSV"):
        write_protected_csv(table, tmp_path / "t.csv", audience="public")
    assert names(tmp_path) == []
    monkeypatch.setattr(pl.DataFrame, "write_csv", original)
    write_protected_csv(table, tmp_path / "t.csv", audience="public")
    assert names(tmp_path) == ["t.csv"]
