"""Run every benchmark script in this folder at its default (small) size.

``python -m benchmarks`` (what ``nox -s bench`` runs) calls
``python -m benchmarks.NAME`` for each ``NAME.py`` that does not start with
``_``; pass ``--only NAME`` to run one.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    names = sorted(p.stem for p in here.glob("*.py") if not p.stem.startswith("_"))
    if argv[:1] == ["--only"] and len(argv) > 1:
        names = [n for n in names if n == argv[1]]
    status = 0
    for name in names:
        print(f"== benchmarks.{name}", flush=True)
        done = subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], check=False)
        status = status or done.returncode
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
