"""``makingdata audit-log show``: print the audit log of scope decisions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from makingdata.access import read_audit_log

if TYPE_CHECKING:
    import argparse

_SHOWN = (
    "line",
    "time",
    "action",
    "decision",
    "viewer",
    "purpose_asked",
    "frame_kind",
    "rows_in",
    "rows_out",
    "schools_in_scope",
    "reason",
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``audit-log`` sub-command (with its ``show`` action)."""
    p = sub.add_parser(
        "audit-log",
        help="read the audit log of access decisions",
        description="Read the append-only audit log that makingdata.access.scope "
        "writes: who asked for what, for which purpose, what they got, and every "
        "refusal.",
    )
    actions = p.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    show = actions.add_parser(
        "show",
        help="print the decisions, oldest first",
        description="Print the decisions in an audit log, oldest first.",
    )
    show.add_argument("path", type=Path, metavar="PATH", help="the JSON-lines log")
    show.add_argument(
        "--viewer",
        metavar="VIEWER",
        help="only this viewer (e.g. trust:TR01234, la:E06000065, public)",
    )
    show.add_argument("--refusals", action="store_true", help="only refused requests")
    show.add_argument(
        "--json",
        action="store_true",
        help="print the selected decisions as JSON lines instead of a table",
    )
    show.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the selected decisions; return 0 (2 on an unreadable log)."""
    log = read_audit_log(args.path)
    if args.viewer is not None:
        wanted = args.viewer.strip().casefold()
        log = log.filter(pl.col("viewer").str.to_lowercase() == wanted)
    if args.refusals:
        log = log.filter(pl.col("decision") == "refused")
    if args.json:
        for row in log.drop("line").iter_rows(named=True):
            print(json.dumps({k: v for k, v in row.items() if v is not None}))
        return 0
    shown = log.select(_SHOWN).with_columns(pl.all().cast(pl.String).fill_null(""))
    widths = {
        c: max([len(c), *(len(v) for v in shown.get_column(c).to_list())])
        for c in _SHOWN
        if c != "reason"
    }
    print("  ".join(f"{c:<{w}}" for c, w in widths.items()) + "  reason")
    for row in shown.iter_rows(named=True):
        print(
            "  ".join(f"{row[c]:<{w}}" for c, w in widths.items())
            + "  "
            + row["reason"]
        )
    print(f"{shown.height} decision(s)")
    return 0
