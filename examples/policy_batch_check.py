"""Reference implementation: a batch policy check of a year's data requests.

What a school, a trust or an LA's data protection officer runs over every data
request received in a year (one ``.toml``, ``.json`` or ``.yaml`` file each,
as in ``examples/requests/``):

1. read every request file in the folder (``makingdata.policy.load_request``);
2. check each against the rule catalogue (``makingdata.policy.assess``): the
   Making Data Work principles, the statutory duties, the Secretary of State's
   letter and the other sources the catalogue cites;
3. print and write one row per request (its requester, overall verdict and
   the rules that fired), one row per finding, and a table of the rules that
   fired by requester kind, each cell the worst verdict that rule gave for that
   requester and how many requests it fired on.

Exit codes (``makingdata.errors.ExitCode``, as ``makingdata check-requests``)::

    0  OK          every request allowed, allowed with conditions, or required
    1  FINDINGS    at least one request discouraged, none prohibited
    2  USAGE       bad command line
    3  PROHIBITED  at least one request prohibited
    4  INPUT       a request file cannot be read (named, with its line)

Run it::

    python examples/policy_batch_check.py examples/requests --out verdicts/
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from makingdata import policy
from makingdata.errors import ExitCode, MakingDataError

REQUESTS = Path(__file__).resolve().parent / "requests"
ORDER = [v.value for v in policy.Verdict]  # worst first
#: short names of the verdicts for the table's cells
SHORT = {
    "prohibited": "PROH",
    "discouraged": "DISC",
    "allowed with conditions": "COND",
    "required": "REQ",
    "allowed": "OK",
}


def assess_folder(folder: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Assess every request file in ``folder``: (one row per request, one per finding)."""
    files = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix in policy.REQUEST_SUFFIXES
    )
    if not files:
        raise MakingDataError(
            f"{folder}: the folder holds no request files (.toml, .json, .yaml)",
            hint="point at a folder of data requests, such as examples/requests",
        )
    requests: list[dict[str, object]] = []
    findings: list[dict[str, object]] = []
    for path in files:
        request = policy.load_request(path)
        assessment = policy.assess(request)
        who = {
            "file": path.name,
            "requester_kind": request.requester.kind.value,
            "requester": request.requester.name,
        }
        requests.append(
            {
                **who,
                "title": request.title,
                "verdict": assessment.verdict.value,
                "rules": " ".join(f.rule_id for f in assessment.findings),
            }
        )
        findings += [
            {
                **who,
                "rule_id": f.rule_id,
                "verdict": f.verdict.value,
                "statutory": f.statutory,
                "source": f.source,
            }
            for f in assessment.findings
        ]
    return pl.DataFrame(requests), pl.DataFrame(findings)


def by_rule(findings: pl.DataFrame) -> pl.DataFrame:
    """Rules × requester kinds: the worst verdict a rule gave, and on how many requests.

    A cell reads ``PROH 2``: the rule fired on 2 of that kind's requests and
    prohibited at least one (``DISC`` discouraged, ``COND`` allowed with
    conditions, ``REQ`` required); blank where it did not fire.
    """
    rank = pl.col("verdict").replace_strict(
        {v: i for i, v in enumerate(ORDER)}, return_dtype=pl.Int64
    )
    cells = (
        findings.with_columns(rank=rank)
        .group_by("rule_id", "requester_kind")
        .agg(pl.col("rank").min(), pl.len().alias("n"))
        .with_columns(
            cell=pl.format(
                "{} {}",
                pl.col("rank").replace_strict(
                    {i: SHORT[v] for i, v in enumerate(ORDER)}, return_dtype=pl.String
                ),
                pl.col("n"),
            )
        )
    )
    worst = cells.group_by("rule_id").agg(pl.col("rank").min().alias("_worst"))
    kinds = sorted(findings["requester_kind"].unique())
    return (
        cells.pivot(
            on="requester_kind", index="rule_id", values="cell", sort_columns=True
        )
        .join(worst, on="rule_id")
        .sort("_worst", "rule_id")
        .select("rule_id", *kinds)
        .fill_null("")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="exit codes: 0 OK, 1 FINDINGS (discouraged), 2 USAGE, 3 PROHIBITED, "
        "4 INPUT (makingdata.errors.ExitCode)",
    )
    parser.add_argument(
        "folder", type=Path, nargs="?", default=REQUESTS, help="folder of request files"
    )
    parser.add_argument(
        "--out", type=Path, help="write requests.csv, findings.csv and by_rule.csv here"
    )
    args = parser.parse_args(argv)
    try:
        requests, findings = assess_folder(args.folder)
    except (MakingDataError, OSError) as err:
        print(f"policy_batch_check: {err}", file=sys.stderr)
        return int(ExitCode.for_error(err))
    table = by_rule(findings) if findings.height else pl.DataFrame()
    with pl.Config(
        tbl_rows=-1,
        tbl_cols=-1,
        tbl_width_chars=200,
        fmt_str_lengths=40,
        tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
    ):
        print(requests.select("file", "requester_kind", "verdict"))
        if table.height:
            print(
                "rules that fired, by requester kind (worst verdict, requests; "
                "PROH prohibited, DISC discouraged, COND allowed with conditions, "
                "REQ required):"
            )
            print(table)
    counts = requests["verdict"].value_counts()
    tally = dict(zip(counts["verdict"], counts["count"], strict=True))
    print(
        f"{requests.height} requests: "
        + ", ".join(f"{tally[v]} {v}" for v in ORDER if v in tally)
    )
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        requests.write_csv(args.out / "requests.csv")
        findings.write_csv(args.out / "findings.csv")
        table.write_csv(args.out / "by_rule.csv")
        print(f"wrote requests.csv, findings.csv and by_rule.csv to {args.out}")
    worst = policy.Verdict.worst([policy.Verdict(v) for v in requests["verdict"]])
    return int(worst.exit_code)


if __name__ == "__main__":
    raise SystemExit(main())
