"""The Plotly map figure (MapLibre, ``scatter_map``; no token, no tiles: a chosen basemap is
map.js's own layer) and the overview charts.

The figure holds only the white style (with the glyphs' URL), one empty anchor trace (Plotly
keeps a map only while a trace is on it) and the first view. Everything drawn on the map —
the communes, their outlines, the project points and groups, the district, province and
neighbour outlines and the name labels — is ``assets/map.js``'s own MapLibre sources and layers
(:mod:`layers.map_paint`): a filter, a vintage or a layer switch never writes the figure, and
Plotly adds no source of its own (each of its traces kept four, re-cut at every zoom).
What does change in the figure (the view box for a commune chosen by search) is small: the
``*_changes`` functions return exactly those properties as a nested structure shaped like the
figure (``{"layout": {"map": {"zoom": 9}}}``), and :func:`apply_changes` writes one onto a
figure or onto a Dash ``Patch`` alike.

Examples
--------
>>> zoom_for_bbox((105.4, 21.8, 106.3, 22.8), width_px=800, height_px=600) > 7
True
>>> [t.name for t in map_figure(bbox=(105.4, 21.8, 106.3, 22.8)).data]
['anchor']
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

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


# ------------------------------------------------------------------------------ view
def zoom_for_bbox(
    bbox: Sequence[float], width_px: int = 900, height_px: int = 650, padding: float = 0.08
) -> float:
    """The web-mercator zoom that fits a (minx, miny, maxx, maxy) box in a viewport."""
    minx, miny, maxx, maxy = bbox

    def merc_y(lat: float) -> float:
        s = math.sin(math.radians(lat))
        return math.log((1 + s) / (1 - s)) / 2

    dx = max((maxx - minx) / 360.0, 1e-9)
    dy = max((merc_y(maxy) - merc_y(miny)) / (2 * math.pi), 1e-9)
    usable = 1 - 2 * padding
    zx = math.log2(width_px * usable / 512 / dx)
    zy = math.log2(height_px * usable / 512 / dy)
    return round(min(zx, zy), 2)


def center_of_bbox(bbox: Sequence[float]) -> dict[str, float]:
    minx, miny, maxx, maxy = bbox
    return {"lon": round((minx + maxx) / 2, 5), "lat": round((miny + maxy) / 2, 5)}


def base_style(glyphs_url: str | None = None) -> dict:
    """A MapLibre style: white background (works offline) and a glyphs URL for the labels
    (served by the dashboard itself). A basemap's tiles are map.js's own layer
    (:mod:`layers.map_paint`): a new style would make Plotly drop its overlays."""
    style: dict[str, Any] = {
        "version": 8,
        "sources": {},
        "layers": [{"id": "white-bg", "type": "background", "paint": {"background-color": "#fff"}}],
    }
    if glyphs_url:
        style["glyphs"] = glyphs_url
    return style


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


# ------------------------------------------------------------------------------ changes
#: A change to a figure, shaped like the figure: ``{"data": {index: {prop: value}}, "layout":
#: {"map": {...}}}``; a nested mapping is walked into, any other value is set.
Changes = dict[str, Any]


def apply_changes(target: Any, changes: Mapping[Any, Any]) -> Any:
    """Write nested ``changes`` onto a Plotly figure (or a part of one) or a Dash ``Patch``;
    returns the target.

    >>> fig = go.Figure([go.Scattermap(name="a")])
    >>> apply_changes(fig, {"data": {0: {"visible": False, "marker": {"color": "red"}}}})
    ... # doctest: +ELLIPSIS
    Figure(...)
    >>> fig.data[0].visible, fig.data[0].marker.color
    (False, 'red')
    """
    for key, value in changes.items():
        if isinstance(value, Mapping):
            apply_changes(target[key], value)
        else:
            target[key] = value
    return target


def merge_changes(*parts: Mapping[Any, Any]) -> Changes:
    """One nested change from several (later values win).

    >>> merge_changes({"data": {0: {"z": [1]}}}, {"data": {0: {"text": ["a"]}, 1: {"z": []}}})
    {'data': {0: {'z': [1], 'text': ['a']}, 1: {'z': []}}}
    """
    out: dict[Any, Any] = {}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
                out[key] = merge_changes(out[key], value)
            else:
                out[key] = dict(value) if isinstance(value, Mapping) else value
    return out


# ------------------------------------------------------------------------------ view box
def view_fit_changes(
    bbox: Sequence[float], *, revision: str, max_zoom: float | None = None
) -> Changes:
    """Centre and zoom that fit a box, and the box for the browser's own fit (``meta.fit``,
    ``assets/map.js``); a new ``uirevision`` makes this view win over where the reader had
    panned."""
    zoom = zoom_for_bbox(bbox, 700, 600 if max_zoom is None else 560)
    return {
        "layout": {
            "map": {
                "center": center_of_bbox(bbox),
                "zoom": zoom if max_zoom is None else min(max_zoom, zoom),
                "uirevision": revision,
            },
            "meta": {"fit": fit_meta(bbox)["fit"]},
        }
    }


# ------------------------------------------------------------------------------ figure
def map_figure(
    *,
    bbox: Sequence[float],
    glyphs_url: str | None = None,
    height_px: int = 640,
) -> go.Figure:
    """The Plotly part of the map: the white style with the glyphs' URL, the anchor trace and
    the first view of a box (map.js fits it to the map's real size, :func:`fit_meta`)."""
    fig = go.Figure([anchor_trace()])
    fig.update_layout(
        map={
            "style": base_style(glyphs_url),
            "center": center_of_bbox(bbox),
            "zoom": zoom_for_bbox(bbox, height_px=height_px),
        },
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        template="none",
        showlegend=False,
        autosize=True,
        meta=fit_meta(bbox),
        uirevision="map",
        hovermode=False,
    )
    return fig


def anchor_trace() -> go.Scattermap:
    """An empty trace that is always shown: Plotly keeps a map only while some trace is on
    it, and map.js's layers live on that map (the labels may all be switched off)."""
    return go.Scattermap(lon=[], lat=[], mode="markers", hoverinfo="skip", name="anchor")


def fit_meta(bbox: Sequence[float]) -> dict[str, Any]:
    """``layout.meta`` that asks the browser to fit the map to a box once (``assets/map.js``
    calls MapLibre's ``fitBounds`` with the map's real size and the legend's width)."""
    return {"fit": [round(float(x), 5) for x in bbox]}


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
