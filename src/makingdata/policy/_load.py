"""Read requests (TOML, JSON, YAML) and local rule files."""

from __future__ import annotations

import importlib
import json
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from makingdata.errors import InputError, RuleError
from makingdata.policy._catalogue import Catalogue, default_catalogue, rule_from_dict
from makingdata.policy._requests import DataRequest

if TYPE_CHECKING:
    from os import PathLike

__all__ = ["REQUEST_SUFFIXES", "load_catalogue", "load_request", "load_requests"]

#: File suffixes :func:`load_requests` picks up.
REQUEST_SUFFIXES: tuple[str, ...] = (".toml", ".json", ".yaml", ".yml")


def _read_yaml(path: Path, text: str) -> Any:
    try:
        yaml = importlib.import_module("yaml")
    except ImportError:
        raise InputError(
            "reading YAML needs PyYAML, which is not installed",
            path=path,
            hint="pip install 'makingdata[yaml]', or write the request as TOML or JSON",
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise InputError(f"not valid YAML: {err}", path=path) from None


def _read(path: Path) -> Any:
    if not path.is_file():
        raise InputError("no such file", path=path, hint="check the path")
    suffix = path.suffix.casefold()
    if suffix not in REQUEST_SUFFIXES:
        raise InputError(
            f"cannot read {suffix or 'a file without a suffix'!r}",
            path=path,
            hint="use a .toml, .json, .yaml or .yml file",
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            f"not UTF-8 text ({err.reason} at byte {err.start})",
            path=path,
            hint="save the file as UTF-8",
        ) from None
    if suffix == ".toml":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise InputError(f"not valid TOML: {err}", path=path) from None
    if suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            raise InputError(
                f"not valid JSON: {err.msg}", path=path, row=err.lineno
            ) from None
    return _read_yaml(path, text)


def load_request(path: str | PathLike[str]) -> DataRequest:
    """Read one data request from a TOML, JSON or YAML file.

    YAML needs PyYAML (the ``yaml`` extra: ``pip install 'makingdata[yaml]'``).

    Parameters
    ----------
    path
        The file; its suffix decides the format.

    Returns
    -------
    DataRequest
        The validated request.

    Raises
    ------
    InputError
        Naming the file and the field path (``items[2].kind``) and listing the
        allowed values.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from makingdata.policy import load_request
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "req.toml"
    >>> _ = path.write_text('''
    ... title = "Termly data drop"
    ... request_date = 2025-10-01
    ... requester = { kind = "la", name = "Anyshire County Council" }
    ... [[items]]
    ... kind = "flight_path"
    ... ''')
    >>> load_request(path).items[0].kind.value
    'flight_path'
    """
    p = Path(path)
    data = _read(p)
    if not isinstance(data, dict):
        raise InputError(
            f"expected a table of request fields, got {type(data).__name__}",
            path=p,
            hint="write the request's fields at the top level of the file",
        )
    return DataRequest.from_dict(data, path=p)


def load_requests(directory: str | PathLike[str]) -> tuple[DataRequest, ...]:
    """Read every request file (``.toml``, ``.json``, ``.yaml``, ``.yml``) in a folder.

    Files are read in name order; the first bad file raises.

    Raises
    ------
    InputError
        If the folder does not exist or holds no request files, or a file is bad.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from makingdata.policy import load_requests
    >>> load_requests(pathlib.Path(tempfile.mkdtemp()))
    Traceback (most recent call last):
    ...
    makingdata.errors.InputError: ...: the folder holds no request files. What to do: add .toml, .json or .yaml request files.
    """
    d = Path(directory)
    if not d.is_dir():
        raise InputError("no such folder", path=d, hint="check the path")
    files = sorted(
        p
        for p in d.iterdir()
        if p.is_file() and p.suffix.casefold() in REQUEST_SUFFIXES
    )
    if not files:
        raise InputError(
            "the folder holds no request files",
            path=d,
            hint="add .toml, .json or .yaml request files",
        )
    return tuple(load_request(p) for p in files)


def load_catalogue(
    path: str | PathLike[str], *, base: Catalogue | None = None
) -> Catalogue:
    """Apply an organisation's local rule file to a catalogue.

    The file (TOML) holds ``[[rule]]`` tables, in the shipped catalogue's
    format, whose ``check`` names one of the catalogue's checks, and
    ``[[disable]]`` tables with ``id`` and ``reason``.

    Parameters
    ----------
    path
        The local rule file.
    base
        The catalogue to start from; the shipped one by default.

    Returns
    -------
    Catalogue
        ``base`` with the local rules added and the named rules switched off.

    Raises
    ------
    RuleError
        Naming the file and entry (``disable[0].reason``) when an entry is wrong.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from makingdata.policy import load_catalogue
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "local.toml"
    >>> _ = path.write_text('''
    ... [[disable]]
    ... id = "STAR-01"
    ... reason = "we are not DfE"
    ... ''')
    >>> load_catalogue(path).disabled["STAR-01"]
    'we are not DfE'
    """
    p = Path(path)
    if p.suffix.casefold() != ".toml":
        raise RuleError(
            "a local rule file must be TOML", path=p, hint="rename it to .toml"
        )
    try:
        data = _read(p)
    except InputError as err:
        raise RuleError(err.message, path=p, row=err.row, hint=err.hint) from None
    cat = default_catalogue() if base is None else base
    for key in data:
        if key not in ("rule", "disable"):
            raise RuleError(
                f"unknown table {key!r}", path=p, hint="use [[rule]] and [[disable]]"
            )
    for i, row in enumerate(data.get("rule", [])):
        rule = rule_from_dict(row, path=p, where=f"rule[{i}]")
        if rule.id in cat:
            raise RuleError(
                f"rule id {rule.id!r} is already in the catalogue",
                path=p,
                column=f"rule[{i}].id",
                hint="give the local rule its own id",
            )
        try:
            cat = cat.with_rule(rule)
        except RuleError as err:
            raise RuleError(
                err.message, path=p, column=f"rule[{i}].{err.column}", hint=err.hint
            ) from None
    for i, row in enumerate(data.get("disable", [])):
        for key in ("id", "reason"):
            if key not in row:
                raise RuleError(
                    f"the required field {key!r} is missing",
                    path=p,
                    column=f"disable[{i}].{key}",
                )
        try:
            cat = cat.without_rule(row["id"], reason=row["reason"])
        except RuleError as err:
            raise RuleError(
                err.message, path=p, column=f"disable[{i}].{err.column}", hint=err.hint
            ) from None
    return cat
