"""Exports: print map sheets, the per-unit atlas, the standalone HTML map and the data.

Every export is a function of (bundle, filters, measure, vintage, options) that writes one file
(or returns its bytes), so the dashboard's export button and the CLI produce the same thing.
The measures come from :mod:`geodata.coverage`, the colours and symbols from
:mod:`layers.styles`, the drawing from :mod:`layers.sheet` / :mod:`layers.atlas` /
:mod:`layers.folium_map`.

For the dashboard: :func:`export_map_bytes` returns ``(filename, bytes)`` ready for
``dcc.Download`` (``dcc.send_bytes``), and :func:`export_data_bytes` does the same for data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlparse

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard.export_text import check_lang, t
from geodata import coverage
from geodata.bundle import Bundle, check_vintage
from geodata.coverage import Filters
from layers import sheet, styles
from layers.sheet import LegendItem, LegendSection, MapLayers, SheetText

#: Map sheet formats and data formats.
MAP_FORMATS = sheet.FORMATS
DATA_FORMATS = ("csv", "xlsx", "geojson", "gpkg")
ATLAS_UNITS = ("commune", "district", "sponsor")


# ------------------------------------------------------------------------------ words
def _today(today: dt.date | None) -> dt.date:
    return today or dt.datetime.now(dt.UTC).date()


def format_date(day: dt.date, lang: str) -> str:
    """Dates as Vietnamese readers write them (dd/mm/yyyy), ISO in English.

    >>> format_date(dt.date(2026, 11, 28), "vi"), format_date(dt.date(2026, 11, 28), "en")
    ('28/11/2026', '2026-11-28')
    """
    return day.strftime("%d/%m/%Y") if lang == "vi" else day.isoformat()


def _short(name: str) -> str:
    """A unit name without its "Xã "/"Huyện "/"Tỉnh " prefix, for labels."""
    for prefix in ("Xã ", "Huyện ", "Tỉnh ", "Thành Phố ", "Thành phố "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def describe_filters(bundle: Bundle, vintage: int, filters: Filters, lang: str = "vi") -> str:
    """The filters and the vintage in words, for a subtitle."""
    parts = [t(f"sub.vintage.{vintage}", lang)]
    f = filters
    if f.is_default:
        parts.append(t("sub.all", lang))
        return " · ".join(parts)
    if f.districts:
        d = bundle.tables.get("districts")
        names = dict(zip(d["code"], d["name"], strict=True)) if d is not None else {}
        parts.append(
            t("sub.districts", lang, v=", ".join(_short(names.get(c, c)) for c in f.districts))
        )
    if f.sponsors:
        parts.append(t("sub.sponsors", lang, v="; ".join(f.sponsors)))
    if f.sponsor_kinds:
        v = ", ".join(t(f"sponsor_kind.{k}", lang) for k in f.sponsor_kinds)
        parts.append(t("sub.sponsor_kinds", lang, v=v))
    if f.project_kinds:
        v = ", ".join(t(f"kind.{k}", lang) for k in f.project_kinds)
        parts.append(t("sub.project_kinds", lang, v=v))
    if f.criteria:
        parts.append(t("sub.criteria", lang, v=", ".join(str(c) for c in f.criteria)))
    if f.year_from is not None or f.year_to is not None:
        a = f.year_from if f.year_from is not None else "…"
        b = f.year_to if f.year_to is not None else "…"
        parts.append(t("sub.years", lang, v=f"{a}–{b}"))
        if not f.include_undated:
            parts.append(t("sub.undated_out", lang))
    if f.statuses:
        parts.append(
            t("sub.statuses", lang, v=", ".join(t(f"status.{s}", lang) for s in f.statuses))
        )
    if f.difficult_only:
        parts.append(t("sub.difficult", lang))
    return " · ".join(parts)


def _host(url: str) -> str:
    return urlparse(str(url)).netloc or str(url)


#: Which upstream files drew the boundaries of each vintage (by file-name prefix).
_BOUNDARY_FILES = {
    2019: ("gadm41", "dvhcvn-historical-data.2020-01-01", "dvhcvn.gis"),
    2020: ("gadm41", "dvhcvn-historical-data.2020-02-01", "dvhcvn.gis"),
    2025: ("vietnam-3d-map", "dvhcvn.2025", "dvhcvn.gis"),
}


def source_lines(
    bundle: Bundle, vintage: int, records: Sequence[pd.DataFrame], lang: str = "vi"
) -> list[str]:
    """Attribution lines: one per boundary source of the vintage (attribution — licence, from
    the store's ``build_info``) and one for the programme records shown."""
    lines: list[str] = []
    seen: set[str] = set()
    prefixes = _BOUNDARY_FILES[vintage]
    for src in bundle.sources():
        if not str(src.get("file", "")).startswith(prefixes):
            continue
        attribution = str(src.get("attribution", src["file"]))
        key = attribution.split(",")[0] if src["file"].startswith("dvhcvn.gis") else attribution
        if key in seen:
            continue
        seen.add(key)
        line = f"{attribution} — {src.get('licence', '')}".strip(" —")
        lines.append(line if len(line) < 240 else line[:237] + "…")
    urls = pd.concat([r["source_url"] for r in records if "source_url" in r]).dropna().unique()
    if len(urls):
        hosts = sorted({_host(u) for u in urls})
        shown = ", ".join(hosts[:4]) + (", …" if len(hosts) > 4 else "")
        lines.append(t("sheet.programme_sources", lang, n=len(urls), hosts=shown))
    return lines


def completeness_note(records: dict, lang: str = "vi") -> str:
    """The "how much data stands behind this" sentence (see :func:`coverage.completeness`)."""
    years = ""
    if records.get("year_min") is not None:
        years = t("sheet.years", lang, a=records["year_min"], b=records["year_max"])
    return t(
        "sheet.note",
        lang,
        n_assignments=records["n_assignments"],
        n_projects=records["n_projects"],
        n_status=records["n_status"],
        n_sources=records["n_sources"],
        years=years,
        n_undated=records["n_undated"],
    )


# ------------------------------------------------------------------------------ layers
@dataclass(frozen=True)
class PrintBase:
    """The bundle's geometry in the print CRS, projected once (an atlas draws it 122 times)."""

    communes: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame | None
    province: gpd.GeoDataFrame | None
    neighbours: gpd.GeoDataFrame | None
    vintage: int

    @classmethod
    def of(cls, bundle: Bundle, vintage: int, lang: str = "vi") -> PrintBase:
        vintage = check_vintage(vintage)
        communes = sheet.project(bundle.communes(vintage)[["code", "name", "geometry"]])
        districts = bundle.tables.get("districts")
        if districts is not None:
            districts = sheet.project(districts[["code", "name", "geometry"]])
            label = districts["name"].map(_short)
            if vintage == 2025:
                label = label + " " + t("sub.former", lang)
            districts = districts.assign(label=label.to_numpy())
        province = bundle.tables.get("province")
        if province is not None:
            province = sheet.project(province[["code", "name", "geometry"]])
        neighbours = bundle.tables.get("neighbours")
        if neighbours is not None:
            neighbours = sheet.project(neighbours[["code", "name", "geometry"]])
            neighbours = neighbours.assign(label=neighbours["name"].map(_short).to_numpy())
        return cls(communes, districts, province, neighbours, vintage)

    def locator(self) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None:
        """(context, province) for a locator inset, simplified to ~300 m (it is a few cm wide)."""
        if self.province is None:
            return None
        context = self.neighbours if self.neighbours is not None else self.province.iloc[:0]
        simple = context.assign(geometry=context.geometry.simplify(300))
        return (simple, self.province.assign(geometry=self.province.geometry.simplify(150)))


def project_points(projects: pd.DataFrame) -> pd.DataFrame:
    """Filtered projects as print points: ``x``, ``y`` (print CRS), ``colour``, ``letter``,
    ``approximate``, ``kind``."""
    df = projects.dropna(subset=["lon", "lat"])
    if df.empty:
        return pd.DataFrame(columns=["x", "y", "colour", "letter", "approximate", "kind"])
    pts = gpd.GeoSeries(gpd.points_from_xy(df["lon"], df["lat"]), crs=4326).to_crs(sheet.PRINT_CRS)
    kinds = [styles.kind_style(k) for k in df["kind"]]
    return pd.DataFrame(
        {
            "x": pts.x.to_numpy(),
            "y": pts.y.to_numpy(),
            "colour": [k.colour for k in kinds],
            "letter": [k.letter for k in kinds],
            "approximate": styles.is_approximate(df["location_precision"]),
            "kind": [k.key for k in kinds],
        }
    )


def measure_legend(measure: str, table: pd.DataFrame, lang: str) -> LegendSection:
    """The measure's classes with their commune counts; "outside the filters" hatched."""
    items = []
    for entry in styles.legend(measure, table):
        out = entry.key == "out_of_view"
        items.append(
            LegendItem(
                f"{t(entry.label_key, lang)} ({entry.count})",
                entry.colour,
                hatch="////" if out else None,
                edgecolor="#bdbdbd" if out else "#8c8c8c",
            )
        )
    return LegendSection(t(styles.measure_style(measure).label_key, lang), tuple(items))


def layer_legend(points: pd.DataFrame, vintage: int, lang: str) -> list[LegendSection]:
    """Legend sections of the visible point kinds and the boundary lines."""
    sections = []
    if len(points):
        present = set(points["kind"])
        counts = points["kind"].value_counts()
        items = [
            LegendItem(f"{t(k.label_key, lang)} ({counts[k.key]})", k.colour, "point", k.letter)
            for k in styles.PROJECT_KINDS.values()
            if k.key in present
        ]
        if points["approximate"].any():
            items.append(LegendItem(t("legend.approximate", lang), "#777777", "halo"))
        sections.append(LegendSection(t("sheet.projects", lang), tuple(items)))
    lc = styles.LINE_COLOURS
    district = "legend.district_former" if vintage == 2025 else "legend.district"
    sections.append(
        LegendSection(
            t("sheet.boundaries", lang),
            (
                LegendItem(t("legend.province", lang), lc["province"], "line", linewidth=1.8),
                LegendItem(t(district, lang), lc["district"], "line", linewidth=1.0),
                LegendItem(t("legend.commune", lang), lc["commune"], "line", linewidth=0.5),
                LegendItem(
                    t("legend.neighbour", lang),
                    lc["neighbour_fill"],
                    edgecolor=lc["neighbour_line"],
                ),
            ),
        )
    )
    return sections


def map_layers(
    bundle: Bundle,
    base: PrintBase,
    measure: str,
    filters: Filters,
    *,
    label_communes: bool | None = None,
) -> tuple[MapLayers, pd.DataFrame, pd.DataFrame]:
    """The print layers for a measure and filters, with the measures table and the filtered
    projects. Communes are labelled when at most 40 are in view (or as asked)."""
    vintage = base.vintage
    table = coverage.commune_measures(bundle, vintage, filters)
    cls = styles.classify(measure, table)
    colours = np.asarray(styles.class_colours(measure), dtype=object)[cls]
    communes = base.communes.assign(fill=list(colours), in_view=table["in_view"].to_numpy(bool))
    projects = coverage.filter_projects(bundle, vintage, filters)
    points = project_points(projects)
    view = communes.loc[communes["in_view"]]
    extent = tuple(view.total_bounds) if len(view) else tuple(communes.total_bounds)
    if label_communes is None:
        label_communes = 0 < len(view) <= 40
    labels = None
    if label_communes:
        rp = view.geometry.representative_point()
        labels = pd.DataFrame({"x": rp.x, "y": rp.y, "label": view["name"].map(_short)})
    layers = MapLayers(
        communes=communes,
        districts=base.districts,
        province=base.province,
        neighbours=base.neighbours,
        points=points,
        commune_labels=labels,
        extent=extent,
        commune_edge=styles.LINE_COLOURS["commune"],
        line_colours=dict(styles.LINE_COLOURS),
    )
    return layers, table, projects


# ------------------------------------------------------------------------------ map sheets
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
    from dataclasses import replace

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
            {"x": rp.x, "y": rp.y, "label": view["name"].map(_short)}
        )
    hidden = {"districts": "district", "province": "province"}
    sections = []
    for section in rest:
        items = tuple(
            i
            for i in section.items
            if not any(
                k not in on and i.colour == styles.LINE_COLOURS[v] and i.shape == "line"
                for k, v in hidden.items()
            )
            and not ("province" not in on and i.colour == styles.LINE_COLOURS["neighbour_fill"])
        )
        sections.append(type(section)(section.title, items))
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
    assignments = coverage.filter_assignments(bundle, vintage, filters)
    status = coverage.filter_status(bundle, vintage, filters)
    records = coverage.completeness(assignments, projects, status)
    measure_label = t(styles.measure_style(measure).label_key, lang)
    built = str(bundle.info.get("built_at", ""))[:10]
    date = t("sheet.date", lang, date=format_date(_today(options.today), lang))
    if built:
        date += " · " + t("sheet.data_built", lang, date=built)
    text = SheetText(
        title=options.title or t("sheet.title", lang, measure=measure_label),
        subtitle=describe_filters(bundle, vintage, filters, lang),
        sources=tuple(source_lines(bundle, vintage, [assignments, projects, status], lang)),
        date=date,
        note=completeness_note(records, lang),
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


# ------------------------------------------------------------------------------ atlas
def _money_millions(value) -> str:
    v = pd.to_numeric(value, errors="coerce")
    return "" if pd.isna(v) else f"{v / 1e6:,.0f}".replace(",", ".")


def _period(start, end, lang: str, *, short: bool = False) -> str:
    s = None if pd.isna(start) else int(start)
    e = None if pd.isna(end) else int(end)
    if s is None and e is None:
        return "—" if short else t("undated", lang)
    s, e = s or e, e or s
    return str(s) if s == e else f"{s}–{e}"


def _status(value, lang: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return t("status.unknown", lang)
    return (
        t(f"status.{value}", lang)
        if t(f"status.{value}", lang) != f"status.{value}"
        else str(value)
    )


def _extent_around(geoms: gpd.GeoSeries, *, grow: float = 0.35, minimum: float = 8000.0):
    minx, miny, maxx, maxy = geoms.total_bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half = max(maxx - minx, maxy - miny, minimum) * (1 + grow) / 2
    return (cx - half, cy - half, cx + half, cy + half)


def _labels_in(base_labels: pd.DataFrame, extent) -> pd.DataFrame:
    x0, y0, x1, y1 = extent
    keep = base_labels["x"].between(x0, x1) & base_labels["y"].between(y0, y1)
    return base_labels.loc[keep]


def _project_table(projects: pd.DataFrame, lang: str, limit: int, *, with_commune=False):
    from layers.atlas import Table

    df = projects.copy()
    df["_y"] = pd.to_numeric(df["year_start"], errors="coerce")
    df = df.sort_values(["_y", "kind", "title"], na_position="last")
    rows = []
    for r in df.head(limit).itertuples(index=False):
        row = [
            _period(r.year_start, r.year_end, lang, short=True),
            t(styles.kind_style(r.kind).label_key, lang),
            str(r.title or ""),
            _money_millions(r.cost_vnd),
            _status(r.status, lang),
        ]
        if with_commune:
            row.insert(2, _short(str(r.commune or "")))
        rows.append(tuple(row))
    cols = [
        t("atlas.col.year", lang),
        t("atlas.col.kind", lang),
        t("atlas.col.title", lang),
        t("atlas.col.cost", lang),
        t("atlas.col.status", lang),
    ]
    widths = [1.0, 2.0, 6.4, 2.4, 1.5]
    align = ["left", "left", "left", "right", "left"]
    if with_commune:
        cols.insert(2, t("atlas.col.commune", lang))
        widths.insert(2, 1.8)
        align.insert(2, "left")
    more = t("atlas.more", lang, n=len(df) - limit) if len(df) > limit else ""
    return Table(
        t("atlas.projects", lang) + f" ({len(df)})",
        tuple(cols),
        tuple(widths),
        tuple(rows),
        t("atlas.no_project", lang),
        more,
        tuple(align),
    )


def _sponsor_table(assignments: pd.DataFrame, lang: str, limit: int = 6):
    from layers.atlas import Table

    rows = []
    df = assignments.sort_values(["period_start_year", "sponsor_name"], na_position="last")
    for r in df.head(limit).itertuples(index=False):
        kind = t(f"sponsor_kind.{r.sponsor_kind}", lang) if isinstance(r.sponsor_kind, str) else ""
        rows.append(
            (
                str(r.sponsor_name),
                kind,
                _period(r.period_start_year, r.period_end_year, lang, short=True),
                str(r.activities_summary or ""),
            )
        )
    more = t("atlas.more", lang, n=len(df) - limit) if len(df) > limit else ""
    return Table(
        t("atlas.sponsors", lang) + f" ({len(df)})",
        (
            t("atlas.col.sponsor", lang),
            t("atlas.kind", lang),
            t("atlas.col.period", lang),
            t("atlas.col.title", lang),
        ),
        (4.0, 2.2, 1.4, 6.0),
        tuple(rows),
        t("atlas.no_sponsor", lang),
        more,
    )


@dataclass(frozen=True)
class _AtlasContext:
    bundle: Bundle
    base: PrintBase
    layers: MapLayers
    table: pd.DataFrame
    filters: Filters
    labels: pd.DataFrame
    lang: str
    footer: str


def _commune_pages(ctx: _AtlasContext, first_page: int):
    from dataclasses import replace

    from layers.atlas import AtlasPage

    lang, vintage = ctx.lang, ctx.base.vintage
    view = ctx.table.loc[ctx.table["in_view"]]
    view = view.iloc[_name_order(view)]
    communes = ctx.base.communes.set_index("code")
    for n, row in enumerate(view.itertuples(index=False)):
        d = coverage.commune_details(ctx.bundle, vintage, row.code, ctx.filters)
        unit = communes.loc[[row.code]]
        extent = _extent_around(unit.geometry)
        prj = d["projects"]
        layers = replace(
            ctx.layers,
            extent=extent,
            highlight=unit.reset_index(),
            commune_labels=_labels_in(ctx.labels, extent),
            points=project_points(prj),
        )
        facts = [
            f"{t('atlas.district', lang)}: {_short(str(row.district_name))}"
            if row.district_name and isinstance(row.district_name, str)
            else "",
            f"{t('atlas.kind', lang)}: {row.kind} · {t('col.code', lang)} {row.code}",
            f"{t('atlas.area', lang)}: {row.area_km2:,.1f} km²" if pd.notna(row.area_km2) else "",
        ]
        for v, names in d["became"].items():
            if names:
                facts.append(f"{t('atlas.became', lang)} ({v}): {', '.join(names)}")
        if vintage != 2019 and d["parts_2019"]:
            facts.append(f"{t('atlas.parts', lang)}: {', '.join(map(_short, d['parts_2019']))}")
        if d["difficult"]:
            facts.append(t("atlas.difficult", lang))
        if pd.notna(row.ntm_year):
            facts.append(t("atlas.ntm", lang, year=int(row.ntm_year)))
        yield (
            row.name,
            _short(str(row.district_name or "")),
            AtlasPage(
                title=row.name,
                subtitle=" · ".join(
                    x
                    for x in (row.district_name, t(f"sub.vintage.{vintage}", lang))
                    if isinstance(x, str) and x
                ),
                layers=layers,
                highlight=unit.reset_index(),
                facts=tuple(f for f in facts if f),
                tables=(_sponsor_table(d["assignments"], lang), _project_table(prj, lang, 20)),
                sources_title=t("atlas.sources", lang),
                sources=tuple(d["sources"][:6]) or (t("atlas.no_source", lang),),
                footer=ctx.footer,
                page_label=f"{t('atlas.page', lang)} {first_page + n}",
                locator_title=t("sheet.locator", lang),
            ),
        )


def _district_pages(ctx: _AtlasContext, first_page: int):
    from dataclasses import replace

    from layers.atlas import AtlasPage, Table

    lang, vintage = ctx.lang, ctx.base.vintage
    districts = ctx.base.districts
    table = ctx.table
    if ctx.filters.districts:
        districts = districts.loc[districts["code"].isin(ctx.filters.districts)]
    cw = ctx.bundle.crosswalk
    for n, d in enumerate(districts.sort_values("name").itertuples(index=False)):
        if vintage == 2025:
            codes = set(cw.loc[cw["district_code"] == d.code, f"code_{vintage}"])
            mine = table.loc[table["code"].isin(codes) & table["in_view"]]
        else:
            mine = table.loc[(table["district_code"] == d.code) & table["in_view"]]
        unit = districts.loc[districts["code"] == d.code]
        extent = _extent_around(unit.geometry, grow=0.08)
        prj = coverage.filter_projects(ctx.bundle, vintage, ctx.filters)
        prj = prj.loc[prj[f"code_{vintage}"].isin(set(mine["code"]))]
        layers = replace(
            ctx.layers,
            extent=extent,
            highlight=unit,
            commune_labels=_labels_in(ctx.labels, extent),
            points=project_points(prj),
        )
        rows = tuple(
            (
                _short(r.name),
                fit_text(r.sponsors, 80),
                str(r.n_projects),
                "" if pd.isna(r.ntm_year) else str(int(r.ntm_year)),
            )
            for r in mine.sort_values("name").itertuples(index=False)
        )
        communes_table = Table(
            t("atlas.communes", lang) + f" ({int((mine['n_sponsors'] > 0).sum())}/{len(mine)})",
            (
                t("atlas.col.commune", lang),
                t("atlas.sponsors", lang),
                t("html.n_projects", lang),
                t("col.ntm_year", lang),
            ),
            (2.0, 5.5, 1.6, 2.4),
            rows[:26],
            "",
            t("atlas.more", lang, n=len(rows) - 26) if len(rows) > 26 else "",
            ("left", "left", "right", "right"),
        )
        urls = sorted(set(prj["source_url"].dropna()))
        yield (
            d.name,
            "",
            AtlasPage(
                title=d.label if vintage == 2025 else d.name,
                subtitle=t(f"sub.vintage.{vintage}", lang),
                layers=layers,
                highlight=unit,
                facts=(),
                tables=(communes_table, _project_table(prj, lang, 8, with_commune=True)),
                sources_title=t("atlas.sources", lang),
                sources=tuple(urls[:5]) or (t("atlas.no_source", lang),),
                footer=ctx.footer,
                page_label=f"{t('atlas.page', lang)} {first_page + n}",
                locator_title=t("sheet.locator", lang),
            ),
        )


def _sponsor_pages(ctx: _AtlasContext, first_page: int):
    from dataclasses import replace

    from layers.atlas import AtlasPage

    lang, vintage = ctx.lang, ctx.base.vintage
    load = coverage.sponsor_load(ctx.bundle, vintage, ctx.filters)
    load = load.loc[(load["n_communes"] > 0) | (load["n_projects"] > 0)].sort_values("sponsor")
    asg_all = coverage.filter_assignments(ctx.bundle, vintage, ctx.filters)
    prj_all = coverage.filter_projects(ctx.bundle, vintage, ctx.filters)
    col = f"code_{vintage}"
    communes = ctx.base.communes
    for n, s in enumerate(load.itertuples(index=False)):
        asg = asg_all.loc[asg_all["sponsor_name"] == s.sponsor]
        prj = prj_all.loc[prj_all["agency"] == s.sponsor]
        codes = set(asg[col].dropna()) | set(prj[col].dropna())
        unit = communes.loc[communes["code"].isin(codes)]
        extent = _extent_around(unit.geometry, grow=0.3) if len(unit) else ctx.layers.extent
        layers = replace(
            ctx.layers,
            extent=extent,
            highlight=unit,
            commune_labels=_labels_in(ctx.labels, extent),
            points=project_points(prj),
        )
        asg_named = asg.assign(sponsor_name=asg["commune"].map(lambda c: _short(str(c))))
        sponsor_table = _sponsor_table(asg_named, lang, 8)
        sponsor_table = type(sponsor_table)(
            t("atlas.communes", lang) + f" ({s.n_communes})",
            (t("atlas.col.commune", lang), *sponsor_table.columns[1:]),
            sponsor_table.widths,
            sponsor_table.rows,
            t("atlas.no_sponsor", lang),
            sponsor_table.more,
        )
        kind = t(f"sponsor_kind.{s.kind}", lang) if isinstance(s.kind, str) else ""
        urls = sorted(set(asg["source_url"].dropna()) | set(prj["source_url"].dropna()))
        yield (
            s.sponsor,
            kind,
            AtlasPage(
                title=s.sponsor,
                subtitle=f"{kind} · {t(f'sub.vintage.{vintage}', lang)}",
                layers=layers,
                highlight=unit,
                facts=(),
                tables=(sponsor_table, _project_table(prj, lang, 14, with_commune=True)),
                sources_title=t("atlas.sources", lang),
                sources=tuple(urls[:6]) or (t("atlas.no_source", lang),),
                footer=ctx.footer,
                page_label=f"{t('atlas.page', lang)} {first_page + n}",
                locator_title=t("sheet.locator", lang),
            ),
        )


def _name_order(df: pd.DataFrame) -> list[int]:
    """Row positions sorted by district then name as a Vietnamese reader expects (Đ with D, tone
    marks after the letters), not by code point."""
    from geodata.names import loose_key

    keys = [
        (loose_key(str(d or "")), loose_key(_short(str(n))), str(n))
        for d, n in zip(df["district_name"], df["name"], strict=True)
    ]
    return sorted(range(len(keys)), key=keys.__getitem__)


def fit_text(value, n: int) -> str:
    from layers.atlas import fit

    return fit(value, n)


def atlas_units(bundle: Bundle, filters: Filters, by: str, vintage: int) -> int:
    """How many unit pages an atlas has (before the cover and contents)."""
    if by == "commune":
        return int(coverage.communes_in_view(bundle, vintage, filters).sum())
    if by == "district":
        d = bundle.tables["districts"]
        return int(d["code"].isin(filters.districts).sum()) if filters.districts else len(d)
    load = coverage.sponsor_load(bundle, vintage, filters)
    return int(((load["n_communes"] > 0) | (load["n_projects"] > 0)).sum())


def _atlas_context(bundle, filters, vintage, measure, lang, today) -> _AtlasContext:
    base = PrintBase.of(bundle, vintage, lang)
    layers, table, _ = map_layers(bundle, base, measure, filters, label_communes=False)
    # Boxes, not halos, behind the labels: a halo is outlined glyphs, heavy on 122 pages.
    layers = replace(layers, label_mask="box")
    rp = base.communes.geometry.representative_point()
    labels = pd.DataFrame({"x": rp.x, "y": rp.y, "label": base.communes["name"].map(_short)})
    day = format_date(_today(today), lang)
    footer = f"NTM Atlas · {t(f'sub.vintage.{vintage}', lang)} · {t('sheet.date', lang, date=day)}"
    return _AtlasContext(bundle, base, layers, table, filters, labels, lang, footer)


def atlas_page_figure(
    bundle: Bundle,
    code: str,
    vintage: int = 2019,
    *,
    measure: str = styles.DEFAULT_MEASURE,
    lang: str = "vi",
    today: dt.date | None = None,
):
    """The atlas page of one commune as a figure (e.g. a PNG preview for the README)."""
    from layers.atlas import render_atlas_page

    vintage = check_vintage(vintage)
    ctx = _atlas_context(bundle, Filters(), vintage, measure, check_lang(lang), today)
    ctx = _AtlasContext(
        ctx.bundle,
        ctx.base,
        ctx.layers,
        ctx.table.loc[ctx.table["code"] == code],
        ctx.filters,
        ctx.labels,
        ctx.lang,
        ctx.footer,
    )
    for _name, _group, page in _commune_pages(ctx, 1):
        return render_atlas_page(page, ctx.base.locator())
    msg = f"No commune {code!r} in the {vintage} boundaries"
    raise KeyError(msg)


def export_atlas(
    bundle: Bundle,
    out: Path | str,
    filters: Filters | None = None,
    *,
    by: str = "commune",
    vintage: int = 2019,
    measure: str = styles.DEFAULT_MEASURE,
    lang: str = "vi",
    today: dt.date | None = None,
    outline: bool = True,
) -> Path:
    """Write the atlas PDF: a cover (province map), contents, then one page per commune,
    district or sponsor in view, each with a detail map, locator, facts, tables of sponsors and
    projects, and its sources. PDF bookmarks point at every unit page."""
    from matplotlib.backends.backend_pdf import PdfPages

    from layers.atlas import CONTENTS_ROWS, render_atlas_page, render_contents

    if by not in ATLAS_UNITS:
        msg = f"Unknown atlas unit {by!r}; choose one of {', '.join(ATLAS_UNITS)}"
        raise ValueError(msg)
    lang = check_lang(lang)
    filters = filters or Filters()
    vintage = check_vintage(vintage)
    ctx = _atlas_context(bundle, filters, vintage, measure, lang, today)
    base = ctx.base

    n_units = atlas_units(bundle, filters, by, vintage)
    n_contents = max(1, -(-n_units // CONTENTS_ROWS))
    first = 2 + n_contents
    pages = {"commune": _commune_pages, "district": _district_pages, "sponsor": _sponsor_pages}[by]
    title = t("atlas.title", lang)
    cover = map_sheet_figure(
        bundle,
        filters,
        measure,
        vintage,
        SheetOptions(fmt="pdf", orientation="portrait", title=title, lang=lang, today=today),
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    entries: list[tuple[str, str, int]] = []
    locator = base.locator()
    if locator is not None and base.districts is not None:
        locator = (locator[0], locator[1])
    tmp = out.with_name(f".{out.name}.part")
    with sheet.print_rc(), PdfPages(tmp, metadata=_metadata(title, "pdf")) as pdf:
        pdf.savefig(cover)
        unit_figs = []
        for name, group, page in pages(ctx, first):
            entries.append((name, group, first + len(entries)))
            unit_figs.append(page)
        heading = (
            t("atlas.col.commune" if by == "commune" else "col.name", lang),
            t("atlas.district" if by == "commune" else "atlas.kind", lang),
            t("atlas.page", lang),
        )
        for fig in render_contents(
            t("atlas.contents", lang), entries, heading=heading, footer=ctx.footer
        ):
            pdf.savefig(fig)
        for page in unit_figs:
            pdf.savefig(render_atlas_page(page, locator))
    if outline:
        _add_outline(tmp, entries, t("atlas.contents", lang))
    tmp.replace(out)
    return out


def _add_outline(path: Path, entries: Sequence[tuple[str, str, int]], contents: str) -> None:
    """PDF bookmarks: the contents page and every unit page (page numbers are 1-based)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(path))
    writer.add_outline_item(title=contents, page_number=1)
    for name, _group, page in entries:
        writer.add_outline_item(title=name, page_number=page - 1)
    writer.page_mode = "/UseOutlines"
    with open(path, "wb") as fh:
        writer.write(fh)


# ------------------------------------------------------------------------------ HTML
def _sources_by_code(frames: Sequence[pd.DataFrame], col: str) -> dict[str, list[str]]:
    urls = pd.concat([f[[col, "source_url"]] for f in frames]).dropna()
    return {c: sorted(set(g["source_url"])) for c, g in urls.groupby(col)}


def _vnd(value, lang: str) -> str:
    v = pd.to_numeric(value, errors="coerce")
    if pd.isna(v):
        return "—"
    text = f"{v:,.0f}"
    return (text.replace(",", ".") + " đồng") if lang == "vi" else text + " VND"


def html_map(
    bundle: Bundle,
    filters: Filters | None = None,
    measure: str = styles.DEFAULT_MEASURE,
    vintage: int = 2019,
    lang: str = "vi",
    *,
    basemap: bool = True,
    today: dt.date | None = None,
):
    """The Folium map of a view (see :func:`export_html`) and its page title."""
    import xyzservices.providers as xyz

    from layers import folium_map as fm

    lang = check_lang(lang)
    filters = filters or Filters()
    vintage = check_vintage(vintage)
    style = styles.measure_style(measure)
    col = f"code_{vintage}"
    table = coverage.commune_measures(bundle, vintage, filters)
    cls = styles.classify(measure, table)
    class_colours = styles.class_colours(measure)
    class_labels = ["class.out_of_view", *(c.label_key for c in style.classes)]
    asg = coverage.filter_assignments(bundle, vintage, filters)
    prj = coverage.filter_projects(bundle, vintage, filters)
    sta = coverage.filter_status(bundle, vintage, filters)
    sources = _sources_by_code([asg, prj, sta], col)
    measure_label = t(style.label_key, lang)

    web = bundle.tables.get(f"communes_{vintage}_web", bundle.communes(vintage))
    web = web.set_index("code").loc[table["code"]].reset_index()
    tooltips, popups = [], []
    for i, r in enumerate(table.itertuples(index=False)):
        label = t(class_labels[cls[i]], lang)
        tooltips.append(f"{r.name} — {label}")
        rows = [
            (t("atlas.district", lang), r.district_name or ""),
            (measure_label, label),
            (t("html.sponsors", lang), r.sponsors or "—"),
            (t("html.n_projects", lang), r.n_projects),
            (t("html.support", lang), _vnd(r.support_vnd, lang)),
        ]
        if pd.notna(r.ntm_year):
            rows.append((t("col.ntm_year", lang), int(r.ntm_year)))
        popups.append(fm.popup_html(r.name, rows, sources.get(r.code, [])[:5]))
    communes = gpd.GeoDataFrame(
        {
            "code": table["code"].to_numpy(),
            "name": table["name"].to_numpy(),
            "fill": [class_colours[c] for c in cls],
            "in_view": table["in_view"].to_numpy(bool),
            "tooltip": tooltips,
            "popup": popups,
        },
        geometry=web.geometry.to_numpy(),
        crs=web.crs,
    ).to_crs(4326)

    points = prj.dropna(subset=["lon", "lat"])
    pts_rows = []
    counts = points["kind"].value_counts()
    for p in points.itertuples(index=False):
        k = styles.kind_style(p.kind)
        kind_label = t(k.label_key, lang)
        approx = bool(styles.is_approximate(pd.Series([p.location_precision]))[0])
        where = t("html.approximate" if approx else "html.precise", lang)
        rows = [
            (t("atlas.col.kind", lang), kind_label),
            (t("atlas.col.commune", lang), p.commune or ""),
            (t("col.village", lang), p.village if isinstance(p.village, str) else "—"),
            (t("atlas.col.year", lang), _period(p.year_start, p.year_end, lang)),
            (t("atlas.col.sponsor", lang), p.sponsor_name or "—"),
            (t("col.cost_vnd", lang), _vnd(p.cost_vnd, lang)),
            (t("atlas.col.status", lang), _status(p.status, lang)),
            (
                t("col.ntm_criterion", lang),
                p.ntm_criterion if isinstance(p.ntm_criterion, str) else "—",
            ),
            (t("col.location_precision", lang), where),
        ]
        links = [p.source_url] if isinstance(p.source_url, str) else []
        pts_rows.append(
            {
                "lon": p.lon,
                "lat": p.lat,
                "colour": k.colour,
                "letter": k.letter,
                "approximate": approx,
                "group": t("html.projects", lang, kind=f"{kind_label} ({counts[p.kind]})"),
                "tooltip": f"{p.title} ({kind_label})" + (f" — {where}" if approx else ""),
                "popup": fm.popup_html(str(p.title), rows, links),
                "kind": k.key,
            }
        )
    pts = pd.DataFrame(pts_rows)
    if len(pts):
        order = {k: i for i, k in enumerate(styles.PROJECT_KINDS)}
        pts = pts.sort_values("kind", key=lambda s: s.map(order), kind="stable")

    def overlay(name):
        gdf = bundle.tables.get(name)
        if gdf is None:
            return None
        gdf = gdf.to_crs(4326)
        return gdf.assign(label=gdf["name"].map(_short).to_numpy()) if "name" in gdf else gdf

    districts = overlay("districts")
    if districts is not None and vintage == 2025:
        districts = districts.assign(label=districts["label"] + " " + t("sub.former", lang))
    view = communes.loc[communes["in_view"]]
    bounds = tuple(view.total_bounds) if len(view) else tuple(communes.total_bounds)

    legend_items = []
    for entry in styles.legend(measure, table):
        legend_items.append(
            fm.HtmlLegendItem(f"{t(entry.label_key, lang)} ({entry.count})", entry.colour)
        )
    legend = [(measure_label, tuple(legend_items))]
    if len(pts):
        kinds = [k for k in styles.PROJECT_KINDS.values() if k.key in set(pts["kind"])]
        items = [
            fm.HtmlLegendItem(
                f"{t(k.label_key, lang)} ({counts[k.key]})", k.colour, "point", k.letter
            )
            for k in kinds
        ]
        if pts["approximate"].any():
            items.append(fm.HtmlLegendItem(t("legend.approximate", lang), "#777777", "halo"))
        legend.append((t("sheet.projects", lang), tuple(items)))
    lc = styles.LINE_COLOURS
    district_key = "legend.district_former" if vintage == 2025 else "legend.district"
    legend.append(
        (
            t("sheet.boundaries", lang),
            (
                fm.HtmlLegendItem(t("legend.province", lang), lc["province"], "line"),
                fm.HtmlLegendItem(t(district_key, lang), lc["district"], "line"),
                fm.HtmlLegendItem(t("legend.neighbour", lang), lc["neighbour_fill"]),
            ),
        )
    )
    records = coverage.completeness(asg, prj, sta)
    day = format_date(_today(today), lang)
    title = t("sheet.title", lang, measure=measure_label)
    text = fm.HtmlText(
        title=title,
        subtitle=describe_filters(bundle, vintage, filters, lang),
        note=completeness_note(records, lang),
        sources=(
            *source_lines(bundle, vintage, [asg, prj, sta], lang),
            f"{t('sheet.credit', lang)} · {t('sheet.date', lang, date=day)}",
        ),
        communes_layer=f"{t('html.communes', lang)}: {measure_label}",
        districts_layer=t("legend.district_former" if vintage == 2025 else "html.districts", lang),
        province_layer=t("html.province", lang),
        neighbours_layer=t("html.neighbours", lang),
        basemap_layer=t("html.basemap", lang),
        legend=tuple(legend),
        lang=lang,
    )
    layers = fm.HtmlLayers(
        communes=communes,
        districts=districts,
        province=overlay("province"),
        neighbours=overlay("neighbours"),
        points=pts if len(pts) else None,
        bounds=bounds,
        line_colours=dict(lc),
    )
    m = fm.build_map(layers, text, basemap=xyz.OpenStreetMap.Mapnik if basemap else None)
    return m, title


def export_html_text(
    bundle: Bundle,
    filters: Filters | None = None,
    measure: str = styles.DEFAULT_MEASURE,
    vintage: int = 2019,
    lang: str = "vi",
    **kwargs,
) -> str:
    """The standalone HTML map as text (Leaflet inlined; no script or stylesheet from the
    network)."""
    from layers import folium_map as fm

    m, title = html_map(bundle, filters, measure, vintage, lang, **kwargs)
    return fm.standalone_html(m, lang=lang, title=title)


def export_html(
    bundle: Bundle,
    out: Path | str,
    filters: Filters | None = None,
    measure: str = styles.DEFAULT_MEASURE,
    vintage: int = 2019,
    lang: str = "vi",
    **kwargs,
) -> Path:
    """Write the standalone interactive map: one HTML file that opens by double-click and works
    with no internet (the OpenStreetMap basemap is an overlay, off until ticked)."""
    page = export_html_text(bundle, filters, measure, vintage, lang, **kwargs)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out


# ------------------------------------------------------------------------------ data
#: Columns of the exported assignments and projects tables.
ASSIGNMENT_COLUMNS = (
    "assignment_id",
    "sponsor_name",
    "sponsor_kind",
    "commune",
    "period_start_year",
    "period_end_year",
    "activities_summary",
    "source_url",
    "source_date",
    "confidence",
    "code_2019",
    "code_2020",
    "code_2025",
)
PROJECT_COLUMNS = (
    "project_id",
    "kind",
    "title",
    "commune",
    "village",
    "year_start",
    "year_end",
    "ntm_criterion",
    "sponsor_name",
    "agency",
    "cost_vnd",
    "status",
    "location_precision",
    "source_url",
    "source_date",
    "confidence",
    "lon",
    "lat",
    "code_2019",
    "code_2020",
    "code_2025",
)


@dataclass(frozen=True)
class DataTables:
    """What a data export holds: communes (with measures and geometry), assignments, projects,
    sources, and an about table (vintage, filters, completeness, dates, licences)."""

    communes: gpd.GeoDataFrame
    assignments: pd.DataFrame
    projects: pd.DataFrame
    sources: pd.DataFrame
    about: pd.DataFrame


def data_tables(
    bundle: Bundle,
    filters: Filters | None = None,
    vintage: int = 2019,
    lang: str = "vi",
    today: dt.date | None = None,
) -> DataTables:
    """The filtered communes (in view) with every measure and their source links, the filtered
    assignments and projects (with their vintage code), the sources and an about table."""
    lang = check_lang(lang)
    filters = filters or Filters()
    vintage = check_vintage(vintage)
    col = f"code_{vintage}"
    m = coverage.commune_measures(bundle, vintage, filters)
    asg = coverage.filter_assignments(bundle, vintage, filters)
    prj = coverage.filter_projects(bundle, vintage, filters)
    sta = coverage.filter_status(bundle, vintage, filters)
    src = _sources_by_code([asg, prj, sta], col)
    m = m.loc[m["in_view"]].drop(columns=["in_view"]).reset_index(drop=True)
    m["sources"] = [" ; ".join(src.get(c, [])) for c in m["code"]]
    m["ntm_year"] = m["ntm_year"].astype("Int64")
    geom = bundle.communes(vintage).set_index("code").loc[m["code"], "geometry"]
    communes = gpd.GeoDataFrame(m, geometry=geom.to_numpy(), crs=bundle.communes(vintage).crs)

    asg = asg[[c for c in ASSIGNMENT_COLUMNS if c in asg]].reset_index(drop=True)
    prj = prj[[c for c in PROJECT_COLUMNS if c in prj]].reset_index(drop=True)
    urls = pd.concat([asg["source_url"], prj["source_url"], sta["source_url"]]).dropna()
    counts = urls.value_counts()
    sources = pd.DataFrame({"url": counts.index.astype(str), "n_records": counts.to_numpy()})
    sources = sources.sort_values("url").reset_index(drop=True)

    records = coverage.completeness(asg, prj, sta)
    about_rows = [
        ("about.vintage", t(f"sub.vintage.{vintage}", lang)),
        ("about.filters", describe_filters(bundle, vintage, filters, lang)),
        ("about.records", completeness_note(records, lang)),
        ("about.made", format_date(_today(today), lang)),
        ("about.built", str(bundle.info.get("built_at", ""))),
    ]
    for line in source_lines(bundle, vintage, [asg, prj, sta], lang):
        about_rows.append(("sheet.sources", line))
    about = pd.DataFrame(
        {"key": [t(k, lang) for k, _ in about_rows], "value": [v for _, v in about_rows]}
    )
    return DataTables(communes, asg, prj, sources, about)


def _headers(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    return df.rename(columns={c: t(f"col.{c}", lang) for c in df.columns})


def export_data(
    bundle: Bundle,
    out: Path | str,
    filters: Filters | None = None,
    vintage: int = 2019,
    fmt: str | None = None,
    lang: str = "vi",
    today: dt.date | None = None,
) -> Path:
    """Write the filtered data.

    - ``csv``: the communes table (one row per commune in view, every measure, source links);
      UTF-8 with a byte-order mark so spreadsheet programs read the diacritics.
    - ``xlsx``: one sheet per table (communes, assignments, projects, sources, about) with
      headers in ``lang``.
    - ``geojson``: the communes with their measures as properties (EPSG:4326).
    - ``gpkg``: layers ``communes`` and ``projects`` (points) and tables ``assignments``,
      ``sources``, ``about``.
    """
    fmt = fmt or _fmt_from_suffix(out, DATA_FORMATS, "csv")
    if fmt not in DATA_FORMATS:
        msg = f"Unknown data format {fmt!r}; choose one of {', '.join(DATA_FORMATS)}"
        raise ValueError(msg)
    tables = data_tables(bundle, filters, vintage, lang, today)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    communes = pd.DataFrame(tables.communes.drop(columns="geometry"))
    if fmt == "csv":
        communes.to_csv(out, index=False, encoding="utf-8-sig")
    elif fmt == "xlsx":
        with pd.ExcelWriter(out, engine="openpyxl") as xl:
            for key, df in (
                ("sheet.communes", communes),
                ("sheet.assignments", tables.assignments),
                ("sheet.projects_tab", tables.projects),
                ("sheet.sources_tab", tables.sources),
                ("sheet.about", tables.about),
            ):
                name = t(key, lang)[:31]
                _headers(df, lang).to_excel(xl, sheet_name=name, index=False)
                sheet_ = xl.sheets[name]
                sheet_.freeze_panes = "A2"
                for i, column in enumerate(df.columns, start=1):
                    width = min(60, max(10, len(str(t(f"col.{column}", lang))) + 2))
                    sheet_.column_dimensions[_xl_col(i)].width = width
    elif fmt == "geojson":
        if out.exists():
            out.unlink()
        tables.communes.to_crs(4326).to_file(out, driver="GeoJSON", engine="pyogrio")
    else:
        if out.exists():
            out.unlink()
        tables.communes.to_file(out, layer="communes", driver="GPKG", engine="pyogrio")
        prj = tables.projects
        pts = gpd.GeoDataFrame(prj, geometry=gpd.points_from_xy(prj["lon"], prj["lat"]), crs=4326)
        pts.to_file(out, layer="projects", driver="GPKG", engine="pyogrio")
        import pyogrio

        for name in ("assignments", "sources", "about"):
            pyogrio.write_dataframe(getattr(tables, name), out, layer=name, driver="GPKG")
    return out


def _xl_col(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


def export_data_bytes(
    bundle: Bundle,
    filters: Filters | None = None,
    vintage: int = 2019,
    fmt: str = "xlsx",
    lang: str = "vi",
) -> tuple[str, bytes]:
    """A data export as ``(filename, bytes)`` for the dashboard's download buttons."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = export_data(bundle, Path(tmp) / f"data.{fmt}", filters, vintage, fmt, lang)
        data = path.read_bytes()
    extra = "_d" + "-".join(filters.districts) if filters is not None and filters.districts else ""
    return f"ntm-atlas_data_{vintage}{extra}.{fmt}", data


# ------------------------------------------------------------------------------ dashboard
MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
}


def download_payload(filename: str, data: bytes) -> dict:
    """What ``dcc.Download`` takes (the same dict as ``dcc.send_bytes``), without importing
    Dash here.

    >>> p = download_payload("a.png", b"\\x89PNG")
    >>> p["filename"], p["type"], p["base64"], p["content"]
    ('a.png', 'image/png', True, 'iVBORw==')
    """
    import base64

    fmt = Path(filename).suffix.lstrip(".").lower()
    return {
        "content": base64.b64encode(data).decode("ascii"),
        "filename": filename,
        "type": MIME.get(fmt, "application/octet-stream"),
        "base64": True,
    }


def export_view_download(
    bundle: Bundle,
    filters: Filters,
    measure: str,
    vintage: int,
    fmt: str = "png",
    lang: str = "vi",
    visible: Sequence[str] | None = None,
) -> dict:
    """The export button's callback body: the current view as a ``dcc.Download`` payload.
    ``fmt``: a map sheet (png, svg, pdf, A4 landscape, 300 dpi for PNG), ``html`` (the
    standalone map) or a data format (csv, xlsx, geojson, gpkg). ``visible``: the dashboard's
    layer switches that are on."""
    if fmt in MAP_FORMATS:
        name, data = export_map_bytes(
            bundle,
            filters,
            measure,
            vintage,
            fmt,
            lang,
            layers=tuple(visible) if visible is not None else None,
        )
    elif fmt == "html":
        data = export_html_text(bundle, filters, measure, vintage, lang).encode("utf-8")
        name = map_filename(measure, vintage, "html", filters)
    elif fmt in DATA_FORMATS:
        name, data = export_data_bytes(bundle, filters, vintage, fmt, lang)
    else:
        valid = ", ".join([*MAP_FORMATS, "html", *DATA_FORMATS])
        msg = f"Unknown export format {fmt!r}; choose one of {valid}"
        raise ValueError(msg)
    return download_payload(name, data)


def _fmt_from_suffix(path: Path | str, valid: Sequence[str], default: str) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in valid else default


__all__ = [
    "ATLAS_UNITS",
    "DATA_FORMATS",
    "MAP_FORMATS",
    "DataTables",
    "PrintBase",
    "SheetOptions",
    "atlas_page_figure",
    "data_tables",
    "describe_filters",
    "download_payload",
    "export_atlas",
    "export_data",
    "export_data_bytes",
    "export_html",
    "export_html_text",
    "export_map",
    "export_map_bytes",
    "export_view_download",
    "html_map",
    "map_sheet_figure",
]
