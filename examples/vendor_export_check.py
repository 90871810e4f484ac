"""Reference implementation: a vendor's CI check of an MIS export.

What an MIS vendor's pipeline runs on every build, before an export reaches a
school or an LA:

1. read the marks and enrolments exports and validate every row with
   ``makingdata.io`` (the same rules as ``makingdata validate``);
2. check that every valid mark's pupil is enrolled at that school on that day
   (``makingdata.schemas.check_marks_enrolled``);
3. if the build also produces an EES data file and its ``.meta.csv``, check the
   pair against DfE's open data standards (``makingdata.publish.check_ees``);
4. write a machine-readable summary (``summary.json``) and the rejected rows
   (``marks_rejects.csv``, ``enrolments_rejects.csv``, ``ees_problems.csv``)
   for the build's artefacts, and exit with a code the pipeline can act on.

Exit codes (``makingdata.errors.ExitCode``, the same as the ``makingdata``
command's)::

    0  OK        every row valid, every mark enrolled, the EES pair has no error
    1  FINDINGS  rows rejected, marks of pupils not enrolled, or EES errors
                 (see summary.json and the rejects files)
    2  USAGE     bad command line
    4  INPUT     an export cannot be read at all (missing file, not a CSV ...)

Run it on an export (the pseudonym key from ``--key-file`` or the
``MAKINGDATA_PSEUDONYM_KEY`` environment variable)::

    python examples/vendor_export_check.py --marks marks.csv \
        --enrolments enrolments.csv --ees out/attendance.csv --out check/

or on a synthetic export made first, clean or with planted problems::

    python examples/vendor_export_check.py --synthetic clean --out check/
    python examples/vendor_export_check.py --synthetic broken --out check/
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import sys
from pathlib import Path
from typing import Any

import polars as pl

from makingdata import attendance, io, publish, schemas, synth
from makingdata.errors import ExitCode, MakingDataError

ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ0123456789"


def make_upn(la: str, serial: int) -> str:
    """A valid UPN (DfE's check letter) for a synthetic pupil."""
    body = f"{la}{(serial // 1000) % 10_000:04d}25{serial % 1000:03d}"
    check = sum(i * ALPHABET.index(c) for i, c in enumerate(body, 2)) % 23
    return ALPHABET[check] + body


def synthetic_export(folder: Path, *, broken: bool) -> dict[str, Path]:
    """Write a week's MIS export (marks and enrolments CSV with UPNs) and an EES pair.

    With ``broken``, plant what vendors' exports really get wrong: a wrong
    UPN check letter, an unknown code, an impossible date, a duplicated mark,
    an enrolment with a bad date of birth, and a blank EES indicator cell.
    """
    monday, friday = dt.date(2025, 9, 15), dt.date(2025, 9, 19)
    data = synth.generate(scale=0.01, start=monday, end=friday, seed=11, la=330)
    marks = data.marks()
    pupils = (
        data.enrolments.select("pupil_key")
        .unique()
        .sort("pupil_key")
        .with_row_index("serial")
        .with_columns(
            upn=pl.col("serial").map_elements(
                lambda s: make_upn("330", int(s)), return_dtype=pl.String
            )
        )
        .drop("serial")
    )
    as_text = [pl.col(c).cast(pl.String) for c in ("urn", "session", "code")]
    marks_csv = (
        marks.join(pupils, on="pupil_key", how="left")
        .select("upn", "urn", "date", "session", "code")
        .with_columns(*as_text, pl.col("date").dt.to_string("%d/%m/%Y"))
    )
    enrol_csv = (
        data.enrolments.join(pupils, on="pupil_key", how="left")
        .drop("pupil_key")
        .select("upn", pl.exclude("upn"))
        .with_columns(pl.all().exclude("upn").cast(pl.String))
    )
    if broken:
        marks_csv = _plant_marks(marks_csv)
        enrol_csv = enrol_csv.with_columns(
            date_of_birth=pl.when(pl.int_range(pl.len()) == 3)
            .then(pl.lit("31/02/2016"))
            .otherwise(pl.col("date_of_birth"))
        )
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"marks": folder / "marks.csv", "enrolments": folder / "enrolments.csv"}
    marks_csv.write_csv(paths["marks"])
    enrol_csv.write_csv(paths["enrolments"])

    # the build's EES output: the LA's schools by week, for the LA itself
    table = attendance.attendance_table(
        marks,
        data.enrolments,
        schools=data.schools,
        levels=("school",),
        period="week",
        start=monday,
        end=friday,
    ).collect()
    ees = publish.write_ees(
        table, folder / "ees" / "school_attendance.csv", audience="la"
    )
    if broken:
        text = ees.data.read_text().splitlines()
        header = text[0].split(",")
        row = text[1].split(",")
        # a blank indicator cell: EES wants a number or a symbol (z, x, c, low)
        row[header.index("sess_overall_percent")] = ""
        ees.data.write_text("\n".join([text[0], ",".join(row), *text[2:]]) + "\n")
    paths["ees"] = ees.data
    return paths


def _plant_marks(marks: pl.DataFrame) -> pl.DataFrame:
    i = pl.int_range(pl.len())
    spoiled = marks.with_columns(
        upn=pl.when(i == 10)
        .then(pl.lit("Z") + pl.col("upn").str.slice(1))
        .otherwise(pl.col("upn")),
        code=pl.when(i == 20).then(pl.lit("Q7")).otherwise(pl.col("code")),
        date=pl.when(i == 30).then(pl.lit("31/09/2025")).otherwise(pl.col("date")),
    )
    return pl.concat([spoiled, spoiled.slice(40, 1)])  # a mark exported twice


def _rules(result: io.ReadResult) -> dict[str, int]:
    failed = result.report.checks.filter(pl.col("result") == "FAIL")
    return dict(zip(failed["check"], failed["n_failing"], strict=True))


def _warnings(result: io.ReadResult) -> dict[str, int]:
    warned = result.report.checks.filter(pl.col("result") == "WARNING")
    return dict(zip(warned["check"], warned["n_failing"], strict=True))


def _read(
    kind: str, path: Path, key: str | bytes, out: Path
) -> tuple[io.ReadResult, dict[str, Any]]:
    reader = io.read_marks if kind == "marks" else io.read_enrolments
    result = reader(path, key=key)
    entry: dict[str, Any] = {
        "file": str(path),
        "rows_read": result.n_read,
        "valid": result.n_valid,
        "rejected": result.n_rejected,
        "rules_failed": _rules(result),
        "warnings": _warnings(result),
        "rejects_file": None,
    }
    if result.n_rejected:
        rejects = out / f"{kind}_rejects.csv"
        io.rejects_for_csv(result.rejects).write_csv(rejects)
        entry["rejects_file"] = str(rejects)
    return result, entry


def check(
    marks_path: Path,
    enrolments_path: Path,
    ees_path: Path | None,
    key: str | bytes,
    out: Path,
) -> dict[str, Any]:
    """Run every check; return the summary (``exit_code`` says the verdict)."""
    out.mkdir(parents=True, exist_ok=True)
    marks, marks_entry = _read("marks", marks_path, key, out)
    enrolments, enrol_entry = _read("enrolments", enrolments_path, key, out)
    enrolled = schemas.check_marks_enrolled(marks.valid, enrolments.valid)
    not_enrolled = int(
        enrolled.checks.filter(pl.col("result") == "FAIL")["n_failing"].sum()
    )
    summary: dict[str, Any] = {
        "marks": marks_entry,
        "enrolments": enrol_entry,
        "marks_enrolled": {"ok": enrolled.ok, "marks_not_enrolled": not_enrolled},
        "ees": None,
    }
    findings = marks.n_rejected + enrolments.n_rejected + (0 if enrolled.ok else 1)
    if ees_path is not None:
        ees = publish.check_ees(ees_path)
        problems = ees.problems
        entry: dict[str, Any] = {
            "file": str(ees_path),
            "ok": ees.ok,
            "rows": ees.rows,
            "errors": ees.errors.height,
            "warnings": problems.height - ees.errors.height,
            "rules": sorted(set(ees.errors["rule"])),
            "problems_file": None,
        }
        if problems.height:
            entry["problems_file"] = str(out / "ees_problems.csv")
            problems.write_csv(entry["problems_file"])
        summary["ees"] = entry
        findings += ees.errors.height
    code = ExitCode.OK if findings == 0 else ExitCode.FINDINGS
    summary["exit_code"] = int(code)
    summary["verdict"] = code.name
    return summary


def _key(key_file: Path | None) -> str | bytes:
    if key_file is not None:
        return io.read_key_file(key_file)
    return os.environ.get(io.KEY_ENV_VAR) or ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="exit codes: 0 OK, 1 FINDINGS, 2 USAGE, 4 INPUT (makingdata.errors.ExitCode)",
    )
    parser.add_argument("--marks", type=Path, help="the marks export (CSV or Parquet)")
    parser.add_argument("--enrolments", type=Path, help="the enrolments export")
    parser.add_argument(
        "--ees", type=Path, help="an EES data CSV (its .meta.csv beside it)"
    )
    parser.add_argument("--key-file", type=Path, help="the pseudonym key file")
    parser.add_argument(
        "--synthetic",
        choices=("clean", "broken"),
        help="first write a synthetic export (clean, or with planted problems) to OUT/export",
    )
    parser.add_argument("--out", type=Path, default=Path("export-check"))
    args = parser.parse_args(argv)
    try:
        key = _key(args.key_file)
        if args.synthetic:
            key = key or secrets.token_urlsafe(32)  # synthetic pupils: a throwaway key
            paths = synthetic_export(
                args.out / "export", broken=args.synthetic == "broken"
            )
            args.marks, args.enrolments, args.ees = (
                paths["marks"],
                paths["enrolments"],
                paths["ees"],
            )
        if args.marks is None or args.enrolments is None:
            parser.error("give --marks and --enrolments, or --synthetic clean|broken")
        if not key:
            parser.error(f"give --key-file, or set {io.KEY_ENV_VAR}")
        summary = check(args.marks, args.enrolments, args.ees, key, args.out)
    except (MakingDataError, OSError) as err:
        code = ExitCode.for_error(err)
        print(f"vendor_export_check: {err}", file=sys.stderr)
        return int(code)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    for kind in ("marks", "enrolments"):
        e = summary[kind]
        rules = ", ".join(f"{r} {n}" for r, n in e["rules_failed"].items()) or "none"
        print(
            f"{kind}: {e['rows_read']:,} read, {e['valid']:,} valid, "
            f"{e['rejected']:,} rejected (rules failed: {rules})"
        )
    print(
        f"marks of pupils not enrolled: {summary['marks_enrolled']['marks_not_enrolled']}"
    )
    if summary["ees"] is not None:
        e = summary["ees"]
        print(f"EES pair: {e['errors']} errors, {e['warnings']} warnings {e['rules']}")
    print(
        f"verdict: {summary['verdict']} (exit {summary['exit_code']}); summary in {args.out / 'summary.json'}"
    )
    return int(summary["exit_code"])


if __name__ == "__main__":
    raise SystemExit(main())
