"""Pseudonym keys: the rule every key must meet, key files, and the way out of a weak key.

A short or plain key can be guessed from one known UPN/pupil_key pair (the
key ``2024`` was found in 20 seconds), after which every pupil_key turns back
into a UPN: every entry point refuses such keys, with a message that says how
to make one and never quotes the key.
"""

from __future__ import annotations

import os
import secrets
from typing import TYPE_CHECKING

import polars as pl
import pytest

from makingdata import io
from makingdata._pseudonym import hash_upn, key_problem, new_key
from makingdata.access import Reidentifier, rotation_map
from makingdata.errors import InputError
from makingdata.io import pseudonymise, read_key_file, read_marks

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

UPN = "B801200005001"
KEY = "unit-keys-test-SOiZN8flYqIRc6584vMEJb_l"
ENV = "MAKINGDATA_PSEUDONYM_KEY"
POSIX = pytest.mark.skipif(os.name != "posix", reason="POSIX file permissions")

SHORT = ["a", " ", "2024", "school-secret", "x" * 31, "é" * 15]  # é is 2 bytes
SAME = ["a" * 32, " " * 40, "\x00" * 64, "7" * 64]
PATTERNS = ["abc" * 11, "abcdefgh" * 4, "2024-secret-" * 3, "Summer2024!" * 5]
RUNS = [
    "abcdefghijklmnopqrstuvwxyz012345",
    "0123456789:;<=>?@ABCDEFGHIJKLMNOP",
    "zyxwvutsrqponmlkjihgfedcba987654",
    "aaaaaaaaaaaaaaaaaaaaaaaa-Xq9Lp2Zm",  # mostly one character
]
WEAK = SHORT + SAME + PATTERNS + RUNS


def frame() -> pl.DataFrame:
    return pl.DataFrame({"upn": [UPN]})


def write_key(folder: Path, content: bytes, mode: int = 0o600) -> Path:
    path = folder / "pseudonym.key"
    path.write_bytes(content)
    path.chmod(mode)
    return path


@pytest.fixture(autouse=True)
def _no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)


# --- the rule -------------------------------------------------------------------


@pytest.mark.parametrize("key", SHORT)
def test_a_short_key_is_refused(key: str) -> None:
    n = len(key.encode())
    with pytest.raises(InputError, match=f"is {n} bytes long; it must be 32 to 64"):
        pseudonymise(frame(), key=key)


@pytest.mark.parametrize("key", SAME)
def test_a_key_of_one_repeated_character_is_refused(key: str) -> None:
    with pytest.raises(InputError, match="has only 1 different byte value;"):
        pseudonymise(frame(), key=key)


@pytest.mark.parametrize("key", PATTERNS)
def test_a_repeated_pattern_is_refused(key: str) -> None:
    with pytest.raises(InputError, match=r"different byte values|pattern repeated"):
        pseudonymise(frame(), key=key)


def test_the_pattern_is_named() -> None:
    assert key_problem(b"abcdefgh" * 4) == "is one 8-byte pattern repeated"
    assert key_problem(b"2024-secret-" * 3) == "is one 12-byte pattern repeated"
    assert key_problem(b"abc" * 11) == (
        "has only 3 different byte values; it needs at least 8"
    )


@pytest.mark.parametrize("key", RUNS)
def test_a_run_is_refused(key: str) -> None:
    with pytest.raises(InputError, match="a run of evenly spaced characters"):
        pseudonymise(frame(), key=key)


def test_a_key_longer_than_blake2b_takes_is_refused_not_cut() -> None:
    with pytest.raises(InputError, match="is 65 bytes long; it must be 32 to 64"):
        pseudonymise(frame(), key=secrets.token_urlsafe(49)[:65])
    assert len(secrets.token_hex(32)) == 64
    pseudonymise(frame(), key=secrets.token_hex(32))  # 64 bytes: the longest


@pytest.mark.parametrize("key", WEAK)
def test_the_message_says_how_to_make_a_key_and_never_quotes_it(key: str) -> None:
    with pytest.raises(InputError) as info:
        pseudonymise(frame(), key=key)
    message = str(info.value)
    assert "makingdata key new --out" in message
    assert "secrets.token_urlsafe(32)" in message
    assert "--key-file" in message
    assert ENV in message
    if len(key.strip()) >= 4:
        assert key not in message


@pytest.mark.parametrize(
    "make",
    [
        lambda: secrets.token_urlsafe(32),
        lambda: secrets.token_hex(32),
        lambda: secrets.token_hex(16),  # 32 hexadecimal digits, 128 bits
        lambda: secrets.token_bytes(32),
        lambda: secrets.token_bytes(64),
        new_key,
    ],
    ids=["urlsafe32", "hex32", "hex16", "bytes32", "bytes64", "new_key"],
)
def test_random_keys_pass(make: Callable[[], str | bytes]) -> None:
    for _ in range(2_000):  # the rule refuses no random key in practice
        key = make()
        raw = key.encode() if isinstance(key, str) else key
        assert key_problem(raw) is None
    assert pseudonymise(frame(), key=make())["pupil_key"].null_count() == 0


@pytest.mark.parametrize("key", ["2024", "a" * 32, "abc" * 11])
def test_every_entry_point_refuses_a_weak_key(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = tmp_path / "marks.csv"
    p.write_text(f"upn,urn,date,session,code\n{UPN},100001,2024-09-02,AM,/\n")
    with pytest.raises(InputError, match="the pseudonym key given as key="):
        read_marks(p, key=key)
    with pytest.raises(InputError, match="the pseudonym key given as key="):
        Reidentifier(100001, [UPN], key=key)
    with pytest.raises(InputError, match="the pseudonym key given as key="):
        pseudonymise(frame(), key=key.encode())
    monkeypatch.setenv(ENV, key)
    with pytest.raises(InputError, match=f"the pseudonym key in {ENV}"):
        read_marks(p)
    with pytest.raises(InputError, match=f"the pseudonym key in {ENV}"):
        Reidentifier(100001, [UPN])


def test_the_environment_variable_still_works() -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(ENV, KEY)
        from_env = pseudonymise(frame())["pupil_key"].item()
    assert from_env == pseudonymise(frame(), key=KEY)["pupil_key"].item()
    assert from_env == hash_upn(UPN, KEY.encode())


# --- key files --------------------------------------------------------------------


def test_read_key_file_is_public_in_io() -> None:
    assert "read_key_file" in io.__all__
    assert io.read_key_file is read_key_file


@pytest.mark.parametrize("ending", [b"", b"\n", b"\r\n"])
def test_a_key_file_drops_one_line_break(tmp_path: Path, ending: bytes) -> None:
    path = write_key(tmp_path, KEY.encode() + ending)
    assert read_key_file(path) == KEY.encode()
    assert read_key_file(str(path)) == KEY.encode()


def test_only_one_line_break_is_dropped(tmp_path: Path) -> None:
    key = KEY[:-1]
    path = write_key(tmp_path, key.encode() + b"\n\n")
    assert read_key_file(path) == key.encode() + b"\n"
    assert read_key_file(write_key(tmp_path, b" " + KEY.encode())) == (
        b" " + KEY.encode()
    )


def test_a_key_file_gives_the_same_pupil_keys(tmp_path: Path) -> None:
    path = write_key(tmp_path, KEY.encode() + b"\n")
    from_file = pseudonymise(frame(), key=read_key_file(path))
    assert from_file.equals(pseudonymise(frame(), key=KEY))


def test_a_missing_key_file_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.key"
    with pytest.raises(InputError, match="cannot read the key file") as info:
        read_key_file(missing)
    assert info.value.path == str(missing)
    assert "makingdata key new --out" in str(info.value)


def test_a_folder_is_not_a_key_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the key file") as info:
        read_key_file(tmp_path)
    assert info.value.path == str(tmp_path)


@pytest.mark.parametrize("content", [b"", b"\n", b"2024\n", b"a" * 32, b"ab" * 20])
def test_a_weak_key_in_a_file_names_the_file_not_the_key(
    tmp_path: Path, content: bytes
) -> None:
    path = write_key(tmp_path, content)
    with pytest.raises(InputError, match="the pseudonym key in the key file") as info:
        read_key_file(path)
    assert info.value.path == str(path)
    secret = content.strip().decode()
    if len(secret) > 2:
        assert secret not in str(info.value)


def test_a_key_file_too_long_is_refused(tmp_path: Path) -> None:
    path = write_key(tmp_path, secrets.token_hex(200).encode())
    with pytest.raises(InputError, match="holds more than 64 bytes") as info:
        read_key_file(path)
    assert info.value.path == str(path)
    path.write_bytes(secrets.token_hex(32).encode() + b"\r\n")  # 64 bytes and CRLF
    assert len(read_key_file(path)) == 64
    path.write_bytes(secrets.token_hex(33)[:65].encode() + b"\n")
    with pytest.raises(InputError, match="is 65 bytes long; it must be 32 to 64"):
        read_key_file(path)


@POSIX
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o666, 0o622])
def test_a_key_file_others_may_read_or_change_is_refused(
    tmp_path: Path, mode: int
) -> None:
    path = write_key(tmp_path, KEY.encode(), mode)
    with pytest.raises(InputError, match=f"other users \\(permissions 0{mode:o}\\)"):
        read_key_file(path)
    path.chmod(0o600)
    assert read_key_file(path) == KEY.encode()


@POSIX
@pytest.mark.parametrize("mode", [0o600, 0o400, 0o700])
def test_a_private_key_file_is_read(tmp_path: Path, mode: int) -> None:
    assert read_key_file(write_key(tmp_path, KEY.encode(), mode)) == KEY.encode()


@POSIX
def test_a_pipe_is_read_as_it_is(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    os.write(write_end, KEY.encode() + b"\n")
    os.close(write_end)
    try:
        assert read_key_file(f"/dev/fd/{read_end}") == KEY.encode()
    finally:
        os.close(read_end)


# --- moving away from a weak key -------------------------------------------------


def test_a_weak_old_key_can_still_be_rotated_away() -> None:
    old_key, new_key_ = "2024", secrets.token_urlsafe(32)
    stored = pl.DataFrame({"pupil_key": [hash_upn(UPN, old_key.encode())]})
    old = Reidentifier(100001, [UPN], key=old_key, allow_weak_key=True)
    new = Reidentifier(100001, [UPN], key=new_key_)
    m = rotation_map(old, new)
    moved = stored.join(m, left_on="pupil_key", right_on="old_pupil_key")
    assert moved["new_pupil_key"].to_list() == [hash_upn(UPN, new_key_.encode())]
    with pytest.raises(InputError, match="BLAKE2b takes 1 to 64 bytes"):
        Reidentifier(100001, [UPN], key="", allow_weak_key=True)
    with pytest.raises(InputError, match="BLAKE2b takes 1 to 64 bytes"):
        Reidentifier(100001, [UPN], key="x" * 65, allow_weak_key=True)
