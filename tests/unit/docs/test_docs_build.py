"""The documentation site builds strictly, and its API reference cross-references.

How cross-references work (for contributors writing docstrings): write Sphinx
roles as usual, :func:`read_marks`, :class:`~makingdata.disclosure.ProtectedTable`,
:data:`EES_RULES`, :mod:`makingdata.io`, :meth:`Directory.as_of`. The griffe
extension docs/_ext/griffe_sphinx_roles.py (loaded from mkdocs.yml) resolves
each target the way Sphinx does, from the object whose docstring it is, its
class, module and packages, then the public packages' ``__all__``, and turns
the role into an autorefs link to the object's entry in the API reference; a
target that the reference does not render (a private helper, an external
library) is shown as inline code. ``~`` shows the last component only; ``!``
never links. In Markdown pages, link with autorefs: ``[`write_ees`][makingdata.publish.write_ees]``.
Constants are documented by a ``#:`` comment on the line(s) above them
(griffe-sphinx). Every public name needs an entry on its package's reference
page (test_reference_pages.py says where).

This test builds the site (``mkdocs build --strict``, about 15 s) into a
temporary folder, so it needs the ``docs`` extra (``pip install -e '.[docs]'``)
and is skipped without it.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

    from conftest import Reference

REPO_ROOT = Path(__file__).resolve().parents[3]

#: A Sphinx role left as text, in Markdown or in HTML: ``:func:`x``` or ``:func:<code>x``.
RAW_ROLE = re.compile(
    r":(?:py:)?(?:func|meth|class|data|attr|exc|mod|obj|const|type):(?:`|<code>)"
)

_NEEDS = ("mkdocs", "material", "mkdocstrings_handlers.python", "griffe_sphinx")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = [
        name for name in _NEEDS if importlib.util.find_spec(name.split(".")[0]) is None
    ]
    if missing:
        pytest.skip(
            f"the docs build needs the docs extra ({', '.join(missing)} missing): pip install -e '.[docs]'"
        )
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])]
    )
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stderr[-4000:]}"
    return out


def html(site: Path, page: str) -> str:
    return (site / page / "index.html").read_text(encoding="utf-8")


def section(page_html: str, anchor: str) -> str:
    """The HTML of one object's entry: from its heading to the next heading of its level or above."""
    start = page_html.index(f'id="{anchor}"')
    level = page_html[page_html.rindex("<h", 0, start) + 2]
    end = re.compile(rf"<h[1-{level}][ >]").search(page_html, start)
    return page_html[start : end.start() if end else len(page_html)]


def inventory(site: Path) -> set[str]:
    data = (site / "objects.inv").read_bytes()
    body = zlib.decompress(data.split(b"\n", 4)[4]).decode()
    return {line.split(" ", 1)[0] for line in body.splitlines()}


def test_no_sphinx_role_is_left_as_text(site: Path) -> None:
    leftovers = {}
    for path in [*site.rglob("*.html"), site / "search" / "search_index.json"]:
        found = RAW_ROLE.findall(path.read_text(encoding="utf-8"))
        if found:
            leftovers[str(path.relative_to(site))] = len(found)
    assert not leftovers, f"raw Sphinx roles in the built site: {leftovers}"


def test_a_role_links_to_its_object_on_another_page(site: Path) -> None:
    # write_ees: "must be a :class:`~makingdata.disclosure.ProtectedTable` protected for it"
    entry = section(html(site, "reference/publish"), "makingdata.publish.write_ees")
    assert re.search(
        r'<a [^>]*href="\.\./disclosure/#makingdata\.disclosure\.ProtectedTable"[^>]*><code>ProtectedTable</code></a>',
        entry,
    )
    assert 'id="makingdata.disclosure.ProtectedTable"' in html(
        site, "reference/disclosure"
    )


def test_relative_names_resolve_from_the_docstrings_scope(site: Path) -> None:
    # io's module docstring: ":func:`read_marks`" (defined in a private module).
    module = section(html(site, "reference/io"), "makingdata.io")
    assert re.search(
        r'<a [^>]*href="#makingdata\.io\.read_marks"[^>]*><code>read_marks</code></a>',
        module,
    )
    # Directory's docstring: ":meth:`as_of`", a method of the class.
    directory = section(html(site, "reference/domain"), "makingdata.domain.Directory")
    assert re.search(
        r'<a [^>]*href="#makingdata\.domain\.Directory\.as_of"[^>]*><code>as_of</code></a>',
        directory,
    )


def test_every_public_name_is_in_the_built_reference(
    site: Path,
    reference: Reference,
    public_modules: list[str],
    deprecated: Callable[[ModuleType, str], bool],
) -> None:
    # The pages say which entry renders each public name (test_reference_pages.py);
    # the inventory says which entries were rendered: a whole-module entry skips
    # a name that has no docstring or #: comment.
    known = inventory(site)
    missing = []
    for module_name in public_modules:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            if f"{module_name}.{name}" in known or deprecated(module, name):
                continue
            entries = {
                d.identifier
                if d.identifier.endswith(f".{name}")
                else f"{d.identifier}.{name}"
                for d in reference.renders(name, getattr(module, name))
            }
            if not entries & known:
                missing.append(f"{module_name}.{name}")
    assert not missing, (
        "not rendered (a whole-module entry skips a name without a docstring or #: "
        f"comment; give it one, or list it on its page): {missing}"
    )


def test_no_public_name_is_left_unlinked(site: Path, reference: Reference) -> None:
    # An optional cross-reference that autorefs could not resolve is printed as
    # <span title="identifier">: a public name there means its entry is missing.
    public = set()
    for directive in reference.directives:
        try:
            module = importlib.import_module(directive.identifier)
        except ModuleNotFoundError:
            continue
        public |= {
            f"{directive.identifier}.{n}" for n in getattr(module, "__all__", [])
        }
    unresolved = {
        identifier
        for path in (site / "reference").rglob("*.html")
        for identifier in re.findall(
            r'<span title="([\w.]+)"><code>', path.read_text(encoding="utf-8")
        )
    }
    assert not unresolved & public, sorted(unresolved & public)


def test_the_extension_is_not_published(site: Path) -> None:
    assert not (site / "_ext").exists()
