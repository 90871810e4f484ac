"""One pseudonym module below io and access: both re-export the same objects."""

from __future__ import annotations

import polars as pl
import pytest

from makingdata import _pseudonym, access, io
from makingdata.disclosure import rule_set
from makingdata.disclosure._rules import PUPIL_COLUMNS
from makingdata.errors import ScopeError


def test_io_and_access_export_the_same_objects() -> None:
    assert io.pseudonymise is _pseudonym.pseudonymise
    assert io.KEY_ENV_VAR == _pseudonym.KEY_ENV_VAR == "MAKINGDATA_PSEUDONYM_KEY"
    assert access.Reidentifier is _pseudonym.Reidentifier
    assert access.rotation_map is _pseudonym.rotation_map
    assert access.DIRECT_IDENTIFIERS is _pseudonym.DIRECT_IDENTIFIERS


def test_disclosure_drops_the_one_list_of_direct_identifiers() -> None:
    assert set(_pseudonym.DIRECT_IDENTIFIERS) <= set(PUPIL_COLUMNS)
    # the pupil rule of every audience but the school drops every direct identifier
    for audience in ("trust", "la", "dfe", "partner", "public"):
        (drop,) = [
            r
            for r in rule_set(audience).rules
            if hasattr(r, "columns") and "upn" in r.columns
        ]
        assert set(_pseudonym.DIRECT_IDENTIFIERS) <= set(drop.columns)


def test_reidentifier_uses_the_readers_hash() -> None:
    upn = "B801200005001"
    k = "k-gILfTi-INfXdS4WK_QTXtB_FNMyFAMXm"
    r = access.Reidentifier(123456, [upn], key=k)
    keyed = io.pseudonymise(pl.DataFrame({"upn": [upn]}), key=k)
    assert r.mapping()["pupil_key"].to_list() == keyed["pupil_key"].to_list()
    assert keyed["pupil_key"][0] == _pseudonym.hash_upn(upn, k.encode())


def test_forbid_direct_identifiers_names_the_column() -> None:
    with pytest.raises(ScopeError, match=r"\['surname'\] and is for LA"):
        _pseudonym.forbid_direct_identifiers(["pupil_key", "surname"], viewer="LA")
    _pseudonym.forbid_direct_identifiers(["pupil_key", "urn"], viewer="LA")
