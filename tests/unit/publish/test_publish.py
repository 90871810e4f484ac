"""publish(): protect -> write; write_ees reads a Table's spec; atomic writes; io's deprecated EES names."""

from __future__ import annotations

import ast
import warnings
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import makingdata
from makingdata import disclosure, publish
from makingdata.errors import DisclosureError, ExportError, InputError
from makingdata.tables import Rate, Table, TableSpec

SRC = Path(makingdata.__file__).parent


def small(enrolments: tuple[int, int, int] = (300, 2, 298)) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "time_period": [202526] * 3,
            "time_identifier": ["Academic year"] * 3,
            "geographic_level": ["National"] * 3,
            "country_code": ["E92000001"] * 3,
            "country_name": ["England"] * 3,
            "fsm_status": ["Total", "FSM eligible", "Not known to be FSM eligible"],
            "num_schools": [4, 4, 4],
            "enrolments": list(enrolments),
            "sess_possible": [3000, 0, 2100],
            "sess_overall": [150, 0, 90],
            "sess_overall_percent": [5.0, 0.0, 4.2857],
        }
    )


def read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema_length=0)


# --- publish() ------------------------------------------------------------------


def test_publish_protects_for_the_public(tmp_path: Path) -> None:
    files = publish.publish(small(), tmp_path / "fsm.csv", audience="public")
    assert files.protection is not None
    assert files.protection.audience == "public"
    assert files.protection.rows_primary >= 1
    back = read(files.data)
    assert back["enrolments"].to_list() == ["300", "c", "c"]
    assert publish.check_ees(files.data).ok


def test_publish_writes_the_table_as_given_for_trusted_audiences(
    tmp_path: Path,
) -> None:
    for audience in ("school", "trust", "la", "dfe"):
        files = publish.publish(
            small(), tmp_path / f"fsm_{audience}.csv", audience=audience
        )
        assert files.protection is None
        assert read(files.data)["enrolments"].to_list() == ["300", "2", "298"]
        assert publish.check_ees(files.data).ok


def test_publish_refuses_a_table_protected_for_partner_for_the_public(
    tmp_path: Path,
) -> None:
    p = disclosure.protect(small(), "partner")
    out = tmp_path / "fsm.csv"
    with pytest.raises(DisclosureError, match="protected for 'partner'"):
        publish.publish(p, out, audience="public")
    assert list(tmp_path.iterdir()) == []


def test_publish_sends_a_public_table_to_a_partner_without_protecting_again(
    tmp_path: Path,
) -> None:
    p = disclosure.protect(small(), "public")
    files = publish.publish(p, tmp_path / "fsm.csv", audience="partner")
    assert files.protection is None  # protected before, not here
    assert (
        read(files.data)["enrolments"].to_list() == p.to_ees()["enrolments"].to_list()
    )


def test_publish_passes_rules_and_fixed_to_protect(tmp_path: Path) -> None:
    with pytest.raises(DisclosureError, match="rule set is for 'partner'"):
        publish.publish(
            small(),
            tmp_path / "fsm.csv",
            audience="public",
            rules=disclosure.rule_set("partner"),
        )
    last = disclosure.protect(small((300, 90, 210)), "public")
    assert last.report.rows_primary == 0
    # this week 2 pupils: sensitive, but last week's release published the row
    with pytest.raises(DisclosureError, match="already published"):
        publish.publish(small(), tmp_path / "fsm.csv", audience="public", fixed=last)
    assert list(tmp_path.iterdir()) == []


def test_rules_and_fixed_are_refused_when_publish_does_not_protect(
    tmp_path: Path,
) -> None:
    p = disclosure.protect(small(), "public")
    with pytest.raises(InputError, match=r"fixed= applies .* already protected"):
        publish.publish(p, tmp_path / "fsm.csv", audience="public", fixed=p)
    with pytest.raises(InputError, match=r"rules= applies .* written as given"):
        publish.publish(
            small(),
            tmp_path / "fsm.csv",
            audience="la",
            rules=disclosure.rule_set("la"),
        )
    assert list(tmp_path.iterdir()) == []


def test_publish_takes_a_table(tmp_path: Path) -> None:
    t = Table(small().lazy(), TableSpec.infer(small()))
    files = publish.publish(t, tmp_path / "fsm.csv", audience="public")
    assert files.protection is not None
    assert read(files.data)["enrolments"].to_list() == ["300", "c", "c"]


def test_publish_is_at_the_top_level_package_only_as_a_module() -> None:
    # the function is makingdata.publish.publish; the top level keeps the
    # subpackage under its name (and the writer and checker, without warning)
    assert makingdata.publish is publish
    assert makingdata.write_ees is publish.write_ees
    assert makingdata.check_ees is publish.check_ees


# --- write_ees with a Table ------------------------------------------------------


def spec_table() -> Table:
    spec = TableSpec(
        counts=("enrolments", "sess_possible", "sess_overall"),
        filters=("fsm_status",),
        additive=("num_schools",),
        rates=(Rate("sess_overall_percent", "sess_overall", "sess_possible"),),
        labels={
            "fsm_status": "Free school meals",
            "enrolments": "Pupils on roll",
            "sess_overall_percent": "Absence rate",
        },
        decimals={"sess_overall_percent": 1},
        groupings={"enrolments": "Pupils"},
    )
    return Table(small(), spec)


def test_write_ees_reads_a_tables_spec(tmp_path: Path) -> None:
    files = publish.write_ees(spec_table(), tmp_path / "fsm.csv", audience="dfe")
    meta = {r["col_name"]: r for r in read(files.meta).iter_rows(named=True)}
    assert meta["fsm_status"]["label"] == "Free school meals"
    assert meta["fsm_status"]["filter_hint"] == "Filter by free school meals"
    assert meta["enrolments"]["label"] == "Pupils on roll"
    assert meta["enrolments"]["indicator_grouping"] == "Pupils"
    assert (
        meta["sess_overall_percent"]["label"],
        meta["sess_overall_percent"]["indicator_unit"],
        meta["sess_overall_percent"]["indicator_dp"],
    ) == ("Absence rate", "%", "1")  # the spec's 1, not the data's 4 decimals
    # columns the spec has no label for keep the attendance labels
    assert meta["sess_possible"]["label"] == "Number of possible sessions"
    assert meta["sess_possible"]["indicator_grouping"] == "Sessions"
    assert list(meta) == [
        "fsm_status",
        "num_schools",
        "enrolments",
        "sess_possible",
        "sess_overall",
        "sess_overall_percent",
    ]
    back = read(files.data)
    assert back.columns == small().columns
    # a rate over a zero denominator is not applicable, even with a value
    assert back["sess_overall_percent"].to_list() == ["5.0", "z", "4.2857"]
    assert publish.check_ees(files.data).ok


def test_decimals_argument_beats_the_spec(tmp_path: Path) -> None:
    files = publish.write_ees(
        spec_table(),
        tmp_path / "fsm.csv",
        audience="dfe",
        decimals={"sess_overall_percent": 2},
    )
    meta = read(files.meta).filter(pl.col("col_name") == "sess_overall_percent")
    assert meta["indicator_dp"].to_list() == ["2"]


def test_ees_meta_of_a_table_and_of_a_protected_table() -> None:
    meta = publish.ees_meta(spec_table())
    assert "Pupils on roll" in meta["label"].to_list()
    p = disclosure.protect(spec_table(), "public")
    assert "Pupils on roll" in publish.ees_meta(p)["label"].to_list()


def test_an_unprotected_table_is_refused_for_the_public(tmp_path: Path) -> None:
    with pytest.raises(DisclosureError, match="unprotected"):
        publish.write_ees(spec_table(), tmp_path / "fsm.csv", audience="public")
    assert list(tmp_path.iterdir()) == []


def test_protect_true_is_deprecated_and_goes_through_publish(tmp_path: Path) -> None:
    with pytest.warns(DeprecationWarning, match="removed in 0.3"):
        files = publish.write_ees(
            small(), tmp_path / "fsm.csv", audience="public", protect=True
        )
    assert files.protection is not None
    assert read(files.data)["enrolments"].to_list() == ["300", "c", "c"]
    # as publish(): a trusted audience gets the table as given
    with pytest.warns(DeprecationWarning, match="protect=True"):
        files = publish.write_ees(
            small(), tmp_path / "fsm_la.csv", audience="la", protect=True
        )
    assert files.protection is None
    assert read(files.data)["enrolments"].to_list() == ["300", "2", "298"]


# --- atomic writes ---------------------------------------------------------------


def failing_meta_write(monkeypatch: pytest.MonkeyPatch, error: Exception) -> list[str]:
    written: list[str] = []
    original = pl.DataFrame.write_csv

    def write_csv(self: pl.DataFrame, file: Path, **kwargs: Any) -> None:
        name = Path(str(file)).name
        written.append(name)
        if ".meta.csv" in name:
            raise error
        original(self, file, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_csv", write_csv)
    return written


def test_a_failed_meta_write_leaves_no_data_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = failing_meta_write(monkeypatch, OSError(28, "No space left on device"))
    out = tmp_path / "out" / "fsm.csv"
    with pytest.raises(ExportError, match="could not write") as err:
        publish.write_ees(small(), out, audience="dfe")
    assert "nothing was left behind" in (err.value.hint or "")
    assert written  # the write was attempted, to a temporary name
    assert all(name.startswith(".") for name in written)
    assert list(out.parent.iterdir()) == []


def test_a_failed_write_keeps_the_previous_pair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "fsm.csv"
    first = publish.write_ees(small(), out, audience="dfe")
    before = (first.data.read_bytes(), first.meta.read_bytes())
    failing_meta_write(monkeypatch, RuntimeError("interrupted"))
    with pytest.raises(RuntimeError, match="interrupted"):
        publish.write_ees(small((400, 100, 300)), out, audience="dfe")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fsm.csv", "fsm.meta.csv"]
    assert (first.data.read_bytes(), first.meta.read_bytes()) == before


def test_a_successful_write_leaves_only_the_pair(tmp_path: Path) -> None:
    files = publish.publish(small(), tmp_path / "fsm.csv", audience="public")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fsm.csv", "fsm.meta.csv"]
    assert publish.check_ees(files.data).ok


# --- makingdata.io reads; its old EES names warn ---------------------------------

OLD_NAMES = (
    "EES_GEOGRAPHIES",
    "EES_META_COLUMNS",
    "EES_RULES",
    "EES_SYMBOLS",
    "EES_TIME_IDENTIFIERS",
    "EesCheck",
    "EesFiles",
    "check_ees",
    "ees_meta",
    "write_ees",
)


@pytest.mark.parametrize("name", OLD_NAMES)
def test_old_io_names_warn_and_still_work(name: str) -> None:
    from makingdata import io

    with pytest.warns(
        DeprecationWarning,
        match=rf"deprecated in 0\.2 and removed in 0\.3: use makingdata\.publish\.{name}$",
    ):
        obj = getattr(io, name)
    assert obj is getattr(publish, name)
    assert name not in io.__all__


def test_from_import_of_an_old_io_name_warns() -> None:
    with pytest.warns(DeprecationWarning, match="makingdata.publish.write_ees"):
        from makingdata.io import write_ees
    assert write_ees is publish.write_ees


def test_io_has_no_other_new_attributes() -> None:
    from makingdata import io

    with pytest.raises(AttributeError, match="no attribute 'publish'"):
        _ = io.publish


def test_io_imports_no_kernel_disclosure_or_publishing_module() -> None:
    banned = ("attendance", "attainment", "disclosure", "publish")
    found = []
    for path in sorted((SRC / "io").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            found += [
                (path.name, n)
                for n in names
                if n.startswith("makingdata.") and n.split(".")[1] in banned
            ]
    assert found == []


def test_the_vocabulary_aliases_are_the_tables_objects() -> None:
    from makingdata import tables

    assert publish.EES_SYMBOLS is tables.EES_SYMBOLS
    assert publish.EES_TIME_IDENTIFIERS is tables.TIME_IDENTIFIERS
    assert set(publish.EES_GEOGRAPHIES) == set(tables.GEOGRAPHIES)
    assert publish.EES_GEOGRAPHIES["Local authority"] == (
        "new_la_code",
        "la_name",
        ("old_la_code",),
    )


def test_top_level_names_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert makingdata.write_ees is publish.write_ees
