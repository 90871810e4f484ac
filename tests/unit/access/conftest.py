from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from makingdata.domain import (
    Directory,
    School,
    TrustMembership,
    default_local_authorities,
)
from makingdata.domain.sharing import SharingAgreement

D = dt.date
LAS = {la.new_la_code: la for la in default_local_authorities()}
DATES = [D(2022, 9, 5), D(2023, 3, 6), D(2023, 6, 5), D(2023, 10, 2), D(2024, 9, 2)]
URNS = [100001, 100002, 100003, 100004, 999999]


@pytest.fixture
def directory() -> Directory:
    schools = [
        School(100001, "Alpha School", 9422001, LAS["E06000063"]),  # Cumberland
        School(100002, "Beta School", 9432001, LAS["E06000064"]),  # Westmorland
        School(100003, "Gamma School", 8152001, LAS["E06000065"]),  # N Yorkshire
        School(
            100004,
            "Delta School",
            8852001,
            LAS["E10000034"],  # Worcestershire
            close_date=D(2023, 12, 31),
        ),
    ]
    memberships = [
        TrustMembership(100001, "TR00001", D(2021, 9, 1), D(2023, 8, 31)),
        TrustMembership(100001, "TR00002", D(2023, 9, 1)),
        TrustMembership(100002, "TR00001"),
    ]
    return Directory(schools, memberships)


@pytest.fixture
def agreements() -> list[SharingAgreement]:
    return [
        SharingAgreement(100001, "DfE", D(2022, 2, 1), opt_out=D(2023, 1, 9)),
        SharingAgreement.statutory(100001),
        SharingAgreement(100002, "DfE", D(2022, 2, 1)),
        SharingAgreement(100003, "DfE", D(2022, 2, 1)),
        SharingAgreement(100004, "la:E10000034", D(2022, 2, 1)),
    ]


@pytest.fixture
def marks() -> pl.DataFrame:
    rows = [(u, d) for u in URNS for d in DATES]
    return pl.DataFrame(
        {
            "urn": [u for u, _ in rows],
            "pupil_key": list(range(len(rows))),
            "date": [d for _, d in rows],
            "session": ["AM"] * len(rows),
        },
        schema={
            "urn": pl.UInt32,
            "pupil_key": pl.UInt64,
            "date": pl.Date,
            "session": pl.String,
        },
    )
