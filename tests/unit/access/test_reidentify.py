from __future__ import annotations

import polars as pl
import pytest

from makingdata.access import Reidentifier, rotation_map
from makingdata.errors import InputError, ScopeError
from makingdata.io import pseudonymise

UPNS = ["B801200005001", "A801200005001", "b8012 00005001"]
VALID = "B801200005001"


def keyed(upns, key, urn=100001):
    frame = pseudonymise(pl.DataFrame({"upn": upns}), key=key)
    return frame.with_columns(urn=pl.lit(urn, pl.UInt32))


def test_reidentifies_only_with_the_schools_key():
    r = Reidentifier(100001, UPNS, key="school-key")
    assert len(r) == 1  # the spaced UPN is the same pupil; one UPN is invalid
    assert r.rejected["upn"].to_list() == ["A801200005001"]
    mine = r.reidentify(keyed([VALID], "school-key"))
    assert mine["upn"].to_list() == [VALID]
    wrong_key = r.reidentify(keyed([VALID], "someone-else"))
    assert wrong_key["upn"].to_list() == [None]


def test_only_the_schools_pupils():
    r = Reidentifier(100001, [VALID], key="k")
    other_pupil = r.reidentify(keyed(["B801200005002"], "k"))
    assert other_pupil["upn"].null_count() == other_pupil.height
    with pytest.raises(ScopeError, match="only its own pupils"):
        r.reidentify(keyed([VALID], "k", urn=100002))


def test_key_is_not_kept_or_shown():
    r = Reidentifier(100001, [VALID], key="very-secret-key")
    assert "very-secret-key" not in repr(r)
    assert not any(
        isinstance(getattr(r, s, None), (str, bytes)) for s in Reidentifier.__slots__
    )


def test_needs_a_key(monkeypatch):
    monkeypatch.delenv("MAKINGDATA_PSEUDONYM_KEY", raising=False)
    with pytest.raises(InputError, match="a pseudonym key is needed"):
        Reidentifier(100001, [VALID])
    monkeypatch.setenv("MAKINGDATA_PSEUDONYM_KEY", "env-key")
    r = Reidentifier(100001, [VALID])
    assert r.reidentify(keyed([VALID], "env-key"))["upn"].to_list() == [VALID]


def test_reidentify_input_errors():
    r = Reidentifier(100001, [VALID], key="k")
    with pytest.raises(InputError, match="no 'pupil_key' column"):
        r.reidentify(pl.DataFrame({"x": [1]}))
    with pytest.raises(InputError, match="already has a 'upn' column"):
        r.reidentify(keyed([VALID], "k").with_columns(upn=pl.lit("x")))


def test_rotation_map_moves_keys():
    old = Reidentifier(100001, [VALID, "B801200005002"], key="2024-key")
    new = Reidentifier(100001, [VALID, "B801200005002"], key="2025-key")
    m = rotation_map(old, new)
    stored = keyed([VALID], "2024-key")
    moved = stored.join(m, left_on="pupil_key", right_on="old_pupil_key").select(
        pl.col("new_pupil_key").alias("pupil_key")
    )
    assert (
        moved["pupil_key"].to_list()
        == keyed([VALID], "2025-key")["pupil_key"].to_list()
    )
    with pytest.raises(ScopeError, match="a key rotation is per school"):
        rotation_map(old, Reidentifier(100002, [VALID], key="2025-key"))
