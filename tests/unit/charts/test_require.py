from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import makingdata
from makingdata.charts._require import require
from makingdata.errors import MakingDataError


def test_a_missing_extra_says_how_to_install_it() -> None:
    with pytest.raises(MakingDataError, match=r'pip install "makingdata\[charts\]"'):
        require("makingdata_no_such_module")


def test_importing_charts_without_altair_raises_the_install_hint() -> None:
    src = str(Path(makingdata.__file__).parent.parent)
    code = (
        "import sys; sys.modules['altair'] = None\n"
        "try:\n"
        "    import makingdata.charts\n"
        "except Exception as e:\n"
        "    print(type(e).__name__, e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": src, "PATH": ""},
    ).stdout
    assert out.startswith("MakingDataError makingdata.charts needs altair")
    assert 'pip install "makingdata[charts]"' in out
