"""The policy package's modules import each other one way only, and the domain never imports policy.

The graph is read from the source with ``ast``, so every import counts: at
module level, inside a function, or under ``if TYPE_CHECKING:``, as the
project's layering check reads them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import makingdata.domain
import makingdata.policy

POLICY = Path(makingdata.policy.__file__).parent
DOMAIN = Path(makingdata.domain.__file__).parent


def _module_name(path: Path, package: str) -> str:
    return package if path.stem == "__init__" else f"{package}.{path.stem}"


def _imports(path: Path, package: str) -> set[str]:
    """Every ``makingdata`` module ``path`` names in an import, anywhere in it."""
    here = _module_name(path, package)
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                # relative: strip `level` parts from this module (a package's
                # __init__ counts as one part deeper).
                parts = here.split(".")
                keep = len(parts) - node.level + (path.stem == "__init__")
                base = ".".join(parts[:keep] + ([base] if base else []))
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names}
    return {m for m in out if m.startswith("makingdata")}


def _graph(folder: Path, package: str) -> dict[str, set[str]]:
    modules = {_module_name(p, package): p for p in sorted(folder.glob("*.py"))}
    return {
        name: {m for m in _imports(p, package) if m in modules and m != name}
        for name, p in modules.items()
    }


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph as a path (first node repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
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


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert _cycle({"a": {"a"}}) == ["a", "a"]


def test_the_import_reader_sees_lazy_and_type_checking_imports(tmp_path: Path) -> None:
    (tmp_path / "_low.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from makingdata.policy._high import X\n"
    )
    (tmp_path / "_high.py").write_text(
        "def f():\n    from makingdata.policy import _low\n    return _low\n"
    )
    graph = _graph(tmp_path, "makingdata.policy")
    assert graph == {
        "makingdata.policy._high": {"makingdata.policy._low"},
        "makingdata.policy._low": {"makingdata.policy._high"},
    }
    assert _cycle(graph) is not None


def test_no_import_circle_in_policy() -> None:
    graph = _graph(POLICY, "makingdata.policy")
    # The graph was read: the engine's modules and their one-way wiring are in it.
    assert graph["makingdata.policy._assess"] >= {
        "makingdata.policy._catalogue",
        "makingdata.policy._model",
        "makingdata.policy._render",
    }
    cycle = _cycle(graph)
    assert cycle is None, (
        f"import circle in makingdata.policy: {' -> '.join(cycle)}; keep the order "
        "_requests < _model < _render, _checks < _catalogue < _assess < _burden < _load"
    )


def test_the_low_modules_import_nothing_above_them() -> None:
    graph = _graph(POLICY, "makingdata.policy")
    assert graph["makingdata.policy._requests"] == set()
    assert graph["makingdata.policy._model"] == {"makingdata.policy._requests"}
    assert graph["makingdata.policy._render"] <= {
        "makingdata.policy._model",
        "makingdata.policy._requests",
    }


def test_the_domain_never_imports_policy() -> None:
    # The domain is below policy in the data path; the deprecation shim for the
    # moved request model reaches policy through importlib, by name, only.
    for path in sorted(DOMAIN.glob("*.py")):
        names = _imports(path, "makingdata.domain")
        assert not {n for n in names if n.startswith("makingdata.policy")}, path.name
