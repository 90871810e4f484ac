"""Every public name is in the API reference, on the page of its package.

The reference is one page per public package (docs/reference/<package>.md,
listed under Reference in mkdocs.yml's nav). A page renders its package's
module docstring (``::: makingdata.io`` with ``members: false``) and then
each public object under a task heading (``## Reading exports`` followed by
``::: makingdata.io.read_marks``), or the whole module
(``::: makingdata.codes``: every name of its ``__all__``).

These tests read the pages the way mkdocstrings does, without building the
site, and find the public modules by walking ``src/makingdata``: a package
added there without a page, or a name added to an ``__all__`` without an
entry, fails here with the line to add. A name re-exported from another
package (``makingdata.read_marks``, ``makingdata.access.Viewer``) counts when
the object is rendered anywhere. test_docs_build.py checks the built site.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

    from conftest import Reference


def test_package_has_a_reference_page(package: str, reference: Reference) -> None:
    short = package.rpartition(".")[2]
    pages = sorted({d.page for d in reference.directives if d.identifier == package})
    if not pages:
        orphan = reference_page_outside_nav(package, reference)
        hint = (
            f"docs/reference/{orphan} documents it but is not listed under Reference in mkdocs.yml's nav"
            if orphan
            else f"add docs/reference/{short}.md with '::: {package}' (see docs/reference/io.md) "
            "and list it under Reference in mkdocs.yml's nav"
        )
        raise AssertionError(
            f"package {package} has no page in the API reference: {hint}"
        )


def test_public_names_are_in_the_reference(
    public_module: str,
    reference: Reference,
    deprecated: Callable[[ModuleType, str], bool],
) -> None:
    module = importlib.import_module(public_module)
    exported = [n for n in getattr(module, "__all__", []) if not deprecated(module, n)]
    missing = [
        name for name in exported if not reference.renders(name, getattr(module, name))
    ]
    page = home_page(public_module, reference)
    assert not missing, (
        f"{public_module} exports {missing} but no page of the API reference renders them: "
        f"add '::: {public_module}.<name>' under a task heading of {page}"
    )


def test_reference_names_existing_objects(reference: Reference) -> None:
    assert not reference.broken, "\n".join(reference.broken)


def test_objects_given_by_path_are_exported(reference: Reference) -> None:
    """A ``::: makingdata.io.read_marks`` entry is for a name of its module's ``__all__``."""
    stale = []
    for directive in reference.directives:
        parent, _, name = directive.identifier.rpartition(".")
        if not parent:
            continue
        try:
            module = importlib.import_module(parent)
        except ModuleNotFoundError:
            continue  # a module given by path, or an object of a class: checked elsewhere
        if isinstance(getattr(module, name, None), type(module)):
            continue
        if name not in getattr(module, "__all__", [name]):
            stale.append(
                f"{directive.page}: {directive.identifier} is not in {parent}.__all__"
            )
    assert not stale, "\n".join(stale)


def test_reference_pages_are_in_the_nav(reference: Reference) -> None:
    pages = {f"reference/{p.name}" for p in reference.reference_dir.glob("*.md")}
    assert pages <= set(reference.nav_pages), (
        f"{sorted(pages - set(reference.nav_pages))} not listed under Reference in mkdocs.yml's nav"
    )


def reference_page_outside_nav(package: str, reference: Reference) -> str | None:
    for path in sorted(reference.reference_dir.glob("*.md")):
        if f"reference/{path.name}" in reference.nav_pages:
            continue
        if f"::: {package}\n" in path.read_text(encoding="utf-8") + "\n":
            return path.name
    return None


def home_page(module: str, reference: Reference) -> str:
    """The page of the package holding ``module`` (the one to add an entry to)."""
    package = ".".join(module.split(".")[:2])
    pages = [d.page for d in reference.directives if d.identifier == package]
    return (
        f"docs/{pages[0]}"
        if pages
        else f"docs/reference/{package.rpartition('.')[2]}.md"
    )
