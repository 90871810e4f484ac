"""Fixtures of the documentation tests: the reference pages and the public modules.

``public_module`` and ``package`` parameters are generated here by walking
``src/makingdata``, so a new public package is checked without editing a test.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import textwrap
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest
import yaml

if TYPE_CHECKING:
    from collections.abc import Callable

#: The repository root (this file is tests/unit/docs/conftest.py).
REPO_ROOT = Path(__file__).resolve().parents[3]
#: The package's source folder, walked to find the public modules.
PACKAGE_DIR = REPO_ROOT / "src" / "makingdata"
#: The folder of the API reference pages.
REFERENCE_DIR = REPO_ROOT / "docs" / "reference"

_DIRECTIVE = re.compile(r"^::: *(?P<identifier>[\w.]+) *$")


def public_module_names(
    folder: Path = PACKAGE_DIR, prefix: str = "makingdata"
) -> list[str]:
    """Return the dotted names of the public modules under ``folder``, nested ones too.

    A module is public when no part of its path starts with ``_``: a folder
    with an ``__init__.py``, or a ``.py`` file.
    """
    names = [prefix]
    for child in sorted(folder.iterdir()):
        if child.name.startswith("_"):
            continue
        if child.is_dir() and (child / "__init__.py").is_file():
            names.extend(public_module_names(child, f"{prefix}.{child.name}"))
        elif child.suffix == ".py":
            names.append(f"{prefix}.{child.stem}")
    return names


def is_deprecated(module: ModuleType, name: str) -> bool:
    """Whether ``module.name`` is an old path kept for a release (it warns when used).

    Its entry is at the new path; ``makingdata.domain.requests`` is such a module.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(module, name)
    return any(issubclass(w.category, DeprecationWarning) for w in caught)


@pytest.fixture(scope="session")
def deprecated() -> Callable[[ModuleType, str], bool]:
    """``is_deprecated``, for the tests."""
    return is_deprecated


@pytest.fixture(scope="session")
def public_modules() -> list[str]:
    """Every public module's dotted name (see ``public_module_names``)."""
    return public_module_names()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``public_module`` (every public module) and ``package`` (those below the root)."""
    if "public_module" in metafunc.fixturenames:
        metafunc.parametrize("public_module", public_module_names())
    if "package" in metafunc.fixturenames:
        packages = [name for name in public_module_names() if name.count(".") == 1]
        metafunc.parametrize("package", packages)


@dataclass(frozen=True)
class Directive:
    """One ``::: identifier`` block of a reference page, with its options."""

    page: str
    identifier: str
    options: dict[str, Any]


@dataclass
class Reference:
    """What the API reference renders, read from its pages as mkdocstrings reads them.

    A page renders an object given by path (``::: makingdata.io.read_marks``),
    and a module (``::: makingdata.codes``) renders the names of its
    ``__all__``, or only those of its ``members:`` option (none with
    ``members: false``), less those its ``filters:`` reject.
    """

    nav_pages: list[str]
    directives: list[Directive]
    reference_dir: Path = REFERENCE_DIR
    #: name -> the objects rendered under that name, each with its directive.
    rendered: dict[str, list[tuple[object, Directive]]] = field(default_factory=dict)
    #: Directives that name no object, or members that their module lacks.
    broken: list[str] = field(default_factory=list)

    def renders(self, name: str, obj: object) -> list[Directive]:
        """Return the directives that render ``obj`` under ``name``."""
        return [d for o, d in self.rendered.get(name, []) if o is obj]


def _nav_pages(nav: list[Any]) -> list[str]:
    pages: list[str] = []
    for entry in nav:
        values = entry.values() if isinstance(entry, dict) else [entry]
        for value in values:
            if isinstance(value, list):
                pages.extend(_nav_pages(value))
            elif isinstance(value, str):
                pages.append(value)
    return pages


def _directives(page: Path, name: str) -> list[Directive]:
    lines = page.read_text(encoding="utf-8").splitlines()
    found = []
    for i, line in enumerate(lines):
        match = _DIRECTIVE.match(line)
        if not match:
            continue
        block = []
        for following in lines[i + 1 :]:
            if following.strip() and not following.startswith("    "):
                break
            block.append(following)
        config = yaml.safe_load(textwrap.dedent("\n".join(block))) or {}
        found.append(
            Directive(name, match["identifier"], dict(config.get("options") or {}))
        )
    return found


def _import(identifier: str) -> object:
    try:
        return importlib.import_module(identifier)
    except ModuleNotFoundError:
        parent, _, name = identifier.rpartition(".")
        return getattr(importlib.import_module(parent), name)


def _keep(name: str, filters: list[str]) -> bool:
    """Apply mkdocstrings' ``filters`` (regular expressions, ``!`` to reject)."""
    keep = True
    for pattern in filters:
        exclude = pattern.startswith("!")
        if re.search(pattern.removeprefix("!"), name):
            keep = not exclude
    return keep


def _module_members(
    module: ModuleType, directive: Directive, reference: Reference
) -> list[str]:
    members = directive.options.get("members")
    exported = list(getattr(module, "__all__", []))
    if members is False or members == []:
        return []
    if isinstance(members, list):
        for name in members:
            if not hasattr(module, name):
                reference.broken.append(
                    f"{directive.page}: '::: {directive.identifier}' lists member "
                    f"{name!r}, which {module.__name__} does not have"
                )
        return [name for name in members if hasattr(module, name)]
    filters = directive.options.get("filters", ["!^_[^_]"])
    return [name for name in exported if _keep(name, filters)]


def read_reference() -> Reference:
    """Read mkdocs.yml's nav and the directives of its reference pages."""
    config = yaml.safe_load((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    nav = [p for p in _nav_pages(config["nav"]) if p.startswith("reference/")]
    directives = [d for p in nav for d in _directives(REPO_ROOT / "docs" / p, p)]
    reference = Reference(nav, directives)
    for directive in directives:
        try:
            obj = _import(directive.identifier)
        except (ImportError, AttributeError):
            reference.broken.append(
                f"{directive.page}: '::: {directive.identifier}' names no object"
            )
            continue
        name = directive.identifier.rpartition(".")[2]
        reference.rendered.setdefault(name, []).append((obj, directive))
        if isinstance(obj, ModuleType):
            for member in _module_members(obj, directive, reference):
                reference.rendered.setdefault(member, []).append(
                    (getattr(obj, member), directive)
                )
    return reference


@pytest.fixture(scope="session")
def reference() -> Reference:
    """The API reference as its pages declare it."""
    return read_reference()


@pytest.fixture(scope="session")
def sphinx_roles() -> ModuleType:
    """The griffe extension docs/_ext/griffe_sphinx_roles.py, loaded by path.

    Skips when griffe (installed with the ``docs`` extra) is missing.
    """
    pytest.importorskip(
        "griffe", reason="griffe comes with the docs extra: pip install -e '.[docs]'"
    )
    name = "makingdata_docs_griffe_sphinx_roles"
    if name not in sys.modules:
        path = REPO_ROOT / "docs" / "_ext" / "griffe_sphinx_roles.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
