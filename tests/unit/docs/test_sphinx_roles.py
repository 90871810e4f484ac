"""The griffe extension that turns Sphinx roles into cross-references (docs/_ext).

Docstrings cross-reference with Sphinx roles (:func:`read_marks`,
:class:`~makingdata.disclosure.ProtectedTable`). The extension rewrites each
role, before mkdocstrings renders the docstring, to an optional autorefs
reference to the object's public path, which autorefs links when the object is
in the API reference and prints as inline code otherwise; targets outside the
package become inline code. These tests load a small package with it.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import ModuleType

griffe = pytest.importorskip(
    "griffe", reason="griffe comes with the docs extra: pip install -e '.[docs]'"
)

PACKAGE = {
    "__init__.py": '''
        """Root: see :mod:`fakepkg.io` and :func:`read`."""
        from fakepkg.io import read

        __all__ = ["read"]
    ''',
    "errors.py": '''
        """Errors."""

        __all__ = ["BadInput"]


        class BadInput(ValueError):
            """Bad input, raised by :func:`the
            reader <fakepkg.io.read>`.
            """
    ''',
    "io/__init__.py": '''
        """IO: :func:`read` and :class:`~fakepkg.io.Result`."""
        from fakepkg.io._reader import Result, read

        __all__ = ["Result", "read"]
    ''',
    "io/_reader.py": '''
        """The reader (private)."""
        from fakepkg.errors import BadInput


        class Result:
            """A result: see :meth:`summary` and :attr:`rows`.

            Examples
            --------
            >>> print(":func:`read`")
            :func:`read`
            """

            rows: int = 0

            def summary(self) -> str:
                """Compare :meth:`Result.summary` with :func:`the reader <read>`."""
                return ""


        def read(path):
            """Raise :exc:`BadInput`; return :class:`Result` of :class:`polars.LazyFrame`.

            Not linked: :func:`!read`, :func:`nowhere`, :ref:`label`, :func:`_helper`.

            ```python
            :func:`read`
            ```
            """


        def _helper():
            """A private helper."""
    ''',
}


def link(identifier: str, title: str) -> str:
    return f'<autoref identifier="{identifier}" optional><code>{title}</code></autoref>'


@pytest.fixture(scope="module")
def fakepkg(sphinx_roles: ModuleType) -> Iterator[Any]:
    modules = {path: textwrap.dedent(text).lstrip() for path, text in PACKAGE.items()}
    with griffe.temporary_pypackage("fakepkg", modules) as tmp:
        extensions = griffe.load_extensions(
            sphinx_roles.SphinxRolesExtension(packages=["fakepkg"])
        )
        yield griffe.load("fakepkg", search_paths=[tmp.tmpdir], extensions=extensions)


def doc(package: Any, path: str) -> str:
    obj = package[path] if path else package
    value: str = obj.docstring.value
    return value


def test_relative_names_link_to_the_public_path(fakepkg: Any) -> None:
    text = doc(fakepkg, "io._reader.read")
    assert link("fakepkg.errors.BadInput", "BadInput") in text
    assert link("fakepkg.io.Result", "Result") in text


def test_root_package_resolves_through_its_reexports(fakepkg: Any) -> None:
    # makingdata.read_marks is makingdata.io.read_marks: the package that defines it wins.
    assert doc(fakepkg, "") == (
        f"Root: see {link('fakepkg.io', 'fakepkg.io')} and {link('fakepkg.io.read', 'read')}."
    )


def test_tilde_shows_the_last_component(fakepkg: Any) -> None:
    assert doc(fakepkg, "io").startswith(
        f"IO: {link('fakepkg.io.read', 'read')} and {link('fakepkg.io.Result', 'Result')}."
    )


def test_members_resolve_in_their_class(fakepkg: Any) -> None:
    text = doc(fakepkg, "io._reader.Result")
    assert link("fakepkg.io.Result.summary", "summary") in text
    assert link("fakepkg.io.Result.rows", "rows") in text


def test_explicit_title_and_qualified_method(fakepkg: Any) -> None:
    assert doc(fakepkg, "io._reader.Result.summary") == (
        f"Compare {link('fakepkg.io.Result.summary', 'Result.summary')} "
        f"with {link('fakepkg.io.read', 'the reader')}."
    )


def test_targets_that_cannot_be_linked_are_inline_code(fakepkg: Any) -> None:
    text = doc(fakepkg, "io._reader.read")
    assert "<code>polars.LazyFrame</code>" in text
    assert (
        "Not linked: <code>read</code>, <code>nowhere</code>, <code>label</code>,"
        in text
    )
    # A private object is linked if the reference renders it, else autorefs prints code.
    assert link("fakepkg.io._reader._helper", "_helper") in text


def test_a_role_may_run_onto_the_next_line(fakepkg: Any) -> None:
    assert doc(fakepkg, "errors.BadInput") == (
        f"Bad input, raised by {link('fakepkg.io.read', 'the reader')}."
    )


def test_code_examples_are_left_alone(fakepkg: Any) -> None:
    assert '>>> print(":func:`read`")\n:func:`read`' in doc(
        fakepkg, "io._reader.Result"
    )
    assert "```python\n:func:`read`\n```" in doc(fakepkg, "io._reader.read")


def test_no_role_text_is_left(fakepkg: Any, sphinx_roles: ModuleType) -> None:
    prose = [
        line
        for path in [
            "",
            "io",
            "io._reader.read",
            "io._reader.Result",
            "io._reader.Result.summary",
        ]
        for line in doc(fakepkg, path).splitlines()
        if not line.lstrip().startswith((">>>", ":func:`read`", "```"))
    ]
    assert not [line for line in prose if sphinx_roles.ROLE_PATTERN.search(line)]


def test_other_packages_are_not_rewritten(sphinx_roles: ModuleType) -> None:
    source = '"""See :func:`f`."""\n\n\ndef f():\n    """F."""\n'
    with griffe.temporary_pypackage("otherpkg", {"m.py": source}) as tmp:
        extensions = griffe.load_extensions(
            sphinx_roles.SphinxRolesExtension(packages=["fakepkg"])
        )
        package = griffe.load(
            "otherpkg", search_paths=[tmp.tmpdir], extensions=extensions
        )
        assert package["m"].docstring.value == "See :func:`f`."
