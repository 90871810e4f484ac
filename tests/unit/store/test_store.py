"""The store: layout, ingest guarantees, and the kernels' results from it."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from makingdata import synth
from makingdata.attendance import enrolment_summary
from makingdata.errors import ExportError, InputError
from makingdata.store import REASON_COLUMNS, Store, ingest
from makingdata.store import _ingest as ingest_module

if TYPE_CHECKING:
    from pathlib import Path

KEY = "store-test-key-3b8f1e6c2a9d4075e1c8b3f6a2d9e0c7"
DAYS = [dt.date(2025, 9, d) for d in (8, 9, 10, 11, 12, 15)]


@pytest.fixture(scope="module")
def data() -> synth.SynthData:
    # one LA at 5% of national: about 20 schools and 12,000 enrolments
    return synth.generate(scale=0.05, start=DAYS[0], end=DAYS[-1], seed=18, la=330)


@pytest.fixture(scope="module")
def marks(data: synth.SynthData) -> pl.DataFrame:
    return data.marks()


def _export(folder: Path, name: str, frame: pl.DataFrame) -> Path:
    path = folder / f"{name}.parquet"
    frame.write_parquet(path)
    return path


def _ingest_days(
    root: Path, marks: pl.DataFrame, enrolments: pl.DataFrame, days: list[dt.date]
) -> None:
    exports = root.parent / "exports"
    exports.mkdir(exist_ok=True)
    enr = _export(exports, "enrolments", enrolments)
    for day in days:
        path = _export(exports, f"marks-{day}", marks.filter(pl.col("date") == day))
        ingest(root, path, enr, key=KEY)


def _summary(
    marks: pl.DataFrame | Store,
    enrolments: pl.DataFrame,
    schools: pl.DataFrame,
    **kwargs: object,
) -> pl.DataFrame:
    out = enrolment_summary(marks, enrolments, schools=schools, **kwargs).collect()  # type: ignore[arg-type]
    return out.sort("pupil_key", "urn", "enrol_start", "time_period", "time_identifier")


@pytest.fixture(scope="module")
def filled(
    tmp_path_factory: pytest.TempPathFactory,
    data: synth.SynthData,
    marks: pl.DataFrame,
) -> Store:
    root = tmp_path_factory.mktemp("filled") / "store"
    _ingest_days(root, marks, data.enrolments, DAYS)
    return Store.open(root)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"period": "ytd", "end": DAYS[-1]},
        {"period": "week"},
        {"period": "range", "start": DAYS[1], "end": DAYS[3]},
    ],
    ids=["ytd", "week", "range"],
)
def test_enrolment_summary_from_the_store_equals_the_raw_marks(
    filled: Store,
    data: synth.SynthData,
    marks: pl.DataFrame,
    kwargs: dict[str, object],
) -> None:
    raw = _summary(marks, data.enrolments, data.schools, **kwargs)
    stored = _summary(filled, data.enrolments, data.schools, **kwargs)
    assert raw.height > 1000
    assert raw.get_column("persistent_absence").any()
    assert_frame_equal(stored, raw)


def test_the_layout_is_hive_partitioned_parquet_with_a_manifest(filled: Store) -> None:
    root = filled.path
    manifest = json.loads((root / "manifest.json").read_text())
    assert sorted(manifest["days"]) == [d.isoformat() for d in DAYS]
    day = manifest["days"]["2025-09-08"]
    assert day["academic_year"] == 202526
    assert day["marks"].startswith("marks/academic_year=202526/date=2025-09-08/")
    assert day["rows_in"] == day["rows_valid"] > 0
    assert day["rows_rejected"] == 0
    assert len(day["sha256"]) == 64
    days = filled.days()
    assert days.get_column("date").to_list() == DAYS
    assert days.get_column("rows_valid").sum() == filled.marks().collect().height
    # a user can open it with polars directly: hive columns from the paths
    counts = pl.scan_parquet(
        root / "counts" / "**" / "*.parquet", hive_partitioning=True
    )
    got = counts.select(pl.col("sess_possible").sum()).collect().item()
    assert got == filled.counts().select(pl.col("sess_possible").sum()).collect().item()
    schema = counts.collect_schema()
    assert schema["enrolment"] == pl.UInt32
    assert schema["date"] == pl.Date
    # the stored marks are the valid marks, each with an enrolment number
    stored = filled.marks().collect()
    assert stored.get_column("enrolment").null_count() == 0
    assert stored.height == sum(v["rows_valid"] for v in manifest["days"].values())


def test_counts_add_up_to_the_marks(filled: Store, marks: pl.DataFrame) -> None:
    counts = filled.counts().collect()
    total = counts.select(pl.sum_horizontal(REASON_COLUMNS).sum()).item()
    assert total == marks.height
    possible = counts.get_column("sess_possible")
    assert (
        possible
        == counts.get_column("sess_present")
        + counts.get_column("sess_aea")
        + counts.get_column("sess_overall")
    ).all()


def test_a_corrected_day_replaces_the_old_one(
    tmp_path: Path, data: synth.SynthData, marks: pl.DataFrame
) -> None:
    root = tmp_path / "store"
    days = DAYS[:3]
    _ingest_days(root, marks, data.enrolments, days)
    before = Store.open(root)
    registry = before.registry().collect()
    old_files = {p.name for p in (root / "marks").rglob("*.parquet")}
    # the feed re-sends 9 September with present marks turned unauthorised
    corrected = marks.with_columns(
        code=pl.when((pl.col("date") == days[1]) & (pl.col("pupil_key") % 3 == 0))
        .then(pl.lit("O"))
        .otherwise(pl.col("code"))
        .cast(marks.schema["code"])
    )
    exports = tmp_path / "exports"
    enr = exports / "enrolments.parquet"
    day = _export(exports, "corrected", corrected.filter(pl.col("date") == days[1]))
    result = ingest(root, day, enr, key=KEY)
    assert result.replaced == (days[1],)
    after = Store.open(root)
    # the enrolment numbers are kept
    assert_frame_equal(after.registry().collect(), registry)
    # the old day's files are gone, the others untouched
    files = {p.name for p in (root / "marks").rglob("*.parquet")}
    assert len(files) == len(days)
    assert len(files - old_files) == 1
    in_window = corrected.filter(pl.col("date").is_in(days))
    kw = {"period": "ytd", "end": days[-1]}
    raw = _summary(in_window, data.enrolments, data.schools, **kw)
    stored = _summary(after, data.enrolments, data.schools, **kw)
    assert_frame_equal(stored, raw)
    uncorrected = _summary(
        marks.filter(pl.col("date").is_in(days)), data.enrolments, data.schools, **kw
    )
    assert not stored.equals(uncorrected)


def test_enrolment_changes_after_ingest_give_the_raw_result(
    tmp_path: Path, data: synth.SynthData, marks: pl.DataFrame
) -> None:
    root = tmp_path / "store"
    days = DAYS[:3]
    enr = data.enrolments
    # a spell registered late: its marks arrive before the spell does
    late = enr.slice(0, 50)
    _ingest_days(root, marks, enr.slice(50), days)
    store = Store.open(root)
    assert store.enrolments().collect().height == enr.height - 50
    # a pupil leaving: the spell now ends on the first day
    changed = pl.concat([late, enr.slice(50)]).with_columns(
        enrol_end=pl.when(pl.col("pupil_key") % 7 == 0)
        .then(pl.lit(days[0]))
        .otherwise(pl.col("enrol_end"))
    )
    kw = {"period": "ytd", "end": days[-1]}
    in_window = marks.filter(pl.col("date").is_in(days))
    raw = _summary(in_window, changed, data.schools, **kw)
    assert_frame_equal(_summary(store, changed, data.schools, **kw), raw)


def test_rejected_rows_are_reported_per_day(tmp_path: Path) -> None:
    export = tmp_path / "marks.csv"
    export.write_text(
        "pupil_key,urn,date,session,code\n"
        "7,100001,2025-09-08,AM,/\n"
        "7,100001,2025-09-08,PM,-\n"
        "7,100001,2025-09-09,AM,/\n"
        "7,100001,not a date,AM,/\n"
    )
    enr = tmp_path / "enrolments.csv"
    enr.write_text("pupil_key,urn,enrol_start\n7,100001,2025-09-01\n")
    result = ingest(tmp_path / "store", export, enr)
    assert result.marks.n_rejected == 2
    manifest = result.store.manifest()
    assert manifest["days"]["2025-09-08"]["rows_rejected"] == 1
    assert manifest["days"]["2025-09-08"]["rows_in"] == 2
    assert manifest["days"]["2025-09-09"]["rows_rejected"] == 0
    run = manifest["ingests"][-1]
    assert (run["rows_in"], run["rows_valid"], run["rows_rejected"]) == (4, 2, 2)
    assert run["rows_rejected_undated"] == 1


def test_a_mark_without_enrolment_is_kept_under_its_pupil_and_school(
    tmp_path: Path,
) -> None:
    export = tmp_path / "marks.csv"
    export.write_text(
        "pupil_key,urn,date,session,code\n"
        "7,100001,2025-09-08,AM,/\n"
        "8,100001,2025-09-08,AM,/\n"
    )
    enr = tmp_path / "enrolments.csv"
    enr.write_text("pupil_key,urn,enrol_start\n7,100001,2025-09-01\n")
    store = ingest(tmp_path / "store", export, enr).store
    reg = store.registry().collect().sort("enrolment")
    assert reg.select("enrolment", "pupil_key", "enrol_start").rows() == [
        (0, 7, dt.date(2025, 9, 1)),
        (1, 8, None),
    ]
    assert store.enrolments().collect().height == 1


def test_a_second_ingest_is_refused_while_the_lock_is_held(tmp_path: Path) -> None:
    export = tmp_path / "marks.csv"
    export.write_text("pupil_key,urn,date,session,code\n7,100001,2025-09-08,AM,/\n")
    enr = tmp_path / "enrolments.csv"
    enr.write_text("pupil_key,urn,enrol_start\n7,100001,2025-09-01\n")
    root = tmp_path / "store"
    root.mkdir()
    (root / "ingest.lock").write_text("pid 1 since 2025-09-08T06:00:00+00:00\n")
    with pytest.raises(ExportError, match="another ingest") as err:
        ingest(root, export, enr)
    assert "ingest.lock" in str(err.value)
    assert "delete" in str(err.value)
    assert not (root / "manifest.json").exists()
    (root / "ingest.lock").unlink()
    ingest(root, export, enr)
    assert not (root / "ingest.lock").exists()


def test_a_failed_ingest_leaves_the_store_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "marks.csv"
    export.write_text(
        "pupil_key,urn,date,session,code\n"
        "7,100001,2025-09-08,AM,/\n"
        "7,100001,2025-09-09,AM,/\n"
    )
    enr = tmp_path / "enrolments.csv"
    enr.write_text("pupil_key,urn,enrol_start\n7,100001,2025-09-01\n")
    root = tmp_path / "store"
    ingest(root, export, enr)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    calls = []
    real = ingest_module._counts

    def failing(day: pl.DataFrame) -> pl.DataFrame:
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(day)

    monkeypatch.setattr(ingest_module, "_counts", failing)
    # a corrected export (an unchanged day would be kept, not rewritten)
    corrected = tmp_path / "corrected.csv"
    corrected.write_text(export.read_text().replace(",/\n", ",I\n"))
    with pytest.raises(ExportError, match="No space left"):
        ingest(root, corrected, enr)
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert after == before


def test_files_a_killed_ingest_left_are_never_read_and_are_cleared(
    tmp_path: Path,
) -> None:
    export = tmp_path / "marks.csv"
    export.write_text("pupil_key,urn,date,session,code\n7,100001,2025-09-08,AM,/\n")
    enr = tmp_path / "enrolments.csv"
    enr.write_text("pupil_key,urn,enrol_start\n7,100001,2025-09-01\n")
    root = tmp_path / "store"
    store = ingest(root, export, enr).store
    stray = root / "counts/academic_year=202526/date=2025-09-08/killed.parquet"
    store.counts().collect().write_parquet(stray)
    assert store.counts().collect().height == 1
    ingest(root, export, enr)
    assert not stray.exists()


def test_opening_something_that_is_not_a_store_says_so(tmp_path: Path) -> None:
    file = tmp_path / "file.txt"
    file.write_text("x")
    with pytest.raises(InputError, match="a store is a folder"):
        Store.open(file)
    (tmp_path / "manifest.json").write_text('{"format": "other"}')
    with pytest.raises(InputError, match="not a makingdata store"):
        Store.open(tmp_path)


def test_an_unchanged_enrolments_export_is_not_read_again(tmp_path: Path) -> None:
    enr = tmp_path / "enrolments.csv"
    enr.write_text("pupil_key,urn,enrol_start\n7,100001,2025-09-01\n")
    days = []
    for i, day in enumerate(("2025-09-08", "2025-09-09")):
        days.append(tmp_path / f"marks{i}.csv")
        days[-1].write_text(f"pupil_key,urn,date,session,code\n7,100001,{day},AM,/\n")
    root = tmp_path / "store"
    first = ingest(root, days[0], enr)
    assert first.enrolments is not None
    again = ingest(root, days[1], enr)
    assert again.enrolments is None
    assert again.store.manifest()["ingests"][-1]["enrolments_unchanged"] is True
    counts = again.store.counts().collect()
    assert counts.get_column("enrolment").to_list() == [0, 0]
    # the same file under another key gives other pupil keys: read again
    assert ingest(root, days[1], enr, key=KEY).enrolments is not None
    # and a changed file is read again
    enr.write_text("pupil_key,urn,enrol_start\n7,100001,2025-09-02\n")
    assert ingest(root, days[1], enr, key=KEY).enrolments is not None


def test_a_re_sent_window_rewrites_only_the_changed_day(tmp_path: Path) -> None:
    # the daily feed re-sends the recent days: only a day whose marks
    # changed gets new files and new counts
    enr = tmp_path / "enrolments.csv"
    enr.write_text("pupil_key,urn,enrol_start\n7,100001,2025-09-01\n")
    days = ("2025-09-08", "2025-09-09", "2025-09-10")

    def export(name: str, codes: tuple[str, ...]) -> Path:
        path = tmp_path / f"{name}.csv"
        rows = [f"7,100001,{d},AM,{c}" for d, c in zip(days, codes, strict=True)]
        path.write_text("pupil_key,urn,date,session,code\n" + "\n".join(rows) + "\n")
        return path

    root = tmp_path / "store"
    ingest(root, export("first", ("/", "/", "/")), enr)
    before = Store.open(root).manifest()["days"]
    result = ingest(root, export("resent", ("/", "I", "/")), enr)
    assert result.unchanged == (dt.date(2025, 9, 8), dt.date(2025, 9, 10))
    assert result.replaced == (dt.date(2025, 9, 9),)
    after = result.store.manifest()["days"]
    assert after["2025-09-08"] == before["2025-09-08"]
    # a later day keeps its marks and counts; its running totals are renewed
    kept = {k: v for k, v in after["2025-09-10"].items() if k != "totals"}
    assert kept == {k: v for k, v in before["2025-09-10"].items() if k != "totals"}
    assert after["2025-09-10"]["totals"] != before["2025-09-10"]["totals"]
    assert after["2025-09-09"]["counts"] != before["2025-09-09"]["counts"]
    counts = result.store.counts().collect().sort("date")
    assert counts.get_column("sess_overall").to_list() == [0, 1, 0]
    # the same export again changes nothing at all
    again = ingest(root, export("resent2", ("/", "I", "/")), enr)
    assert again.unchanged == tuple(dt.date.fromisoformat(d) for d in days)
    assert again.store.manifest() == result.store.manifest()


def test_the_running_totals_are_the_day_counts_summed(filled: Store) -> None:
    for end in (DAYS[0], DAYS[3], DAYS[-1], DAYS[-1] + dt.timedelta(days=2)):
        summed = (
            filled.counts(end=end)
            .drop("date")
            .group_by("enrolment")
            .agg(pl.all().sum())
            .collect()
        )
        totals = filled.year_to_date(end).collect()
        assert_frame_equal(
            totals.sort("enrolment"), summed.sort("enrolment"), check_dtypes=False
        )
    assert filled.year_to_date(DAYS[0] - dt.timedelta(days=30)).collect().is_empty()
    manifest = filled.manifest()
    assert all(v["totals"].startswith("totals/") for v in manifest["days"].values())


def test_a_corrected_day_renews_the_totals_from_that_day_on(tmp_path: Path) -> None:
    enr = tmp_path / "enrolments.csv"
    enr.write_text("pupil_key,urn,enrol_start\n7,100001,2025-09-01\n")
    days = ("2025-09-08", "2025-09-09", "2025-09-10")
    export = tmp_path / "m.csv"
    export.write_text(
        "pupil_key,urn,date,session,code\n"
        + "".join(f"7,100001,{d},AM,/\n" for d in days)
    )
    root = tmp_path / "store"
    before = ingest(root, export, enr).store.manifest()["days"]
    fix = tmp_path / "fix.csv"
    fix.write_text("pupil_key,urn,date,session,code\n7,100001,2025-09-09,AM,O\n")
    store = ingest(root, fix, enr).store
    after = store.manifest()["days"]
    assert after["2025-09-08"]["totals"] == before["2025-09-08"]["totals"]
    assert after["2025-09-09"]["totals"] != before["2025-09-09"]["totals"]
    assert after["2025-09-10"]["totals"] != before["2025-09-10"]["totals"]
    ytd = store.year_to_date(dt.date(2025, 9, 10)).collect()
    assert ytd.select("sess_possible", "sess_overall", "sess_present").row(0) == (
        3,
        1,
        2,
    )
    # the old files are gone, one totals file a day is left
    assert len(list((root / "totals").rglob("*.parquet"))) == 3
    assert len(list((root / "registry").rglob("*.parquet"))) == 1
