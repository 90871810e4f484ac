"""The request model moved from makingdata.domain to makingdata.policy; the old paths warn until 0.3."""

from __future__ import annotations

import importlib

import pytest

import makingdata
import makingdata.domain
import makingdata.domain.requests
import makingdata.policy

#: Every name of the old ``makingdata.domain.requests`` module.
OLD_MODULE_NAMES = (
    "ATTAINMENT_KINDS",
    "DataItem",
    "DataRequest",
    "Format",
    "Granularity",
    "InterventionTrigger",
    "ItemKind",
    "RequestAudience",
    "Requester",
    "RequesterKind",
    "SchoolType",
    "academic_year_bounds",
)
#: The names ``makingdata.domain`` itself re-exported until 0.2.
OLD_DOMAIN_NAMES = ("DataItem", "DataRequest", "ItemKind", "Requester", "RequesterKind")


@pytest.mark.parametrize("name", OLD_MODULE_NAMES)
def test_every_moved_name_is_exported_from_policy(name: str) -> None:
    assert name in makingdata.policy.__all__
    obj = getattr(makingdata.policy, name)
    if name != "ATTAINMENT_KINDS":  # a frozenset, which has no home module
        assert obj.__module__ == "makingdata.policy._requests"


@pytest.mark.parametrize("name", OLD_MODULE_NAMES)
def test_old_module_path_warns_and_returns_the_same_object(name: str) -> None:
    with pytest.warns(DeprecationWarning, match="moved|deprecated") as record:
        old = getattr(makingdata.domain.requests, name)
    assert old is getattr(makingdata.policy, name)
    message = str(record[0].message)
    assert message == (
        f"makingdata.domain.requests.{name} is deprecated in 0.2, removed in 0.3: "
        f"import it from makingdata.policy (from makingdata.policy import {name})."
    )
    # The warning points at the caller (this file), not at the shim.
    assert record[0].filename == __file__


@pytest.mark.parametrize("name", OLD_DOMAIN_NAMES)
def test_old_domain_path_warns_and_returns_the_same_object(name: str) -> None:
    with pytest.warns(
        DeprecationWarning, match=r"deprecated in 0\.2, removed in 0\.3"
    ) as record:
        old = getattr(makingdata.domain, name)
    assert old is getattr(makingdata.policy, name)
    assert str(record[0].message).startswith(f"makingdata.domain.{name} is deprecated")
    assert f"from makingdata.policy import {name}" in str(record[0].message)
    assert record[0].filename == __file__


def test_from_import_statements_keep_working() -> None:
    with pytest.warns(DeprecationWarning, match=r"makingdata\.domain\.DataRequest"):
        from makingdata.domain import DataRequest
    with pytest.warns(
        DeprecationWarning, match=r"makingdata\.domain\.requests\.DataItem"
    ):
        from makingdata.domain.requests import DataItem
    assert DataRequest is makingdata.policy.DataRequest
    assert DataItem is makingdata.policy.DataItem


def test_star_import_of_the_old_module_gives_the_old_names() -> None:
    namespace: dict[str, object] = {}
    with pytest.warns(DeprecationWarning, match=r"makingdata\.domain\.requests\."):
        exec("from makingdata.domain.requests import *", namespace)
    assert set(OLD_MODULE_NAMES) <= set(namespace)
    assert namespace["DataRequest"] is makingdata.policy.DataRequest


def test_the_moved_names_left_the_domain_exports() -> None:
    assert not set(OLD_DOMAIN_NAMES) & set(makingdata.domain.__all__)
    # the purposes are domain facts (access uses them too) and stay there
    assert makingdata.domain.Purpose is makingdata.policy.Purpose
    # the top-level package takes them from policy, without a warning
    assert makingdata.DataRequest is makingdata.policy.DataRequest


@pytest.mark.parametrize(
    "module", [makingdata.domain, makingdata.domain.requests], ids=lambda m: m.__name__
)
def test_other_missing_names_raise_attribute_error_without_warning(
    module: object,
) -> None:
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchThing'"):
        getattr(module, "NoSuchThing")  # noqa: B009
    assert not hasattr(module, "Assessment")  # a policy name that never was here


def test_the_old_module_can_be_imported_afresh() -> None:
    assert importlib.import_module("makingdata.domain.requests").__name__ == (
        "makingdata.domain.requests"
    )
    assert "DataRequest" in dir(makingdata.domain.requests)
