"""Plotly map traces and figures for the coverage map (MapLibre: ``choropleth_map``,
``scatter_map``; no token, no tiles unless a basemap is chosen).

Geometry is never embedded: every boundary trace and overlay refers to GeoJSON by URL, which
the browser fetches once and caches. What changes with the filters (class numbers, hover
text, point positions) is small: the ``*_changes`` functions return exactly those properties
as a nested structure shaped like the figure (``{"data": {3: {"visible": False}}}``), and
:func:`apply_changes` writes one onto a figure or onto a Dash ``Patch`` alike.

Text that comes from the data is HTML-escaped before it reaches a hover template.

The trace order is fixed (:data:`TRACE_ORDER`); :data:`TRACE` gives a trace's index by name.

Examples
--------
>>> zoom_for_bbox((105.4, 21.8, 106.3, 22.8), width_px=800, height_px=600) > 7
True
>>> label_trace([], [], [], name="x").mode
'text'
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from geodata.programme import in_language
from layers import styles

#: Trace indexes of the map figure, bottom to top: the labels come last so that no point
#: covers a district or commune name. At province zoom the points of a commune are gathered
#: into one marker with a count (``groups``); from :data:`GROUP_MAX_ZOOM` on they spread into
#: the single points (the browser switches them by zoom, ``assets/map.js``). Every marker
#: sits on a dark ring (``*_casing``) so that it stands apart from any fill colour.
TRACE_ORDER = (
    "communes",
    "match",
    "selected",
    "halo",
    "point_casing",
    "points",
    "group_casing",
    "groups",
    "commune_labels",
    "district_labels",
    "neighbour_labels",
)
#: Zoom from which the single points show instead of the commune groups.
GROUP_MAX_ZOOM = 10.5
#: Traces drawn only below / from :data:`GROUP_MAX_ZOOM` (read by ``assets/map.js``).
ZOOM_TRACES = {
    "below": ("group_casing", "groups"),
    "from": ("halo", "point_casing", "points"),
}
CASING_COLOUR = "#111111"
CASING_WIDTH = 4
TRACE = {name: i for i, name in enumerate(TRACE_ORDER)}

#: Layout ``map.layers`` order (below the traces): neighbours fill, neighbours line,
#: district lines, province outline.
LAYER_ORDER = ("neighbour_fill", "neighbour_line", "district_line", "province_line")
LAYER = {name: i for i, name in enumerate(LAYER_ORDER)}

#: Font stack of map labels; the dashboard serves its glyphs (no network needed).
LABEL_FONT = "Open Sans Regular"

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


def base_style(glyphs_url: str | None = None, basemap: dict[str, Any] | None = None) -> dict:
    """A MapLibre style: white background (works offline), optional raster tiles, and a glyphs
    URL for the labels (served by the dashboard itself)."""
    style: dict[str, Any] = {
        "version": 8,
        "sources": {},
        "layers": [{"id": "white-bg", "type": "background", "paint": {"background-color": "#fff"}}],
    }
    if glyphs_url:
        style["glyphs"] = glyphs_url
    if basemap:
        style["sources"]["basemap"] = {
            "type": "raster",
            "tiles": [basemap["url"]],
            "tileSize": 256,
            "attribution": basemap.get("attribution", ""),
            "maxzoom": basemap.get("max_zoom", 19),
        }
        style["layers"].append({"id": "basemap", "type": "raster", "source": "basemap"})
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


@dataclass(frozen=True)
class Whole:
    """A value that :func:`apply_changes` sets as a whole instead of walking into it (a
    MapLibre style: a basemap switched off must take its source away)."""

    value: Any


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
            target[key] = value.value if isinstance(value, Whole) else value
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


# ------------------------------------------------------------------------------ traces
def commune_update(measure: str, table: pd.DataFrame, hover: Sequence[str]) -> dict[str, Any]:
    """The properties of the communes trace that follow the filters and the measure."""
    colours = styles.class_colours(measure)
    return {
        "locations": table["code"].tolist(),
        "z": styles.classify(measure, table).tolist(),
        "text": list(hover),
        "colorscale": styles.discrete_colorscale(colours),
        "zmin": -0.5,
        "zmax": len(colours) - 0.5,
    }


def commune_trace(
    geojson_url: str, measure: str, table: pd.DataFrame, hover: Sequence[str]
) -> go.Choroplethmap:
    """The communes, coloured by class number; geometry by URL (feature id = code)."""
    return go.Choroplethmap(
        geojson=geojson_url,
        featureidkey="id",
        marker={"line": {"width": 0.6, "color": styles.LINE_COLOURS["commune"]}, "opacity": 0.85},
        showscale=False,
        hovertemplate="%{text}<extra></extra>",
        name="communes",
        **commune_update(measure, table, hover),
    )


def selected_trace(geojson_url: str, code: str | None) -> go.Choroplethmap:
    """The selected commune's outline (transparent fill)."""
    return go.Choroplethmap(
        geojson=geojson_url,
        featureidkey="id",
        locations=[code] if code else [],
        z=[0] if code else [],
        colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
        marker={"line": {"width": 3.5, "color": styles.LINE_COLOURS["selected"]}},
        showscale=False,
        hoverinfo="skip",
        name="selected",
    )


def match_trace(geojson_url: str, codes: Sequence[str]) -> go.Choroplethmap:
    """A bold outline around the communes that match the sponsor / project filters."""
    codes = list(codes)
    return go.Choroplethmap(
        geojson=geojson_url,
        featureidkey="id",
        locations=codes,
        z=[0] * len(codes),
        colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
        marker={"line": {"width": 3, "color": styles.MATCH_COLOUR}},
        showscale=False,
        hoverinfo="skip",
        name="match",
    )


def match_update(table: pd.DataFrame) -> dict[str, Any]:
    """Locations of the match outline for a measures table (none without such a filter)."""
    codes = table.loc[table["match"], "code"].tolist() if "match" in table else []
    return {"locations": codes, "z": [0] * len(codes)}


def label_trace(
    lon: Sequence[float],
    lat: Sequence[float],
    text: Sequence[str],
    *,
    name: str,
    size: int = 11,
    colour: str = "#222",
    visible: bool = True,
) -> go.Scattermap:
    """Text labels at points (needs the style's glyphs)."""
    return go.Scattermap(
        lon=list(lon),
        lat=list(lat),
        text=list(text),
        mode="text",
        textfont={"size": size, "color": colour, "family": LABEL_FONT},
        hoverinfo="skip",
        name=name,
        visible=visible,
    )


def communes_changes(measure: str, table: pd.DataFrame, hover: Sequence[str]) -> Changes:
    """The change of the communes trace and of the match outline for new filters or a new
    measure."""
    return {
        "data": {
            TRACE["communes"]: commune_update(measure, table, hover),
            TRACE["match"]: match_update(table),
        }
    }


def points_changes(
    projects: pd.DataFrame,
    hover: Sequence[str],
    t: Translate | None = None,
    code_column: str = "code_2019",
) -> Changes:
    """The change of the point, casing and commune-group traces for a filtered projects
    table (:func:`points_update`)."""
    pts = points_update(projects, hover, t, code_column)
    return {"data": {TRACE[name]: update for name, update in pts.items()}}


def vintage_changes(urls: dict[str, str], commune_labels: pd.DataFrame) -> Changes:
    """The change of the boundary traces and commune labels for another vintage."""
    return {
        "data": {
            TRACE["communes"]: {"geojson": urls["communes"]},
            TRACE["selected"]: {"geojson": urls["communes"]},
            TRACE["match"]: {"geojson": urls["communes"]},
            TRACE["commune_labels"]: {
                "lon": commune_labels["lon"].tolist(),
                "lat": commune_labels["lat"].tolist(),
                "text": commune_labels["name"].tolist(),
            },
        }
    }


def selection_changes(code: str | None) -> Changes:
    """The change of the selection outline to one commune (or none)."""
    return {
        "data": {TRACE["selected"]: {"locations": [code] if code else [], "z": [0] if code else []}}
    }


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


def points_update(
    projects: pd.DataFrame,
    hover: Sequence[str],
    t: Translate | None = None,
    code_column: str = "code_2019",
) -> dict[str, dict[str, Any]]:
    """Properties of the halo, points, casing and commune-group traces for a filtered
    projects table (``code`` of the group = the commune of the vintage, ``code_<v>``)."""
    colours = [styles.kind_style(k).colour for k in projects["kind"]]
    approx = (
        styles.is_approximate(projects["location_precision"])
        if len(projects)
        else np.array([], bool)
    )
    lon = projects["lon"].astype(float).tolist()
    lat = projects["lat"].astype(float).tolist()
    ids = projects["project_id"].tolist()
    halo = {
        "lon": [x for x, a in zip(lon, approx, strict=True) if a],
        "lat": [y for y, a in zip(lat, approx, strict=True) if a],
        "marker": {"color": [c for c, a in zip(colours, approx, strict=True) if a]},
    }
    points = {
        "lon": lon,
        "lat": lat,
        "customdata": ids,
        "hovertext": list(hover),
        "text": [styles.kind_style(k).letter for k in projects["kind"]],
        "marker": {"color": colours},
    }
    groups = commune_groups(projects, t, code_column)
    return {
        "halo": halo,
        "points": points,
        "point_casing": {"lon": lon, "lat": lat},
        "groups": groups,
        "group_casing": {
            "lon": groups["lon"],
            "lat": groups["lat"],
            "marker": {"size": [x + styles.POINT_CASING for x in groups["marker"]["size"]]},
        },
    }


def commune_groups(
    projects: pd.DataFrame, t: Translate | None = None, code_column: str = "code_2019"
) -> dict[str, Any]:
    """One marker per commune at the mean position of its points, with the number of its
    points (or the kind's letter when it has one); ``customdata`` is the commune code, so a
    click selects the commune (and zooms to it, which spreads the points)."""
    code_col = code_column if code_column in projects else None
    if not len(projects) or code_col is None:
        return {
            "lon": [],
            "lat": [],
            "customdata": [],
            "text": [],
            "hovertext": [],
            "marker": {"color": [], "size": []},
        }
    df = pd.DataFrame(
        {
            "code": projects[code_col].astype(str).to_numpy(),
            "lon": projects["lon"].astype(float).to_numpy(),
            "lat": projects["lat"].astype(float).to_numpy(),
            "kind": projects["kind"].to_numpy(),
            "commune": projects["commune"].to_numpy() if "commune" in projects else "",
        }
    )
    out: dict[str, list[Any]] = {k: [] for k in ("lon", "lat", "customdata", "text", "hovertext")}
    colours: list[str] = []
    sizes: list[float] = []
    for code, g in df.groupby("code", sort=True):
        n = len(g)
        out["lon"].append(round(float(g["lon"].mean()), 6))
        out["lat"].append(round(float(g["lat"].mean()), 6))
        out["customdata"].append(code)
        style = styles.kind_style(g["kind"].iloc[0])
        single = n == 1
        out["text"].append(style.letter if single else str(n))
        colours.append(style.colour if single else "#ffffff")
        sizes.append(styles.POINT_SIZE if single else styles.POINT_SIZE + 4 + 2 * math.sqrt(n))
        name = _esc(g["commune"].iloc[0])
        text = t("hover.group", n=n) if t else f"{n} projects"
        out["hovertext"].append(f"<b>{name}</b><br>{_esc(text)}")
    return {**out, "marker": {"color": colours, "size": sizes}}


def casing_trace(update: dict[str, Any], *, name: str) -> go.Scattermap:
    """A dark disc a little larger than the markers above it: their outline (the size is the
    update's, else a single point's)."""
    size = update.get("marker", {}).get("size", styles.POINT_SIZE + styles.POINT_CASING)
    return go.Scattermap(
        lon=update["lon"],
        lat=update["lat"],
        mode="markers",
        marker={"size": size, "color": CASING_COLOUR, "opacity": 1},
        hoverinfo="skip",
        name=name,
    )


def groups_trace(update: dict[str, Any]) -> go.Scattermap:
    return go.Scattermap(
        lon=update["lon"],
        lat=update["lat"],
        customdata=update["customdata"],
        hovertext=update["hovertext"],
        text=update["text"],
        mode="markers+text",
        textposition="middle center",
        textfont={"size": 11, "color": "#111111", "family": LABEL_FONT},
        marker={"size": update["marker"]["size"], "color": update["marker"]["color"], "opacity": 1},
        hovertemplate="%{hovertext}<extra></extra>",
        name="groups",
    )


def halo_trace(update: dict[str, Any]) -> go.Scattermap:
    return go.Scattermap(
        lon=update["lon"],
        lat=update["lat"],
        mode="markers",
        marker={
            "size": styles.HALO_SIZE,
            "color": update["marker"]["color"],
            "opacity": styles.HALO_OPACITY,
        },
        hoverinfo="skip",
        name="halo",
    )


def points_trace(update: dict[str, Any]) -> go.Scattermap:
    return go.Scattermap(
        lon=update["lon"],
        lat=update["lat"],
        customdata=update["customdata"],
        hovertext=update["hovertext"],
        text=update["text"],
        mode="markers+text",
        textposition="middle center",
        textfont={"size": 10, "color": "#ffffff", "family": LABEL_FONT},
        marker={"size": styles.POINT_SIZE, "color": update["marker"]["color"], "opacity": 1},
        hovertemplate="%{hovertext}<extra></extra>",
        name="points",
    )


def overlay_layers(urls: dict[str, str]) -> list[dict[str, Any]]:
    """``map.layers`` for neighbours (fill + line), district lines and the province outline,
    each by GeoJSON URL; in :data:`LAYER_ORDER`."""
    return [
        {
            "sourcetype": "geojson",
            "source": urls["neighbours"],
            "type": "fill",
            "color": styles.LINE_COLOURS["neighbour_fill"],
            "below": "traces",
            "visible": True,
        },
        {
            "sourcetype": "geojson",
            "source": urls["neighbours"],
            "type": "line",
            "color": styles.LINE_COLOURS["neighbour_line"],
            "line": {"width": 1},
            "visible": True,
        },
        {
            "sourcetype": "geojson",
            "source": urls["districts"],
            "type": "line",
            "color": styles.LINE_COLOURS["district"],
            "line": {"width": 1.8},
            "visible": True,
        },
        {
            "sourcetype": "geojson",
            "source": urls["province"],
            "type": "line",
            "color": styles.LINE_COLOURS["province"],
            "line": {"width": 3},
            "visible": True,
        },
    ]


# ------------------------------------------------------------------------------ hover
def commune_hover(table: pd.DataFrame, measure: str, t: Translate) -> list[str]:
    """Hover text per commune (escaped): name, district, the measure's class, counts."""
    style = styles.measure_style(measure)
    cls = styles.classify(measure, table)
    labels = [t("class.out_of_view")] + [t(c.label_key) for c in style.classes]
    out = []
    for row, c in zip(table.itertuples(index=False), cls, strict=True):
        lines = [f"<b>{_esc(row.name)}</b>"]
        if isinstance(row.district_name, str) and row.district_name:
            lines.append(_esc(row.district_name))
        lines.append(f"{_esc(t(style.label_key))}: {_esc(labels[c])}")
        if row.in_view:
            lines.append(
                f"{_esc(t('hover.sponsors'))}: {row.n_sponsors} · "
                f"{_esc(t('hover.projects'))}: {row.n_projects} · "
                f"{_esc(t('hover.sources'))}: {row.n_sources}"
            )
        out.append("<br>".join(lines))
    return out


def project_hover(projects: pd.DataFrame, t: Translate) -> list[str]:
    """Hover text per project (escaped); says when the location is approximate."""
    approx = styles.is_approximate(projects["location_precision"]) if len(projects) else []
    # The title in the reader's language (the seed's English wording is in ``title_en``).
    titles = in_language(projects, "title", getattr(t, "lang", "vi"))
    out = []
    for row, a, title in zip(projects.itertuples(index=False), approx, titles, strict=True):
        lines = [
            f"<b>{_esc(title)}</b>",
            f"{_esc(t(styles.kind_style(row.kind).label_key))} · {_esc(row.commune)}",
        ]
        year = row.year if isinstance(row.year, str) and row.year else t("detail.year_unknown")
        lines.append(f"{_esc(t('detail.year'))}: {_esc(year)}")
        if row.agency or row.sponsor_name:
            lines.append(_esc(row.agency or row.sponsor_name))
        if a:
            lines.append(f"<i>{_esc(t('hover.location_approximate'))}</i>")
        out.append("<br>".join(lines))
    return out


# ------------------------------------------------------------------------------ figure
def map_figure(
    *,
    urls: dict[str, str],
    measure: str,
    table: pd.DataFrame,
    commune_hover_text: Sequence[str],
    projects: pd.DataFrame,
    project_hover_text: Sequence[str],
    labels: dict[str, pd.DataFrame],
    bbox: Sequence[float],
    selected: str | None = None,
    visible: dict[str, bool] | None = None,
    glyphs_url: str | None = None,
    basemap: dict[str, Any] | None = None,
    height_px: int = 640,
    t: Translate | None = None,
    code_column: str = "code_2019",
) -> go.Figure:
    """The whole map: communes by class, selection outline, labels, project points, overlays.

    ``urls`` maps ``communes``, ``districts``, ``province``, ``neighbours`` to GeoJSON URLs;
    ``labels`` maps ``communes``, ``districts``, ``neighbours`` to label-point tables (``lon``,
    ``lat``, ``name``). ``visible`` switches layers (``communes``, ``districts``,
    ``province``, ``projects``, ``labels``).
    """
    visible = {**default_visibility(), **(visible or {})}
    pts = points_update(projects, project_hover_text, t, code_column)
    traces = [
        commune_trace(urls["communes"], measure, table, commune_hover_text),
        match_trace(urls["communes"], match_update(table)["locations"]),
        selected_trace(urls["communes"], selected),
        halo_trace(pts["halo"]),
        casing_trace(pts["point_casing"], name="point_casing"),
        points_trace(pts["points"]),
        casing_trace(pts["group_casing"], name="group_casing"),
        groups_trace(pts["groups"]),
        label_trace(
            labels["communes"]["lon"],
            labels["communes"]["lat"],
            labels["communes"]["name"],
            name="commune_labels",
            size=10,
            colour="#333",
        ),
        label_trace(
            labels["districts"]["lon"],
            labels["districts"]["lat"],
            labels["districts"]["name"],
            name="district_labels",
            size=13,
            colour="#000",
        ),
        label_trace(
            labels["neighbours"]["lon"],
            labels["neighbours"]["lat"],
            labels["neighbours"]["name"],
            name="neighbour_labels",
            size=14,
            colour="#666",
        ),
    ]
    fig = go.Figure(traces)
    fig.update_layout(
        map={
            "style": base_style(glyphs_url, basemap),
            "center": center_of_bbox(bbox),
            "zoom": zoom_for_bbox(bbox, height_px=height_px),
            "layers": overlay_layers(urls),
        },
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        template="none",
        showlegend=False,
        autosize=True,
        meta=fit_meta(bbox),
        uirevision="map",
        clickmode="event",
        hoverlabel={"align": "left"},
    )
    apply_changes(fig, visibility_changes(visible))
    return fig


def fit_meta(bbox: Sequence[float]) -> dict[str, Any]:
    """``layout.meta`` that asks the browser to fit the map to a box once (``assets/map.js``
    calls MapLibre's ``fitBounds`` with the map's real size and the legend's width) and names
    the traces that switch at :data:`GROUP_MAX_ZOOM`."""
    return {
        "fit": [round(float(x), 5) for x in bbox],
        "group_max_zoom": GROUP_MAX_ZOOM,
        "zoom_traces": {k: [TRACE[n] for n in v] for k, v in ZOOM_TRACES.items()},
        "label_traces": [
            TRACE[n] for n in ("commune_labels", "district_labels", "neighbour_labels")
        ],
    }


def default_visibility() -> dict[str, bool]:
    return {
        "communes": True,
        "districts": True,
        "province": True,
        "projects": True,
        "labels": False,
    }


#: Which layer switch shows each trace and each ``map.layers`` overlay.
TRACE_SWITCH = {
    "communes": "communes",
    "commune_labels": "labels",
    "district_labels": "districts",
    "neighbour_labels": "province",
    "halo": "projects",
    "point_casing": "projects",
    "points": "projects",
    "group_casing": "projects",
    "groups": "projects",
}
LAYER_SWITCH = {
    "neighbour_fill": "province",
    "neighbour_line": "province",
    "district_line": "districts",
    "province_line": "province",
}


def visibility_changes(visible: dict[str, bool]) -> Changes:
    """The change that shows and hides traces and overlays for the layer switches.

    >>> c = visibility_changes({"labels": True})
    >>> c["data"][TRACE["commune_labels"]], c["layout"]["map"]["layers"][LAYER["district_line"]]
    ({'visible': True}, {'visible': True})
    """
    v = {**default_visibility(), **visible}
    return {
        "data": {TRACE[name]: {"visible": v[switch]} for name, switch in TRACE_SWITCH.items()},
        "layout": {
            "map": {
                "layers": {
                    LAYER[name]: {"visible": v[switch]} for name, switch in LAYER_SWITCH.items()
                }
            }
        },
    }


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
