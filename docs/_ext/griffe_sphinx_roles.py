"""Render the Sphinx roles of makingdata's docstrings as cross-references.

A griffe extension, loaded by mkdocstrings from ``mkdocs.yml``::

    plugins:
      - mkdocstrings:
          handlers:
            python:
              options:
                extensions:
                  - griffe_sphinx
                  - docs/_ext/griffe_sphinx_roles.py

The docstrings are numpy style and cross-reference with Sphinx roles:
``:func:`read_marks```, ``:class:`~makingdata.disclosure.ProtectedTable```,
``:data:`EES_RULES```, ``:mod:`makingdata.io```, ``:meth:`Directory.as_of```.
Neither griffe nor mkdocstrings reads those roles, so without this extension
they reach the page as raw text. Once the package is loaded, every docstring's
roles are rewritten:

- the target is resolved the way Sphinx resolves it: a full path
  (``makingdata.io.read_marks``) as written; a relative name
  (``read_marks``, ``Directory.as_of``, ``as_of``) first in the scope of the
  object whose docstring it is (its class, then its module, then the enclosing
  packages, imports included), then among the names that the public packages
  export in ``__all__``;
- a target inside the package becomes a mkdocs-autorefs cross-reference to
  its public path (``makingdata.io.read_marks`` rather than the private module
  that defines it), marked *optional*: autorefs links it when the object is
  rendered in the API reference and otherwise prints it as inline code,
  without a warning (the way mkdocstrings treats the types in signatures);
- a target outside the package (``polars.LazyFrame``, ``attrs.evolve``), or
  one written with Sphinx's ``!`` (no link), becomes inline code;
- the title follows Sphinx: the target as written, its last component with
  ``~`` (``~makingdata.disclosure.ProtectedTable`` shows ``ProtectedTable``),
  or the explicit title of ``:func:`the reader <read_marks>```.

Roles inside doctest examples and fenced code blocks are left alone. The
rewritten docstring is only what the site shows: the source, ``help()`` and
the doctests are untouched.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

import griffe

if TYPE_CHECKING:
    from collections.abc import Iterator

_logger = griffe.get_logger("griffe_sphinx_roles")

#: A Sphinx role with its content: ``:func:`read_marks```, ``:py:class:`X```;
#: the content may run onto the next line (never over a blank line: see
#: ``rewrite_roles``).
#: A role is preceded by neither a word character nor a backtick, so that the
#: ``:`` of ``10:30`` or a role quoted inside a literal is left alone.
ROLE_PATTERN = re.compile(
    r"(?<![\w`]):(?:py:)?(?P<role>[a-z]+):`(?P<content>[^`]+)`(?!`)"
)

#: The roles of Sphinx's Python domain: their targets are Python objects.
PYTHON_ROLES = frozenset(
    {"func", "meth", "class", "data", "attr", "exc", "mod", "obj", "const", "type"}
)

_EXPLICIT_TITLE = re.compile(r"^(?P<title>.+?)\s*<(?P<target>[^<>]+)>$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_PROMPT = re.compile(r"^\s*(>>>|\.\.\.)(\s|$)")

_RESOLUTION_ERRORS = (
    KeyError,
    ValueError,
    griffe.AliasResolutionError,
    griffe.CyclicAliasError,
)


class SphinxRolesExtension(griffe.Extension):
    """Rewrite Sphinx roles in docstrings to autorefs cross-references.

    Parameters
    ----------
    packages
        The top-level packages whose docstrings are rewritten and whose objects
        are linked; by default every package loaded.
    """

    def __init__(self, packages: list[str] | None = None) -> None:
        super().__init__()
        self.packages = set(packages) if packages else None

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        """Rewrite the roles of every docstring in a package once it is loaded."""
        if self.packages is not None and pkg.name not in self.packages:
            return
        resolver = RoleResolver(pkg)
        for obj in _walk(pkg):
            docstring = obj.docstring
            if docstring is None or ":" not in docstring.value:
                continue
            docstring.value = rewrite_roles(docstring.value, obj, resolver)
            # The parsed sections are cached on first use: drop them so that
            # the rewritten text is what is parsed.
            docstring.__dict__.pop("parsed", None)


class RoleResolver:
    """Resolve a role's target to the path of the object it names.

    Parameters
    ----------
    package
        The loaded top-level package: targets are looked up in it, and the
        ``__all__`` of its public modules gives each object its public path.
    """

    def __init__(self, package: griffe.Module) -> None:
        self.package = package
        self.public_modules = list(_public_modules(package))
        self.public_paths = _public_paths(self.public_modules)

    def resolve(self, target: str, scope: griffe.Object) -> str | None:
        """Return the path to link for ``target`` written in ``scope``'s docstring.

        The path is the object's public path when a public module exports it,
        else its canonical path (see ``public_path``). ``None`` when the
        target is outside the package or unknown.
        """
        found = self._find(target, scope)
        if found is None:
            return None
        try:
            obj = found.final_target if isinstance(found, griffe.Alias) else found
        except _RESOLUTION_ERRORS:
            return None
        root = self.package.name
        if not (obj.path == root or obj.path.startswith(f"{root}.")):
            return None
        return self.public_path(obj)

    def public_path(self, obj: griffe.Object) -> str:
        """Return the public path of an object, else its canonical path.

        A class member's public path is its class's plus its name
        (``makingdata.domain.Directory.as_of``). Autorefs knows a rendered
        object by its rendered path, its canonical path and the paths of its
        aliases, so a link to an object rendered on any page resolves.
        """
        if obj.path in self.public_paths:
            return self.public_paths[obj.path]
        parent = obj.parent
        if parent is not None and parent.is_class:
            return f"{self.public_path(parent)}.{obj.name}"
        return obj.path

    def _find(
        self, target: str, scope: griffe.Object
    ) -> griffe.Object | griffe.Alias | None:
        root = self.package.name
        if target == root:
            return self.package
        if target.startswith(f"{root}."):
            return _get(self.package, target[len(root) + 1 :])
        # Relative: the object's own scope outwards (class, module, packages).
        current: griffe.Object | None = (
            scope if (scope.is_class or scope.is_module) else scope.parent
        )
        while current is not None:
            found = _get(current, target)
            if found is not None:
                return found
            current = current.parent
        # Then the names the public modules export, the scope's package first.
        first = target.split(".", 1)[0]
        for module in sorted(
            self.public_modules,
            key=lambda m: (
                not scope.path.startswith(f"{m.path}."),
                m.path.count("."),
                m.path,
            ),
        ):
            if module.exports is not None and first in {str(e) for e in module.exports}:
                found = _get(module, target)
                if found is not None:
                    return found
        return None


def rewrite_roles(text: str, obj: griffe.Object, resolver: RoleResolver) -> str:
    """Return ``text`` with every Sphinx role rewritten (outside code examples).

    Roles are looked for in each run of prose lines, so a role broken across
    two lines is found; code fences and doctest examples are left as they are.
    """
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            prose = "\n".join(run)
            out.append(ROLE_PATTERN.sub(lambda m: _render(m, obj, resolver), prose))
            run.clear()

    in_fence = False
    in_doctest = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            flush()
            out.append(line)
            continue
        if _PROMPT.match(line):
            in_doctest = True
        elif not line.strip():
            in_doctest = False
        if in_fence or in_doctest or not line.strip():
            flush()
            out.append(line)
        else:
            run.append(line)
    flush()
    return "\n".join(out)


def _render(match: re.Match[str], obj: griffe.Object, resolver: RoleResolver) -> str:
    role, content = match["role"], " ".join(match["content"].split())
    explicit = _EXPLICIT_TITLE.match(content)
    if explicit:
        title, target = explicit["title"], explicit["target"].strip()
    else:
        title, target = content, content
    no_link = target.startswith("!")
    target = target.lstrip("!")
    short = target.startswith("~")
    target = target.lstrip("~")
    if not explicit:
        title = target.rsplit(".", 1)[-1] if short else target
    name = target.lstrip(".").removesuffix("()")
    path = None
    if role in PYTHON_ROLES and not no_link and name:
        path = resolver.resolve(name, obj)
        if path is None:
            _logger.debug(
                "%s: :%s:`%s` is outside the package or unknown; shown as code",
                obj.path,
                role,
                content,
            )
    code = f"<code>{html.escape(title)}</code>"
    if path is None:
        return code
    return f'<autoref identifier="{html.escape(path)}" optional>{code}</autoref>'


def _get(scope: griffe.Object, dotted: str) -> griffe.Object | griffe.Alias | None:
    try:
        found: griffe.Object | griffe.Alias = scope[dotted]
    except _RESOLUTION_ERRORS:
        return None
    return found


def _walk(obj: griffe.Object) -> Iterator[griffe.Object]:
    yield obj
    for member in obj.members.values():
        if not isinstance(member, griffe.Alias):
            yield from _walk(member)


def _public_modules(module: griffe.Module) -> Iterator[griffe.Module]:
    yield module
    for name, member in module.members.items():
        if isinstance(member, griffe.Module) and not name.startswith("_"):
            yield from _public_modules(member)


def _public_paths(modules: list[griffe.Module]) -> dict[str, str]:
    """Map each exported object's canonical path to its public path.

    Where several public modules export an object, its home wins: the public
    module that defines it, else the nearest public package above the private
    module that defines it, else the shallowest exporting module, the root
    last. So ``makingdata.io.read_marks`` (defined in ``makingdata.io._exports``)
    rather than ``makingdata.read_marks``, and ``makingdata.domain.sharing.Viewer``
    rather than its re-export ``makingdata.access.Viewer``: each package's
    reference page renders the objects of its own package.
    """
    candidates: dict[str, list[tuple[tuple[int, int, str], str]]] = {}
    for module in modules:
        for export in module.exports or ():
            name = str(export)
            try:
                member = module.members[name]
                obj = (
                    member.final_target if isinstance(member, griffe.Alias) else member
                )
            except _RESOLUTION_ERRORS:
                continue
            home = obj.parent.path if obj.parent is not None else ""
            if module.path == home:
                rank = 0
            elif module.parent is not None and home.startswith(f"{module.path}."):
                rank = 1
            elif module.parent is not None:
                rank = 2
            else:
                rank = 3
            depth = -module.path.count(".") if rank == 1 else module.path.count(".")
            key = (rank, depth, module.path)
            candidates.setdefault(obj.path, []).append((key, f"{module.path}.{name}"))
    return {path: min(found)[1] for path, found in candidates.items()}
