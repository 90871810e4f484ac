"""check_ees agrees with DfE's own EES screener (eesyscreener) on its fixture pairs.

The pairs are eesyscreener's tests/testthat/{pass,fail,pass-warn-api} folders,
vendored under tests/fixtures/eesyscreener/ (source, commit and licence in its
README). eesyscreener's integration test pairs each data ``X.csv`` with the
first ``X.meta.*`` beside it (else ``X.meta.csv``) and expects: ``pass`` →
passed; ``fail`` → not passed; ``pass-warn-api`` → passed but not suitable for
the API (warnings). This module pairs them the same way and asks the same of
:func:`check_ees`: ``ok``; not ``ok``; ``ok`` with warnings.

On a failing pair it also asks that check_ees names the problem the screener
names. The screener runs its checks in stages and stops at the first stage
with a failure, so the problem it names is the failing checks of that stage.
:data:`EXPECTED` lists them per pair. R was not run: the list was drafted
from check_ees's findings placed in the screener's stages, then checked pair
by pair against the screener's code (R/*.R at the vendored commit) and the
fixture; it is a reading of the screener, not its output.
:data:`SCREENER_CHECKS` maps each of the screener's 81 checks (and its file
read) to the rule ids of :data:`makingdata.publish.EES_RULES` that cover it;
a pair "names the same problem" when, for each expected check, one of its
rules is among check_ees's errors.

On a pass-warn-api pair it asks that check_ees gives the warning the
screener's API stage gives (:data:`EXPECTED_API`), the two data-dictionary
checks included (``check_ees(..., data_dictionary=True)``, as the screener
runs them by default).

Run as a script (``python tests/unit/publish/test_eesyscreener.py``) it prints
the agreement figure quoted in the docs; :func:`test_agreement_figure` prints
it too (``pytest -s``) and pins it.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest

from makingdata.publish import EES_RULES, check_ees

ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "eesyscreener"
FOLDERS = ("pass", "fail", "pass-warn-api")

#: The screener's stages, in the order it runs them, with their checks.
STAGES: dict[str, tuple[str, ...]] = {
    "File read": ("file_read",),
    "filename": ("filename_spaces", "filename_special", "filenames_match"),
    "Precheck columns": ("col_req_meta", "col_invalid_meta", "col_req_data", "col_to_rows"),
    "Precheck cross-file": ("cross_meta_to_data", "cross_data_to_meta"),
    "Check columns": (
        "col_names_spaces", "col_snake_case", "col_var_start", "col_ind_smushed",
        "col_var_characteristic",
    ),
    "Precheck meta": ("meta_col_type", "meta_ob_unit", "meta_col_name"),
    "Check meta": (
        "meta_dupe_label", "meta_fil_grp", "meta_fil_grp_dupe", "meta_fil_grp_is_fil",
        "meta_fil_grp_match", "meta_fil_grp_stripped", "meta_label", "meta_filter_hint",
        "meta_geog_catch", "meta_indicator_dp", "meta_col_name_spaces", "meta_col_name_dupe",
        "meta_ind_dp_set", "meta_ind_dp_values", "meta_ind_unit", "meta_ind_unit_validation",
        "meta_indicator_grouping",
    ),
    "Precheck time": ("time_period_num", "time_id_valid", "time_id_mix"),
    "Precheck filters": ("filter_not_singular",),
    "Precheck geography": ("geog_level", "geog_level_present"),
    "Check time": ("time_period", "time_period_six"),
    "Check filters": (
        "filter_defaults", "filter_group_level", "filter_item_limit", "filter_whitespace",
        "filter_ob_total", "filter_blanks",
    ),
    "Check geography": (
        "geog_country_combos", "geog_region_combos", "geog_ward_combos", "geog_pcon_combos",
        "geog_lad_combos", "geog_lep_combos", "geog_lsip_combos", "geog_eda_combos",
        "geog_la_combos", "geog_level_completed", "geog_ignored_rows", "geog_other_dupes",
        "geog_la_col_present", "geog_region_col_present", "geog_region_for_la",
        "geog_region_for_lad", "geog_na", "geog_na_code", "geog_other_code_dupes",
        "geog_overcompleted_cols",
    ),
    "Check general": ("general_dupes", "general_null"),
    "Check indicators": ("ind_invalid_entry",),
    "Check harmonised": (
        "harmonised_variables", "harmonised_eth_vals", "harmonised_eth_char_grp",
        "harmonised_eth_char_vals",
    ),
    "Check API": (
        "api_char_col_name", "api_char_col_label", "api_char_loc_code",
        "api_char_filter_items", "data_dict_col_name", "data_dict_fil_item",
    ),
}  # fmt: skip

#: Screener check -> the EES_RULES ids that cover it (empty: no equivalent yet).
SCREENER_CHECKS: dict[str, tuple[str, ...]] = {
    "file_read": ("file_read", "meta_missing", "encoding"),
    "filename_spaces": ("file_name",),
    "filename_special": ("file_name",),
    "filenames_match": ("meta_file_name",),
    "col_req_meta": ("meta_columns",),
    "col_invalid_meta": ("meta_columns",),
    "col_req_data": ("mandatory_column",),
    "col_to_rows": ("meta_rows",),
    "cross_meta_to_data": ("meta_col_name", "meta_filter_grouping"),
    "cross_data_to_meta": ("data_not_in_meta",),
    "col_names_spaces": ("col_name_spaces",),
    "col_snake_case": ("col_name_format",),
    "col_var_start": ("col_name_format",),
    "col_ind_smushed": ("indicator_smushed",),
    "col_var_characteristic": ("col_characteristic",),
    "meta_col_type": ("meta_col_type",),
    "meta_ob_unit": ("meta_ob_unit",),
    "meta_col_name": ("meta_col_name",),
    "meta_dupe_label": ("meta_label_duplicate",),
    "meta_fil_grp": ("meta_filter_fields",),
    "meta_fil_grp_dupe": ("meta_filter_grouping_duplicate",),
    "meta_fil_grp_is_fil": ("meta_filter_group_row",),
    "meta_fil_grp_match": ("meta_filter_grouping",),
    "meta_fil_grp_stripped": ("filter_group_stripped",),
    "meta_label": ("meta_label",),
    "meta_filter_hint": ("meta_filter_fields",),
    "meta_geog_catch": ("meta_geography_filter",),
    "meta_indicator_dp": ("meta_filter_fields",),
    "meta_col_name_spaces": ("meta_col_name_spaces",),
    "meta_col_name_dupe": ("meta_col_name_duplicate",),
    "meta_ind_dp_set": ("meta_indicator_dp",),
    "meta_ind_dp_values": ("meta_indicator_dp_value",),
    "meta_ind_unit": ("meta_filter_fields",),
    "meta_ind_unit_validation": ("meta_indicator_unit",),
    "meta_indicator_grouping": ("meta_filter_fields",),
    "time_period_num": ("time_period",),
    "time_id_valid": ("time_identifier",),
    "time_id_mix": ("time_identifier_mixed",),
    "filter_not_singular": ("meta_filter_single_level",),
    "geog_level": ("geographic_level",),
    "geog_level_present": ("geography_column",),
    "time_period": ("time_period_digits",),
    "time_period_six": ("time_period",),
    "filter_defaults": ("filter_total",),
    "filter_group_level": ("filter_group_level",),
    "filter_item_limit": ("filter_item_limit",),
    "filter_whitespace": ("filter_whitespace",),
    "filter_ob_total": ("geography_total",),
    "filter_blanks": ("filter_blank",),
    "geog_country_combos": ("country_code",),
    "geog_region_combos": ("region_code",),
    "geog_ward_combos": ("ward_code",),
    "geog_pcon_combos": ("pcon_code",),
    "geog_lad_combos": ("lad_code",),
    "geog_lep_combos": ("lep_code",),
    "geog_lsip_combos": ("lsip_code",),
    "geog_eda_combos": ("eda_code",),
    "geog_la_combos": ("la_code",),
    "geog_level_completed": ("geography_blank",),
    "geog_ignored_rows": ("table_tool_rows", "school_rows_separate"),
    "geog_other_dupes": ("geography_code_duplicate",),
    "geog_la_col_present": ("geography_column",),
    "geog_region_col_present": ("geography_column",),
    "geog_region_for_la": ("region_for_la",),
    "geog_region_for_lad": ("region_for_la",),
    "geog_na": ("geography_not_available",),
    "geog_na_code": ("geography_not_available",),
    "geog_other_code_dupes": ("geography_code_duplicate",),
    "geog_overcompleted_cols": ("geography_overfilled",),
    "general_dupes": ("duplicate_row",),
    "general_null": ("null_symbol", "legacy_symbol"),
    "ind_invalid_entry": ("indicator_blank", "indicator_legacy_symbol"),
    "harmonised_variables": ("harmonised_column",),
    "harmonised_eth_vals": ("harmonised_ethnicity_value",),
    "harmonised_eth_char_grp": ("harmonised_ethnicity_group",),
    "harmonised_eth_char_vals": ("harmonised_ethnicity_value",),
    "api_char_col_name": ("col_name_length",),
    "api_char_col_label": ("meta_label_length",),
    "api_char_loc_code": ("location_code_length",),
    "api_char_filter_items": ("filter_item_length",),
    "data_dict_col_name": ("data_dict_col_name",),
    "data_dict_fil_item": ("data_dict_filter_item",),
}

_REGION = "geog_region_combos"  # the fixtures' shared 'Yorkshire and the Humber'

#: Failing pair -> the screener checks that fail in its first failing stage
#: (None: not determined; see the docs).
EXPECTED: dict[str, tuple[str, ...] | None] = {
    "adding_z_locationCode": ("geog_country_combos",),
    "blanks_filters": ("filter_blanks",),
    "blanks_indicators": (_REGION,),  # ind_invalid_entry is a later stage
    "col_name_completed": ("meta_col_name",),
    "col_name_duplicate": ("meta_col_name_dupe",),
    "col_name_spaces": ("col_names_spaces",),
    "col_type": ("meta_col_type",),
    "col_type_blank": ("meta_col_type",),
    "country_combinations": ("geog_country_combos", "geog_la_combos", _REGION),
    "data_empty_cols": (_REGION,),
    "data_mandatory_cols": ("col_req_data",),
    "data_to_meta_crosscheck": (_REGION,),  # cross_data_to_meta only warns
    "data_variable_spaces": ("col_names_spaces",),
    "duplicate_label": ("meta_dupe_label",),
    "duplicate_rows": (_REGION,),  # general_dupes is a later stage
    "duplicate_variable_names": (_REGION,),
    "eda_combinations": ("geog_eda_combos", "geog_la_combos", _REGION),
    "ethnicity_characteristics_filter_wrong_group_and_values": ("harmonised_eth_char_grp",),
    "fails_allchecks": ("time_period",),
    "fails_everything_ancillary": ("meta_filter_hint",),
    "fails_file validation": ("filename_spaces",),
    "fails_prescreening1": ("geog_level",),
    "fails_prescreening2": ("col_names_spaces",),
    # the screener's reader sniffs the tab-separated meta and reads it; its
    # first failing stage is then the filters' precheck
    "file_separator": ("filter_not_singular",),
    "filename spaces": ("filename_spaces",),
    "filter_group": ("meta_fil_grp", "meta_fil_grp_dupe"),
    "filter_group_duplicate": ("meta_dupe_label", "meta_fil_grp_dupe"),
    "filter_group_level": ("filter_group_level",),
    "filter_group_match": ("cross_meta_to_data",),
    "filter_group_stripped": ("meta_fil_grp_stripped",),
    "filter_hint": ("meta_filter_hint",),
    "filter_level": ("filter_not_singular",),
    "geographic_catch": ("meta_geog_catch",),
    "geographic_level": ("geog_level",),
    "geography_level_completed": ("geog_country_combos", "geog_level_completed", _REGION),
    "geography_level_present": ("geog_level_present",),
    "ignored_rows": ("geog_lad_combos", "geog_lep_combos"),
    "indicator_dp": ("meta_indicator_dp",),
    "indicator_dp_completed": (_REGION,),  # meta_ind_dp_set only warns
    "indicator_dp_negative": ("meta_ind_dp_values",),
    "indicator_dp_nonInteger": ("meta_ind_dp_values",),
    "indicator_dp_validation": ("meta_ind_dp_values",),
    "indicator_group_stripped": ("meta_indicator_grouping",),
    "indicator_grouping": ("meta_indicator_grouping",),
    "indicator_unit": ("meta_ind_unit",),
    "indicator_unit_validation": ("meta_ind_unit_validation",),
    "indicators_smushed": ("col_ind_smushed",),
    "invalid_meta_cols": ("col_invalid_meta",),
    "invalid_type3": ("file_read",),
    "la_col_present": ("geog_la_col_present",),
    "la_combinations": ("geog_la_combos", _REGION),
    "label": ("meta_label",),
    "label_blank_notNA": ("meta_label",),
    "lad_combinations": ("geog_la_combos", "geog_lad_combos", "geog_overcompleted_cols", _REGION),
    "lep_combinations": ("geog_la_combos", "geog_lep_combos", "geog_overcompleted_cols", _REGION),
    "lsip_combinations": ("geog_lsip_combos",),
    "meta_mandatory_cols": ("col_req_meta",),
    "meta_to_data_crosscheck": ("cross_meta_to_data",),
    "missing_region_name": ("geog_region_col_present",),
    "multiple_stripped_filter_groups": ("meta_fil_grp_stripped",),
    "na_geography": ("geog_lep_combos", "geog_na", "geog_other_code_dupes"),
    "na_geography_code": ("geog_lep_combos", "geog_na_code", "geog_other_code_dupes"),
    "naming_convention": ("file_read",),
    "naming_convention-metaFail": ("file_read",),
    "naming_convention_meta": ("file_read",),
    "no_data_symbols": (_REGION,),  # general_null's legacy symbols only warn
    "non_standard_headers": ("harmonised_variables",),
    "not_sch_but_one_filter": ("filter_ob_total",),
    "not_table_tool": ("meta_filter_hint",),  # before geog_ignored_rows
    "notavailable_symbols": ("ind_invalid_entry",),
    "null": ("cross_meta_to_data",),  # 'NA' as a filter group
    "ob_unit_meta": ("meta_ob_unit",),
    "ob_unit_total": ("filter_ob_total",),
    "observational_total": ("filter_ob_total",),
    "other_geography_code_duplicates": (
        "geog_eda_combos", "geog_lep_combos", "geog_other_code_dupes",
    ),
    "other_geography_duplicates": (
        "geog_eda_combos", "geog_lep_combos", "geog_other_dupes", "geog_ward_combos",
    ),
    "overcompleted_cols": ("geog_overcompleted_cols", _REGION),
    "passes_everything_ancillary": ("geog_ignored_rows",),
    "pcon_combinations": ("geog_la_combos", "geog_pcon_combos", _REGION),
    "prov_level_only_dupes": ("general_dupes",),
    "provider_col_incorrect": ("geog_level_present",),
    "region_col_present": ("geog_region_col_present",),
    "region_combinations": ("geog_la_combos", _REGION),
    "region_for_la": (_REGION,),  # geog_region_for_la only warns
    "region_for_lad": ("geog_lad_combos", _REGION),
    "regional_blanks": ("geog_level_completed",),
    "roundedzero_symbols": ("ind_invalid_entry",),
    "sch_level_missing_col": ("geog_level_present",),
    "sch_many_filter": ("meta_geog_catch",),
    "sch_prov": ("geog_ignored_rows",),
    "special_characters-+#'@": ("filename_special",),
    "time_identifier": ("time_id_valid",),
    "time_identifier_mix": ("time_id_mix",),
    "time_period": ("time_period_num",),
    "time_period_six": ("time_period_six",),
    "time_validation": ("time_period_num",),
    "total": (_REGION,),  # filter_defaults only warns
    "utf8": ("file_read",),
    "ward_combinations": ("geog_ward_combos",),
    "whitespace_filters": ("filter_whitespace",),
}  # fmt: skip

#: Pair of pass-warn-api -> the API check that warns (None: not determined).
EXPECTED_API: dict[str, tuple[str, ...] | None] = {
    "check_data_dictionary_col_name": ("data_dict_col_name",),
    "check_data_dictionary_filter_item": ("data_dict_fil_item",),
    # their ethnicity values are a harmonised-stage warning (not the API's);
    # the API warnings are the data dictionary's: 'characteristic' and
    # 'headcount' are not in it, nor are 'ethnicity_major' items such as
    # 'Any other ethnic group' (the screener's dictionary, read from its
    # data/data_dictionary.rda at the vendored commit, is a subset of the
    # one makingdata ships: 1,586 of its 1,613 rows)
    "ethnicity_characteristics_filter_wrong_values": ("data_dict_col_name",),
    "ethnicity_value_advisory": ("data_dict_col_name", "data_dict_fil_item"),
    "filter_item_length": ("api_char_filter_items",),
    "location_code_length": ("api_char_loc_code",),
    "location_name_length": ("api_char_filter_items",),
    "variable_label_length": ("api_char_col_label",),
    "variable_name_length": ("api_char_col_name",),
}


def pairs() -> list[tuple[str, str, str]]:
    """Return (folder, data file, meta file) as eesyscreener's own test pairs them."""
    out = []
    for folder in FOLDERS:
        names = sorted(p.name for p in (ROOT / folder).iterdir())
        for name in names:
            if not name.endswith(".csv") or ".meta." in name:
                continue
            stem = name.removesuffix(".csv")
            metas = [m for m in names if m.startswith(stem + ".meta.")]
            out.append((folder, name, metas[0] if metas else stem + ".meta.csv"))
    return out


@functools.cache
def verdict(folder: str, data: str, meta: str) -> tuple[str, set[str], set[str]]:
    """Return check_ees's verdict on a pair (pass / fail / warn), its errors and warnings."""
    # the screener runs its data-dictionary checks by default (dd_checks = TRUE)
    report = check_ees(
        ROOT / folder / data, meta=ROOT / folder / meta, data_dictionary=True
    )
    errors = set(report.errors["rule"].to_list())
    warnings = set(report.warnings["rule"].to_list())
    if errors:
        return "fail", errors, warnings
    return ("warn" if warnings else "pass"), errors, warnings


def screener_verdict(folder: str) -> str:
    return {"pass": "pass", "fail": "fail", "pass-warn-api": "warn"}[folder]


def same_verdict(folder: str, ours: str) -> bool:
    # a pair in pass/ passed the screener: check_ees may still warn
    if folder == "pass":
        return ours in {"pass", "warn"}
    return ours == screener_verdict(folder)


def names_the_problem(
    stem: str, found: set[str], table: dict[str, tuple[str, ...] | None] = EXPECTED
) -> bool:
    expected = table[stem]
    if expected is None:
        return False
    return all(set(SCREENER_CHECKS[c]) & found for c in expected)


def agreement() -> dict[str, int]:
    """Measure the agreement over every vendored pair."""
    total = same = failing = named = warned = api_named = 0
    for folder, data, meta in pairs():
        ours, errors, warnings = verdict(folder, data, meta)
        stem = data.removesuffix(".csv")
        total += 1
        same += same_verdict(folder, ours)
        if folder == "fail":
            failing += 1
            named += names_the_problem(stem, errors)
        if folder == "pass-warn-api":
            warned += 1
            api_named += names_the_problem(stem, warnings, EXPECTED_API)
    covered = sum(bool(r) for c, r in SCREENER_CHECKS.items() if c != "file_read")
    return {
        "pairs": total,
        "same_verdict": same,
        "failing": failing,
        "same_problem": named,
        "api_pairs": warned,
        "api_warning_named": api_named,
        "checks": len(SCREENER_CHECKS) - 1,
        "checks_covered": covered,
    }


def figure_text(a: dict[str, int]) -> str:
    return (
        f"same verdict on {a['same_verdict']} of {a['pairs']} pairs; "
        f"same problem named on {a['same_problem']} of {a['failing']} failing pairs; "
        f"the API warning named on {a['api_warning_named']} of {a['api_pairs']} pass-warn-api pairs; "
        f"{a['checks_covered']} of the screener's {a['checks']} checks covered"
    )


PAIRS = pairs()


def test_the_fixtures_are_all_there() -> None:
    counts = {f: sum(1 for p in PAIRS if p[0] == f) for f in FOLDERS}
    assert counts == {"pass": 30, "fail": 100, "pass-warn-api": 9}
    assert {d.removesuffix(".csv") for f, d, _ in PAIRS if f == "fail"} == set(EXPECTED)


def test_the_table_is_complete() -> None:
    listed = {c for checks in STAGES.values() for c in checks}
    assert listed == set(SCREENER_CHECKS)
    for rules in SCREENER_CHECKS.values():
        assert set(rules) <= set(EES_RULES)
    for checks in [*EXPECTED.values(), *EXPECTED_API.values()]:
        assert checks is None or set(checks) <= set(SCREENER_CHECKS)
    assert set(EXPECTED_API) == {
        d.removesuffix(".csv") for f, d, _ in PAIRS if f == "pass-warn-api"
    }


@pytest.mark.parametrize(
    ("folder", "data", "meta"), PAIRS, ids=[f"{f}/{d}" for f, d, _ in PAIRS]
)
def test_check_ees_gives_the_screeners_verdict(
    folder: str, data: str, meta: str
) -> None:
    ours, errors, warnings = verdict(folder, data, meta)
    assert same_verdict(folder, ours), (errors, warnings)
    stem = data.removesuffix(".csv")
    if folder == "pass-warn-api":
        expected = EXPECTED_API[stem]
        if expected and all(SCREENER_CHECKS[c] for c in expected):
            assert names_the_problem(stem, warnings, EXPECTED_API), (expected, warnings)
        return
    if folder != "fail":
        return
    assert names_the_problem(stem, errors), (EXPECTED[stem], errors)


def test_agreement_figure() -> None:
    a = agreement()
    print("\neesyscreener agreement:", figure_text(a))
    assert a == {
        "pairs": 139,
        "same_verdict": 139,
        "failing": 100,
        "same_problem": 100,
        "api_pairs": 9,
        "api_warning_named": 9,
        "checks": 81,
        "checks_covered": 81,
    }


if __name__ == "__main__":
    sys.stdout.write(figure_text(agreement()) + "\n")
