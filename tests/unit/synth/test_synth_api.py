"""synth's __init__ only re-exports: the public names live in private modules."""

from __future__ import annotations

import ast
import inspect

from makingdata import synth


def test_public_names_unchanged_and_defined_in_private_modules() -> None:
    assert sorted(synth.__all__) == sorted(
        [
            "TARGETS",
            "SynthData",
            "bank_holidays",
            "generate",
            "school_calendar",
            "targets_frame",
        ]
    )
    for name in synth.__all__:
        obj = getattr(synth, name)
        module = getattr(obj, "__module__", None)
        if module is not None and name != "TARGETS":
            assert module.startswith("makingdata.synth._"), (name, module)


def test_init_defines_nothing() -> None:
    tree = ast.parse(inspect.getsource(synth))
    defined = [
        n.name
        for n in tree.body
        if isinstance(n, ast.FunctionDef | ast.ClassDef) and n.name != "__dir__"
    ]
    assert defined == []  # only re-exports (and __dir__, for notebook completion)
