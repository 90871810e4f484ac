"""``makingdata key new`` and the ``--key-file`` option of the commands that hash UPNs.

A pseudonym key never travels on the command line, where other local users
see it (``ps``): commands take ``--key-file PATH`` or the
``MAKINGDATA_PSEUDONYM_KEY`` environment variable, and ``--key VALUE`` (the
option of earlier releases) is refused as a usage error that does not repeat
the value. ``makingdata key new --out PATH`` writes a new random key to a
file only its owner may read.
"""

# No ``from __future__ import annotations``: typer reads the annotations at run time.

import contextlib
import errno
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from makingdata._pseudonym import KEY_ENV_VAR, MAKE_KEY_HINT, new_key, read_key_file
from makingdata.cli._options import exit_codes
from makingdata.errors import ExitCode, InputError


def _refuse_key_on_command_line(value: str | None) -> None:
    if value is not None:  # never repeat the value: it is meant to be a secret
        raise typer.BadParameter(
            "a pseudonym key is not taken on the command line, where other users "
            "of this computer can see it; put it in a file only you can read and "
            f"pass --key-file PATH, or set the {KEY_ENV_VAR} environment "
            "variable (makingdata key new --out PATH makes a key file)",
            param_hint="'--key'",
        )


#: ``--key-file PATH``: where the pseudonym key is kept.
KeyFileOption = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        metavar="PATH",
        help="file holding the pseudonym key for hashing UPNs, readable only by "
        f"you (default: the {KEY_ENV_VAR} environment variable; make one with "
        "makingdata key new --out PATH)",
        show_default=False,
    ),
]

#: ``--key VALUE``, the option of earlier releases: hidden, and refused.
RefusedKeyOption = Annotated[
    str | None,
    typer.Option(
        "--key",
        hidden=True,
        expose_value=False,
        callback=_refuse_key_on_command_line,
    ),
]


def key_from_file(key_file: Path | None) -> bytes | None:
    """Return the key in ``key_file``, or None to use the environment variable."""
    return None if key_file is None else read_key_file(key_file)


#: Errors of a file system that has no hard links.
_NO_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK})


def _link_no_clobber(tmp: Path, target: Path) -> None:
    """Give ``tmp`` the name ``target``, atomically, never replacing a file."""
    try:
        os.link(tmp, target)
    except OSError as err:
        if isinstance(err, FileExistsError) or err.errno not in _NO_LINKS:
            raise
        # a file system without hard links: check, then rename
        if target.exists() or target.is_symlink():
            raise FileExistsError(errno.EEXIST, "File exists", str(target)) from err
        tmp.replace(target)
        return
    tmp.unlink()


def _exists(path: Path) -> InputError:
    return InputError(
        "the key file already exists; makingdata never overwrites a key "
        "(data keyed with it could no longer be matched)",
        path=str(path),
        hint="choose another path, or move the old key away first",
    )


def write_key_file(path: Path) -> None:
    """Write a new random key to ``path`` (mode 0600), atomically; never overwrite.

    The key is written to a temporary file in the same folder (created 0600),
    flushed to disk, then linked to ``path`` in one step that fails if
    ``path`` exists, so a reader never sees a half-written key and an
    existing key, without which its pupil_keys can no longer be matched, is
    never replaced.
    """
    folder = path.parent
    if path.exists() or path.is_symlink():
        raise _exists(path)
    if not folder.is_dir():
        raise InputError(
            "the folder for the key file does not exist",
            path=str(folder),
            hint="create the folder first, or choose another path",
        )
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise InputError(
            f"cannot write the key file: {err.strerror or err}",
            path=str(path),
            hint="choose a path in a folder you can write to",
        ) from None
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if os.name == "posix":  # mkstemp made it 0600; say so whatever the umask
                os.fchmod(handle.fileno(), 0o600)
            handle.write(new_key().encode("ascii") + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        _link_no_clobber(tmp, path)
    except FileExistsError:
        raise _exists(path) from None
    except OSError as err:
        raise InputError(
            f"cannot write the key file: {err.strerror or err}",
            path=str(path),
            hint="choose a path in a folder you can write to",
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    with contextlib.suppress(OSError):  # make the new name durable too (POSIX)
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def new(
    *,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            metavar="PATH",
            help="the key file to create (it must not exist yet)",
            show_default=False,
        ),
    ],
) -> ExitCode:
    """Make a new random pseudonym key and write it to a file only you can read.

    The key is 43 random URL-safe characters (256 bits). The file is
    created with mode 0600 and never overwritten. Pass it to validate and
    aggregate with --key-file PATH, or put it in the
    MAKINGDATA_PSEUDONYM_KEY environment variable. Keep a copy in your
    organisation's secret store: pupil keys made with it can be matched
    only with this key. The key is never printed.
    """
    write_key_file(out)
    print(
        f"makingdata key new: wrote a new pseudonym key to {out} (readable only "
        f"by you); pass it with --key-file {out}, and keep a copy in your "
        "organisation's secret store",
        file=sys.stderr,
    )
    return ExitCode.OK


def register(app: typer.Typer) -> None:
    """Add the ``key`` sub-command (with its ``new`` action)."""
    group = typer.Typer(
        help="Make pseudonym keys, the secret that turns UPNs into pupil_key. "
        f"{MAKE_KEY_HINT[0].upper()}{MAKE_KEY_HINT[1:]}.",
        short_help="make a pseudonym key file",
        rich_markup_mode=None,
        no_args_is_help=True,
    )
    group.command(
        "new",
        short_help="write a new random pseudonym key to a private file",
        epilog=exit_codes(
            OK="the key file was written",
            INPUT="the file exists already, or cannot be written",
        ),
    )(new)
    app.add_typer(group, name="key")
