from __future__ import annotations

import polars as pl
import pytest

from makingdata.access import Reidentifier, rotation_map
from makingdata.errors import InputError, ScopeError
from makingdata.io import pseudonymise

UPNS = ["B801200005001", "A801200005001", "b8012 00005001"]
VALID = "B801200005001"
# keys meet the key rule (32 to 64 random bytes); see makingdata.io.read_key_file
SCHOOL_KEY = "school-key-YTRq8spDf6h_ms7htQrsFayA"
SOMEONE_ELSE = "someone-else-SOiZN8flYqIRc6584vMEJb_l"
K = "k-XGRQgcKz1sVg3gBNyNrlqzuRbnRD6DTd"
VERY_SECRET_KEY = "very-secret-key-RXCi9uChKCjzKpKmrypZKS4X"
ENV_KEY = "env-key-b64997Opj3GwQFBtmI3D4J4z"
KEY_2024 = "2024-key-JLDWYNrpQL0G8Cbec8eUcOug"
KEY_2025 = "2025-key-LN5drYnzEYoRILnEySYCIE60"


def keyed(upns, key, urn=100001):
    frame = pseudonymise(pl.DataFrame({"upn": upns}), key=key)
    return frame.with_columns(urn=pl.lit(urn, pl.UInt32))


def test_reidentifies_only_with_the_schools_key():
    r = Reidentifier(100001, UPNS, key=SCHOOL_KEY)
    assert len(r) == 1  # the spaced UPN is the same pupil; one UPN is invalid
    assert r.rejected["upn"].to_list() == ["A801200005001"]
    mine = r.reidentify(keyed([VALID], SCHOOL_KEY))
    assert mine["upn"].to_list() == [VALID]
    wrong_key = r.reidentify(keyed([VALID], SOMEONE_ELSE))
    assert wrong_key["upn"].to_list() == [None]


def test_only_the_schools_pupils():
    r = Reidentifier(100001, [VALID], key=K)
    other_pupil = r.reidentify(keyed(["B801200005002"], K))
    assert other_pupil["upn"].null_count() == other_pupil.height
    with pytest.raises(ScopeError, match="only its own pupils"):
        r.reidentify(keyed([VALID], K, urn=100002))


def test_key_is_not_kept_or_shown():
    r = Reidentifier(100001, [VALID], key=VERY_SECRET_KEY)
    assert VERY_SECRET_KEY not in repr(r)
    assert not any(
        isinstance(getattr(r, s, None), (str, bytes)) for s in Reidentifier.__slots__
    )


def test_needs_a_key(monkeypatch):
    monkeypatch.delenv("MAKINGDATA_PSEUDONYM_KEY", raising=False)
    with pytest.raises(InputError, match="a pseudonym key is needed"):
        Reidentifier(100001, [VALID])
    monkeypatch.setenv("MAKINGDATA_PSEUDONYM_KEY", ENV_KEY)
    r = Reidentifier(100001, [VALID])
    assert r.reidentify(keyed([VALID], ENV_KEY))["upn"].to_list() == [VALID]


def test_reidentify_input_errors():
    r = Reidentifier(100001, [VALID], key=K)
    with pytest.raises(InputError, match="no 'pupil_key' column"):
        r.reidentify(pl.DataFrame({"x": [1]}))
    with pytest.raises(InputError, match="already has a 'upn' column"):
        r.reidentify(keyed([VALID], K).with_columns(upn=pl.lit("x")))


def test_rotation_map_moves_keys():
    old = Reidentifier(100001, [VALID, "B801200005002"], key=KEY_2024)
    new = Reidentifier(100001, [VALID, "B801200005002"], key=KEY_2025)
    m = rotation_map(old, new)
    stored = keyed([VALID], KEY_2024)
    moved = stored.join(m, left_on="pupil_key", right_on="old_pupil_key").select(
        pl.col("new_pupil_key").alias("pupil_key")
    )
    assert (
        moved["pupil_key"].to_list() == keyed([VALID], KEY_2025)["pupil_key"].to_list()
    )
    with pytest.raises(ScopeError, match="a key rotation is per school"):
        rotation_map(old, Reidentifier(100002, [VALID], key=KEY_2025))
