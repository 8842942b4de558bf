"""The overview charts (Plotly bar charts) and what the map's paint needs besides the paint
spec: the basemap's tiles (:func:`basemap_tiles`) and the layer switches at first
(:func:`default_visibility`).

The map itself is no Plotly figure: ``assets/map.js`` makes a MapLibre map of its own and draws
everything on it — the communes, their outlines, the project points and groups, the district,
province and neighbour outlines and the name labels — from :mod:`layers.map_paint`'s paint
spec (issue 10: the map no longer waits for plotly.js and Plotly's map subplot).

Examples
--------
>>> default_visibility()["labels"], default_visibility()["communes"]
(False, True)
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from layers.map_paint import LABEL_FONT, SWITCHES

__all__ = ["LABEL_FONT"]

Translate = Callable[[str], str]


def _esc(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return html.escape(str(value))


def format_vnd(value: float | None, t: Translate | None = None) -> str:
    """Money for people: "81 triệu" / "8,6 tỷ" style (millions / billions of VND); the words
    and the decimal sign come from the translator (keys ``unit.million``, ``unit.billion``,
    ``unit.decimal``).

    >>> format_vnd(81_000_000), format_vnd(8_600_000_000), format_vnd(None)
    ('81 tr.', '8,6 tỷ', '–')
    >>> en = {"unit.million": "million", "unit.billion": "billion", "unit.decimal": "."}
    >>> format_vnd(5_000_000, en.__getitem__), format_vnd(13_916_000_000, en.__getitem__)
    ('5 million', '13.9 billion')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == 0:
        return "–"
    words = {"unit.million": "tr.", "unit.billion": "tỷ", "unit.decimal": ","}
    t = t or words.__getitem__
    if value >= 1e9:
        number = f"{value / 1e9:.1f}".removesuffix(".0").replace(".", t("unit.decimal"))
        return f"{number} {t('unit.billion')}"
    return f"{value / 1e6:.0f} {t('unit.million')}"


def basemap_tiles(name: str) -> dict[str, Any] | None:
    """Tile URL and attribution of an xyzservices provider (e.g. ``"OpenStreetMap.Mapnik"``,
    ``"CartoDB.Positron"``), or None for "none".

    >>> basemap_tiles("none") is None
    True
    >>> "openstreetmap" in basemap_tiles("OpenStreetMap.Mapnik")["url"]
    True
    """
    if not name or name == "none":
        return None
    import xyzservices.providers as xyz

    provider = xyz.query_name(name)
    return {
        "url": provider.build_url(),
        "attribution": provider.get("html_attribution") or provider.get("attribution", ""),
        "max_zoom": provider.get("max_zoom", 19),
    }


def default_visibility() -> dict[str, bool]:
    """The layer switches (:data:`layers.map_paint.SWITCHES`) and whether each is on at first:
    every layer but the commune names."""
    return {k: k != "labels" for k in SWITCHES}


# ------------------------------------------------------------------------------ charts
def bar_chart(
    categories: Sequence[str],
    series: dict[str, Sequence[float]],
    colours: Sequence[str],
    horizontal: bool = False,
    height: int = 320,
    title: str | None = None,
) -> dict[str, Any]:
    """A small grouped bar chart (labels escaped), as a plain figure dict: the callbacks make
    two per change, and ``go.Figure``'s validation cost ~20 ms each for 30 numbers.

    >>> fig = bar_chart(["A<b>"], {"n": [3]}, ["#000"], horizontal=True, title="T")
    >>> fig["data"][0]["type"], fig["data"][0]["y"], fig["data"][0]["orientation"]
    ('bar', ['A&lt;b&gt;'], 'h')
    >>> fig["layout"]["yaxis"]["autorange"], fig["layout"]["xaxis"]["tickformat"]
    ('reversed', ',d')
    """
    cats = [_esc(c) for c in categories]
    data = []
    for (name, values), colour in zip(series.items(), colours, strict=False):
        bar: dict[str, Any] = {"type": "bar", "name": _esc(name), "marker": {"color": colour}}
        if horizontal:
            bar.update(y=cats, x=list(values), orientation="h")
        else:
            bar.update(x=cats, y=list(values))
        data.append(bar)
    # Counts are whole numbers from zero; automargin does not grow a vertical chart's left
    # margin inside Dash's first render, hence the fixed one.
    counts = {"automargin": True, "tickformat": ",d", "rangemode": "tozero"}
    layout: dict[str, Any] = {
        "barmode": "group",
        "height": height,
        "margin": {"l": 10 if horizontal else 44, "r": 10, "t": 30 if title else 10, "b": 10},
        "legend": {"orientation": "h", "y": -0.15},
        "xaxis": counts if horizontal else {"automargin": True},
        "yaxis": {"automargin": True, "autorange": "reversed"} if horizontal else counts,
    }
    if title:
        layout["title"] = {"text": _esc(title), "font": {"size": 14}}
    return {"data": data, "layout": layout}
