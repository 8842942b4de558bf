"""Map sheets: one page (PNG at the paper size and DPI, SVG or PDF) of the current view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from dashboard.export.print_layers import PrintBase, layer_legend, map_layers, measure_legend
from dashboard.export.words import (
    MAP_FORMATS,
    _fmt_from_suffix,
    _today,
    completeness_note,
    describe_filters,
    difficult_line,
    format_date,
    source_lines,
)
from dashboard.export_text import check_lang, t
from geodata import coverage
from geodata.bundle import Bundle, check_vintage
from geodata.coverage import Filters
from geodata.view import View
from geodata.vocabulary import short_name
from layers import sheet, styles
from layers.sheet import MapLayers, SheetText


@dataclass(frozen=True)
class SheetOptions:
    """How a map sheet is laid out and written."""

    fmt: str = "png"
    paper: str = "A4"
    orientation: str = "landscape"
    dpi: int = 300
    title: str | None = None
    lang: str = "vi"
    locator: bool = True
    today: dt.date | None = None
    #: Visible layers, with the dashboard's switch names (communes, districts, province,
    #: projects, labels); None = all. Commune labels are drawn when "labels" is on, and also
    #: when at most 40 communes are in view (a district sheet).
    layers: tuple[str, ...] | None = None


#: The dashboard's layer switches.
LAYER_SWITCHES = ("communes", "districts", "province", "projects", "labels")


def _apply_visibility(layers: MapLayers, legend: list, visible, base, table) -> tuple:
    """Hide the switched-off layers and drop their legend sections/rows."""

    if visible is None:
        return layers, legend
    unknown = set(visible) - set(LAYER_SWITCHES)
    if unknown:
        msg = f"Unknown layer {sorted(unknown)[0]!r}; choose from {', '.join(LAYER_SWITCHES)}"
        raise ValueError(msg)
    on = set(visible)
    changes = {}
    measure_section, *rest = legend
    if "communes" not in on:
        changes["communes"] = layers.communes.assign(fill="white")
        measure_section = None
    if "districts" not in on:
        changes["districts"] = None
    if "province" not in on:
        changes["province"] = None
        changes["neighbours"] = None
    if "projects" not in on:
        changes["points"] = None
        rest = [s for s in rest if s.items and s.items[0].shape != "point"]
    if "labels" in on and layers.commune_labels is None:
        view = base.communes.loc[table["in_view"].to_numpy(bool)]
        rp = view.geometry.representative_point()
        changes["commune_labels"] = pd.DataFrame(
            {"x": rp.x, "y": rp.y, "label": view["name"].map(short_name)}
        )
    sections = [
        type(section)(section.title, tuple(i for i in section.items if i.layer in (None, *on)))
        for section in rest
    ]
    legend = ([measure_section] if measure_section else []) + sections
    return replace(layers, **changes), legend


def map_sheet_figure(
    bundle: Bundle,
    filters: Filters | None = None,
    measure: str = styles.DEFAULT_MEASURE,
    vintage: int = 2019,
    options: SheetOptions | None = None,
):
    """The matplotlib figure of a map sheet (see :func:`export_map`)."""
    options = options or SheetOptions()
    lang = check_lang(options.lang)
    filters = filters or Filters()
    vintage = check_vintage(vintage)
    styles.measure_style(measure)
    base = PrintBase.of(bundle, vintage, lang)
    layers, _table, projects = map_layers(bundle, base, measure, filters)
    view = View(bundle, vintage, filters)
    assignments, status = view.assignments, view.status
    records = coverage.completeness(assignments, projects, status)
    measure_label = t(f"sheet.measure.{measure}", lang)
    built = str(bundle.info.get("built_at", ""))
    date = t("sheet.date", lang, date=format_date(_today(options.today), lang))
    if built:
        date += " · " + t("sheet.data_built", lang, date=format_date(built, lang))
    note = completeness_note(records, lang) + " " + difficult_line(bundle, vintage, filters, lang)
    text = SheetText(
        title=options.title or t("sheet.title", lang, measure=measure_label),
        subtitle=describe_filters(bundle, vintage, filters, lang),
        sources=tuple(source_lines(bundle, vintage, [assignments, projects, status], lang)),
        date=date,
        note=note + ".",
        credit=t("sheet.credit", lang),
        locator_title=t("sheet.locator", lang),
    )
    legend = [measure_legend(measure, _table, lang), *layer_legend(layers.points, vintage, lang)]
    layers, legend = _apply_visibility(layers, legend, options.layers, base, _table)
    return sheet.render_map_sheet(
        layers,
        text,
        legend,
        paper=options.paper,
        orientation=options.orientation,
        locator=base.locator() if options.locator else None,
    )


def _metadata(title: str, fmt: str) -> dict:
    if fmt == "pdf":
        return {"Title": title, "Creator": "NTM Atlas", "Subject": "Nông thôn mới Bắc Kạn"}
    if fmt == "svg":
        return {"Title": title, "Creator": "NTM Atlas"}
    return {}


def map_filename(measure: str, vintage: int, fmt: str, filters: Filters | None = None) -> str:
    """A file name that says what the sheet shows.

    >>> map_filename("coverage", 2019, "png", Filters(districts=("064",)))
    'ntm-atlas_coverage_2019_d064.png'
    """
    extra = ""
    if filters is not None and filters.districts:
        extra = "_d" + "-".join(filters.districts)
    return f"ntm-atlas_{measure}_{vintage}{extra}.{fmt}"


def export_map_bytes(
    bundle: Bundle,
    filters: Filters | None = None,
    measure: str = styles.DEFAULT_MEASURE,
    vintage: int = 2019,
    fmt: str = "png",
    lang: str = "vi",
    **options,
) -> tuple[str, bytes]:
    """The map sheet of the current view as ``(filename, bytes)``, for the dashboard's
    "Xuất bản đồ / Export" button (``dcc.send_bytes``). ``options`` as :class:`SheetOptions`."""
    opts = SheetOptions(fmt=fmt, lang=lang, **options)
    fig = map_sheet_figure(bundle, filters, measure, vintage, opts)
    title = fig.texts[0].get_text() if fig.texts else "NTM Atlas"
    data = sheet.figure_bytes(fig, fmt, opts.dpi, metadata=_metadata(title, fmt))
    return map_filename(measure, vintage, fmt, filters), data


def export_map(
    bundle: Bundle,
    out: Path | str,
    filters: Filters | None = None,
    measure: str = styles.DEFAULT_MEASURE,
    vintage: int = 2019,
    options: SheetOptions | None = None,
) -> Path:
    """Write a map sheet (PNG at the paper size and DPI, or SVG/PDF with text as text)."""
    options = options or SheetOptions(fmt=_fmt_from_suffix(out, MAP_FORMATS, "png"))
    fig = map_sheet_figure(bundle, filters, measure, vintage, options)
    title = fig.texts[0].get_text() if fig.texts else "NTM Atlas"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save_figure(fig, out, options.fmt, options.dpi, metadata=_metadata(title, options.fmt))
    return out
