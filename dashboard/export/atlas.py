"""The atlas: a cover, contents and one page per commune, district or sponsor, as one PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure

from dashboard.export.print_layers import PrintBase, map_layers, project_points
from dashboard.export.sheets import SheetOptions, _metadata, map_sheet_figure
from dashboard.export.words import ATLAS_UNITS, _today, format_date
from dashboard.export_text import check_lang, t
from geodata import coverage, programme
from geodata.bundle import Bundle, check_vintage
from geodata.coverage import Filters
from geodata.programme import in_language
from geodata.vocabulary import ProjectStatus, SponsorKind, UnitKind, short_name
from layers import sheet, styles
from layers.atlas import (
    CONTENTS_ROWS,
    AtlasPage,
    PageFrame,
    Table,
    render_atlas_page,
    render_contents,
    render_list_page,
)
from layers.sheet import MapLayers


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
    return t(ProjectStatus.label_key_of(value), lang)


def _extent_around(geoms: gpd.GeoSeries, *, grow: float = 0.35, minimum: float = 8000.0):
    minx, miny, maxx, maxy = geoms.total_bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half = max(maxx - minx, maxy - miny, minimum) * (1 + grow) / 2
    return (cx - half, cy - half, cx + half, cy + half)


def _labels_in(base_labels: pd.DataFrame, extent) -> pd.DataFrame:
    x0, y0, x1, y1 = extent
    keep = base_labels["x"].between(x0, x1) & base_labels["y"].between(y0, y1)
    return base_labels.loc[keep]


def _headings(lang: str, *keys: str) -> tuple[str, ...]:
    """Column headings in ``lang``: a bare key is an ``atlas.col.*`` heading, a dotted one is
    taken as it is (headings shared with the screen).

    >>> _headings("en", "commune", "col.ntm_year")
    ('Commune', 'NTM year')
    """
    return tuple(t(k if "." in k else f"atlas.col.{k}", lang) for k in keys)


def _project_table(projects: pd.DataFrame, lang: str, limit: int, *, with_commune=False):
    df = projects.copy()
    df["_y"] = pd.to_numeric(df["year_start"], errors="coerce")
    df["shown_title"] = in_language(df, "title", lang).fillna("")
    df = df.sort_values(["_y", "kind", "shown_title"], na_position="last")
    rows = []
    for r in df.head(limit).itertuples(index=False):
        row = [
            _period(r.year_start, r.year_end, lang, short=True),
            t(styles.kind_style(r.kind).label_key, lang),
            str(r.shown_title),
            _money_millions(r.cost_vnd),
            _status(r.status, lang),
        ]
        if with_commune:
            row.insert(2, short_name(str(r.commune or "")))
        rows.append(tuple(row))
    cols = list(_headings(lang, "year", "kind", "title", "cost", "status"))
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
        overflow=t("atlas.overflow", lang),
    )


def _sponsor_table(assignments: pd.DataFrame, lang: str, limit: int = 6):
    rows = []
    df = assignments.sort_values(["period_start_year", "sponsor_name"], na_position="last")
    df = df.assign(activities_summary=in_language(df, "activities_summary", lang))
    for r in df.head(limit).itertuples(index=False):
        kind = (
            t(SponsorKind.label_key_of(r.sponsor_kind), lang)
            if isinstance(r.sponsor_kind, str)
            else ""
        )
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
        _headings(lang, "sponsor", "atlas.kind", "period", "title"),
        (4.0, 2.2, 1.4, 6.0),
        tuple(rows),
        t("atlas.no_sponsor", lang),
        more,
        overflow=t("atlas.overflow", lang),
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
    measure: str = styles.DEFAULT_MEASURE


def _page_legend(ctx: _AtlasContext, points: pd.DataFrame) -> tuple:
    """An atlas page's legend: the measure's classes and the project kinds on the page, each
    with its letter."""
    from layers.sheet import LegendItem, LegendSection

    lang = ctx.lang
    classes = tuple(
        LegendItem(
            t(e.label_key, lang),
            e.colour,
            hatch="////" if e.key == "out_of_view" else None,
            edgecolor="#bdbdbd" if e.key == "out_of_view" else "#8c8c8c",
        )
        for e in styles.legend(ctx.measure, ctx.table)
        if e.key != "out_of_view" or e.count
    )
    sections = [LegendSection(t(f"sheet.measure.{ctx.measure}", lang), classes)]
    if points is not None and len(points):
        present = set(points["kind"])
        kinds = tuple(
            LegendItem(t(k.label_key, lang), k.colour, "point", k.letter)
            for k in styles.PROJECT_KINDS.values()
            if k.key in present
        )
        if points["approximate"].any():
            kinds += (LegendItem(t("legend.approximate", lang), "#777777", "halo"),)
        sections.append(LegendSection(t("sheet.projects", lang), kinds))
    return tuple(sections)


def _unit_page(
    ctx: _AtlasContext,
    page_no: int,
    *,
    title: str,
    subtitle: str,
    unit: gpd.GeoDataFrame,
    extent,
    projects: pd.DataFrame,
    facts: tuple[str, ...],
    tables: tuple,
    sources: Sequence[str],
):
    """One unit's page, whatever the unit: the detail map zoomed to ``extent`` with ``unit``
    outlined, the commune names inside the extent and the unit's project points, the page's
    own legend, footer and number. The commune, district and sponsor pages differ only in
    what they put in the facts, tables and sources, so the page around them is built here."""
    lang = ctx.lang
    layers = replace(
        ctx.layers,
        extent=extent,
        highlight=unit,
        commune_labels=_labels_in(ctx.labels, extent),
        points=project_points(projects),
    )
    return AtlasPage(
        title=title,
        subtitle=subtitle,
        layers=layers,
        highlight=unit,
        facts=facts,
        tables=tables,
        sources_title=t("atlas.sources", lang),
        sources=tuple(sources) or (t("atlas.no_source", lang),),
        footer=ctx.footer,
        page_label=f"{t('atlas.page', lang)} {page_no}",
        locator_title=t("sheet.locator", lang),
        legend=_page_legend(ctx, layers.points),
    )


def _commune_facts(ctx: _AtlasContext, row, details: dict) -> tuple[str, ...]:
    """The side facts of a commune's page: district, kind and code, area, what it became in
    the later boundaries (or was made of), its difficult class and its NTM year; a fact the
    data lacks is left out rather than printed empty."""
    lang, vintage = ctx.lang, ctx.base.vintage
    facts = [
        f"{t('atlas.district', lang)}: {short_name(str(row.district_name))}"
        if row.district_name and isinstance(row.district_name, str)
        else "",
        f"{t('atlas.kind', lang)}: {t(UnitKind.label_key_of(row.kind), lang)}"
        f" · {t('col.code', lang)} {row.code}",
        f"{t('atlas.area', lang)}: {row.area_km2:,.1f} km²" if pd.notna(row.area_km2) else "",
    ]
    for v, names in details["became"].items():
        if names:
            facts.append(f"{t('atlas.became', lang)} ({v}): {', '.join(names)}")
    if vintage != 2019 and details["parts_2019"]:
        parts = ", ".join(map(short_name, details["parts_2019"]))
        facts.append(f"{t('atlas.parts', lang)}: {parts}")
    if details["difficult"]:
        period = programme.period_of(vintage, ctx.filters.year_from, ctx.filters.year_to)
        kind = programme.DIFFICULT_CLASS[period]
        facts.append(f"{t(f'status_kind.{kind}', lang)} ({period.replace('-', '–')})")
    if pd.notna(row.ntm_year):
        facts.append(t("atlas.ntm", lang, year=int(row.ntm_year)))
    return tuple(f for f in facts if f)


def _commune_pages(ctx: _AtlasContext, first_page: int):
    """(name, district, page) of every commune in view, in Vietnamese reading order."""
    lang, vintage = ctx.lang, ctx.base.vintage
    view = ctx.table.loc[ctx.table["in_view"]]
    view = view.iloc[_name_order(view)]
    communes = ctx.base.communes.set_index("code")
    for n, row in enumerate(view.itertuples(index=False)):
        d = coverage.commune_details(ctx.bundle, vintage, row.code, ctx.filters)
        unit = communes.loc[[row.code]]
        subtitle = " · ".join(
            x
            for x in (row.district_name, t(f"sub.vintage.{vintage}", lang))
            if isinstance(x, str) and x
        )
        page = _unit_page(
            ctx,
            first_page + n,
            title=row.name,
            subtitle=subtitle,
            unit=unit.reset_index(),
            extent=_extent_around(unit.geometry),
            projects=d["projects"],
            facts=_commune_facts(ctx, row, d),
            tables=(
                _sponsor_table(d["assignments"], lang, 12),
                _project_table(d["projects"], lang, 40),
            ),
            sources=d["sources"][:6],
        )
        yield row.name, short_name(str(row.district_name or "")), page


def _district_communes(ctx: _AtlasContext, code: str) -> pd.DataFrame:
    """The rows of ``ctx.table`` in view inside district ``code``. The 2025 units have no
    district of their own (districts were abolished), so they are found through the
    crosswalk."""
    table, vintage = ctx.table, ctx.base.vintage
    if vintage == 2025:
        cw = ctx.bundle.crosswalk
        codes = set(cw.loc[cw["district_code"] == code, f"code_{vintage}"])
        return table.loc[table["code"].isin(codes) & table["in_view"]]
    return table.loc[(table["district_code"] == code) & table["in_view"]]


def _communes_table(mine: pd.DataFrame, lang: str):
    """A district page's table of its communes: sponsors, projects and NTM year, with the
    count of communes that have a sponsor in the title."""
    rows = tuple(
        (
            short_name(r.name),
            str(r.sponsors or ""),
            str(r.n_projects),
            "" if pd.isna(r.ntm_year) else str(int(r.ntm_year)),
        )
        for r in mine.sort_values("name").itertuples(index=False)
    )
    return Table(
        t("atlas.communes", lang) + f" ({int((mine['n_sponsors'] > 0).sum())}/{len(mine)})",
        _headings(lang, "commune", "atlas.sponsors", "html.n_projects", "col.ntm_year"),
        (2.0, 5.5, 1.6, 2.4),
        rows,
        "",
        "",
        ("left", "left", "right", "right"),
        overflow=t("atlas.overflow", lang),
    )


def _district_pages(ctx: _AtlasContext, first_page: int):
    """(name, "", page) of every district (those filtered, if any), by name."""
    lang, vintage = ctx.lang, ctx.base.vintage
    districts = ctx.base.districts
    if ctx.filters.districts:
        districts = districts.loc[districts["code"].isin(ctx.filters.districts)]
    for n, d in enumerate(districts.sort_values("name").itertuples(index=False)):
        mine = _district_communes(ctx, d.code)
        unit = districts.loc[districts["code"] == d.code]
        prj = coverage.filter_projects(ctx.bundle, vintage, ctx.filters)
        prj = prj.loc[prj[f"code_{vintage}"].isin(set(mine["code"]))]
        page = _unit_page(
            ctx,
            first_page + n,
            title=d.label if vintage == 2025 else d.name,
            subtitle=t(f"sub.vintage.{vintage}", lang),
            unit=unit,
            extent=_extent_around(unit.geometry, grow=0.08),
            projects=prj,
            facts=(),
            tables=(_communes_table(mine, lang), _project_table(prj, lang, 40, with_commune=True)),
            sources=sorted(set(prj["source_url"].dropna()))[:5],
        )
        yield d.name, "", page


def _sponsor_communes_table(asg: pd.DataFrame, n_communes: int, lang: str):
    """A sponsor's page lists its communes where a commune's page lists its sponsors: the
    same table with the commune in the first column."""
    named = asg.assign(sponsor_name=asg["commune"].map(lambda c: short_name(str(c))))
    table = _sponsor_table(named, lang, 8)
    return type(table)(
        t("atlas.communes", lang) + f" ({n_communes})",
        (t("atlas.col.commune", lang), *table.columns[1:]),
        table.widths,
        table.rows,
        t("atlas.no_sponsor", lang),
        table.more,
        overflow=t("atlas.overflow", lang),
    )


def _sponsor_pages(ctx: _AtlasContext, first_page: int):
    """(sponsor, kind, page) of every sponsor with a commune or a project in view, by name."""
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
        kind = t(SponsorKind.label_key_of(s.kind), lang) if isinstance(s.kind, str) else ""
        urls = sorted(set(asg["source_url"].dropna()) | set(prj["source_url"].dropna()))
        page = _unit_page(
            ctx,
            first_page + n,
            title=s.sponsor,
            subtitle=f"{kind} · {t(f'sub.vintage.{vintage}', lang)}",
            unit=unit,
            extent=_extent_around(unit.geometry, grow=0.3) if len(unit) else ctx.layers.extent,
            projects=prj,
            facts=(),
            tables=(
                _sponsor_communes_table(asg, s.n_communes, lang),
                _project_table(prj, lang, 40, with_commune=True),
            ),
            sources=urls[:6],
        )
        yield s.sponsor, kind, page


def _empty_page(empty: pd.DataFrame, title: str, ctx: _AtlasContext, page: int):
    """The summary page of the communes with nothing recorded, by district."""
    lang = ctx.lang
    empty = empty.iloc[_name_order(empty)]
    groups = [
        (short_name(str(d)) if isinstance(d, str) else "—", [short_name(str(n)) for n in g["name"]])
        for d, g in empty.groupby("district_name", sort=False, dropna=False)
    ]
    return render_list_page(
        title,
        t("atlas.empty.note", lang),
        groups,
        footer=ctx.footer,
        page_label=f"{t('atlas.page', lang)} {page}",
    )


def _name_order(df: pd.DataFrame) -> list[int]:
    """Row positions sorted by district then name as a Vietnamese reader expects (Đ with D, tone
    marks after the letters), not by code point."""
    from geodata.names import loose_key

    keys = [
        (loose_key(str(d or "")), loose_key(short_name(str(n))), str(n))
        for d, n in zip(df["district_name"], df["name"], strict=True)
    ]
    return sorted(range(len(keys)), key=keys.__getitem__)


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
    labels = pd.DataFrame({"x": rp.x, "y": rp.y, "label": base.communes["name"].map(short_name)})
    day = format_date(_today(today), lang)
    footer = f"NTM Atlas · {t(f'sub.vintage.{vintage}', lang)} · {t('sheet.date', lang, date=day)}"
    return _AtlasContext(bundle, base, layers, table, filters, labels, lang, footer, measure)


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
    vintage = check_vintage(vintage)
    ctx = _atlas_context(bundle, Filters(), vintage, measure, check_lang(lang), today)
    ctx = replace(ctx, table=ctx.table.loc[ctx.table["code"] == code])
    for _name, _group, page in _commune_pages(ctx, 1):
        return render_atlas_page(page, ctx.base.locator())
    msg = f"No commune {code!r} in the {vintage} boundaries"
    raise KeyError(msg)


def _without_empty(ctx: _AtlasContext) -> tuple[_AtlasContext, pd.DataFrame]:
    """``ctx`` without the communes in view that have no assignment and no project, and
    those communes (they share one summary page instead of a near-blank page each)."""
    view = ctx.table.loc[ctx.table["in_view"]]
    nothing = (view["n_assignments"] == 0) & (view["n_projects"] == 0)
    return replace(ctx, table=view.loc[~nothing]), view.loc[nothing]


def _first_unit_page(n_units: int) -> int:
    """The page number of the first unit page: after the cover and as many contents pages
    as ``n_units`` rows need. The numbers go into the contents before any page is drawn.

    >>> _first_unit_page(1), _first_unit_page(CONTENTS_ROWS), _first_unit_page(CONTENTS_ROWS + 1)
    (3, 3, 4)
    """
    return 2 + max(1, -(-n_units // CONTENTS_ROWS))


def _contents_heading(by: str, lang: str) -> tuple[str, str, str]:
    """The contents' column headings: a commune's group is its district, a district's or a
    sponsor's its kind."""
    return (
        t("atlas.col.commune" if by == "commune" else "col.name", lang),
        t("atlas.district" if by == "commune" else "atlas.kind", lang),
        t("atlas.page", lang),
    )


def _page_locator(base: PrintBase):
    """The locator drawn on every unit page: the province in its neighbours, without the
    district layer a sheet's locator may carry (too small to read at that size)."""
    locator = base.locator()
    if locator is not None and base.districts is not None:
        locator = (locator[0], locator[1])
    return locator


def _cover(ctx: _AtlasContext, title: str, today: dt.date | None) -> Figure:
    """The atlas's first page: the province's map sheet for the same filters and measure,
    upright like the unit pages."""
    options = SheetOptions(
        fmt="pdf", orientation="portrait", title=title, lang=ctx.lang, today=today
    )
    return map_sheet_figure(ctx.bundle, ctx.filters, ctx.measure, ctx.base.vintage, options)


@dataclass(frozen=True)
class _AtlasPages:
    """What an atlas PDF holds after its cover, in order: the contents entries
    (name, group, page number), the unit pages (not yet drawn) and the summary page of the
    communes with nothing recorded (or None)."""

    entries: list[tuple[str, str, int]]
    units: list
    summary: Figure | None


def _atlas_pages(ctx: _AtlasContext, by: str, first: int, empty: pd.DataFrame) -> _AtlasPages:
    """Every unit page of the atlas (and the summary of the empty communes) with its contents
    entry, numbered from ``first``."""
    pages = {"commune": _commune_pages, "district": _district_pages, "sponsor": _sponsor_pages}[by]
    entries: list[tuple[str, str, int]] = []
    units = []
    for name, group, page in pages(ctx, first):
        entries.append((name, group, first + len(entries)))
        units.append(page)
    summary = None
    if len(empty):
        summary_title = t("atlas.empty.title", ctx.lang, n=len(empty))
        entries.append((summary_title, "", first + len(entries)))
        summary = _empty_page(empty, summary_title, ctx, entries[-1][2])
    return _AtlasPages(entries, units, summary)


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
    skip_empty: bool = False,
) -> Path:
    """Write the atlas PDF: a cover (province map), contents, then one page per commune,
    district or sponsor in view, each with a detail map, locator, legend, facts, tables of
    sponsors and projects, and its sources. PDF bookmarks point at every unit page.

    ``skip_empty`` (communes only): the communes with no assignment and no project recorded
    for the filters get no page of their own but one line on a summary page at the end."""
    from matplotlib.backends.backend_pdf import PdfPages

    if by not in ATLAS_UNITS:
        msg = f"Unknown atlas unit {by!r}; choose one of {', '.join(ATLAS_UNITS)}"
        raise ValueError(msg)
    lang = check_lang(lang)
    filters = filters or Filters()
    vintage = check_vintage(vintage)
    ctx = _atlas_context(bundle, filters, vintage, measure, lang, today)
    empty = pd.DataFrame()
    if skip_empty and by == "commune":
        ctx, empty = _without_empty(ctx)
        n_units = int(ctx.table["in_view"].sum())
    else:
        n_units = atlas_units(bundle, filters, by, vintage)
    first = _first_unit_page(n_units + (1 if len(empty) else 0))
    title = t("atlas.title", lang)
    cover = _cover(ctx, title, today)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    locator = _page_locator(ctx.base)
    tmp = out.with_name(f".{out.name}.part")
    with sheet.print_rc(), PdfPages(tmp, metadata=_metadata(title, "pdf")) as pdf:
        pdf.savefig(cover)
        pages = _atlas_pages(ctx, by, first, empty)
        for fig in render_contents(
            t("atlas.contents", lang),
            pages.entries,
            heading=_contents_heading(by, lang),
            footer=ctx.footer,
        ):
            pdf.savefig(fig)
        frame = PageFrame(locator)  # one figure, refilled for each unit page
        for page in pages.units:
            pdf.savefig(frame.draw(page))
        if pages.summary is not None:
            pdf.savefig(pages.summary)
    if outline:
        _add_outline(tmp, pages.entries, t("atlas.contents", lang))
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
