"""Print sheets: matplotlib rendering of the map layers, with the furniture a printed map needs.

Plotly maps have no scale bar or north arrow, so the print products (PNG, SVG, PDF sheets and
the atlas pages) are drawn here with matplotlib and matplotlib-scalebar, from the same layer
definitions (:mod:`layers.styles`) as the interactive map. Everything is drawn in a projected
CRS (:data:`PRINT_CRS`, WGS 84 / UTM 48N, metres), so the scale bar is true in km.

This module knows nothing about filters or translations: callers pass ready-made geometry,
colours and text (see :mod:`dashboard.export`). It never touches pyplot's global state: each
sheet is a :class:`~matplotlib.figure.Figure` of its own, and rcParams are only changed inside
:func:`print_rc`, so it is safe inside a Dash callback.

Examples
--------
>>> [round(x, 3) for x in paper_inches("A4", "landscape")]
[11.693, 8.268]
>>> pixel_size("A4", "landscape", 300)
(3508, 2480)
>>> pixel_size("A3", "portrait", 150)
(1754, 2480)
"""

from __future__ import annotations

import contextlib
import io
import textwrap
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib_scalebar.scalebar import ScaleBar

from layers.styles import LINE_COLOURS

#: The CRS every print layer is drawn in (WGS 84 / UTM zone 48N; Bắc Kạn lies at 105.5–106.3°E,
#: next to the zone's central meridian 105°E, so grid north is true north within half a degree).
PRINT_CRS = "EPSG:32648"
#: Paper sizes in millimetres, portrait (width, height).
PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
ORIENTATIONS = ("landscape", "portrait")
FORMATS = ("png", "svg", "pdf")
MM = 1 / 25.4
#: Fonts with every Vietnamese glyph (fonts-noto-core, fonts-dejavu-core); the first found wins.
FONTS = ["Noto Sans", "DejaVu Sans"]
INK = "#222222"
MUTED = "#666666"


def paper_inches(paper: str, orientation: str) -> tuple[float, float]:
    """Width and height in inches of a paper size in an orientation."""
    if paper not in PAPER_MM:
        msg = f"Unknown paper {paper!r}; choose one of {', '.join(PAPER_MM)}"
        raise ValueError(msg)
    if orientation not in ORIENTATIONS:
        msg = f"Unknown orientation {orientation!r}; choose one of {', '.join(ORIENTATIONS)}"
        raise ValueError(msg)
    w, h = PAPER_MM[paper]
    if orientation == "landscape":
        w, h = h, w
    return (w * MM, h * MM)


def pixel_size(paper: str, orientation: str, dpi: int) -> tuple[int, int]:
    """Pixel size of a raster sheet (what :func:`save_figure` writes as PNG)."""
    w, h = paper_inches(paper, orientation)
    return (round(w * dpi), round(h * dpi))


#: rcParams are process-wide: exports running in two server threads at once take turns.
_RC_LOCK = threading.RLock()


@contextlib.contextmanager
def print_rc() -> Iterator[None]:
    """rcParams for print: Vietnamese-capable fonts, text kept as text in SVG (``svg.fonttype
    none``) and TrueType fonts embedded in PDF (``pdf.fonttype 42``), so "Xuân Lạc" can be
    searched and copied in both. Holds a lock, since rcParams are global to the process."""
    with (
        _RC_LOCK,
        mpl.rc_context(
            {
                "font.family": "sans-serif",
                "font.sans-serif": FONTS,
                "svg.fonttype": "none",
                "pdf.fonttype": 42,
                "ps.fonttype": 42,
                "axes.unicode_minus": False,
                "text.color": INK,
                "hatch.linewidth": 0.4,
                "path.simplify": True,
            }
        ),
    ):
        yield


# ------------------------------------------------------------------------------ geometry
def project(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of a layer in :data:`PRINT_CRS`."""
    return gdf.to_crs(PRINT_CRS)


def _ring_path(coords: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
    codes[0] = MplPath.MOVETO
    codes[-1] = MplPath.CLOSEPOLY
    return coords, codes


def geometry_path(geom) -> MplPath:
    """One matplotlib path (holes included) for a Polygon or MultiPolygon."""
    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    polygons = getattr(geom, "geoms", [geom])
    for poly in polygons:
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in (poly.exterior, *poly.interiors):
            v, c = _ring_path(np.asarray(ring.coords)[:, :2])
            verts.append(v)
            codes.append(c)
    if not verts:
        return MplPath(np.zeros((0, 2)))
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def draw_polygons(
    ax,
    gdf: gpd.GeoDataFrame,
    *,
    facecolor: str | Sequence[str] = "none",
    edgecolor: str = INK,
    linewidth: float = 0.4,
    zorder: float = 1,
    hatch: str | None = None,
    alpha: float | None = None,
    linestyle="-",
) -> PathCollection:
    """Fill and outline polygons (already in the axes' CRS) as one collection."""
    paths = [geometry_path(g) for g in gdf.geometry]
    coll = PathCollection(
        paths,
        facecolors=facecolor,
        edgecolors=edgecolor,
        linewidths=linewidth,
        linestyles=linestyle,
        zorder=zorder,
        hatch=hatch,
        alpha=alpha,
    )
    coll.set_transform(ax.transData)
    ax.add_collection(coll, autolim=False)
    return coll


def halo(width: float = 2.2, colour: str = "white") -> list:
    """The outline only (no glyph fill): drawn as a path behind a plain copy of the text."""
    return [patheffects.Stroke(linewidth=width, foreground=colour)]


def haloed_text(ax, x, y, text, *, halo_width: float = 2.0, **kwargs):
    """Text with a white halo, readable on any fill. Path effects turn text into outlines in
    SVG/PDF, so the halo is a separate artist behind a plain text artist: the label stays
    searchable text."""
    zorder = kwargs.pop("zorder", 6)
    ax.text(x, y, text, zorder=zorder - 0.01, path_effects=halo(halo_width), **kwargs)
    return ax.text(x, y, text, zorder=zorder, **kwargs)


def draw_labels(
    ax,
    x: Sequence[float],
    y: Sequence[float],
    texts: Sequence[str],
    *,
    fontsize: float = 6,
    weight: str = "normal",
    style: str = "normal",
    colour: str = INK,
    zorder: float = 6,
    halo_width: float = 2.0,
    mask: str = "halo",
) -> None:
    """Text labels centred on points, clipped to the axes, with a white ``halo`` (outlined
    glyphs: the nicest, but heavy in a PDF) or a translucent white ``box`` behind them (a few
    bytes: used on the atlas's hundred pages)."""
    look = {
        "fontsize": fontsize,
        "fontweight": weight,
        "fontstyle": style,
        "color": colour,
        "ha": "center",
        "va": "center",
        "zorder": zorder,
        "clip_on": True,
    }
    box = {"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7, "linewidth": 0}
    for xi, yi, text in zip(x, y, texts, strict=True):
        if mask in ("box", "none"):
            ax.text(xi, yi, text, **look, bbox=box if mask == "box" else None)
        else:
            haloed_text(ax, xi, yi, text, halo_width=halo_width, **look)


def draw_points(
    ax,
    x: Sequence[float],
    y: Sequence[float],
    colours: Sequence[str],
    letters: Sequence[str],
    approximate: Sequence[bool],
    *,
    size: float = 7.0,
    halo_size: float = 15.0,
    halo_alpha: float = 0.28,
    zorder: float = 8,
) -> None:
    """Project points: a disc in the kind's colour with its letter; a point whose location is
    only known to its commune gets a wide translucent halo (as on the interactive map)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    colours = list(colours)
    approx = np.asarray(approximate, bool)
    if approx.any():
        ax.scatter(
            x[approx],
            y[approx],
            s=halo_size**2,
            c=[colours[i] for i in np.flatnonzero(approx)],
            alpha=halo_alpha,
            linewidths=0,
            zorder=zorder - 0.5,
        )
    # A dark outer ring around a white one: no commune fill has it, so a point never melts
    # into a fill of the same hue (a blue bridge on a blue commune).
    ax.scatter(x, y, s=(size + 1.4) ** 2, c=INK, linewidths=0, zorder=zorder - 0.1)
    ax.scatter(x, y, s=size**2, c=colours, edgecolors="white", linewidths=0.7, zorder=zorder)
    for xi, yi, letter in zip(x, y, letters, strict=True):
        ax.text(
            xi,
            yi,
            letter,
            fontsize=size * 0.5,
            fontweight="bold",
            color="white",
            ha="center",
            va="center_baseline",
            zorder=zorder + 0.1,
            clip_on=True,
        )


def set_extent(ax, bounds: tuple[float, float, float, float], pad: float = 0.04) -> None:
    """Fit the axes to ``bounds`` (minx, miny, maxx, maxy) with a margin, keeping 1:1 aspect and
    filling the axes box (the extent grows along the axis with room to spare)."""
    minx, miny, maxx, maxy = bounds
    w, h = maxx - minx, maxy - miny
    size = max(w, h, 1.0)
    minx, maxx = minx - pad * size, maxx + pad * size
    miny, maxy = miny - pad * size, maxy + pad * size
    bbox = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    box_ratio = (bbox.height * fig_h) / (bbox.width * fig_w)
    w, h = maxx - minx, maxy - miny
    if h / w < box_ratio:
        grow = (w * box_ratio - h) / 2
        miny, maxy = miny - grow, maxy + grow
    else:
        grow = (h / box_ratio - w) / 2
        minx, maxx = minx - grow, maxx + grow
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="box")


def add_scalebar(ax, *, location: str = "lower left", fontsize: float = 7) -> ScaleBar:
    """A scale bar in km (the axes are in metres of :data:`PRINT_CRS`)."""
    bar = ScaleBar(
        1.0,
        "m",
        location=location,
        length_fraction=0.22,
        width_fraction=0.008,
        box_alpha=0.85,
        color=INK,
        scale_loc="top",
        border_pad=0.8,
        font_properties={"size": fontsize},
    )
    ax.add_artist(bar)
    return bar


def add_north_arrow(ax, *, x: float = 0.955, y: float = 0.9, size: float = 0.07) -> None:
    """A north arrow (half-filled arrowhead and "N") in axes fraction coordinates."""
    fig_w, fig_h = ax.figure.get_size_inches()
    bbox = ax.get_position()
    aspect = (bbox.width * fig_w) / (bbox.height * fig_h)
    half = size * 0.28 / aspect
    tip, base = (x, y), y - size
    common = {"transform": ax.transAxes, "zorder": 20, "linewidth": 0.8, "edgecolor": INK}
    ax.add_patch(
        Polygon([tip, (x - half, base), (x, base + size * 0.3)], facecolor="white", **common)
    )
    ax.add_patch(Polygon([tip, (x + half, base), (x, base + size * 0.3)], facecolor=INK, **common))
    haloed_text(
        ax,
        x,
        y + 0.012,
        "N",
        halo_width=2.5,
        transform=ax.transAxes,
        ha="center",
        va="bottom",
        fontsize=10,
        fontweight="bold",
        zorder=20,
    )


# ------------------------------------------------------------------------------ legend
@dataclass(frozen=True)
class LegendItem:
    """One legend row. ``shape``: ``patch`` (an area fill), ``line`` (a boundary), ``point``
    (a project kind: disc with ``letter``), ``halo`` (an approximate location). ``layer``: the
    layer switch that shows the row's layer (``districts``, ``province``, ...), if any."""

    label: str
    colour: str
    shape: str = "patch"
    letter: str = ""
    edgecolor: str = "#8c8c8c"
    linewidth: float = 0.5
    hatch: str | None = None
    linestyle: str = "-"
    layer: str | None = None


@dataclass(frozen=True)
class LegendSection:
    title: str
    items: tuple[LegendItem, ...]


class _PointHandler:
    """Draws a :class:`_PointHandle` (matplotlib's handler protocol)."""

    def legend_artist(self, legend, orig_handle, fontsize, handlebox):
        return orig_handle.legend_artist(legend, orig_handle, fontsize, handlebox)


class _PointHandle:
    """A legend key for a project kind: the map's disc (dark ring, white ring, kind colour)
    with the kind's letter, so the letter key is in every legend."""

    def __init__(self, item: LegendItem) -> None:
        self.item = item

    def legend_artist(self, legend, orig_handle, fontsize, handlebox):
        from matplotlib.patches import Circle
        from matplotlib.text import Text

        x0, y0 = handlebox.xdescent, handlebox.ydescent
        w, h = handlebox.width, handlebox.height
        cx, cy, r = x0 + w / 2, y0 + h / 2, min(w, h) * 0.62
        tr = handlebox.get_transform()
        outer = Circle((cx, cy), r + 0.9, facecolor=INK, edgecolor="none", transform=tr)
        disc = Circle(
            (cx, cy), r, facecolor=orig_handle.item.colour, edgecolor="white", lw=0.7, transform=tr
        )
        letter = Text(
            cx,
            cy,
            orig_handle.item.letter,
            color="white",
            fontsize=fontsize * 0.72,
            fontweight="bold",
            ha="center",
            va="center_baseline",
            transform=tr,
        )
        for artist in (outer, disc, letter):
            handlebox.add_artist(artist)
        return disc


def _handle(item: LegendItem):
    if item.shape == "line":
        return Line2D([], [], color=item.colour, linewidth=item.linewidth, linestyle=item.linestyle)
    if item.shape == "point":
        return _PointHandle(item)
    if item.shape == "halo":
        return Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markersize=12,
            markerfacecolor=item.colour,
            markeredgewidth=0,
            alpha=0.35,
        )
    return Patch(
        facecolor=item.colour, edgecolor=item.edgecolor, linewidth=item.linewidth, hatch=item.hatch
    )


def draw_legend(ax, sections: Sequence[LegendSection], *, fontsize: float = 7) -> float:
    """Legend sections flowing down the (invisible) axes and on into a new column when one is
    full; the font shrinks (down to 70 %) until everything fits. Returns the font size used."""
    ax.set_axis_off()
    size = fontsize
    for _ in range(5):
        if _flow_legend(ax, sections, size):
            return size
        for artist in list(ax.artists):
            artist.remove()
        size *= 0.9
    _flow_legend(ax, sections, size)  # best effort
    return size


def _flow_legend(ax, sections: Sequence[LegendSection], fontsize: float) -> bool:
    renderer = ax.figure.canvas.get_renderer()
    to_axes = ax.transAxes.inverted()
    x, top, col_width, gap = 0.0, 1.0, 0.0, 0.04

    def place(section, x, top):
        handles = [_handle(i) for i in section.items]
        leg = ax.legend(
            handles,
            [i.label for i in section.items],
            handler_map={h: _PointHandler() for h in handles if isinstance(h, _PointHandle)},
            title=section.title,
            loc="upper left",
            bbox_to_anchor=(x, top),
            frameon=False,
            fontsize=fontsize,
            title_fontproperties={"size": fontsize + 0.5, "weight": "bold"},
            alignment="left",
            handlelength=1.6,
            handleheight=1.1,
            borderaxespad=0.0,
            borderpad=0.0,
            labelspacing=0.35,
        )
        ax.add_artist(leg)
        return leg, leg.get_window_extent(renderer).transformed(to_axes)

    for section in sections:
        if not section.items:
            continue
        leg, bb = place(section, x, top)
        if bb.y0 < 0 and top < 1.0:  # start a new column
            leg.remove()
            x, top, col_width = x + col_width + gap, 1.0, 0.0
            leg, bb = place(section, x, top)
        if bb.y0 < 0 or bb.x1 > 1.0:
            return False
        col_width = max(col_width, bb.width)
        top = bb.y0 - 0.03
    return True


# ------------------------------------------------------------------------------ sheets
@dataclass(frozen=True)
class SheetText:
    """The words on a sheet, already translated."""

    title: str
    subtitle: str
    sources: tuple[str, ...] = ()
    date: str = ""
    note: str = ""
    credit: str = ""
    locator_title: str = ""


@dataclass(frozen=True)
class MapLayers:
    """Everything a map frame shows, in :data:`PRINT_CRS`.

    ``communes`` needs a ``fill`` column (colour) and ``in_view`` (bool); ``districts`` and
    ``neighbours`` a ``label`` column; ``points`` (a DataFrame) ``x``, ``y``, ``colour``,
    ``letter``, ``approximate``; ``commune_labels`` ``x``, ``y``, ``label`` (may be empty).
    """

    communes: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame | None
    province: gpd.GeoDataFrame | None
    neighbours: gpd.GeoDataFrame | None
    points: pd.DataFrame | None = None
    commune_labels: pd.DataFrame | None = None
    extent: tuple[float, float, float, float] | None = None
    highlight: gpd.GeoDataFrame | None = None
    commune_edge: str = "#8c8c8c"
    out_of_view_hatch: str | None = "////"
    line_colours: dict = field(default_factory=dict)
    #: How labels stand out from the fills: "halo" or "box" (see :func:`draw_labels`).
    label_mask: str = "halo"
    #: The districts are former units (abolished in 2025): faint dashed lines, grey names.
    former_districts: bool = False


def draw_map(ax, layers: MapLayers, *, label_scale: float = 1.0, furniture: bool = True) -> None:
    """Draw the map frame: neighbours, communes, districts (with names), province, points,
    then the scale bar and north arrow."""
    lc = {**LINE_COLOURS, **layers.line_colours}
    _frame(ax, layers.extent or tuple(layers.communes.total_bounds))
    layers = _visible(layers, ax)
    _draw_areas(ax, layers, lc)
    _draw_names(ax, layers, label_scale)
    if layers.points is not None and len(layers.points):
        p = layers.points
        draw_points(ax, p["x"], p["y"], p["colour"], p["letter"], p["approximate"])
    if furniture:
        add_scalebar(ax)
        add_north_arrow(ax)


def _frame(ax, extent) -> None:
    """The map frame: a quiet background beyond the neighbours, the extent, no ticks, a thin
    ink border."""
    ax.set_facecolor("#dfe9f2")
    set_extent(ax, extent)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.8)
        spine.set_color(INK)


def _draw_areas(ax, layers: MapLayers, lc: dict[str, str]) -> None:
    """Neighbours, communes (outside the filters hatched and grey-edged), the highlight, the
    district lines (the former ones of 2025 dashed) and the province outline."""
    if layers.neighbours is not None and len(layers.neighbours):
        draw_polygons(
            ax,
            layers.neighbours,
            facecolor=lc["neighbour_fill"],
            edgecolor=lc["neighbour_line"],
            linewidth=0.6,
            zorder=0.5,
        )
    communes = layers.communes
    view = communes["in_view"].to_numpy(bool)
    if (~view).any():
        draw_polygons(
            ax,
            communes.loc[~view],
            facecolor=list(communes.loc[~view, "fill"]),
            edgecolor="#bdbdbd",
            linewidth=0.3,
            zorder=1,
            hatch=layers.out_of_view_hatch,
        )
    draw_polygons(
        ax,
        communes.loc[view],
        facecolor=list(communes.loc[view, "fill"]),
        edgecolor=layers.commune_edge,
        linewidth=0.35,
        zorder=1.1,
    )
    if layers.highlight is not None and len(layers.highlight):
        draw_polygons(ax, layers.highlight, edgecolor=lc["selected"], linewidth=2.0, zorder=3)
    if layers.districts is not None and len(layers.districts):
        if layers.former_districts:  # abolished in 2025: a faint dashed trace, not a unit
            draw_polygons(
                ax,
                layers.districts,
                edgecolor=lc.get("district_former", "#8f8f8f"),
                linewidth=0.7,
                linestyle=(0, (4, 2)),
                zorder=2,
            )
        else:
            draw_polygons(ax, layers.districts, edgecolor=lc["district"], linewidth=1.0, zorder=2)
    if layers.province is not None and len(layers.province):
        draw_polygons(ax, layers.province, edgecolor=lc["province"], linewidth=1.8, zorder=2.5)


def _draw_names(ax, layers: MapLayers, label_scale: float) -> None:
    """Commune, district and neighbour names. Labels go above the points (zorder 8) and never
    on one another: every placed label and point takes a box, and a district or neighbour name
    moves to a free spot of its area (or is left out: the district is named in the title or
    the commune's facts)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    taken: list = []
    per_inch = (x1 - x0) / (ax.get_position().width * ax.figure.get_size_inches()[0])
    if layers.points is not None and len(layers.points):
        r = 4.5 / 72 * per_inch
        taken += [
            shapely.box(px - r, py - r, px + r, py + r)
            for px, py in zip(layers.points["x"], layers.points["y"], strict=True)
        ]
    if layers.commune_labels is not None and len(layers.commune_labels):
        cl = layers.commune_labels
        size = 4.8 * label_scale
        draw_labels(
            ax,
            cl["x"],
            cl["y"],
            cl["label"],
            fontsize=size,
            colour="#333",
            mask=layers.label_mask,
            zorder=9,
        )
        taken += [
            _text_box(x, y, text, size, per_inch)
            for x, y, text in zip(cl["x"], cl["y"], cl["label"], strict=True)
        ]
    if layers.districts is not None and len(layers.districts):
        former = layers.former_districts
        _label_inside(
            ax,
            layers.districts,
            (x0, y0, x1, y1),
            (6.0 if former else 7.5) * label_scale,
            MUTED if former else INK,
            "italic" if former else "normal",
            weight="normal" if former else "bold",
            mask=layers.label_mask,
            avoid=taken,
            zorder=9.5,
        )
    if layers.neighbours is not None and len(layers.neighbours):
        _label_inside(
            ax,
            layers.neighbours,
            (x0, y0, x1, y1),
            8 * label_scale,
            MUTED,
            "italic",
            mask=layers.label_mask,
            avoid=taken,
        )


def _visible(layers: MapLayers, ax) -> MapLayers:
    """Only the features whose bounding box meets the axes (an atlas page shows a small part of
    the province: drawing everything would make the PDF ten times bigger)."""
    from dataclasses import replace

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()

    dx, dy = (x1 - x0) * 0.02, (y1 - y0) * 0.02

    def cut(gdf):
        if gdf is None:
            return None
        gdf = gdf.cx[x0:x1, y0:y1]
        if len(gdf) == 0:
            return gdf
        # Clip to just beyond the frame: the big neighbouring provinces keep only the vertices
        # that show (the outline at the cut lies outside the axes and is clipped away).
        clipped = shapely.clip_by_rect(gdf.geometry.to_numpy(), x0 - dx, y0 - dy, x1 + dx, y1 + dy)
        return gdf.set_geometry(gpd.GeoSeries(clipped, index=gdf.index, crs=gdf.crs))

    return replace(
        layers,
        communes=cut(layers.communes),
        districts=cut(layers.districts),
        province=cut(layers.province),
        neighbours=cut(layers.neighbours),
        highlight=cut(layers.highlight),
    )


def _text_box(x: float, y: float, text: str, fontsize: float, per_inch: float):
    """The box (data units) a centred label of ``fontsize`` points takes."""
    half_w = len(str(text)) * fontsize * 0.3 / 72 * per_inch
    half_h = fontsize * 0.75 / 72 * per_inch
    return shapely.box(x - half_w, y - half_h, x + half_w, y + half_h)


def _spots(part, first) -> list:
    """Candidate label points inside ``part``: ``first``, then a grid, nearest first."""
    minx, miny, maxx, maxy = part.bounds
    grid = [
        shapely.Point(minx + (maxx - minx) * i / 8, miny + (maxy - miny) * j / 8)
        for i in range(1, 8)
        for j in range(1, 8)
    ]
    inside = [g for g in grid if part.contains(g)]
    return [first, *sorted(inside, key=first.distance)]


def _label_inside(
    ax,
    gdf,
    bounds,
    fontsize,
    colour,
    style,
    weight="normal",
    mask="halo",
    avoid: list | None = None,
    zorder: float = 6,
) -> None:
    """Label each polygon at a point inside its visible part, far enough from the frame for the
    whole label to show and clear of the boxes in ``avoid`` (which the placed labels join);
    skipped when there is no such room."""
    from shapely.geometry import box

    x0, y0, x1, y1 = bounds
    bbox = ax.get_position()
    width_in = bbox.width * ax.figure.get_size_inches()[0]
    per_inch = (x1 - x0) / width_in  # data units per inch (1:1 aspect)
    frame = box(*bounds)
    taken = avoid if avoid is not None else []
    xs, ys, texts = [], [], []
    for geom, label in zip(gdf.geometry, gdf["label"], strict=True):
        half_w = len(str(label)) * fontsize * 0.3 / 72 * per_inch
        half_h = fontsize * 0.8 / 72 * per_inch
        if 2 * half_w >= x1 - x0 or 2 * half_h >= y1 - y0:
            continue
        room = box(x0 + half_w, y0 + half_h, x1 - half_w, y1 - half_h)
        part = geom.intersection(room)
        if part.is_empty or part.area < 0.002 * frame.area:
            continue
        for pt in _spots(part, part.representative_point()):
            spot = _text_box(pt.x, pt.y, label, fontsize, per_inch)
            if not any(spot.intersects(t) for t in taken):
                break
        else:
            continue
        taken.append(spot)
        xs.append(pt.x)
        ys.append(pt.y)
        texts.append(label)
    draw_labels(
        ax,
        xs,
        ys,
        texts,
        fontsize=fontsize,
        colour=colour,
        style=style,
        weight=weight,
        halo_width=2.4,
        mask=mask,
        zorder=zorder,
    )


def draw_locator(
    ax,
    context: gpd.GeoDataFrame,
    province: gpd.GeoDataFrame,
    *,
    frame: tuple[float, float, float, float] | None = None,
    highlight: gpd.GeoDataFrame | None = None,
    title: str = "",
    fontsize: float = 5.5,
) -> None:
    """A small locator: the province (dark) among its neighbours (labelled), with the main
    map's frame or a highlighted unit in red."""
    ax.set_facecolor("#dfe9f2")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)
    draw_polygons(
        ax,
        context,
        facecolor=LINE_COLOURS["neighbour_fill"],
        edgecolor=LINE_COLOURS["neighbour_line"],
        linewidth=0.4,
        zorder=1,
    )
    draw_polygons(ax, province, facecolor="#bdbdbd", edgecolor=INK, linewidth=0.8, zorder=2)
    locator_highlight(ax, highlight)
    bounds = tuple(province.total_bounds)
    cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    r = max(bounds[2] - bounds[0], bounds[3] - bounds[1]) * 1.05
    set_extent(ax, (cx - r, cy - r, cx + r, cy + r), pad=0.0)
    if frame is not None:
        fx0, fy0, fx1, fy1 = frame
        ax.add_patch(
            Rectangle(
                (fx0, fy0),
                fx1 - fx0,
                fy1 - fy0,
                fill=False,
                edgecolor="#d7301f",
                linewidth=1.0,
                zorder=4,
            )
        )
    if "label" in context:
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        _label_inside(ax, context, (x0, y0, x1, y1), fontsize, MUTED, "italic", mask="none")
    locator_title(ax, title, fontsize)


def locator_title(ax, title: str, fontsize: float) -> None:
    """A locator's title, small and muted, over its left corner (none when empty)."""
    if title:
        ax.set_title(title, fontsize=fontsize + 1, loc="left", pad=2, color=MUTED)


def locator_highlight(ax, highlight: gpd.GeoDataFrame | None) -> PathCollection | None:
    """A unit in red on a locator (above the province, under the names); None for none."""
    if highlight is None or not len(highlight):
        return None
    return draw_polygons(
        ax, highlight, facecolor="#d7301f", edgecolor="#d7301f", linewidth=0.6, zorder=3
    )


def new_sheet(paper: str = "A4", orientation: str = "landscape") -> Figure:
    """An empty figure of the paper size (white, no pyplot)."""
    fig = Figure(figsize=paper_inches(paper, orientation), facecolor="white")
    FigureCanvasAgg(fig)  # a renderer for measuring text (legend stacking)
    return fig


def render_map_sheet(
    layers: MapLayers,
    text: SheetText,
    legend: Sequence[LegendSection],
    *,
    paper: str = "A4",
    orientation: str = "landscape",
    locator: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None = None,
) -> Figure:
    """A complete map sheet: title and subtitle, the map with scale bar and north arrow, a side
    (landscape) or bottom (portrait) panel with the locator and the legend, and a footer with
    the data note, sources and licences, date and credit.

    ``locator`` is (context, province) in :data:`PRINT_CRS`, or None for no locator.
    """
    with print_rc():
        return _render_map_sheet(layers, text, legend, paper, orientation, locator)


def _footer_lines(text: SheetText, per_line: int) -> list[str]:
    """The footer's lines: the data note, then every source, each wrapped to ``per_line``
    characters (a source's URL may take a line of its own)."""
    lines = []
    for line in ([text.note] if text.note else []) + list(text.sources):
        lines.extend(textwrap.wrap(line, per_line) or [""])
    return lines


def _draw_header(fig: Figure, text: SheetText, m: float, scale: float, usable: float) -> None:
    """Title (shrunk to the paper's width when long, never below 11 pt at A4) and the
    subtitle that states the filters and vintage, wrapped."""
    W, H = fig.get_size_inches() / MM
    title = fig.text(
        m / W,
        1 - (m + 1) / H,
        text.title,
        fontsize=17 * scale,
        fontweight="bold",
        va="top",
        ha="left",
    )
    _fit_width(title, usable * MM * fig.dpi, minimum=11 * scale)
    fig.text(
        m / W,
        1 - (m + 9.5 * scale) / H,
        text.subtitle,
        fontsize=9 * scale,
        va="top",
        ha="left",
        color=MUTED,
        wrap=True,
    )


def _sheet_axes(fig: Figure, orientation: str, m: float, scale: float, body, with_locator):
    """The map, locator (None without one) and legend axes between the header and the footer
    (``body`` = (bottom, top), mm). Landscape: the locator above the legend in a column right
    of the map. Portrait: both in a band under the map, so the map keeps the full width."""
    W, H = fig.get_size_inches() / MM
    body_bottom, body_top = body
    loc_ax = None

    def axes(x, y, w, h):  # mm from the lower left corner
        return fig.add_axes((x / W, y / H, w / W, h / H))

    if orientation == "landscape":
        side_w = 68.0 * scale
        map_ax = axes(m, body_bottom, W - 2 * m - side_w - 5, body_top - body_bottom)
        side_x = W - m - side_w
        loc_h = side_w * 0.66 if with_locator else 0.0
        if with_locator:
            loc_ax = axes(side_x, body_top - loc_h, side_w, loc_h)
        leg_ax = axes(side_x, body_bottom, side_w, body_top - loc_h - body_bottom - 6 * scale)
    else:
        panel_h = 58.0 * scale
        map_ax = axes(m, body_bottom + panel_h + 4, W - 2 * m, body_top - body_bottom - panel_h - 4)
        loc_w = panel_h if with_locator else 0.0
        if with_locator:
            loc_ax = axes(m, body_bottom, loc_w, panel_h)
        leg_ax = axes(m + loc_w + 6, body_bottom, W - 2 * m - loc_w - 6, panel_h)
    return map_ax, loc_ax, leg_ax


def _draw_sheet_locator(loc_ax, map_ax, locator, title: str, fontsize: float) -> None:
    """The locator; when the map shows less than most of the province (a district sheet),
    it frames what the map shows."""
    context, province = locator
    x0, x1 = map_ax.get_xlim()
    y0, y1 = map_ax.get_ylim()
    pb = province.total_bounds
    zoomed = (x1 - x0) < 0.8 * (pb[2] - pb[0]) or (y1 - y0) < 0.8 * (pb[3] - pb[1])
    draw_locator(
        loc_ax,
        context,
        province,
        frame=(x0, y0, x1, y1) if zoomed else None,
        title=title,
        fontsize=fontsize,
    )


def _draw_sheet_footer(fig: Figure, text: SheetText, lines, m, footer_h, scale, size) -> None:
    """Footer: data note and sources (``lines``), credit on the left and the date on the
    right under them, a thin rule above."""
    W, H = fig.get_size_inches() / MM
    y = m + footer_h - 2.0 * scale
    for line in lines:
        fig.text(m / W, y / H, line, fontsize=size, va="top", ha="left", color=MUTED)
        y -= 3.0 * scale
    fig.text(m / W, m / H, text.credit, fontsize=6 * scale, va="bottom", ha="left", color=MUTED)
    fig.text(1 - m / W, m / H, text.date, fontsize=6.5 * scale, va="bottom", ha="right")
    fig.add_artist(
        Line2D([m / W, 1 - m / W], [(m + footer_h) / H] * 2, color="#cccccc", linewidth=0.5)
    )


def _render_map_sheet(layers, text, legend, paper, orientation, locator) -> Figure:
    """The sheet's layout: margins, header and footer heights grow with the paper (the
    footer is as tall as its wrapped lines), the body between them holds map, locator and
    legend."""
    fig = new_sheet(paper, orientation)
    W, H = fig.get_size_inches() / MM
    m = 10.0  # margin, mm
    scale = min(W, H) / 210.0  # text grows with the paper
    header_h = 20.0 * scale
    usable = W - 2 * m
    foot_size = 5.6 * scale
    lines = _footer_lines(text, max(40, int(usable / (0.19 * foot_size))))
    footer_h = (8.0 + 3.0 * len(lines)) * scale
    _draw_header(fig, text, m, scale, usable)
    body = (m + footer_h, H - m - header_h)
    map_ax, loc_ax, leg_ax = _sheet_axes(fig, orientation, m, scale, body, locator is not None)
    draw_map(map_ax, layers, label_scale=scale)
    if locator is not None:
        _draw_sheet_locator(loc_ax, map_ax, locator, text.locator_title, 5.5 * scale)
    draw_legend(leg_ax, legend, fontsize=7 * scale)
    _draw_sheet_footer(fig, text, lines, m, footer_h, scale, foot_size)
    return fig


def _fit_width(artist, width_px: float, *, minimum: float) -> None:
    """Shrink a one-line text until it fits ``width_px`` (never below ``minimum`` points)."""
    renderer = artist.figure.canvas.get_renderer()
    size = artist.get_fontsize()
    while size > minimum and artist.get_window_extent(renderer).width > width_px:
        size = max(minimum, size * 0.94)
        artist.set_fontsize(size)


def save_figure(
    fig: Figure, target: Path | str | BinaryIO, fmt: str, dpi: int = 300, *, metadata=None
) -> None:
    """Write a sheet as PNG (exactly the paper size at ``dpi``), SVG or PDF (text as text)."""
    if fmt not in FORMATS:
        msg = f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}"
        raise ValueError(msg)
    kwargs = {"format": fmt, "facecolor": "white"}
    if fmt == "png":
        kwargs["dpi"] = dpi
        # Paper sizes are not whole pixels (A4 at 300 dpi is 3507.87 px wide): round to the
        # nearest pixel instead of letting matplotlib truncate, so A4 is 3508 x 2480.
        w, h = fig.get_size_inches()
        fig.set_size_inches((round(w * dpi) + 1e-3) / dpi, (round(h * dpi) + 1e-3) / dpi)
    if metadata and fmt in ("pdf", "svg"):
        kwargs["metadata"] = metadata
    with print_rc():
        if fmt != "svg":
            fig.savefig(target, **kwargs)
            return
        buf = io.StringIO()
        fig.savefig(buf, **kwargs)
    svg = embed_svg_fonts(buf.getvalue()).encode("utf-8")
    if hasattr(target, "write"):
        target.write(svg)
    else:
        Path(target).write_bytes(svg)


_FACES = (("normal", "normal", 400), ("bold", "normal", 700), ("normal", "italic", 400))


def embed_svg_fonts(svg: str) -> str:
    """Embed subsets of the sheet's fonts (only the characters used) as ``@font-face`` data
    URIs, so the SVG's text renders with its Vietnamese glyphs on machines without Noto Sans
    while staying searchable text. Noto Sans and DejaVu Sans allow embedding (OFL, Bitstream
    Vera licence)."""
    import base64
    import html as _html
    import re

    from fontTools import subset
    from matplotlib import font_manager

    used = "".join(_html.unescape(x) for x in re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    if not used:
        return svg
    chars = "".join(sorted(set(used)))
    rules = []
    for weight, style, css_weight in _FACES:
        path = font_manager.findfont(
            font_manager.FontProperties(family=FONTS, weight=weight, style=style),
            fallback_to_default=True,
        )
        options = subset.Options()
        options.layout_features = ["*"]
        options.notdef_outline = True
        font = subset.load_font(path, options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=chars)
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
        family = font["name"].getDebugName(1)
        data = base64.b64encode(out.getvalue()).decode("ascii")
        rules.append(
            f"@font-face{{font-family:'{family}';font-weight:{css_weight};"
            f"font-style:{style};src:url(data:font/ttf;base64,{data}) format('truetype')}}"
        )
    style_block = '<defs><style type="text/css">' + "".join(rules) + "</style></defs>"
    return re.sub(r"(<svg\b[^>]*>)", lambda m: m.group(1) + style_block, svg, count=1)


def figure_bytes(fig: Figure, fmt: str, dpi: int = 300, *, metadata=None) -> bytes:
    """:func:`save_figure` into memory."""
    buf = io.BytesIO()
    save_figure(fig, buf, fmt, dpi, metadata=metadata)
    return buf.getvalue()


__all__ = [
    "FORMATS",
    "PAPER_MM",
    "PRINT_CRS",
    "LegendItem",
    "LegendSection",
    "MapLayers",
    "SheetText",
    "draw_legend",
    "draw_locator",
    "draw_map",
    "figure_bytes",
    "paper_inches",
    "pixel_size",
    "print_rc",
    "project",
    "render_map_sheet",
    "save_figure",
]
