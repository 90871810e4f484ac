r"""Atomic output: every file and folder makingdata writes appears whole or not at all.

Private, at the bottom of the data path beside :mod:`makingdata.errors` (it
imports nothing else of makingdata), so that ``io``, ``synth``, ``publish``
and the command can all use it. DESIGN, principle 5: *a write is atomic: a
temporary file renamed into place when complete, so an interrupted run leaves
nothing that looks finished.*

Three context managers, one rule:

- :func:`atomic_path` — one file. The body writes to a temporary file beside
  the target, named ``.<name>.partial-<random>`` (hidden, and obviously not
  the finished file); on success it is flushed to disk (``fsync``) and
  renamed over the target with :func:`os.replace`, which is atomic on one
  file system. A reader sees the old file or the new one, never a part.
- :func:`atomic_files` — a group that belongs together (an EES data file and
  its ``.meta.csv``). Every member is written to its own partial file first;
  nothing is renamed until the body has finished. The **last** target is the
  group's completion mark: an existing one is removed before the others are
  renamed, and the new one is renamed last. A run killed between the renames
  leaves members *without* their mark (an EES data file without its meta
  file, which ``check_ees`` reports as an error), never a mark beside members
  from another run.
- :func:`atomic_dir` — a folder (a synthetic data set). The body writes into
  ``.<name>.partial-<random>/`` beside the target, which is renamed into place
  only when the body has finished. The target must not exist or be an empty
  folder; a folder with anything in it is refused before any work is done.

On any exception in the body, ``KeyboardInterrupt`` included, the partial
file or folder is removed and the exception goes on. An ``OSError`` while
writing (disk full ``ENOSPC``, file too large ``EFBIG``, permission denied,
folder missing), or a writer's error that wraps one (polars reports an
``os error 27`` inside a ``ComputeError``), becomes an
:class:`~makingdata.errors.ExportError` that names the target and says what to
do. A process that is killed outright (``SIGKILL``, ``SIGXFSZ``, a power cut)
cannot clean up: it leaves its ``.partial-`` file or folder, never the target.
A partial is never at the target's name, so a reader given the target never
sees it, and every run picks a new name, so a stale partial never blocks a
later run; :func:`stale_partials` lists them so that a
command can say they may be deleted.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> out = Path(tempfile.mkdtemp()) / "table.csv"
>>> with atomic_path(out) as tmp:
...     _ = tmp.write_text("a,b\n1,2\n")
...     out.exists(), tmp.name.startswith(".table.csv.partial-")
(False, True)
>>> out.read_text()
'a,b\n1,2\n'
>>> with atomic_path(out) as tmp:
...     _ = tmp.write_text("half a")
...     raise RuntimeError("stopped half way")
Traceback (most recent call last):
...
RuntimeError: stopped half way
>>> out.read_text(), sorted(p.name for p in out.parent.iterdir())
('a,b\n1,2\n', ['table.csv'])
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from makingdata.errors import ExportError, InputError, MakingDataError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

#: What every partial name carries after the target's name.
PARTIAL = ".partial-"

_OS_ERROR = re.compile(r"os error (\d+)")

_FULL = (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC))
_DENIED = (errno.EACCES, errno.EPERM, errno.EROFS)
_NO_FOLDER = (errno.ENOENT, errno.ENOTDIR)


def partial_name(target: Path) -> Path:
    """Return a new partial name beside ``target``: ``.<name>.partial-<8 hex>``.

    Examples
    --------
    >>> from pathlib import Path
    >>> p = partial_name(Path("out/t.csv"))
    >>> p.parent.as_posix(), p.name[: len(".t.csv.partial-")], len(p.name)
    ('out', '.t.csv.partial-', 23)
    """
    return target.with_name(f".{target.name}{PARTIAL}{secrets.token_hex(4)}")


def stale_partials(target: str | os.PathLike[str]) -> list[Path]:
    """Return the partial files or folders an interrupted run left beside ``target``.

    A reader given ``target`` never sees them, and they never block a new
    run (each run picks a new name); a command can name them so that the user deletes them. A partial
    of a run still going is listed too: only delete them when no run writes
    to ``target``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp()) / "data"
    >>> (out.parent / ".data.partial-0a1b2c3d").mkdir()
    >>> [p.name for p in stale_partials(out)]
    ['.data.partial-0a1b2c3d']
    """
    path = Path(target)
    if not path.parent.is_dir():
        return []
    prefix = f".{path.name}{PARTIAL}"
    return sorted(p for p in path.parent.iterdir() if p.name.startswith(prefix))


def write_error(
    err: BaseException, target: str | os.PathLike[str], *, what: str = "the file"
) -> ExportError | None:
    """Return the :class:`ExportError` for a failed write of ``target`` (None: not a write failure).

    An ``OSError``, or any error whose message carries an ``os error N`` (how
    polars wraps one), is a failed write; anything else is not.

    Examples
    --------
    >>> import errno
    >>> e = write_error(OSError(errno.ENOSPC, "No space left on device"), "t.csv")
    >>> print(e)
    t.csv: could not write the file: No space left on device. What to do: free space on the disk (or raise the file-size limit) and run again; nothing was left behind.
    >>> write_error(KeyError("x"), "t.csv") is None
    True
    """
    if isinstance(err, MakingDataError):
        return None
    code: int | None
    if isinstance(err, OSError):
        code = err.errno
        reason = err.strerror or str(err)
        if code is None and (found := _OS_ERROR.search(str(err))):
            code = int(found.group(1))
    elif isinstance(err, Exception) and (found := _OS_ERROR.search(str(err))):
        code = int(found.group(1))
        reason = os.strerror(code)
    else:
        return None
    if code in _FULL:
        hint = "free space on the disk (or raise the file-size limit) and run again"
    elif code in _DENIED:
        hint = "choose a folder you can write to, or ask for write permission"
    elif code in _NO_FOLDER:
        hint = "create the folder first, or check the path"
    elif code == errno.EISDIR:
        hint = "the path is a folder: give a file name"
    else:
        hint = "check the path, the folder's permissions and the space on the disk"
    return ExportError(
        f"could not write {what}: {reason}",
        path=target,
        hint=f"{hint}; nothing was left behind",
    )


def _reserve(target: Path) -> Path:
    """Create an empty partial file beside ``target`` (mode as a plain open would give)."""
    while True:
        tmp = partial_name(target)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover - 32 random bits collided
            continue
        os.close(fd)
        with contextlib.suppress(OSError):
            # overwriting a file keeps its permissions
            tmp.chmod(stat.S_IMODE(target.stat().st_mode))
        return tmp


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(path: Path) -> None:
    # not every file system can sync a folder; the rename itself is atomic
    with contextlib.suppress(OSError):
        _fsync(path)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def _real(target: str | os.PathLike[str]) -> Path:
    # write through a symlink (as a plain open would), not over it
    return Path(os.path.realpath(target))


@contextmanager
def atomic_path(
    target: str | os.PathLike[str], *, what: str = "the file", parents: bool = False
) -> Iterator[Path]:
    r"""Write one file atomically: yield a partial path; rename it to ``target`` on success.

    The yielded file exists (empty); the body writes it (``frame.write_csv(tmp)``,
    ``open(tmp, "w")``). See the module docstring for what a failure or a
    kill leaves.

    Parameters
    ----------
    target
        The file to write; an existing file is replaced, keeping its
        permissions.
    what
        The file in words, for the error message (``"the rejects report"``).
    parents
        Create the target's missing folders.

    Raises
    ------
    ExportError
        If writing or renaming fails with an ``OSError`` (disk full, too
        large, permission denied, no such folder); the partial file is gone.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp()) / "sub" / "t.csv"
    >>> with atomic_path(out, parents=True) as tmp:
    ...     _ = tmp.write_text("x\n")
    >>> out.read_text()
    'x\n'
    >>> with atomic_path(out.parent / "no" / "t.csv", what="the table") as tmp:
    ...     pass
    Traceback (most recent call last):
    ...
    makingdata.errors.ExportError: .../no/t.csv: could not write the table: No such file or directory. What to do: create the folder first, or check the path; nothing was left behind.
    """
    with atomic_files([target], what=what, parents=parents) as (tmp,):
        yield tmp


@contextmanager
def atomic_files(
    targets: Sequence[str | os.PathLike[str]],
    *,
    what: str = "the files",
    parents: bool = False,
) -> Iterator[tuple[Path, ...]]:
    r"""Write a group of files that must appear together; the last one marks the group complete.

    Yields one partial path per target, in order. When the body has
    finished, every partial file is synced; then an existing copy of the
    **last** target (the mark: an EES meta file) is removed, the others are
    renamed into place in order, and the mark is renamed last. A process
    killed between the renames leaves members without their mark, never a
    mark beside members from another run; a failure removes every partial
    file and every member already renamed.

    Parameters
    ----------
    targets
        The files, the completion mark last; in one folder or several.
    what
        The group in words, for the error message.
    parents
        Create the targets' missing folders.

    Raises
    ------
    ExportError
        If writing or renaming fails with an ``OSError``; nothing is left.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> d = Path(tempfile.mkdtemp())
    >>> with atomic_files([d / "t.csv", d / "t.meta.csv"]) as (data, meta):
    ...     _ = data.write_text("a\n1\n")
    ...     _ = meta.write_text("col_name\na\n")
    >>> sorted(p.name for p in d.iterdir())
    ['t.csv', 't.meta.csv']
    """
    finals = [_real(t) for t in targets]
    shown = [Path(t) for t in targets]
    if len(set(finals)) != len(finals):
        raise InputError(
            "the same file is named twice in one output",
            path=shown[0],
            hint="give each output its own file name",
        )
    temps: list[Path] = []
    placed: list[Path] = []
    current = shown[0]
    try:
        for final, name in zip(finals, shown, strict=True):
            current = name
            if parents:
                final.parent.mkdir(parents=True, exist_ok=True)
            temps.append(_reserve(final))
        current = shown[0]
        yield tuple(temps)
        for tmp, name in zip(temps, shown, strict=True):
            current = name
            _fsync(tmp)
        if len(finals) > 1:
            current = shown[-1]
            finals[-1].unlink(missing_ok=True)
        for tmp, final, name in zip(temps, finals, shown, strict=True):
            current = name
            tmp.replace(final)
            placed.append(final)
        for folder in {f.parent for f in finals}:
            _fsync_folder(folder)
    except BaseException as err:
        for path in (*temps, *placed):
            _remove(path)
        converted = write_error(err, current, what=what)
        if converted is not None:
            raise converted from err
        raise


@contextmanager
def atomic_dir(
    target: str | os.PathLike[str], *, what: str = "the folder", parents: bool = True
) -> Iterator[Path]:
    """Write a folder atomically: yield a partial folder; rename it to ``target`` on success.

    The body fills ``.<name>.partial-<random>/`` beside ``target``. When it
    has finished, every file in it is synced and the folder is renamed into
    place; until then there is no ``target`` (or only the empty folder that
    was there), so nothing can read a half-written folder as complete.

    Parameters
    ----------
    target
        The folder to create. It must not exist, or be an empty folder
        (which is replaced).
    what
        The folder in words, for the error message.
    parents
        Create the target's missing parent folders.

    Raises
    ------
    InputError
        If ``target`` is a file, or a folder with anything in it (checked
        before the body runs).
    ExportError
        If writing or renaming fails with an ``OSError``; the partial folder
        is removed.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp()) / "data"
    >>> with atomic_dir(out) as tmp:
    ...     _ = (tmp / "a.txt").write_text("a")
    ...     out.exists()
    False
    >>> sorted(p.name for p in out.iterdir()), stale_partials(out)
    (['a.txt'], [])
    >>> with atomic_dir(out) as tmp:
    ...     pass
    Traceback (most recent call last):
    ...
    makingdata.errors.InputError: .../data: the folder is not empty. What to do: give a new or empty folder; makingdata never mixes its output with files already there.
    """
    final = _real(target)
    shown = Path(target)
    _check_empty_folder(final, shown)
    tmp: Path | None = None
    try:
        if parents:
            final.parent.mkdir(parents=True, exist_ok=True)
        while tmp is None:
            candidate = partial_name(final)
            try:
                candidate.mkdir(mode=0o777)
            except FileExistsError:  # pragma: no cover - 32 random bits collided
                continue
            tmp = candidate
        yield tmp
        for root, _dirs, files in os.walk(tmp):
            for name in files:
                _fsync(Path(root, name))
            _fsync_folder(Path(root))
        try:
            tmp.rename(final)
        except OSError as err:
            if err.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
                raise InputError(
                    "something was written to the folder while makingdata wrote "
                    "its output, so the output was not moved in",
                    path=shown,
                    hint="give a new or empty folder that nothing else writes to",
                ) from err
            raise
        tmp = None
        _fsync_folder(final.parent)
    except BaseException as err:
        if tmp is not None:
            _remove(tmp)
        converted = write_error(err, shown, what=what)
        if converted is not None:
            raise converted from err
        raise


def _check_empty_folder(final: Path, shown: Path) -> None:
    if final.exists() and not final.is_dir():
        raise InputError(
            "exists and is not a folder",
            path=shown,
            hint="give a folder name that is not a file",
        )
    if final.is_dir() and any(final.iterdir()):
        raise InputError(
            "the folder is not empty",
            path=shown,
            hint="give a new or empty folder; makingdata never mixes its output with "
            "files already there",
        )
