from __future__ import annotations

import builtins
from typing import Any

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from makingdata.disclosure import (
    DropIdentifiers,
    Nesting,
    Rate,
    Rounding,
    RuleSet,
    TableSpec,
    audit,
    differencing,
    protect,
    protect_tables,
    require_protected,
    rule_set,
    write_protected_csv,
)
from makingdata.disclosure._rules import SDC_HANDBOOK
from makingdata.disclosure._tables import build_structure, combine
from makingdata.errors import DisclosureError, InputError, MakingDataError

LA_SPEC = TableSpec(
    counts=("enrolments",),
    filters=("fsm_status",),
    nestings=(Nesting("Local authority", "School", ("new_la_code",)),),
    time=(),
)


def school_table() -> pl.DataFrame:
    """One LA, four schools, FSM breakdown; school 1 has 2 FSM pupils."""
    fsm = [2, 30, 25, 40]
    rest = [50, 200, 180, 220]
    rows = []
    for i, (a, b) in enumerate(zip(fsm, rest, strict=True)):
        for cat, v in (("FSM eligible", a), ("Not eligible", b), ("Total", a + b)):
            rows.append(("School", f"10000{i}", cat, v))
    for cat, v in (
        ("FSM eligible", sum(fsm)),
        ("Not eligible", sum(rest)),
        ("Total", sum(fsm) + sum(rest)),
    ):
        rows.append(("Local authority", None, cat, v))
    return pl.DataFrame(
        rows,
        schema=["geographic_level", "school_urn", "fsm_status", "enrolments"],
        orient="row",
    ).with_columns(
        new_la_code=pl.lit("E06000001"),
        num_schools=pl.when(pl.col("geographic_level") == "School")
        .then(1)
        .otherwise(4),
    )


def keep_schools(extra: tuple[Any, ...] = ()) -> RuleSet:
    base = rule_set("public")
    return RuleSet(
        "public",
        tuple(r for r in base.rules if not isinstance(r, DropIdentifiers)) + extra,
        "test",
    )


def test_structure_relations() -> None:
    s = build_structure(school_table(), LA_SPEC)
    # 5 FSM-total relations (4 schools + LA) and 3 LA = sum of schools relations
    assert s.n_relations == 8
    assert s.n_cells == s.n_rows == 15


def test_structure_rejects_duplicate_keys() -> None:
    df = pl.concat([school_table(), school_table().head(1)])
    with pytest.raises(InputError, match="two rows have the same key"):
        build_structure(df, LA_SPEC)


def test_structure_rejects_missing_column() -> None:
    with pytest.raises(InputError, match="no column 'sen_provision'"):
        build_structure(
            school_table(),
            TableSpec(counts=("enrolments",), filters=("sen_provision",)),
        )


def test_primary_alone_is_recoverable_and_secondary_fixes_it() -> None:
    table = school_table()
    no_secondary = RuleSet(
        "public",
        tuple(
            r
            for r in keep_schools().rules
            if type(r).__name__ != "SecondarySuppression"
        ),
        "t",
    )
    naive = protect(table, "public", spec=LA_SPEC, rules=no_secondary)
    flagged = audit(naive).flagged
    assert flagged.height == 1
    assert (
        flagged["lo"][0] == flagged["hi"][0] == 2
    )  # recovered from the school's total
    safe = protect(table, "public", spec=LA_SPEC, rules=keep_schools())
    assert audit(safe).ok
    assert safe.report.rows_primary == 1
    assert (
        safe.report.rows_secondary >= 3
    )  # a partner in the school and in the LA relation
    assert safe.report.status == "optimal"
    assert safe.report.value_suppressed["enrolments"] == float(
        table.filter(safe.status["disclosure_status"] != "published")[
            "enrolments"
        ].sum()
    )


def test_published_values_unchanged() -> None:
    table = school_table()
    p = protect(table, "public", spec=LA_SPEC, rules=keep_schools())
    published = p.status["disclosure_status"] == "published"
    assert_frame_equal(p.table.filter(published), table.filter(published))


def test_partner_gets_no_school_identity() -> None:
    p = protect(school_table(), "partner", spec=LA_SPEC)
    assert "school_urn" not in p.table.columns
    assert p.table["geographic_level"].unique().to_list() == ["Local authority"]
    assert p.report.rows_dropped == 12
    assert p.report.columns_dropped == ("school_urn",)


def test_trust_sees_everything_in_scope() -> None:
    table = school_table().with_columns(pupil_key=pl.lit(7))
    p = protect(table, "trust", spec=LA_SPEC)
    assert p.report.rows_primary == 0
    assert_frame_equal(p.table, table.drop("pupil_key"))


def test_rates_follow_counts_and_symbols() -> None:
    table = school_table().with_columns(
        fsm_percent=pl.col("enrolments") / 10.0, absent=pl.col("enrolments") // 10
    )
    spec = TableSpec(
        counts=("enrolments", "absent"),
        filters=("fsm_status",),
        nestings=LA_SPEC.nestings,
        rates=(Rate("fsm_percent", "absent", "enrolments"),),
        time=(),
    )
    p = protect(table, "public", spec=spec, rules=keep_schools())
    ees = p.to_ees()
    hidden = p.status["disclosure_status"] != "published"
    assert set(ees.filter(hidden)["fsm_percent"]) == {"c"}
    assert set(ees.filter(hidden)["absent"]) == {"c"}
    assert "c" not in ees.filter(~hidden)["fsm_percent"].to_list()


def test_rounding_and_low_symbol() -> None:
    table = school_table()
    rules = keep_schools((Rounding("round-5", 5, SDC_HANDBOOK),))
    p = protect(table, "public", spec=LA_SPEC, rules=rules)
    published = p.table.filter(p.status["disclosure_status"] == "published")[
        "enrolments"
    ]
    assert (published % 5 == 0).all()
    df = pl.DataFrame(
        {
            "sex": ["Total", "Female", "Male"],
            "enrolments": [2, 0, 2],
            "num_schools": [30] * 3,
        }
    )
    low = protect(
        df,
        "public",
        rules=RuleSet("public", (Rounding("round-5", 5, SDC_HANDBOOK),), "t"),
    )
    assert low.to_ees()["enrolments"].to_list() == ["low", "0", "low"]


def test_tables_released_together_share_margins() -> None:
    la = {
        "geographic_level": "Local authority",
        "new_la_code": "E06000001",
        "num_schools": 40,
    }
    fsm = pl.DataFrame(
        [
            {**la, "fsm_status": k, "enrolments": v}
            for k, v in (("Total", 900), ("FSM", 3), ("Not", 897))
        ]
    )
    sen = pl.DataFrame(
        [
            {**la, "sen_provision": k, "enrolments": v}
            for k, v in (("Total", 900), ("EHC", 40), ("No", 860))
        ]
    )
    spec = TableSpec(
        counts=("enrolments",), filters=("fsm_status", "sen_provision"), time=()
    )
    a, b = protect_tables([fsm, sen], "public", spec=spec)
    assert audit([a, b]).ok
    # protecting the FSM table alone and publishing the SEN table in full is safe
    # only because the shared Total is the same cell in both: check the audit sees it
    combined, maps = combine([fsm, sen], spec)
    assert combined.height == 5
    assert [m.height for m in maps] == [3, 3]


def test_audit_finds_leak_across_tables() -> None:
    la = {"geographic_level": "Local authority", "new_la_code": "E06000001"}
    # table 1 hides the FSM cell and its complement, but table 2 publishes the
    # same complement (FSM = Total - Not): the pair is unsafe.
    t1 = pl.DataFrame(
        [
            {**la, "fsm_status": k, "n": v}
            for k, v in (("Total", "900"), ("FSM", "c"), ("Not", "c"))
        ]
    )
    t2 = pl.DataFrame(
        [{**la, "fsm_status": k, "n": v, "sex": "Total"} for k, v in (("Not", "897"),)]
    )
    spec = TableSpec(counts=("n",), filters=("fsm_status", "sex"), time=())
    assert audit(t1, spec=spec).ok
    report = audit([t1, t2], spec=spec)
    assert report.flagged["lo"].to_list() == [3.0]


def test_cumulative_increment_is_protected() -> None:
    spec = TableSpec(
        counts=("enrolments",), filters=("fsm_status",), time=(), cumulative="week"
    )
    rows = []
    for week, (a, b) in enumerate(((20, 300), (22, 310)), start=1):
        rows += [(week, "FSM", a), (week, "Not", b), (week, "Total", a + b)]
    df = pl.DataFrame(
        rows, schema=["week", "fsm_status", "enrolments"], orient="row"
    ).with_columns(num_schools=pl.lit(12))
    p = protect(df, "public", spec=spec)
    # the FSM increment (2 pupils) is sensitive: some week-2 cell must be hidden
    assert p.report.rows_secondary >= 2
    assert differencing(
        p.table.filter(pl.col("week") == 1),
        p.table.filter(pl.col("week") == 2),
        spec=spec,
    ).ok


def test_fixed_release_cannot_be_undone() -> None:
    table = school_table()
    fixed = table.select(
        "geographic_level", "school_urn", "new_la_code", "fsm_status"
    ).with_columns(disclosure_status=pl.lit("published"))
    with pytest.raises(DisclosureError, match="already published"):
        protect(table, "public", spec=LA_SPEC, rules=keep_schools(), fixed=fixed)


def test_require_protected_guards_public_and_partner() -> None:
    df = school_table()
    for audience in ("public", "partner"):
        with pytest.raises(
            DisclosureError, match="unprotected table cannot be written"
        ):
            require_protected(df, audience)
    p_public = protect(df, "public", spec=LA_SPEC)
    assert require_protected(p_public, "partner").height == p_public.table.height
    p_trust = protect(df, "trust", spec=LA_SPEC)
    with pytest.raises(DisclosureError, match="protected for 'trust', not 'public'"):
        require_protected(p_trust, "public")
    assert require_protected(df, "la") is df


def test_write_protected_csv(tmp_path: Any) -> None:
    df = school_table()
    with pytest.raises(DisclosureError):
        write_protected_csv(df, tmp_path / "x.csv", audience="public")
    assert not (tmp_path / "x.csv").exists()
    path = write_protected_csv(
        protect(df, "public", spec=LA_SPEC), tmp_path / "y.csv", audience="public"
    )
    text = pl.read_csv(path, infer_schema=False)
    assert "school_urn" not in text.columns


def test_missing_scipy_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def fake(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("scipy"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    from makingdata.disclosure._solver import scipy_modules

    with pytest.raises(MakingDataError, match=r"makingdata\[disclosure\]"):
        scipy_modules()


def test_intervals_respect_tolerance_and_rounding() -> None:
    df = pl.DataFrame(
        {
            "geographic_level": ["Regional", "Local authority", "Local authority"],
            "region_code": ["R"] * 3,
            "new_la_code": [None, "A", "B"],
            "n": ["100", "c", "96"],
        }
    )
    nest = (Nesting("Regional", "Local authority", ("region_code",)),)
    exact = audit(df, spec=TableSpec(counts=("n",), nestings=nest, time=()))
    assert exact.cells.select("lo", "hi").row(0) == (4.0, 4.0)
    rounded = audit(
        df,
        spec=TableSpec(
            counts=("n",), nestings=nest, time=(), rounded_levels=(("Regional", 10),)
        ),
    )
    assert rounded.cells.select("lo", "hi").row(0) == (0.0, 8.0)
    nest_tol = (
        Nesting("Regional", "Local authority", ("region_code",), tolerance=0.05),
    )
    loose = audit(df, spec=TableSpec(counts=("n",), nestings=nest_tol, time=()))
    assert loose.cells.select("lo", "hi").row(0) == (0.0, 9.0)
    assert np.isfinite(loose.cells["width"][0])


def test_linprog_path_agrees_with_highspy(monkeypatch: pytest.MonkeyPatch) -> None:
    from makingdata.disclosure import _solver

    p = protect(school_table(), "public", spec=LA_SPEC, rules=keep_schools())
    fast = audit(p, exact=True).cells.select("row", "lo", "hi", "finding")
    monkeypatch.setattr(_solver, "_highspy", lambda: None)
    slow = audit(p, exact=True).cells.select("row", "lo", "hi", "finding")
    # the sufficient test's points come from either solver; findings agree
    assert_frame_equal(
        audit(p).cells.select("row", "finding"), slow.select("row", "finding")
    )
    assert_frame_equal(fast, slow)
    assert fast.height == p.report.rows_primary + p.report.rows_secondary


def test_school_to_trust_and_la_together() -> None:
    """Schools add up to their LA and to their trust: both relations protect."""
    rows = []
    schools = [
        ("S1", "T1", 3, 60),
        ("S2", "T1", 40, 200),
        ("S3", "T2", 25, 150),
        ("S4", "T2", 30, 170),
    ]
    for urn, trust, a, b in schools:
        for cat, v in (("FSM", a), ("Not", b), ("Total", a + b)):
            rows.append(("School", urn, trust, cat, v, 1))
    for trust in ("T1", "T2"):
        members = [s for s in schools if s[1] == trust]
        for cat, k in (("FSM", 2), ("Not", 3)):
            rows.append(("MAT", None, trust, cat, sum(s[k] for s in members), 2))
        rows.append(("MAT", None, trust, "Total", sum(s[2] + s[3] for s in members), 2))
    for cat, k in (("FSM", 2), ("Not", 3)):
        rows.append(("Local authority", None, None, cat, sum(s[k] for s in schools), 4))
    rows.append(
        ("Local authority", None, None, "Total", sum(s[2] + s[3] for s in schools), 4)
    )
    df = pl.DataFrame(
        rows,
        schema=[
            "geographic_level",
            "school_urn",
            "trust_id",
            "fsm_status",
            "enrolments",
            "num_schools",
        ],
        orient="row",
    ).with_columns(new_la_code=pl.lit("E06000001"))
    spec = TableSpec(
        counts=("enrolments",),
        filters=("fsm_status",),
        nestings=(
            Nesting("Local authority", "School", ("new_la_code",)),
            Nesting("MAT", "School", ("trust_id",)),
        ),
        time=(),
    )
    assert build_structure(df, spec).n_relations == 7 + 3 + 6
    p = protect(df, "public", spec=spec, rules=keep_schools())
    assert audit(p).ok
    # the trust with the small school must hide a second school's FSM cell or its own total
    t1 = p.status.filter((df["trust_id"] == "T1") & (df["fsm_status"] == "FSM"))
    assert (t1["disclosure_status"] != "published").sum() >= 2


def test_next_week_keeps_last_weeks_release() -> None:
    spec = TableSpec(
        counts=("enrolments",), filters=("fsm_status",), time=(), cumulative="week"
    )

    def week(n: int, fsm: int, rest: int) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "week": [n] * 3,
                "fsm_status": ["FSM", "Not", "Total"],
                "enrolments": [fsm, rest, fsm + rest],
                "num_schools": [12] * 3,
            }
        )

    first = protect(week(1, 20, 300), "public", spec=spec)
    assert first.report.rows_primary == 0
    released = (
        week(1, 20, 300)
        .select("week", "fsm_status")
        .with_columns(first.status["disclosure_status"])
    )
    both = pl.concat([week(1, 20, 300), week(2, 23, 330)])
    second = protect(both, "public", spec=spec, fixed=released)
    again = protect(both, "public", spec=spec, fixed=first)  # the ProtectedTable itself
    assert_frame_equal(again.status, second.status)
    week1 = second.status.filter(both["week"] == 1)["disclosure_status"]
    assert week1.to_list() == ["published"] * 3  # last week's release cannot change
    # the FSM increment is 3 pupils: week 2 must hide enough to protect it
    assert (
        second.status.filter(both["week"] == 2)["disclosure_status"] != "published"
    ).sum() >= 2
    assert differencing(
        first.table, second.table.filter(pl.col("week") == 2), spec=spec
    ).ok


def test_dominance_in_protect() -> None:
    from makingdata.disclosure import Dominance

    df = pl.DataFrame(
        {
            "geographic_level": ["Local authority", "School", "School", "School"],
            "new_la_code": ["A"] * 4,
            "school_urn": [None, "1", "2", "3"],
            "sess_possible": [1000, 950, 30, 20],
        }
    )
    spec = TableSpec(counts=("sess_possible",), nestings=LA_SPEC.nestings, time=())
    rules = RuleSet(
        "dfe",
        (
            Dominance("dom-1-90", "sess_possible", 1, 90, SDC_HANDBOOK),
            *keep_schools().rules[-1:],
        ),
        "t",
    )
    p = protect(df, "dfe", spec=spec, rules=rules)
    assert p.status["disclosure_rules"][0].to_list() == ["dom-1-90"]
    assert audit(p).ok


def test_protect_without_highspy(monkeypatch: pytest.MonkeyPatch) -> None:
    from makingdata.disclosure import _secondary, _solver

    monkeypatch.setattr(_solver, "_highspy", lambda: None)
    monkeypatch.setattr(_secondary, "_highspy", lambda: None)
    p = protect(school_table(), "public", spec=LA_SPEC, rules=keep_schools())
    assert audit(p).ok
    assert p.report.rows_primary == 1


def test_rounded_release_is_audited_as_intervals() -> None:
    rules = keep_schools((Rounding("round-5", 5, SDC_HANDBOOK),))
    p = protect(school_table(), "public", spec=LA_SPEC, rules=rules)
    report = audit(p)
    assert not (report.cells["finding"] == "inconsistent").any()
    assert report.ok


def test_inconsistent_relations_are_flagged() -> None:
    df = pl.DataFrame({"fsm_status": ["Total", "FSM", "Not"], "n": ["40", "c", "45"]})
    report = audit(df, spec=TableSpec(counts=("n",), filters=("fsm_status",), time=()))
    assert report.cells["finding"].to_list() == ["inconsistent"]
    assert not report.ok


def test_audit_sensitivity_is_protects_own() -> None:
    """A hidden row's zero-everywhere column is bounded to 0 but not flagged;
    the same cells audited as a plain frame (rules unknown) are flagged."""
    from makingdata.disclosure import protected_columns

    df = pl.DataFrame(
        {
            "fsm_status": ["Total", "FSM eligible", "Not eligible"],
            "num_schools": [3, 3, 3],
            "enrolments": [50, 4, 46],
            "reason_f_legacy_family_holiday": [0, 0, 0],
            "reason_k_aea_education_arranged_by_la": [2, 1, 1],
            "sess_overall_percent_pa_10_exact": [1.5, 2.0, 1.4],
        }
    )
    p = protect(df, "public")
    assert protected_columns(p.rules, p.spec.counts) == ["enrolments"]
    assert "sess_overall_percent_pa_10_exact" not in p.spec.counts
    # exact intervals: by default a cell that is not sensitive is only bounded
    # by some consistent tables (an inner part of its interval)
    report = audit(p, exact=True)
    assert report.ok
    assert report.cells["exact_interval"].all()
    fast = audit(p)
    assert fast.ok
    assert_frame_equal(
        fast.cells.select("row", "column", "finding"),
        report.cells.select("row", "column", "finding"),
    )
    assert (fast.cells["lo"] >= report.cells["lo"]).all()
    assert (fast.cells["hi"] <= report.cells["hi"]).all()
    zero = report.cells.filter(pl.col("column") == "reason_f_legacy_family_holiday")
    assert zero["hi"].to_list() == [0.0, 0.0]
    assert zero["finding"].to_list() == ["not sensitive", "not sensitive"]
    narrow = report.cells.filter(
        pl.col("column") == "reason_k_aea_education_arranged_by_la"
    )
    assert narrow["hi"].to_list() == [2.0, 2.0]
    assert narrow["finding"].to_list() == ["not sensitive", "not sensitive"]
    # rules unknown: every c cell is sensitive; the zeros are forced by the
    # published zero total (not flagged), the [0, 2] intervals are narrow
    plain = audit(p.to_ees(), spec=p.spec)
    by_col = dict(plain.cells.group_by("column").agg(pl.col("finding").first()).rows())
    assert by_col["reason_f_legacy_family_holiday"] == "zero margin"
    assert by_col["reason_k_aea_education_arranged_by_la"] == "narrow"
    assert not plain.ok
    assert audit(p.to_ees(), spec=p.spec, columns=["enrolments"]).ok
    assert p.to_ees()["sess_overall_percent_pa_10_exact"].to_list() == ["1.5", "c", "c"]


ZERO_SPEC = TableSpec(
    counts=("n",),
    nestings=(
        Nesting("National", "Regional", ("country_code",)),
        Nesting("Regional", "Local authority", ("region_code",)),
    ),
    time=(),
)


def zero_frame(national: str, region: str, las: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "geographic_level": ["National", "Regional"] + ["Local authority"] * 3,
            "country_code": ["E92000001"] * 5,
            "region_code": [None, "R1", "R1", "R1", "R1"],
            "new_la_code": [None, None, "L1", "L2", "L3"],
            "n": [national, region, *las],
        }
    )


def test_zero_forced_by_a_published_zero_margin_is_not_flagged() -> None:
    report = audit(zero_frame("0", "c", ["c", "c", "0"]), spec=ZERO_SPEC)
    assert report.cells["finding"].to_list() == ["zero margin"] * 3
    assert report.ok


def test_zero_left_over_from_a_positive_margin_is_flagged() -> None:
    # the region's 7 are all accounted for by L3: the hidden L1 and L2 are 0,
    # which the pattern (not a zero margin) gives away
    report = audit(zero_frame("7", "7", ["c", "c", "7"]), spec=ZERO_SPEC)
    assert report.cells["finding"].to_list() == ["exact zero"] * 2
    assert not report.ok


def test_england_is_the_sum_of_its_las_when_there_are_no_regions() -> None:
    from makingdata.tables import TableSpec

    df = pl.DataFrame(
        {
            "geographic_level": ["National"] + ["Local authority"] * 3,
            "country_code": ["E92000001"] * 4,
            "new_la_code": [None, "E09000001", "E09000002", "E09000003"],
            "num_schools": [5, 2, 2, 1],
            "enrolments": [100, 40, 30, 30],
        }
    )
    spec = TableSpec.infer(df)
    assert [(n.parent, n.child) for n in spec.nestings] == [
        ("National", "Local authority")
    ]
    p = protect(df, "public")
    status = p.status["disclosure_status"].to_list()
    assert status[3] == "primary"
    assert status.count("secondary") >= 1
    assert audit(p).ok
    # the single-school LA alone hidden would be 100 - 40 - 30
    alone = df.with_columns(
        enrolments=pl.when(pl.col("num_schools") == 1)
        .then(None)
        .otherwise(pl.col("enrolments"))
    )
    exposed = audit(alone, spec=spec)
    assert exposed.cells["finding"].to_list() == ["exact"]


def test_increments_of_unprotected_columns_are_not_sensitive() -> None:
    weeks = pl.DataFrame(
        {
            "week": [1, 2],
            "fsm_status": ["Total", "Total"],
            "num_schools": [3, 3],
            "enrolments": [40, 42],
            "sess_possible": [400, 402],
        }
    )
    spec = TableSpec(
        counts=("enrolments", "sess_possible"),
        filters=("fsm_status",),
        time=(),
        cumulative="week",
    )
    p = protect(weeks, "public", spec=spec)
    report = audit(p)
    inc = report.cells.filter(pl.col("symbol") == "increment")
    by_col = dict(inc.select("column", "finding").rows())
    # 2 more pupils is a sensitive increment, which protect hides; 2 more
    # sessions are not a protected quantity
    assert by_col == {"enrolments": "protected", "sess_possible": "not sensitive"}
    assert p.report.rows_secondary > 0
    assert report.ok
