"""Shared test configuration: hypothesis profiles and the shared-data folder."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from types import ModuleType

# "ci" (the default) is derandomized, so a run on a fresh clone is reproducible;
# "dev" explores new random examples each run (HYPOTHESIS_PROFILE=dev).
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: The repository root (tests/ lives directly under it).
REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path | None:
    """Return the shared folder beside the checkout, or None if it is absent.

    ``MAKINGDATA_SHARED`` overrides the default ``../shared`` next to the
    repository root.
    """
    env = os.environ.get("MAKINGDATA_SHARED")
    path = Path(env) if env else REPO_ROOT.parent / "shared"
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """The folder of real DfE files; skips the test when it is absent."""
    base = shared_dir()
    if base is None or not (base / "data" / "real").is_dir():
        pytest.skip("shared/data/real is not beside this checkout")
    return base / "data" / "real"


@pytest.fixture(scope="session")
def synth_reference() -> ModuleType:
    """The plain-polars synthetic-data reference, tests/_synth_reference.py.

    Loaded by path: with ``--import-mode=importlib`` tests/ is not a package.
    """
    name = "makingdata_tests_synth_reference"
    if name not in sys.modules:
        path = Path(__file__).with_name("_synth_reference.py")
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
