from __future__ import annotations

from importlib import metadata

import makingdata


def test_version_comes_from_metadata() -> None:
    assert makingdata.__version__ == metadata.version("makingdata")


def test_all_is_sorted_and_importable() -> None:
    for name in makingdata.__all__:
        assert hasattr(makingdata, name), name
    assert "__version__" in dir(makingdata)
