"""Atlas pages, like a QGIS atlas: one A4 page per unit with a detail map, a locator, facts,
tables of sponsors and projects, and the page's sources; plus a contents list.

Like :mod:`layers.sheet`, this module only draws what it is given (translated text, projected
geometry, table rows); :mod:`dashboard.export` decides what goes on each page.

Table cells and sources wrap onto more lines; :func:`fit` is only for one-line lists (the
contents).

>>> fit("Nhà văn hóa thôn Nà Làng", 12)
'Nhà văn hóa…'
>>> fit("Cầu", 12)
'Cầu'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
from matplotlib.axes import Axes
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
    """A small table: a title, column headings with relative widths, rows of text. Cells wrap
    onto as many lines as they need; rows that do not fit the page are counted in ``overflow``
    (a template with ``{n}``)."""

    title: str
    columns: tuple[str, ...]
    widths: tuple[float, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = ""
    more: str = ""  # e.g. "… and 4 more", printed under the rows
    align: tuple[str, ...] = ()
    overflow: str = "+{n}"


@dataclass(frozen=True)
class AtlasPage:
    """Everything on one unit's page (text already translated). ``legend``: sections for the
    page's own legend (the measure's classes, the project kinds on the page with letters)."""

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
    legend: tuple[sheet.LegendSection, ...] = ()


def _line_h(size: float) -> float:
    return size * 0.3528 * 1.32


def _cell_lines(table: Table, width: float, size: float, values) -> list[list[str]]:
    """Each cell of a row wrapped to its column (never cut)."""
    total = sum(table.widths)
    char_mm = size * 0.3528 * 0.56
    out = []
    for i, value in enumerate(values):
        col_w = width * table.widths[i] / total
        limit = max(int((col_w - 1.5) / char_mm), 4)
        out.append(_wrap(str(value), limit, minimum=4))
    return out


#: Room (mm) under a table row's text.
_ROW_PAD = 0.9


def table_height(table: Table, width: float, size: float) -> float:
    """The height (mm) a table takes when all its rows are drawn."""
    lh = _line_h(size)
    h = lh * 2.0
    if not table.rows:
        return h + lh * 1.6
    h += _row_height(table, width, size, table.columns)
    for values in table.rows:
        h += _row_height(table, width, size, values)
    return h + (lh if table.more else 0) + lh * 0.8


@dataclass(frozen=True)
class _Place:
    """Where a table is drawn: its figure, left edge and width (mm), the page's size (mm,
    to turn mm into figure fractions) and the font size (pt)."""

    fig: Figure
    x: float
    width: float
    page_w: float
    page_h: float
    size: float

    def note(self, y: float, text: str) -> None:
        """A muted italic line under a table (empty, overflow, "… and n more")."""
        self.fig.text(
            self.x / self.page_w,
            y / self.page_h,
            text,
            fontsize=self.size,
            va="top",
            color=MUTED,
            fontstyle="italic",
        )


def _column_lefts(table: Table, x: float, width: float) -> list[float]:
    """The left edge (mm) of each column: the widths are relative, shared out of ``width``.

    >>> _column_lefts(Table("", ("a", "b"), (1.0, 3.0), ()), 10.0, 100.0)
    [10.0, 35.0]
    """
    total = sum(table.widths)
    xs, acc = [], x
    for w in table.widths:
        xs.append(acc)
        acc += width * w / total
    return xs


def _row_height(table: Table, width: float, size: float, values) -> float:
    """The height (mm) of one row: its tallest wrapped cell and a little padding."""
    cells = _cell_lines(table, width, size, values)
    return max(len(c) for c in cells) * _line_h(size) + _ROW_PAD


def _draw_row(place: _Place, table: Table, values, y: float, *, bold=False, shade=False):
    """Draw one row with its top at ``y`` (mm); returns its height (mm). Cells wrap to their
    column; right-aligned columns (numbers) keep their lines right-aligned too; ``shade``
    greys the row behind the text (every other row, to follow a row across the page)."""
    fig, x, width, W, H = place.fig, place.x, place.width, place.page_w, place.page_h
    total = sum(table.widths)
    xs = _column_lefts(table, x, width)
    align = table.align or ("left",) * len(table.columns)
    cells = _cell_lines(table, width, place.size, values)
    h = max(len(c) for c in cells) * _line_h(place.size) + _ROW_PAD
    if shade:
        fig.add_artist(
            Rectangle(
                (x / W, (y - h + 0.5) / H),
                width / W,
                h / H,
                facecolor="#f3f3f3",
                edgecolor="none",
                zorder=0,
            )
        )
    for i, lines in enumerate(cells):
        col_w = width * table.widths[i] / total
        right = align[i] == "right"
        fig.text(
            (xs[i] + (col_w - 1.0 if right else 0.5)) / W,
            y / H,
            "\n".join(lines),
            fontsize=place.size,
            va="top",
            ha="right" if right else "left",
            multialignment="right" if right else "left",
            linespacing=1.15,
            fontweight="bold" if bold else "normal",
        )
    return h


def _draw_table(
    fig: Figure,
    table: Table,
    x: float,
    top: float,
    width: float,
    W,
    H,
    size: float,
    bottom: float = 0.0,
):
    """Draw a table from ``top`` (mm from the bottom) down to ``bottom`` at most; returns the
    new top (mm). Cells wrap; the rows that do not fit are counted in one overflow line."""
    place = _Place(fig, x, width, W, H, size)
    lh = _line_h(size)
    fig.text(x / W, top / H, table.title, fontsize=size + 1.5, fontweight="bold", va="top")
    top -= lh * 2.0
    if not table.rows:
        place.note(top, table.empty)
        return top - lh * 1.6
    h = _draw_row(place, table, table.columns, top, bold=True)
    fig.add_artist(
        Line2D([x / W, (x + width) / W], [(top - h + 0.5) / H] * 2, color="#999999", linewidth=0.5)
    )
    top -= h
    for i, values in enumerate(table.rows):
        need = _row_height(table, width, size, values)
        last = i == len(table.rows) - 1  # the last row needs no room for an overflow line
        if top - need < bottom + (0 if last else lh * 1.5):
            place.note(top, table.overflow.format(n=len(table.rows) - i))
            return top - lh * 1.8
        top -= _draw_row(place, table, values, top, shade=i % 2 == 1)
    if table.more:
        place.note(top, table.more)
        top -= lh
    return top - lh * 0.8


#: Map sizes (mm) of an atlas page: 118 mm wide, as tall as the tables leave room for.
MAP_WIDTH = 118.0
MAP_MIN_HEIGHT = 95.0
MAP_MAX_HEIGHT = 190.0


def _sources_height(sources: Sequence[str]) -> float:
    """The room (mm) a page's sources take under their heading (at most six are counted)."""
    return 5.0 + 3.0 * sum(len(_wrap(x, 150, breaks=True)) for x in sources[:6])


def _map_height(room: float) -> float:
    """The detail map's height (mm): all the ``room`` the tables and sources leave, within
    bounds, so short tables never leave half a page blank and long ones still get a map.

    >>> _map_height(20.0), _map_height(120.0), _map_height(500.0)
    (95.0, 120.0, 190.0)
    """
    return min(max(room, MAP_MIN_HEIGHT), MAP_MAX_HEIGHT)


def _draw_side(fig: Figure, page: AtlasPage, frame: PageFrame, top: float, map_bottom: float):
    """The column beside the map, from ``top`` (mm) down: the locator (made once per frame;
    the page only adds its unit in red), the facts, then the legend (at least 30 mm tall, down
    to the map's bottom). Returns the lowest point (mm) the column reaches, so the tables start
    under whichever of map and column is longer."""
    W, H = fig.get_size_inches() / MM
    x, width = frame.side_x, frame.side_width
    if frame.loc_ax is not None:
        frame.show_locator(page)
        y = top - frame.locator_height - 5
    else:
        y = top
    for fact in page.facts:
        for line in _wrap(fact, int(width / (7.5 * 0.3528 * 0.5))):
            fig.text(x / W, y / H, line, fontsize=7.5, va="top")
            y -= 3.6
        y -= 1.0
    if not page.legend:
        return y
    leg_top = y - 2
    leg_h = max(leg_top - map_bottom, 30.0)
    leg_ax = frame.legend_axes((x / W, (leg_top - leg_h) / H, width / W, leg_h / H))
    used = sheet.draw_legend(leg_ax, page.legend, fontsize=6.5)
    return leg_top - _legend_height(leg_ax, leg_h, used)


def _draw_sources(fig: Figure, page: AtlasPage, x: float, top: float, floor: float) -> None:
    """The page's sources from ``top`` (mm) down, wrapped and never cut mid-line; the lines
    that would run into the footer (above ``floor``) are left out."""
    W, H = fig.get_size_inches() / MM
    fig.text(x / W, top / H, page.sources_title, fontsize=7.5, fontweight="bold", va="top")
    top -= 4.0
    for src in page.sources:
        for line in _wrap(src, 150, minimum=20, breaks=True):
            if top < floor:
                break
            fig.text(x / W, top / H, line, fontsize=6, va="top", color=MUTED)
            top -= 3.0


def _draw_footer(fig: Figure, footer: str, page_label: str, m: float, y: float) -> None:
    """A thin rule, the footer text on the left and the page label on the right, ``y`` mm
    from the bottom of the page."""
    W, H = fig.get_size_inches() / MM
    fig.add_artist(Line2D([m / W, 1 - m / W], [(m + 4) / H] * 2, color="#cccccc", linewidth=0.5))
    fig.text(m / W, y / H, footer, fontsize=6, va="bottom", color=MUTED)
    fig.text(1 - m / W, y / H, page_label, fontsize=7.5, va="bottom", ha="right")


#: Margin (mm) of a unit page.
PAGE_MARGIN = 12.0
#: Font size (pt) of a unit page's locator.
LOCATOR_FONT = 4.5


class PageFrame:
    """The figure the unit pages of one atlas are drawn on, made once and refilled page after
    page (:meth:`draw`): what is the same on every page is made once, not 122 times: the
    figure, its map, locator and legend axes (making an axes costs as much as drawing a
    table), and the locator (the province among its labelled neighbours: only the page's unit
    is added in red). Before a page is drawn, the previous page's own artists are removed, so
    each page holds exactly what a fresh figure would; its PDF page is the same.

    Save each page (e.g. ``PdfPages.savefig``) before drawing the next: the figure is reused.
    ``locator`` is (context, province) in :data:`layers.sheet.PRINT_CRS`, or None for none.
    """

    def __init__(self, locator: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None, *, paper="A4"):
        with sheet.print_rc():
            self.fig = sheet.new_sheet(paper, "portrait")
            W, H = self.fig.get_size_inches() / MM
            m = PAGE_MARGIN
            self.map_top = H - m - 15
            self.side_x = m + MAP_WIDTH + 6
            self.side_width = W - m - self.side_x
            self.locator_height = self.side_width * 0.8
            self.map_ax = self.fig.add_axes((m / W, 0.1, MAP_WIDTH / W, 0.5))
            self.loc_ax = None
            self._title = None
            if locator is not None:
                top, h = self.map_top, self.locator_height
                rect = (self.side_x / W, (top - h) / H, self.side_width / W, h / H)
                self.loc_ax = self.fig.add_axes(rect)
                sheet.draw_locator(self.loc_ax, *locator, fontsize=LOCATOR_FONT)
            self.leg_ax = None
            self._highlight = None

    def show_locator(self, page: AtlasPage) -> None:
        """The page's unit in red on the locator, and the locator's title."""
        self._highlight = sheet.locator_highlight(self.loc_ax, page.highlight)
        if page.locator_title != self._title:
            sheet.locator_title(self.loc_ax, page.locator_title, LOCATOR_FONT)
            self._title = page.locator_title

    def legend_axes(self, rect) -> Axes:
        """The legend's axes at ``rect`` (figure fractions), shown."""
        if self.leg_ax is None:
            self.leg_ax = self.fig.add_axes(rect)
        self.leg_ax.set_position(rect)
        self.leg_ax.set_visible(True)
        return self.leg_ax

    def _clear(self) -> None:
        """Remove the previous page's own artists (the frame's axes and locator stay)."""
        fig = self.fig
        own = [*fig.texts, *fig.artists, *fig.lines, *fig.patches]
        ax = self.map_ax
        own += [*ax.collections, *ax.patches, *ax.texts, *ax.artists, *ax.lines, *ax.images]
        if self.leg_ax is not None:
            own += [*self.leg_ax.artists]
            self.leg_ax.set_visible(False)
        if self._highlight is not None:
            own.append(self._highlight)
            self._highlight = None
        for artist in own:
            artist.remove()
        # A fresh map axes: no aspect yet (set_extent reads the box before it fixes 1:1).
        ax.set_aspect("auto")

    def draw(self, page: AtlasPage) -> Figure:
        """One portrait page: title; detail map (left) with locator, facts and legend (right);
        tables (cells wrap); sources; footer with the page number. The map grows into the
        space short tables leave, so a page is never half blank."""
        with sheet.print_rc():
            self._clear()
            fig = self.fig
            W, H = fig.get_size_inches() / MM
            m = PAGE_MARGIN
            size = 7.0
            fig.text(m / W, 1 - m / H, page.title, fontsize=16, fontweight="bold", va="top")
            fig.text(m / W, 1 - (m + 8.5) / H, page.subtitle, fontsize=8.5, va="top", color=MUTED)
            map_top = self.map_top
            floor = m + 7  # above the footer
            width = W - 2 * m
            tables_h = sum(table_height(tb, width, size) for tb in page.tables)
            sources_h = _sources_height(page.sources)
            map_h = _map_height(map_top - floor - tables_h - sources_h - 7)
            self.map_ax.set_position((m / W, (map_top - map_h) / H, MAP_WIDTH / W, map_h / H))
            sheet.draw_map(self.map_ax, page.layers, label_scale=1.35)
            side_bottom = _draw_side(fig, page, self, map_top, map_top - map_h)
            top = min(map_top - map_h, side_bottom) - 6
            sources_top = floor + sources_h
            for table in page.tables:
                top = _draw_table(fig, table, m, top, width, W, H, size, bottom=sources_top)
            # Right under the tables (their room was kept), then the footer.
            _draw_sources(fig, page, m, max(top, sources_top), floor)
            _draw_footer(fig, page.footer, page.page_label, m, m)
        return fig


def render_atlas_page(
    page: AtlasPage,
    locator: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None,
    *,
    paper: str = "A4",
) -> Figure:
    """One unit page on a figure of its own (an atlas draws its pages on one
    :class:`PageFrame`)."""
    return PageFrame(locator, paper=paper).draw(page)


def _legend_height(ax, height_mm: float, _size: float) -> float:
    """How much of the legend axes (mm from its top) the legends take."""
    renderer = ax.figure.canvas.get_renderer()
    lowest = 1.0
    for artist in ax.artists:
        bb = artist.get_window_extent(renderer).transformed(ax.transAxes.inverted())
        lowest = min(lowest, bb.y0)
    return (1.0 - lowest) * height_mm


def _wrap(text: str, width: int, *, minimum: int = 20, breaks: bool = False) -> list[str]:
    """Lines of at most ``width`` characters; long words (addresses) are broken only when
    ``breaks`` or when a single word is longer than a line."""
    import textwrap

    width = max(width, minimum)
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=not breaks) or [""]


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


def render_list_page(
    title: str,
    note: str,
    groups: Sequence[tuple[str, Sequence[str]]],
    *,
    footer: str = "",
    page_label: str = "",
    paper: str = "A4",
) -> Figure:
    """A compact page that lists units by group in three columns (e.g. the communes with
    nothing recorded, instead of a near-empty page each)."""
    with sheet.print_rc():
        fig = sheet.new_sheet(paper, "portrait")
        W, H = fig.get_size_inches() / MM
        m = 15.0
        fig.text(m / W, 1 - m / H, title, fontsize=16, fontweight="bold", va="top")
        y0 = H - m - 11
        for line in _wrap(note, 110):
            fig.text(m / W, y0 / H, line, fontsize=8, va="top", color=MUTED)
            y0 -= 3.8
        y0 -= 3
        col_w = (W - 2 * m) / 3
        lines: list[tuple[str, bool]] = []
        for group, names in groups:
            lines.append((f"{group} ({len(names)})", True))
            lines.extend((name, False) for name in names)
            lines.append(("", False))
        per_col = int((y0 - m - 10) / 3.6)
        for i, (text, bold) in enumerate(lines):
            col, r = divmod(i, per_col)
            if col > 2:
                break
            fig.text(
                (m + col * col_w) / W,
                (y0 - r * 3.6) / H,
                fit(text, 40),
                fontsize=7.5,
                va="top",
                fontweight="bold" if bold else "normal",
            )
        _draw_footer(fig, footer, page_label, m, 10)
    return fig
