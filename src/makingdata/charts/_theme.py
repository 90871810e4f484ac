"""The default look: GOV.UK-like, colour-blind-safe, labelled, readable at a glance."""

from __future__ import annotations

from typing import Any

__all__ = ["FOCUS", "PALETTE", "SEQUENTIAL", "theme"]

#: Categorical colours, in order: the UK Government Analysis Function's
#: colour-blind-safe palette (dark blue, turquoise, dark pink, orange, dark grey,
#: light purple). Six series at most; more is not readable as colour.
PALETTE: tuple[str, ...] = (
    "#12436D",
    "#28A197",
    "#801650",
    "#F46A25",
    "#3D3D3D",
    "#A285D1",
)
#: The colour of the unit a chart is about; comparators take the next ones.
FOCUS = PALETTE[0]
#: Low to high for heatmaps: one hue from light to the palette's dark blue, so
#: order reads the same without colour vision (and in greyscale print).
SEQUENTIAL: tuple[str, str] = ("#F1F6FB", "#12436D")
#: Holiday shading and notes.
_SHADE = "#DDDDDD"
_TEXT = "#0B0C0C"  # GOV.UK text colour
_SECONDARY = "#505A5F"  # GOV.UK secondary text colour
_FONT = "Arial, Helvetica, sans-serif"


def theme() -> dict[str, Any]:
    """Return the Vega-Lite ``config`` every makingdata chart carries.

    Large left-aligned titles, labelled axes, light grid lines, the
    colour-blind-safe :data:`PALETTE`, and text in GOV.UK's colours. Each chart
    puts it in its own spec, so a saved or embedded chart looks the same
    everywhere; to use it on your own altair charts, ``chart.configure(**theme())``.

    Examples
    --------
    >>> from makingdata.charts import PALETTE, theme
    >>> theme()["range"]["category"] == list(PALETTE)
    True
    """
    return {
        "font": _FONT,
        "background": "white",
        "padding": 12,
        "view": {"stroke": None},
        "title": {
            "anchor": "start",
            "fontSize": 18,
            "fontWeight": "bold",
            "color": _TEXT,
            "subtitleFontSize": 14,
            "subtitleColor": _SECONDARY,
            "offset": 12,
        },
        "axis": {
            "labelFontSize": 12,
            "titleFontSize": 13,
            "titleFontWeight": "normal",
            "labelColor": _TEXT,
            "titleColor": _TEXT,
            "gridColor": "#E8E8E8",
            "domainColor": _SECONDARY,
            "tickColor": _SECONDARY,
        },
        "legend": {
            "labelFontSize": 12,
            "titleFontSize": 13,
            "titleFontWeight": "normal",
            "orient": "top",
            "direction": "horizontal",
            "labelLimit": 320,
        },
        "range": {"category": list(PALETTE), "heatmap": list(SEQUENTIAL)},
        "line": {"strokeWidth": 2.5},
        "point": {"size": 40, "filled": True},
        "bar": {"discreteBandSize": {"band": 0.8}},
        "text": {"color": _TEXT, "fontSize": 12},
        "concat": {"spacing": 6},
    }
