"""What ``assets/map.js`` draws in MapLibre itself: the communes coloured by class, the match
and selection outlines, the project points and the commune groups, the district, province and
neighbour outlines and the name labels (Plotly keeps only an empty anchor trace and the camera).

Why not Plotly traces: Plotly bakes a choropleth's colours into the features of its GeoJSON
source, so every restyle re-sets the whole source and MapLibre's worker cuts its tiles again
(~4 s of map work and 11 frames per filter change, issue 10). Here the geometry reaches the
browser once per vintage, by URL (:func:`project_features`, :func:`group_features` and the
communes GeoJSON the app already serves), and a filter change sends a small *paint spec*
(:func:`paint_spec`, a few KiB) that map.js applies as MapLibre feature states: colours,
outlines and which points show change without a tile being cut again.

Every feature carries a string id (``code``, ``pid``, ``fid``; MapLibre's ``promoteId``).
Hover texts are built in the browser from the features' properties and the words in the
spec, as text (never HTML), so nothing here is escaped.

Every GeoJSON source is cut into tiles up to :data:`TILE_ZOOM` only (a province's names and
groups up to :data:`POINT_TILE_ZOOM`; full detail there: the tile cutter simplifies nothing at
a source's own maxzoom, and keeps :data:`TILE_BUFFER` around each tile); above it MapLibre
scales those tiles (map.js turns off their re-cutting per zoom), so the camera's jump to a
district finds every tile already made at the province view and draws at once (issue 10).

Examples
--------
>>> import pandas as pd
>>> prj = pd.DataFrame({"project_id": ["P1", "P2", "P3"], "kind": ["bridge", "market", "bridge"],
...     "code_2019": ["001", "001", "002"], "lon": [105, 105.2, 106], "lat": [22, 22.2, 22.5]})
>>> point_paint(prj, "code_2019")["groups"]
{'001': [2, 21.8, '#ffffff', 'bridge'], '002': [1, 15, '#0072B2', 'bridge']}
>>> [f["properties"]["fid"] for f in group_features(prj, "code_2019", {})["features"]]
['001', '001#2', '001@bridge', '001@market', '002', '002@bridge']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from layers import styles

#: Zoom from which the single points show instead of the commune groups.
GROUP_MAX_ZOOM = 10.5
#: The deepest zoom the GeoJSON sources are cut at (full detail; scaled above). At 9 a tile's
#: 8,192 units span 1 px at zoom 13, so nothing coarsens where readers look; the province view
#: (zoom ~8.8 on a desktop, rounded) already loads these tiles for every district's view.
TILE_ZOOM = 9
#: A province's name labels and commune groups are cut at this zoom instead (a third as many
#: tiles at the province's view: the first picture's last tiles, each waiting for its
#: glyphs). A tile's 8,192 units span 1 px at zoom 11: the groups show up to
#: :data:`GROUP_MAX_ZOOM` (within a pixel), a name's anchor is within 1.5 px up to the
#: districts' zoom (12.5). A country's keep :data:`TILE_ZOOM` (assets/map.js: they show from
#: :data:`DETAIL_ZOOM`, and MapLibre lays a tile out only for the layers of its own zoom).
POINT_TILE_ZOOM = 7
#: Room each tile keeps around it, in pixels of its own zoom (MapLibre's default: 128, a
#: quarter of a tile on each side, so every tile cut 2.25 times its own area). 16 px is ~11 px
#: at the least a tile is shown at (its zoom minus a half), more than the half width of the
#: widest line (the selection, 3.5 px) with its joins; fills are clipped at the tile's edge
#: and points drawn from their own tile, whatever the room.
TILE_BUFFER = 16
#: A country-sized map (more than :data:`DETAIL_COMMUNES` communes) shows only the communes'
#: colours, from a simplified copy of their geometry, below this zoom; the commune groups,
#: the points and the commune names come from it on (at zoom 5 they were 10,736 discs and
#: over 100,000 count and letter symbols: unreadable, and most of the page's drawing work).
#: A half zoom, because map.js's sources pick their tiles by the rounded zoom (roundZoom): a
#: layer that starts or ends at 7.5 is laid out in exactly the tiles of the zooms it shows at.
DETAIL_ZOOM = 7.5
#: A map of more communes than this is country-sized (a province has at most ~600).
DETAIL_COMMUNES = 2000


def detail_zoom(n_communes: int) -> float | None:
    """The zoom from which a map of ``n_communes`` shows its details, or None (from any zoom).

    >>> detail_zoom(122), detail_zoom(10_736)
    (None, 7.5)
    """
    return DETAIL_ZOOM if n_communes > DETAIL_COMMUNES else None


#: Font of the letters and counts on the markers (the dashboard serves its glyphs).
LABEL_FONT = "Open Sans Regular"
CASING_COLOUR = "#111111"

Translate = Callable[..., str]

#: The layer switches map.js follows (the dashboard's "layers" checklist, in its order): the
#: communes, the district lines and names, the province outline with the neighbours and their
#: names, the project points and groups, the commune names.
SWITCHES = ("communes", "districts", "province", "projects", "labels")


def look() -> dict[str, Any]:
    """The fixed look of map.js's layers (colours, widths, sizes in px), from :mod:`styles`,
    so that the browser holds no second copy of the palette."""
    return {
        "out": styles.OUT_OF_VIEW_COLOUR,
        "fill_opacity": 0.85,
        "commune_line": styles.LINE_COLOURS["commune"],
        "commune_width": 0.6,
        "match": styles.MATCH_COLOUR,
        "match_width": 3,
        "selected": styles.LINE_COLOURS["selected"],
        "selected_width": 3.5,
        "point_size": styles.POINT_SIZE,
        "casing": CASING_COLOUR,
        "casing_width": styles.POINT_CASING / 2,
        "halo_size": styles.HALO_SIZE,
        "halo_opacity": styles.HALO_OPACITY,
        "group_max_zoom": GROUP_MAX_ZOOM,
        "tile_zoom": TILE_ZOOM,
        "point_tile_zoom": POINT_TILE_ZOOM,
        "tile_buffer": TILE_BUFFER,
        "font": LABEL_FONT,
        # name labels: size (px) and colour per kind; the communes' give way to each other
        "labels": {
            "commune": [10, "#333333"],
            "district": [13, "#000000"],
            "neighbour": [14, "#666666"],
        },
        "halo": "rgba(255,255,255,0.95)",
        "halo_width": 1.8,
        # outlines: colour and width (px); the neighbours' fill and its edge
        "outlines": {
            "neighbour": [styles.LINE_COLOURS["neighbour_line"], 1],
            "district": [styles.LINE_COLOURS["district"], 1.8],
            "province": [styles.LINE_COLOURS["province"], 3],
        },
        "neighbour_fill": styles.LINE_COLOURS["neighbour_fill"],
        "neighbour_edge": "#444444",
    }


# ------------------------------------------------------------------------------ geometry
def _point(lon: float, lat: float, props: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": props,
    }


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _column(df: pd.DataFrame, name: str) -> list:
    """A column as plain Python values (None where missing): iterating a pandas 3 ``str``
    column value by value is ~10× slower than one conversion."""
    if name not in df:
        return [None] * len(df)
    col = df[name]
    return col.astype(object).where(col.notna(), None).tolist()


def project_features(projects: pd.DataFrame) -> dict[str, Any]:
    """Every project as a point (all of them: a filter change only shows or hides them), with
    what its marker and its hover text need: kind, colour, letter, whether the location is
    approximate, title (Vietnamese and English), commune, year and sponsor."""
    n = len(projects)
    approx = styles.is_approximate(projects["location_precision"]) if n else []
    looks = {k: styles.kind_style(k) for k in set(_column(projects, "kind"))}
    cols = {
        c: _column(projects, c)
        for c in ("project_id", "kind", "title", "title_en", "commune", "year", "agency")
    }
    who = [
        _text(a) or _text(s)
        for a, s in zip(cols["agency"], _column(projects, "sponsor_name"), strict=True)
    ]
    lons = pd.to_numeric(projects["lon"]).tolist() if n else []
    lats = pd.to_numeric(projects["lat"]).tolist() if n else []
    features = []
    for i in range(n):
        look = looks[cols["kind"][i]]
        props = {
            "pid": cols["project_id"][i],
            "kind": look.key,
            "colour": look.colour,
            "letter": look.letter,
            "approx": bool(approx[i]),
            "title": _text(cols["title"][i]),
            "title_en": _text(cols["title_en"][i]),
            "commune": _text(cols["commune"][i]),
            "year": _text(cols["year"][i]),
            "who": who[i],
        }
        features.append(_point(float(lons[i]), float(lats[i]), props))
    return {"type": "FeatureCollection", "features": features}


def label_features(points: Mapping[str, pd.DataFrame]) -> dict[str, Any]:
    """The name labels as points: ``points`` maps a kind (``commune``, ``district``,
    ``neighbour``) to a table of ``code``, ``name`` (as shown), ``lon``, ``lat``. Each feature
    has ``kind`` and ``name`` (map.js draws each kind in its own size and colour).

    >>> t = pd.DataFrame({"code": ["1"], "name": ["Xuân Lạc"], "lon": [105.5], "lat": [22.1]})
    >>> label_features({"commune": t})["features"][0]["properties"]
    {'kind': 'commune', 'name': 'Xuân Lạc'}
    """
    features = []
    for kind, table in points.items():
        for name, lon, lat in zip(
            _column(table, "name"), table["lon"].tolist(), table["lat"].tolist(), strict=True
        ):
            if name:
                features.append(_point(float(lon), float(lat), {"kind": kind, "name": name}))
    return {"type": "FeatureCollection", "features": features}


def group_features(
    projects: pd.DataFrame, code_column: str, names: Mapping[str, str]
) -> dict[str, Any]:
    """The commune groups of a vintage: per commune with projects, a disc (``fid`` = code)
    and every text it may show (``code#n`` for n = 2.. its number of projects, ``code@kind``
    for a kind's letter when one project shows), all at the mean position of its projects.

    MapLibre cannot change a label's text by feature state, so each possible text is a
    feature and the paint spec switches one on: a filter change never re-cuts tiles. One
    groupby for every commune (not a frame per commune: 10,700 communes took a minute).
    """
    kinds = _column(projects, "kind")
    keys = {k: styles.kind_style(k).key for k in set(kinds)}
    df = pd.DataFrame(
        {
            "code": _column(projects, code_column),
            "lon": pd.to_numeric(projects["lon"]) if len(projects) else [],
            "lat": pd.to_numeric(projects["lat"]) if len(projects) else [],
            "kind": [keys[k] for k in kinds],
        },
        index=range(len(projects)),
    ).dropna(subset=["code"])
    by = df.groupby("code", sort=True)
    where = by.agg(lon=("lon", "mean"), lat=("lat", "mean"), n=("kind", "size"))
    kinds_of = by["kind"].agg(lambda k: sorted(set(k)))
    features = []
    for code, lon, lat, n, ks in zip(
        where.index, where["lon"], where["lat"], where["n"], kinds_of, strict=True
    ):
        lon, lat = float(lon), float(lat)
        disc = {"fid": code, "role": "disc", "code": code, "name": names.get(code, "")}
        features.append(_point(lon, lat, disc))
        for k in range(2, int(n) + 1):
            features.append(
                _point(lon, lat, {"fid": f"{code}#{k}", "role": "text", "text": str(k)})
            )
        for kind in ks:
            letter = styles.kind_style(kind).letter
            props = {"fid": f"{code}@{kind}", "role": "text", "text": letter}
            features.append(_point(lon, lat, props))
    return {"type": "FeatureCollection", "features": features}


# ------------------------------------------------------------------------------ paint
def group_size(n: int) -> float:
    """Diameter (px) of a commune's group marker: a single point's, growing with the count.

    >>> group_size(1), group_size(4)
    (15, 23.0)
    """
    return styles.POINT_SIZE if n == 1 else round(styles.POINT_SIZE + 4 + 2 * math.sqrt(n), 1)


def commune_paint(measure: str, table: pd.DataFrame) -> dict[str, Any]:
    """Per commune in view ``[class, district, sponsors, projects, sources]``; out of view its
    district alone (class 0, nothing counted). ``district`` is an index into ``districts``:
    the names once, not once per commune (a national store's answer to a district change was
    637 KB, 530 KB of it the 10,736 communes' rows with their district's name). Also the
    class colours and the codes outlined as matching the filters.

    >>> t = pd.DataFrame({"code": ["a", "b"], "district_name": ["Huyện X", "Huyện Y"],
    ...     "n_sponsors": [2, 0], "n_projects": [3, 0], "n_sources": [1, 0],
    ...     "in_view": [True, False], "coverage": ["sponsored", "none"]})
    >>> p = commune_paint("coverage", t)
    >>> p["communes"], p["districts"]
    ({'a': [1, 0, 2, 3, 1], 'b': 1}, ['Huyện X', 'Huyện Y'])
    """
    # Whole columns as Python values, one conversion each: a row walk (itertuples) over a
    # national store's 10,736 communes was ~0.4 s of every filter change.
    cls = styles.classify(measure, table).tolist()
    names = [d if isinstance(d, str) else "" for d in _column(table, "district_name")]
    index, districts = pd.factorize(np.array(names, dtype=object), sort=True)
    counts = zip(
        *(
            table[c].to_numpy(dtype="int64").tolist()
            for c in ("n_sponsors", "n_projects", "n_sources")
        ),
        strict=True,
    )
    in_view = table["in_view"].to_numpy(dtype=bool).tolist()
    communes: dict[str, Any] = {
        code: [c, d, *n] if shown else d
        for code, c, d, n, shown in zip(
            _column(table, "code"), cls, index.tolist(), counts, in_view, strict=True
        )
    }
    match = table.loc[table["match"], "code"].tolist() if "match" in table else []
    return {
        "communes": communes,
        "districts": list(districts),
        "colours": styles.class_colours(measure),
        "match": match,
    }


def commune_row(communes: Mapping[str, Any], code: str) -> list[Any]:
    """A commune's ``[class, district, sponsors, projects, sources]`` from
    :func:`commune_paint`'s ``communes`` (out of view: class 0, no counts).

    >>> commune_row({"a": [1, 0, 2, 3, 1], "b": 1}, "b")
    [0, 1, None, None, None]
    """
    row = communes[code]
    return row if isinstance(row, list) else [0, row, None, None, None]


def point_paint(projects: pd.DataFrame, code_column: str) -> dict[str, Any]:
    """The projects that pass the filters (ids) and per commune its group: ``[n, size,
    colour, kind]`` (white with the count, or a single project's kind colour and letter)."""
    groups: dict[str, list[Any]] = {}
    if len(projects) and code_column in projects:
        # Hashed codes, counts and first rows on whole arrays (a national store's 100,000
        # projects: ~0.3 s through a frame and a groupby, a tenth of that here).
        codes = projects[code_column]
        rows = np.flatnonzero(codes.notna().to_numpy())
        index, uniques = pd.factorize(codes.to_numpy()[rows])
        counts = np.bincount(index, minlength=len(uniques))
        _, first = np.unique(index, return_index=True)  # each code's first project
        kinds = _column(projects.iloc[rows[first]], "kind")
        names = [str(u) for u in uniques]
        for i in sorted(range(len(names)), key=names.__getitem__):
            n = int(counts[i])
            kind = styles.kind_style(kinds[i])
            colour = kind.colour if n == 1 else "#ffffff"
            groups[names[i]] = [n, group_size(n), colour, kind.key]
    return {"points": projects["project_id"].tolist(), "groups": groups}


def hover_words(measure: str, t: Translate, counts: Sequence[int]) -> dict[str, Any]:
    """The words of the hover texts in the reader's language: the measure and its classes
    (index 0 = outside the filters), the counts' names, the project kinds, the year and
    approximate-location notes and the group texts for the counts shown."""
    style = styles.measure_style(measure)
    return {
        "lang": getattr(t, "lang", "vi"),
        "measure": t(style.label_key),
        "classes": [t("class.out_of_view")] + [t(c.label_key) for c in style.classes],
        "sponsors": t("hover.sponsors"),
        "projects": t("hover.projects"),
        "sources": t("hover.sources"),
        "kinds": {k: t(s.label_key) for k, s in styles.PROJECT_KINDS.items()},
        "year": t("detail.year"),
        "year_unknown": t("detail.year_unknown"),
        "approximate": t("hover.location_approximate"),
        "group": {str(n): t("hover.group", n=n) for n in sorted(set(counts))},
    }


def paint_spec(
    *,
    measure: str,
    table: pd.DataFrame,
    projects: pd.DataFrame,
    code_column: str,
    t: Translate,
    sources: Mapping[str, str],
    visible: Mapping[str, bool],
    fit: Sequence[float],
    basemap: Mapping[str, Any] | None = None,
    all_projects: int | None = None,
    painted: tuple[dict[str, Any], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Everything map.js needs for one view state: the GeoJSON ``sources`` (by URL; swapped
    only when they change: ``communes``, ``projects``, ``groups``, ``labels``, ``districts``,
    ``province``, ``neighbours``), the communes' classes and outlines, the points and groups
    shown, the hover words, the layer switches (:data:`SWITCHES`), the box to fit (``fit``:
    refitted only when it changes) and the basemap's tiles (``url``, ``attribution``,
    ``max_zoom``; None for the white background).

    A country-sized map (:func:`detail_zoom`) also names ``look.detail_zoom`` and the
    ``communes_low`` source (its communes simplified) that map.js draws below that zoom;
    map.js shows its points and groups by layer filters (not a feature state each), and its
    ``points`` are ``"all"`` when every one of the ``all_projects`` projects of the projects
    source passes (not 100,000 ids). ``painted`` is ``(commune_paint(measure, table),
    point_paint(projects, code_column))`` when the caller keeps them (not changed here).

    >>> prj = pd.DataFrame({"project_id": ["P1"], "kind": ["bridge"], "code_2019": ["001"],
    ...     "lon": [105], "lat": [22]})
    >>> table = pd.DataFrame({"code": [f"{i:05d}" for i in range(DETAIL_COMMUNES + 1)],
    ...     "district_name": "", "n_sponsors": 0, "n_projects": 0, "n_sources": 0,
    ...     "in_view": True, "coverage": 0.0, "match": False})
    >>> common = dict(measure="coverage", projects=prj, code_column="code_2019",
    ...     t=lambda key, **kw: key, sources={}, visible={}, fit=[0, 0, 1, 1], all_projects=1)
    >>> paint_spec(table=table, **common)["points"], paint_spec(table=table[:9], **common)["points"]
    ('all', ['P1'])
    """
    communes, points = painted or (
        commune_paint(measure, table),
        point_paint(projects, code_column),
    )
    points = dict(points)
    counts = [g[0] for g in points["groups"].values()]
    detail = detail_zoom(len(table))
    if detail and all_projects is not None and len(projects) == all_projects:
        points["points"] = "all"  # every project shows: no filter (map.js)
    return {
        # the simplified communes only where a zoom shows no detail (a country's map)
        "sources": {k: v for k, v in sources.items() if k != "communes_low" or detail},
        "look": {**look(), "detail_zoom": detail},
        **communes,
        **points,
        "words": hover_words(measure, t, counts),
        "visible": {k: bool(visible.get(k, True)) for k in SWITCHES},
        "fit": [round(float(x), 5) for x in fit],
        "basemap": dict(basemap) if basemap else None,
    }
