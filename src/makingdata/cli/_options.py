"""Option syntax shared by every command: lists, dates, decimals, exit codes in help.

Every list option takes comma-separated values and may be repeated:
``--by fsm_status,sex`` is ``--by fsm_status --by sex``. The space-separated
lists that ``protect`` and ``audit-table`` took before (``--filters a b c``)
are rewritten to that form by :func:`rewrite_legacy_lists`, with a note on
stderr, for one release.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from makingdata.errors import ExitCode

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

#: What each exit code means in a command's help, when the command does not say.
_GENERIC: dict[ExitCode, str] = {
    ExitCode.OK: "done",
    ExitCode.USAGE: "bad command line (unknown option, missing or invalid value)",
    ExitCode.INPUT: "unusable input (missing or unreadable file, malformed data)",
    ExitCode.REFUSED: "refused to release (disclosure control or access scope)",
    ExitCode.INTERNAL: "a bug in makingdata (MAKINGDATA_DEBUG=1 shows the traceback)",
}

#: The help line that every list option ends with.
LIST_HELP = "comma-separated, or repeat the option"


def exit_codes(**meanings: str) -> str:
    r"""Return the "Exit codes" epilog of a command's help.

    Keyword names are :class:`~makingdata.errors.ExitCode` names; each value
    says what the code means for this command (an empty string: the generic
    meaning). ``USAGE`` and ``INTERNAL`` are always listed.

    Examples
    --------
    >>> from makingdata.cli._options import exit_codes
    >>> text = exit_codes(OK="every row valid", FINDINGS="rows rejected", INPUT="")
    >>> text.startswith("\b\n")  # click keeps the lines of a paragraph after \b
    True
    >>> print(text.removeprefix("\b\n"))
    Exit codes:
      0  OK          every row valid
      1  FINDINGS    rows rejected
      2  USAGE       bad command line (unknown option, missing or invalid value)
      4  INPUT       unusable input (missing or unreadable file, malformed data)
      70 INTERNAL    a bug in makingdata (MAKINGDATA_DEBUG=1 shows the traceback)
    """
    codes = {ExitCode[name]: text for name, text in meanings.items()}
    codes.setdefault(ExitCode.USAGE, "")
    codes.setdefault(ExitCode.INTERNAL, "")
    lines = ["\b", "Exit codes:"]
    for code in sorted(codes):
        text = codes[code] or _GENERIC[code]
        lines.append(f"  {int(code):<2} {code.name:<11} {text}")
    return "\n".join(lines)


def split_list(values: Iterable[str] | None) -> list[str] | None:
    """Flatten repeated, comma-separated option values; ``None`` if not given.

    Examples
    --------
    >>> from makingdata.cli._options import split_list
    >>> split_list(["fsm_status,sex", " year_group "])
    ['fsm_status', 'sex', 'year_group']
    >>> split_list([""]), split_list(None)
    ([], None)
    """
    if values is None:
        return None
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


def parse_date(text: str) -> dt.date:
    """Parse an ISO date (YYYY-MM-DD); a bad one is a usage error naming the value.

    Examples
    --------
    >>> from makingdata.cli._options import parse_date
    >>> parse_date("2025-09-08")
    datetime.date(2025, 9, 8)
    """
    if isinstance(text, dt.date):  # typer passes a default through as it is
        return text
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from None


def parse_decimals(text: str | None) -> int | dict[str, int] | None:
    """Parse ``5`` or ``national=1,la=5`` (places for percentages).

    Examples
    --------
    >>> from makingdata.cli._options import parse_decimals
    >>> parse_decimals("5"), parse_decimals("national=1, la=5")
    (5, {'national': 1, 'la': 5})
    """
    if text is None:
        return None
    try:
        if "=" not in text:
            return int(text)
        out: dict[str, int] = {}
        for part in split_list([text]) or []:
            key, value = part.split("=", 1)
            out[key.strip()] = int(value)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r}: give places as 5 or as national=1,la=5",
            param_hint="'--decimals'",
        ) from None
    return out


#: ``--strict-code-dates`` of the commands that read marks.
StrictCodeDatesOption = Annotated[
    bool,
    typer.Option(
        "--strict-code-dates",
        help="reject marks whose code is not in force on their date (default: "
        "count them, as DfE does, with a warning)",
    ),
]


def parse_rounding(text: str | None) -> dict[str, int] | None:
    """Parse ``region=5,national=5`` (a rounding base per level).

    Examples
    --------
    >>> from makingdata.cli._options import parse_rounding
    >>> parse_rounding("region=5, national=5")
    {'region': 5, 'national': 5}
    """
    if text is None:
        return None
    out: dict[str, int] = {}
    for part in split_list([text]) or []:
        key, _, value = part.partition("=")
        base = value.strip()
        if not base.isdigit() or int(base) < 1:
            raise typer.BadParameter(
                f"{text!r}: give a base per level as region=5,national=5 "
                "(whole numbers of 1 or more)",
                param_hint="'--round'",
            )
        out[key.strip()] = int(base)
    return out


#: Options that took space-separated lists before 0.1 (argparse ``nargs="*"``).
_LEGACY_LISTS: dict[str, frozenset[str]] = {
    "protect": frozenset({"--filters"}),
    "audit-table": frozenset({"--filters", "--counts"}),
}


_COLUMNS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*( *, *[A-Za-z_][A-Za-z0-9_]*)*,?")


def rewrite_legacy_lists(argv: Sequence[str], commands: Iterable[str]) -> list[str]:
    """Rewrite ``--filters a b c`` as ``--filters a,b,c`` (deprecated spelling).

    Only for the options of :data:`_LEGACY_LISTS`; the column names after
    such an option, up to the next option or the first word that is not a
    column name (a file such as ``table.csv``), are joined with commas. A
    note on stderr says how to write it from now on.

    Examples
    --------
    >>> from makingdata.cli._options import rewrite_legacy_lists
    >>> rewrite_legacy_lists(["protect", "--filters", "sex", "t.csv"], ["protect"])
    ['protect', '--filters', 'sex', 't.csv']
    >>> rewrite_legacy_lists(["audit-table", "t.csv", "--counts"], ["audit-table"])
    ['audit-table', 't.csv', '--counts', '']
    """
    args = list(argv)
    known = set(commands)
    command = next((a for a in args if a in known), None)
    legacy = _LEGACY_LISTS.get(command or "", frozenset())
    if not legacy:
        return args
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        out.append(arg)
        i += 1
        if arg not in legacy:
            continue
        words: list[str] = []
        while i < len(args) and _COLUMNS.fullmatch(args[i]):
            words.append(args[i])
            i += 1
        if len(words) != 1:
            joined = ",".join(words)
            print(
                f"makingdata {command}: note: `{arg} {' '.join(words)}` "
                f"(a space-separated list) is deprecated and will be removed in "
                f"0.2; write `{arg} {joined or chr(39) * 2}` (comma-separated, or "
                "repeat the option)",
                file=sys.stderr,
            )
        out.append(",".join(words))
    return out


def choice(option: str, values: Sequence[str]) -> Callable[[str], str]:
    """Return a parser that accepts one of ``values`` (for lists known at run time).

    Examples
    --------
    >>> from makingdata.cli._options import choice
    >>> choice("--period", ["week", "term"])("week")
    'week'
    """

    def parse(text: str) -> str:
        if text in values:
            return text
        raise typer.BadParameter(
            f"{text!r} is not one of {', '.join(values)}", param_hint=f"'{option}'"
        )

    return parse
