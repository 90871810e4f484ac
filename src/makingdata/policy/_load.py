"""Read requests (TOML, JSON, YAML) and local rule files."""

from __future__ import annotations

import importlib
import json
import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from makingdata.errors import InputError, RuleError
from makingdata.policy._catalogue import Catalogue, default_catalogue, rule_from_dict
from makingdata.policy._requests import DataRequest, RequestError
from makingdata.policy._uses import DataUse

if TYPE_CHECKING:
    from os import PathLike

__all__ = [
    "REQUEST_SUFFIXES",
    "load_catalogue",
    "load_request",
    "load_requests",
    "load_use",
]

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
    return _read_text(path)[0]


def _read_text(path: Path) -> tuple[Any, str]:
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
            return tomllib.loads(text), text
        except tomllib.TOMLDecodeError as err:
            raise InputError(f"not valid TOML: {err}", path=path) from None
    if suffix == ".json":
        try:
            return json.loads(text), text
        except json.JSONDecodeError as err:
            raise InputError(
                f"not valid JSON: {err.msg}", path=path, row=err.lineno
            ) from None
    return _read_yaml(path, text), text


_SEGMENT = re.compile(r"([^.\[\]]+)((?:\[\d+\])*)")


def _key_pattern(key: str, suffix: str) -> re.Pattern[str]:
    k = re.escape(key)
    if suffix == ".json":
        return re.compile(rf'"{k}"\s*:')
    if suffix == ".toml":
        return re.compile(rf'(?:^|[{{,])\s*"?{k}"?\s*=')
    return re.compile(rf"^\s*(?:-\s+)?['\"]?{k}['\"]?\s*:")


def _line_of(text: str, suffix: str, column: str | None) -> int | None:  # noqa: PLR0911
    """Return the 1-based line of the field ``column`` (``items[2].kind``) in ``text``, if clear.

    A key written on one line only is found wherever it is; in TOML, an item's
    key is looked for in its ``[[items]]`` table and a requester's in
    ``[requester]``. Anything less certain gives ``None``: no line is better
    than a wrong one.
    """
    if not column:
        return None
    segments = _SEGMENT.findall(column)
    if not segments:
        return None
    key = segments[-1][0]
    lines = text.splitlines()
    pattern = _key_pattern(key, suffix)
    hits = [i for i, line in enumerate(lines) if pattern.search(line)]
    if len(hits) == 1:
        return hits[0] + 1
    if suffix != ".toml" or len(segments) < 2:
        return None
    table, index = segments[0]
    header = re.compile(rf"^\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*$")
    starts = [i for i, line in enumerate(lines) if header.match(line)]
    n = int(index.strip("[]").split("][")[0]) if index else 0
    if n >= len(starts):
        return None
    for i in range(starts[n] + 1, len(lines)):
        if lines[i].lstrip().startswith("["):
            return None
        if pattern.search(lines[i]):
            return i + 1
    return None


def _with_lines(err: InputError, text: str, suffix: str, path: Path) -> InputError:
    if isinstance(err, RequestError):
        problems = [
            InputError(
                p.message,
                row=p.row or _line_of(text, suffix, p.column),
                column=p.column,
                hint=p.hint,
            )
            for p in err.problems
        ]
        problems.sort(key=lambda p: (p.row is None, p.row or 0))
        return RequestError(problems, path=path)
    return InputError(
        err.message,
        path=path,
        row=err.row or _line_of(text, suffix, err.column),
        column=err.column,
        hint=err.hint,
    )


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
        Naming the file, the line when it is clear, the field path
        (``items[2].kind``) and the allowed values, with the nearest one for a
        misspelling.
    RequestError
        When the file has several problems: every one of them, each with its
        field and line.

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
    return _load(path, DataRequest, "request")


def load_use(path: str | PathLike[str]) -> DataUse:
    """Read one use or sharing decision (:class:`DataUse`) from a TOML, JSON or YAML file.

    Raises
    ------
    InputError
        Naming the file, the line when it is clear, and the field.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from makingdata.policy import load_use
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "use.toml"
    >>> _ = path.write_text('''
    ... title = "Academisation review"
    ... decision_date = 2025-11-03
    ... uses = ["academisation"]
    ... user = { kind = "dfe", name = "Department for Education" }
    ... ''')
    >>> load_use(path).uses[0].value
    'academisation'
    """
    return _load(path, DataUse, "use")


_Model = TypeVar("_Model", DataRequest, DataUse)


def _load(path: str | PathLike[str], model: type[_Model], what: str) -> _Model:
    """Read one model from a file; errors name the file and, where clear, the line."""
    p = Path(path)
    data, text = _read_text(p)
    if not isinstance(data, dict):
        raise InputError(
            f"expected a table of {what} fields, got {type(data).__name__}",
            path=p,
            hint=f"write the {what}'s fields at the top level of the file",
        )
    try:
        return model.from_dict(data, path=p)
    except InputError as err:
        raise _with_lines(err, text, p.suffix.casefold(), p) from None


def load_requests(directory: str | PathLike[str]) -> tuple[DataRequest, ...]:
    """Read every request file (``.toml``, ``.json``, ``.yaml``, ``.yml``) in a folder.

    Files are read in name order. Every problem of every file is reported at
    once: one bad file raises its own error, several a :class:`RequestError`
    listing each problem with its file, line and field.

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
    out: list[DataRequest] = []
    problems: list[InputError] = []
    for p in files:
        try:
            out.append(load_request(p))
        except RequestError as err:
            problems.extend(
                InputError(q.message, path=p, row=q.row, column=q.column, hint=q.hint)
                for q in err.problems
            )
        except InputError as err:
            problems.append(err)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise RequestError(problems, path=d, what="the request files")
    return tuple(out)


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
