"""Atlas pages, like a QGIS atlas: one A4 page per unit with a detail map, a locator, facts,
tables of sponsors and projects, and the page's sources; plus a contents list.

Like :mod:`layers.sheet`, this module only draws what it is given (translated text, projected
geometry, table rows); :mod:`dashboard.export` decides what goes on each page.

>>> fit("Nhà văn hóa thôn Nà Làng", 12)
'Nhà văn hóa…'
>>> fit("Cầu", 12)
'Cầu'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from layers import sheet
from layers.sheet import MM, MUTED, MapLayers

#: Rows of a contents page.
CONTENTS_ROWS = 52


def fit(text: object, n: int) -> str:
    """``text`` cut to ``n`` characters with an ellipsis."""
    s = "" if text is None else " ".join(str(text).split())
    return s if len(s) <= n else s[: max(n - 1, 1)].rstrip() + "…"


@dataclass(frozen=True)
class Table:
    """A small table: a title, column headings with relative widths, rows of text."""

    title: str
    columns: tuple[str, ...]
    widths: tuple[float, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = ""
    more: str = ""  # e.g. "… and 4 more", printed under the rows
    align: tuple[str, ...] = ()


@dataclass(frozen=True)
class AtlasPage:
    """Everything on one unit's page (text already translated)."""

    title: str
    subtitle: str
    layers: MapLayers
    highlight: gpd.GeoDataFrame | None
    facts: tuple[str, ...]
    tables: tuple[Table, ...]
    sources_title: str
    sources: tuple[str, ...]
    footer: str
    page_label: str
    locator_title: str = ""


def _draw_table(fig: Figure, table: Table, x: float, top: float, width: float, W, H, size: float):
    """Draw a table from ``top`` (mm from the bottom) downwards; returns the new top (mm)."""
    row_h = size * 0.3528 * 1.55
    fig.text(x / W, top / H, table.title, fontsize=size + 1.5, fontweight="bold", va="top")
    top -= row_h * 1.5
    if not table.rows:
        fig.text(
            x / W, top / H, table.empty, fontsize=size, va="top", color=MUTED, fontstyle="italic"
        )
        return top - row_h * 1.4
    total = sum(table.widths)
    xs, acc = [], x
    for w in table.widths:
        xs.append(acc)
        acc += width * w / total
    align = table.align or ("left",) * len(table.columns)
    char_mm = size * 0.3528 * 0.52

    def row(values, y, bold=False, shade=False):
        if shade:
            fig.add_artist(
                Rectangle(
                    (x / W, (y - row_h + 0.6) / H),
                    width / W,
                    row_h / H,
                    facecolor="#f3f3f3",
                    edgecolor="none",
                    zorder=0,
                )
            )
        for i, value in enumerate(values):
            col_w = width * table.widths[i] / total
            limit = max(int((col_w - 1.5) / char_mm), 3)
            right = align[i] == "right"
            fig.text(
                (xs[i] + (col_w - 1.0 if right else 0.5)) / W,
                y / H,
                fit(value, limit),
                fontsize=size,
                va="top",
                ha="right" if right else "left",
                fontweight="bold" if bold else "normal",
            )

    row(table.columns, top, bold=True)
    fig.add_artist(
        Line2D(
            [x / W, (x + width) / W], [(top - row_h + 0.6) / H] * 2, color="#999999", linewidth=0.5
        )
    )
    top -= row_h
    for i, values in enumerate(table.rows):
        row(values, top, shade=i % 2 == 1)
        top -= row_h
    if table.more:
        fig.text(
            x / W, top / H, table.more, fontsize=size, va="top", color=MUTED, fontstyle="italic"
        )
        top -= row_h
    return top - row_h * 0.8


def render_atlas_page(
    page: AtlasPage,
    locator: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None,
    *,
    paper: str = "A4",
) -> Figure:
    """One portrait page: title; detail map (left) with locator and facts (right); tables;
    sources; footer with the page number."""
    with sheet.print_rc():
        fig = sheet.new_sheet(paper, "portrait")
        W, H = fig.get_size_inches() / MM
        m = 12.0
        fig.text(m / W, 1 - m / H, page.title, fontsize=16, fontweight="bold", va="top")
        fig.text(m / W, 1 - (m + 8.5) / H, page.subtitle, fontsize=8.5, va="top", color=MUTED)
        map_top = H - m - 15
        map_size = 118.0
        map_ax = fig.add_axes((m / W, (map_top - map_size) / H, map_size / W, map_size / H))
        sheet.draw_map(map_ax, page.layers, label_scale=1.35)
        side_x = m + map_size + 6
        side_w = W - m - side_x
        if locator is not None:
            loc_h = side_w
            loc_ax = fig.add_axes(((side_x) / W, (map_top - loc_h) / H, side_w / W, loc_h / H))
            sheet.draw_locator(
                loc_ax, *locator, highlight=page.highlight, title=page.locator_title, fontsize=4.5
            )
            y = map_top - loc_h - 5
        else:
            y = map_top
        for fact in page.facts:
            for line in _wrap(fact, int(side_w / (8 * 0.3528 * 0.5))):
                fig.text(side_x / W, y / H, line, fontsize=7.5, va="top")
                y -= 3.6
            y -= 1.0
        top = map_top - map_size - 7
        for table in page.tables:
            top = _draw_table(fig, table, m, top, W - 2 * m, W, H, 7.0)
        # Sources of the page, then the footer.
        fig.text(m / W, top / H, page.sources_title, fontsize=7.5, fontweight="bold", va="top")
        top -= 4.0
        for src in page.sources:
            if top < m + 8:
                break
            fig.text(m / W, top / H, fit(src, 150), fontsize=6, va="top", color=MUTED)
            top -= 3.0
        fig.add_artist(
            Line2D([m / W, 1 - m / W], [(m + 4) / H] * 2, color="#cccccc", linewidth=0.5)
        )
        fig.text(m / W, m / H, page.footer, fontsize=6, va="bottom", color=MUTED)
        fig.text(1 - m / W, m / H, page.page_label, fontsize=7.5, va="bottom", ha="right")
    return fig


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, max(width, 20)) or [""]


def render_contents(
    title: str,
    entries: Sequence[tuple[str, str, int]],
    *,
    heading: tuple[str, str, str],
    footer: str = "",
    paper: str = "A4",
    rows: int = CONTENTS_ROWS,
) -> list[Figure]:
    """Contents pages: (name, group, page number) rows, ``rows`` per page."""
    pages = []
    chunks = [entries[i : i + rows] for i in range(0, len(entries), rows)] or [[]]
    for n, chunk in enumerate(chunks, start=1):
        with sheet.print_rc():
            fig = sheet.new_sheet(paper, "portrait")
            W, H = fig.get_size_inches() / MM
            m = 15.0
            label = title if len(chunks) == 1 else f"{title} ({n}/{len(chunks)})"
            fig.text(m / W, 1 - m / H, label, fontsize=16, fontweight="bold", va="top")
            y = H - m - 14
            cols = (m, m + 95, W - m)
            for i, text in enumerate(heading):
                fig.text(
                    cols[i] / W,
                    y / H,
                    text,
                    fontsize=8,
                    fontweight="bold",
                    va="top",
                    ha="right" if i == 2 else "left",
                )
            y -= 5
            for name, group, page in chunk:
                fig.text(cols[0] / W, y / H, fit(name, 60), fontsize=8, va="top")
                fig.text(cols[1] / W, y / H, fit(group, 40), fontsize=8, va="top", color=MUTED)
                fig.text(cols[2] / W, y / H, str(page), fontsize=8, va="top", ha="right")
                y -= 4.55
            fig.text(m / W, 10 / H, footer, fontsize=6, va="bottom", color=MUTED)
        pages.append(fig)
    return pages
