"""The package's imports follow the data path, and no modules import each other in a circle.

The rules are DESIGN's "one data path": a stage imports only stages below it.
The graph is read from the source with ``ast``, so every import counts — at
module level, inside a function, or under ``if TYPE_CHECKING:``. The
deprecation shims that keep old import paths working for one release load the
new module by name (``importlib.import_module``), which this check does not
follow on purpose: they are listed in the changelog and removed in 0.3.
See CONTRIBUTING.md, "Layers".
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import makingdata

SRC = Path(makingdata.__file__).parent

#: What each stage may never import (DESIGN: data flows one way).
NEVER: dict[str, set[str]] = {
    "tables": {
        "io", "store", "access", "attendance", "attainment", "disclosure", "publish",
        "policy", "cli", "synth", "schemas", "domain",
    },
    "io": {"attendance", "attainment", "disclosure", "publish", "access", "policy", "cli"},
    # the store sits after io, before the kernels: they may read it
    "store": {"attendance", "attainment", "disclosure", "publish", "access", "policy", "cli"},
    "attendance": {"disclosure", "attainment", "io", "access", "publish", "policy", "cli"},
    "attainment": {"disclosure", "attendance", "io", "access", "publish", "policy", "cli"},
    "disclosure": {"attendance", "attainment", "io", "access", "publish", "policy", "cli"},
    "domain": {"policy", "io", "access", "attendance", "disclosure", "publish", "cli"},
    "publish": {"cli"},
    "policy": {"cli", "publish", "disclosure", "attendance"},
    # atomic output sits beside errors, below every stage that writes
    "_atomic": {
        "tables", "io", "store", "access", "attendance", "attainment", "disclosure", "publish",
        "policy", "cli", "synth", "schemas", "domain", "codes", "_contracts",
        "_calendar", "_pseudonym", "_deprecated",
    },
}  # fmt: skip

# charts (issue 19) sit in the output stage beside publish: they read tables,
# disclosure, publish and the kernels; no stage below imports them
NEVER["charts"] = {"cli", "io", "store", "access", "policy", "synth", "schemas"}
for _below in ("tables", "io", "store", "attendance", "attainment", "disclosure",
               "domain", "publish", "policy", "_atomic"):  # fmt: skip
    NEVER[_below].add("charts")
# reports (issue 19) sit above charts: they read charts, access, the kernels,
# disclosure and publish; only the command imports them
NEVER["reports"] = {"cli", "io", "store", "policy", "synth", "schemas"}
for _below in ("tables", "io", "store", "attendance", "attainment", "disclosure",
               "domain", "publish", "policy", "_atomic", "charts", "access"):  # fmt: skip
    NEVER.setdefault(_below, set()).add("reports")
# notebook HTML reprs: a private helper at the bottom, like _atomic, used by the
# classes of every stage (Table, ReadResult, ProtectedTable, EesCheck, Assessment)
NEVER["_html"] = {*NEVER["_atomic"], "_atomic"}
NEVER["_atomic"].add("_html")


def _name(path: Path) -> str:
    parts = ("makingdata", *path.relative_to(SRC).with_suffix("").parts)
    name = ".".join(parts)
    return name.removesuffix(".__init__")


def _imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return {m for m in out if m.startswith("makingdata")}


def _graph() -> dict[str, set[str]]:
    modules = {_name(p): p for p in SRC.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = {m for m in _imports(path) if m in modules and m != name}
        # a submodule naming its own package is the package's own wiring
        graph[name] = {d for d in deps if not name.startswith(d + ".")}
    return graph


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)) is not None:
            return found
    return None


def test_no_stage_imports_a_stage_above_it() -> None:
    wrong = sorted(
        f"{m} -> {d}"
        for m, deps in _graph().items()
        for d in deps
        if _stage(d) in NEVER.get(_stage(m), set())
    )
    assert wrong == [], "imports against the data path:\n" + "\n".join(wrong)


def test_no_import_circle() -> None:
    assert _cycle(_graph()) is None


@pytest.mark.parametrize(
    ("graph", "found"),
    [
        ({"a": {"b"}, "b": {"a"}}, ["a", "b", "a"]),
        ({"a": {"b"}, "b": set()}, None),
    ],
)
def test_the_checks_can_fail(
    graph: dict[str, set[str]], found: list[str] | None
) -> None:
    assert _cycle(graph) == found
    assert _stage("makingdata.io._exports") == "io"
