"""The standalone interactive map: one HTML file with Leaflet inlined (works offline)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard.export.atlas import _period, _status
from dashboard.export.print_layers import FORMER_DISTRICT
from dashboard.export.words import (
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
from geodata.programme import in_language
from geodata.view import View
from geodata.vocabulary import short_name
from layers import styles


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
    view = View(bundle, vintage, filters)
    table = view.measures
    cls = styles.classify(measure, table)
    class_colours = styles.class_colours(measure)
    class_labels = ["class.out_of_view", *(c.label_key for c in style.classes)]
    asg, prj, sta = view.assignments, view.projects, view.status
    sources = _sources_by_code([asg, prj, sta], col)
    measure_label = t(f"sheet.measure.{measure}", lang)

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
    points = points.assign(title=in_language(points, "title", lang))
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
        return gdf.assign(label=gdf["name"].map(short_name).to_numpy()) if "name" in gdf else gdf

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
                fm.HtmlLegendItem(
                    t(district_key, lang),
                    FORMER_DISTRICT if vintage == 2025 else lc["district"],
                    "dashed" if vintage == 2025 else "line",
                ),
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
        note=completeness_note(records, lang)
        + " "
        + difficult_line(bundle, vintage, filters, lang),
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
        line_colours={**lc, "district": FORMER_DISTRICT} if vintage == 2025 else dict(lc),
        former_districts=vintage == 2025,
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
