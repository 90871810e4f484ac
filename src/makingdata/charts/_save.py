"""Render charts without a browser (vl-convert) and write them atomically."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from makingdata._atomic import atomic_path
from makingdata.charts._require import require
from makingdata.errors import InputError

if TYPE_CHECKING:
    import os

__all__ = ["FORMATS", "render_png", "render_svg", "save_chart"]

#: The file types :func:`save_chart` writes, by suffix.
FORMATS: tuple[str, ...] = ("png", "svg", "html", "json")


def _spec(chart: Any) -> dict[str, Any]:
    to_dict = getattr(chart, "to_dict", None)
    if to_dict is None:
        raise InputError(
            f"not a chart: {type(chart).__name__}",
            hint="pass a chart from makingdata.charts (or any altair chart)",
        )
    spec: dict[str, Any] = to_dict()
    return spec


def _vl_version(vlc: Any) -> str | None:
    """Return the Vega-Lite version altair wrote the spec for, if vl-convert has it."""
    alt = require("altair")
    major_minor = ".".join(str(alt.SCHEMA_VERSION).lstrip("v").split(".")[:2])
    return major_minor if major_minor in vlc.get_vegalite_versions() else None


def render_svg(chart: Any) -> str:
    """Render a chart to SVG text, headless (no browser, no network).

    The chart's ``description`` (its alt text) becomes the SVG's
    ``aria-label`` and ``<desc>``, and its title the ``<title>``.

    Examples
    --------
    >>> import altair as alt
    >>> from makingdata.charts import render_svg
    >>> c = alt.Chart(alt.Data(values=[{"a": 1}])).mark_bar().encode(y="a:Q")
    >>> render_svg(c).startswith("<svg")
    True
    """
    vlc = require("vl_convert")
    spec = _spec(chart)
    svg: str = vlc.vegalite_to_svg(
        spec, vl_version=_vl_version(vlc), allowed_base_urls=[]
    )
    return _with_alt_text(svg, spec)


def _with_alt_text(svg: str, spec: dict[str, Any]) -> str:
    """Put the chart's title and alt text in the SVG, where screen readers look.

    The root gets ``role="img"`` and an ``aria-label`` (the spec's
    ``description``), and ``<title>``/``<desc>`` elements as its first children.
    """
    end = svg.find(">")
    if end < 0 or not svg.startswith("<svg"):  # pragma: no cover - vl-convert's output
        return svg
    description = spec.get("description")
    title = spec.get("title")
    text = title.get("text") if isinstance(title, dict) else title
    attrs = ' role="img"'
    inner = ""
    if isinstance(text, str) and text:
        inner += f"<title>{html.escape(text, quote=False)}</title>"
    if isinstance(description, str) and description:
        attrs += f' aria-label="{html.escape(description, quote=True)}"'
        inner += f"<desc>{html.escape(description, quote=False)}</desc>"
    return svg[:end] + attrs + svg[end] + inner + svg[end + 1 :]


def render_png(chart: Any, *, scale: float = 2.0) -> bytes:
    r"""Render a chart to PNG bytes, headless; ``scale`` 2 suits high-density screens.

    Examples
    --------
    >>> import altair as alt
    >>> from makingdata.charts import render_png
    >>> c = alt.Chart(alt.Data(values=[{"a": 1}])).mark_bar().encode(y="a:Q")
    >>> render_png(c)[1:4]
    b'PNG'
    """
    vlc = require("vl_convert")
    png: bytes = vlc.vegalite_to_png(
        _spec(chart), vl_version=_vl_version(vlc), scale=scale, allowed_base_urls=[]
    )
    return png


def save_chart(
    chart: Any,
    path: str | os.PathLike[str],
    *,
    scale: float = 2.0,
) -> Path:
    """Write a chart as PNG, SVG, HTML or its Vega-Lite JSON, by the file's suffix.

    The file appears whole or not at all (written to a temporary name beside
    it, then renamed). HTML is self-contained: the Vega libraries are inlined,
    so the page draws the chart offline; PNG and SVG are rendered without a
    browser.

    Parameters
    ----------
    chart
        A chart from :mod:`makingdata.charts` (or any altair chart).
    path
        The file to write: ``.png``, ``.svg``, ``.html`` or ``.json``.
    scale
        PNG only: pixels per chart unit.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    InputError
        For another suffix.
    ExportError
        If the file cannot be written (no such folder, disk full).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import altair as alt
    >>> from makingdata.charts import save_chart
    >>> c = alt.Chart(alt.Data(values=[{"a": 1}])).mark_bar().encode(y="a:Q")
    >>> out = save_chart(c, Path(tempfile.mkdtemp()) / "bar.svg")
    >>> out.read_text().startswith("<svg")
    True
    """
    target = Path(path)
    kind = target.suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise InputError(
            f"cannot save a chart as {target.suffix or 'a file without a suffix'}",
            path=target,
            hint=f"end the file name with one of {', '.join('.' + f for f in FORMATS)}",
        )
    if kind == "png":
        png = render_png(chart, scale=scale)
        with atomic_path(target, what="the chart") as tmp:
            tmp.write_bytes(png)
        return target
    if kind == "svg":
        text = render_svg(chart)
    elif kind == "html":
        vlc = require("vl_convert")
        text = vlc.vegalite_to_html(
            _spec(chart), vl_version=_vl_version(vlc), bundle=True
        )
    else:
        text = json.dumps(_spec(chart), indent=2, ensure_ascii=False) + "\n"
    with atomic_path(target, what="the chart") as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target
