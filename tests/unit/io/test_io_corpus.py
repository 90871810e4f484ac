"""The garbage corpus: every file in tests/corpus/MANIFEST.toml, read and checked.

Text cases are committed under ``tests/corpus/``; binary ones (compressed,
UTF-16, workbooks, Parquet, hive folders) are made by :data:`GENERATED` into a
temporary copy of the corpus, so the repository holds no binary files. Each
case states the reader and either the error class (with a fragment of its
message) or the valid and rejected counts, the reject lines with their rules
and the warnings. For every case: nothing but a ``MakingDataError`` escapes,
an error names the file, and rows in = valid + rejected.
"""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import lzma
import shutil
import tomllib
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest

from makingdata import errors
from makingdata.errors import MakingDataError
from makingdata.io import ReadResult, read_enrolments, read_marks, read_schools

if TYPE_CHECKING:
    from collections.abc import Callable

CORPUS = Path(__file__).parents[2] / "corpus"
MANIFEST = CORPUS / "MANIFEST.toml"
CORPUS_KEY = "corpus-test-key-4f9c1a7e2b8d6053e1f4a9c7b2d80e6f"
READERS: dict[str, Callable[..., ReadResult]] = {
    "marks": read_marks,
    "enrolments": read_enrolments,
    "schools": read_schools,
}
U1, U2 = "B801200005001", "W330200005001"
MARKS = (
    f"upn,urn,date,session,code\n{U1},100001,2024-09-02,AM,/\n"
    f"{U1},100001,2024-09-02,PM,QQ\n{U2},100001,2024-09-02,AM,/\n"
)


def _zip(members: dict[str, bytes]) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)

    return make


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data) and None


def _parquet(frame: pl.DataFrame, *, cut: bool = False) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        frame.write_parquet(path)
        if cut:
            path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    return make


def _hive(*, inside: dict[str, dt.date]) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        for folder, date in inside.items():
            part = path / f"date={folder}"
            part.mkdir(parents=True)
            pl.DataFrame(
                {
                    "upn": [U1],
                    "urn": ["100001"],
                    "date": [date],
                    "session": ["AM"],
                    "code": ["/"],
                }
            ).write_parquet(part / "part-0.parquet")

    return make


MARKS_FRAME = pl.read_csv(MARKS.encode(), infer_schema=False)

#: Binary cases, made when the test runs (name -> writer of that path).
GENERATED: dict[str, Callable[[Path], None]] = {
    "marks_utf16_bom.csv": _bytes(MARKS.encode("utf-16")),
    "marks_utf16le_nobom.csv": _bytes(MARKS.encode("utf-16-le")),
    "marks_utf16be_nobom.csv": _bytes(MARKS.encode("utf-16-be")),
    "marks_utf32.csv": _bytes(MARKS.encode("utf-32")),
    "marks_latin1.csv": _bytes(
        (MARKS.replace("QQ", "é") + f"{U2},100001,2024-09-02,PM,/\n").encode("latin-1")
    ),
    "marks_nul_in_value.csv": _bytes(MARKS.replace("QQ", "/\x00").encode()),
    "marks.csv.gz": _bytes(gzip.compress(MARKS.encode())),
    "marks_gz_named_csv.csv": _bytes(gzip.compress(MARKS.encode())),
    "marks.csv.bz2": _bytes(bz2.compress(MARKS.encode())),
    "marks.csv.xz": _bytes(lzma.compress(MARKS.encode())),
    "marks_truncated.csv.gz": _bytes(gzip.compress(MARKS.encode() * 50)[:60]),
    "marks_one_file.zip": _zip({"export/marks.csv": MARKS.encode()}),
    "marks_two_files.zip": _zip({"a.csv": MARKS.encode(), "b.csv": MARKS.encode()}),
    "marks_workbook.xlsx": _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<worksheet/>",
        }
    ),
    "marks_workbook_saved_as.csv": _zip(
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    ),
    "marks_old_excel.xls": _bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)),
    "marks.csv.zst": _bytes(b"\x28\xb5\x2f\xfd" + bytes(32)),
    "marks_binary.bin": _bytes(b"\x00\x01\x02\x03\xff\xfe\n\x00\x00"),
    "marks_all_bytes.csv": _bytes(bytes(range(256)) * 4),
    "marks_fake.parquet": _bytes(b"this is not parquet"),
    "marks_truncated.parquet": _parquet(MARKS_FRAME, cut=True),
    "marks_parquet_named_csv.csv": _parquet(MARKS_FRAME),
    "marks_empty_dir": lambda path: path.mkdir(),
    "marks_hive_agrees": _hive(
        inside={"2024-09-02": dt.date(2024, 9, 2), "2024-09-03": dt.date(2024, 9, 3)}
    ),
    "marks_hive_disagrees": _hive(
        inside={"2024-09-02": dt.date(2024, 9, 2), "2024-09-03": dt.date(2024, 9, 4)}
    ),
}


def _cases() -> list[dict[str, Any]]:
    with MANIFEST.open("rb") as fh:
        return list(tomllib.load(fh)["case"])


CASES = _cases()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the committed corpus plus the generated binary cases."""
    root = tmp_path_factory.mktemp("corpus")
    for p in CORPUS.iterdir():
        if p.is_file() and p.suffix != ".toml":
            shutil.copy(p, root / p.name)
    for name, make in GENERATED.items():
        make(root / name)
    return root


def test_manifest_covers_the_corpus() -> None:
    listed = [c["file"] for c in CASES]
    assert len(listed) == len(set(listed))
    committed = {p.name for p in CORPUS.iterdir() if p.suffix != ".toml"}
    assert set(listed) == committed | set(GENERATED)
    assert len(listed) >= 40
    for p in CORPUS.iterdir():
        if p.suffix != ".toml":
            assert p.stat().st_size <= 4096, p.name


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_corpus_file(corpus: Path, case: dict[str, Any]) -> None:
    path = corpus / case["file"]
    reader = READERS[case["reader"]]
    kwargs: dict[str, Any] = dict(case.get("options", {}))
    if case["reader"] != "schools":
        kwargs["key"] = CORPUS_KEY
    if "error" in case:
        expected = getattr(errors, case["error"])
        with pytest.raises(MakingDataError) as info:
            reader(path, **kwargs)
        err = info.value
        assert isinstance(err, expected), f"{type(err).__name__}: {err}"
        message = str(err)
        assert str(path) in message
        assert "\x00" not in message
        assert case["match"] in message, message
        if "row" in case:
            assert err.row == case["row"]
        return
    result = reader(path, **kwargs)
    assert result.n_read == result.n_valid + result.n_rejected
    assert (result.n_valid, result.n_rejected) == (case["valid"], case["rejected"])
    got = sorted(
        (int(row), err)
        for row, errs in result.rejects.select("row", "errors").iter_rows()
        for err in errs
    )
    want = sorted((int(line), rule) for line, rule in case.get("lines", []))
    assert got == want
    if "encoding" in case:
        assert result.encoding == case["encoding"]
    checks = result.report.checks
    warned = dict(
        checks.filter(pl.col("result") == "WARNING")
        .select("check", "n_failing")
        .iter_rows()
    )
    assert warned == case.get("warnings", {})
