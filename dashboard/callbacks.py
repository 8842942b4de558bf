"""Callbacks: each translates inputs into calls of pure functions in ``geodata`` / ``layers``.

Every callback body is a plain module-level function taking a :class:`Context` first (the
bundle, the translations, the URLs); :func:`register` wires them to the app through thin
wrappers that take the current context. Unit tests call the functions directly.

The map figure is sent once with the page (geometry by URL); afterwards callbacks send a
``Patch`` with the class numbers, hover texts, point positions and visibility only.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import pandas as pd
from dash import ALL, Dash, Input, Output, Patch, State, ctx, html, no_update

from dashboard import ids, layout
from dashboard import state as st
from dashboard.i18n import Translations, Translator
from geodata import coverage as cv
from geodata.bundle import Bundle, check_vintage
from geodata.programme import in_language
from geodata.vocabulary import (
    VINTAGES,
    CommuneStatusKind,
    ProjectStatus,
    SponsorKind,
    UnitKind,
    is_project_id,
    short_name,
)
from layers import figures, styles

#: Filter controls, in the order the callbacks receive them.
FILTER_IDS = (
    ids.DISTRICT,
    ids.SPONSOR,
    ids.SPONSOR_KIND,
    ids.PROJECT_KIND,
    ids.CRITERION,
    ids.YEARS,
    ids.UNDATED,
    ids.STATUS,
    ids.DIFFICULT,
)
VIEW_IDS = (ids.LANG, ids.VINTAGE, ids.MEASURE, ids.LAYERS, ids.BASEMAP, *FILTER_IDS)


@dataclass(frozen=True)
class Context:
    """What every callback reads: the bundle (read-only), the translations, the GeoJSON URLs."""

    bundle: Bundle
    translations: Translations
    geo_urls: dict[str, str]  # communes_2019, ..., districts, province, neighbours
    glyphs_url: str | None = None

    @property
    def years(self) -> tuple[int, int]:
        return cv.year_bounds(self.bundle)

    def urls(self, vintage: int) -> dict[str, str]:
        return {
            "communes": self.geo_urls[f"communes_{vintage}"],
            "districts": self.geo_urls["districts"],
            "province": self.geo_urls["province"],
            "neighbours": self.geo_urls["neighbours"],
        }


def _filters(c: Context, values: dict[str, Any]) -> cv.Filters:
    return st.filters_from_values(
        districts=values.get(ids.DISTRICT),
        sponsors=values.get(ids.SPONSOR),
        sponsor_kinds=values.get(ids.SPONSOR_KIND),
        project_kinds=values.get(ids.PROJECT_KIND),
        criteria=values.get(ids.CRITERION),
        years=values.get(ids.YEARS),
        undated=values.get(ids.UNDATED),
        statuses=values.get(ids.STATUS),
        difficult=values.get(ids.DIFFICULT),
        year_bounds=c.years,
    )


def state_to_values(state: dict[str, Any]) -> dict[str, Any]:
    """Control id → value from a URL state."""
    return {cid: state[key] for cid, _prop, key in ids.URL_CONTROLS}


# ================================================================== 1. URL ⇄ controls
def sync_url(
    c: Context,
    search: str | None,
    reset_clicks: int | None,
    *values: Any,
    triggered: set[str] | str | None = None,
) -> list[Any]:
    """Keep the URL and the controls in step.

    On page load (or when the URL changes) the controls take the URL's values; when a control
    changes, the URL takes the controls' values; the reset button restores the defaults.
    Returns ``[url.search, share.href, *control values]`` with ``no_update`` where nothing
    changes.
    """
    names = [cid for cid, _p, _k in ids.URL_CONTROLS]
    current = dict(zip(names, values, strict=True))
    if isinstance(triggered, str):
        triggered = {triggered}
    if not triggered or ids.URL in triggered:
        wanted = state_to_values(st.decode(search, c.years))
        out = [no_update if current[n] == wanted[n] else wanted[n] for n in names]
        return [no_update, search or "?", *out]
    if ids.RESET in triggered:
        wanted = state_to_values(st.default_state(c.years))
        out = [no_update if current[n] == wanted[n] else wanted[n] for n in names]
        return ["", "?", *out]
    state = {key: current[cid] for cid, _p, key in ids.URL_CONTROLS}
    query = st.encode(state, c.years)
    return [query, query or "?", *([no_update] * len(names))]


# ================================================================== 2. the view
def view_data(c: Context, values: dict[str, Any]) -> dict[str, Any]:
    """Everything that follows the filters, as plain data (no Dash objects): used by the
    layout for the first paint and by :func:`update_view` for every change."""
    t = c.translations.get(values.get(ids.LANG))
    vintage = check_vintage(values.get(ids.VINTAGE) or 2019)
    measure = values.get(ids.MEASURE) or styles.DEFAULT_MEASURE
    f = _filters(c, values)
    table = cv.commune_measures(c.bundle, vintage, f)
    projects = cv.filter_projects(c.bundle, vintage, f)
    load = cv.sponsor_load(c.bundle, vintage, f)
    overview = cv.overview(c.bundle, vintage, f, measures=table, load=load)
    return {
        "load": load,
        "t": t,
        "vintage": vintage,
        "measure": measure,
        "filters": f,
        "table": table,
        "projects": projects,
        "overview": overview,
        "commune_hover": figures.commune_hover(table, measure, t),
        "project_hover": figures.project_hover(projects, t),
    }


def initial_figure(c: Context, values: dict[str, Any], data: dict[str, Any] | None = None):
    """The map figure of the first paint (geometry by URL)."""
    data = data or view_data(c, values)
    vintage = data["vintage"]
    visible = {k: k in (values.get(ids.LAYERS) or []) for k in figures.default_visibility()}
    return figures.map_figure(
        urls=c.urls(vintage),
        measure=data["measure"],
        table=data["table"],
        commune_hover_text=data["commune_hover"],
        projects=data["projects"],
        project_hover_text=data["project_hover"],
        labels=_labels(c, vintage),
        bbox=c.bundle.bbox(vintage),
        selected=values.get(ids.SELECTED),
        visible=visible,
        glyphs_url=c.glyphs_url,
        basemap=figures.basemap_tiles(values.get(ids.BASEMAP) or "none"),
    )


def _labels(c: Context, vintage: int) -> dict[str, pd.DataFrame]:
    lp = c.bundle.label_points

    def short(key: str) -> pd.DataFrame:
        return lp[key].assign(name=lp[key]["name"].map(short_name))

    return {
        "communes": short(f"communes_{vintage}"),
        "districts": short("districts"),
        "neighbours": short("neighbours"),
    }


def update_view(c: Context, *values: Any, triggered: set[str] | None = None) -> list[Any]:
    """All outputs that follow the filters: a map Patch, legends, cards, completeness, the
    vintage note, the attribution, two charts, the gap and sponsor tables, search options.

    ``triggered`` (control ids that changed) lets the map Patch carry only what changed: a
    layer switch sends visibility only, a basemap switch the style only.
    """
    v = dict(zip(VIEW_IDS, values, strict=True))
    data = view_data(c, v)
    t = data["t"]
    triggered = triggered or set(VIEW_IDS)
    patch = Patch()
    only_layers = triggered <= {ids.LAYERS}
    only_basemap = triggered <= {ids.BASEMAP}
    if not only_layers and not only_basemap:
        urls = c.urls(data["vintage"])
        trace = figures.TRACE
        upd = figures.commune_update(data["measure"], data["table"], data["commune_hover"])
        for key, value in upd.items():
            patch["data"][trace["communes"]][key] = value
        if ids.VINTAGE in triggered:
            patch["data"][trace["communes"]]["geojson"] = urls["communes"]
            patch["data"][trace["selected"]]["geojson"] = urls["communes"]
            labels = _labels(c, data["vintage"])["communes"]
            patch["data"][trace["commune_labels"]]["lon"] = labels["lon"].tolist()
            patch["data"][trace["commune_labels"]]["lat"] = labels["lat"].tolist()
            patch["data"][trace["commune_labels"]]["text"] = labels["name"].tolist()
        if triggered & {*FILTER_IDS, ids.VINTAGE, ids.LANG}:  # the measure moves no point
            pts = figures.points_update(data["projects"], data["project_hover"])
            for name in ("halo", "points"):
                for key, value in pts[name].items():
                    if key == "marker.color":
                        patch["data"][trace[name]]["marker"]["color"] = value
                    else:
                        patch["data"][trace[name]][key] = value
    if ids.DISTRICT in triggered and not only_layers:
        # Fit the map to the chosen districts (or back to the province).
        bbox = district_bbox(c.bundle, v[ids.DISTRICT]) or c.bundle.bbox(data["vintage"])
        patch["layout"]["map"]["center"] = figures.center_of_bbox(bbox)
        patch["layout"]["map"]["zoom"] = figures.zoom_for_bbox(bbox, 700, 600)
        # A new map uirevision makes the new view win over where the reader had panned.
        patch["layout"]["map"]["uirevision"] = "fit:" + ",".join(sorted(v[ids.DISTRICT] or []))
    if ids.LAYERS in triggered:
        visible = {k: k in (v[ids.LAYERS] or []) for k in figures.default_visibility()}
        for path, value in figures.visibility_update(visible).items():
            parts = path.split(".")
            if parts[0] == "data":
                patch["data"][int(parts[1])]["visible"] = value
            else:
                patch["layout"]["map"]["layers"][int(parts[3])]["visible"] = value
    if ids.BASEMAP in triggered:
        patch["layout"]["map"]["style"] = figures.base_style(
            c.glyphs_url, figures.basemap_tiles(v[ids.BASEMAP] or "none")
        )
    return [
        patch,
        legend_children(data, t),
        kind_legend_children(data["projects"], t),
        cards_children(data["overview"], t),
        completeness_children(data["overview"], t),
        vintage_note(data["vintage"], t),
        basemap_note(v[ids.BASEMAP], t),
        sponsor_chart(data["overview"], t),
        year_chart(data["overview"], t),
        gap_rows(c, data, t),
        sponsor_rows(c, data, t),
        layout.search_options(c.bundle, data["vintage"]) if ids.VINTAGE in triggered else no_update,
    ]


def district_bbox(bundle: Bundle, codes: list[str] | None) -> tuple[float, ...] | None:
    """Bounding box of the chosen districts, or None when none is chosen."""
    if not codes:
        return None
    d = bundle.tables["districts"]
    chosen = d.loc[d["code"].isin(codes)]
    return tuple(float(x) for x in chosen.total_bounds) if len(chosen) else None


def legend_children(data: dict[str, Any], t: Translator) -> list[Any]:
    style = styles.measure_style(data["measure"])
    rows = [html.Div(t(style.label_key), className="legend-title")]
    for entry in styles.legend(data["measure"], data["table"]):
        rows.append(
            html.Div(
                [
                    html.Span(className="swatch", style={"background": entry.colour}),
                    html.Span(t(entry.label_key)),
                    html.Span(f" ({entry.count})", className="count"),
                ],
                className="legend-row",
                **{"data-key": entry.key},
            )
        )
    if data["measure"] == "coverage":
        rows.append(html.Div(t("legend.no_record_note"), className="legend-note"))
    return rows


def kind_legend_children(projects: pd.DataFrame, t: Translator) -> list[Any]:
    rows = [html.Div(t("legend.projects"), className="legend-title")]
    for entry in styles.kind_legend(projects):
        rows.append(
            html.Div(
                [
                    html.Span(entry.symbol, className="dot", style={"background": entry.colour}),
                    html.Span(t(entry.label_key)),
                    html.Span(f" ({entry.count})", className="count"),
                ],
                className="legend-row",
                **{"data-key": entry.key},
            )
        )
    rows.append(
        html.Div(
            [html.Span(className="dot halo"), html.Span(t("legend.approximate"))],
            className="legend-row",
        )
    )
    return rows


def cards_children(o: dict[str, Any], t: Translator) -> list[Any]:
    kinds = ", ".join(
        f"{n} {t(styles.kind_style(k).label_key).lower()}"
        for k, n in sorted(o["projects_by_kind"].items(), key=lambda kv: -kv[1])[:4]
    )

    def card(key: str, value: str, sub: str) -> html.Div:
        return html.Div(
            [
                html.Div(t(f"card.{key}"), className="card-title"),
                html.Div(value, className="card-value"),
                html.Div(sub, className="card-sub"),
            ],
            className="card",
            **{"data-card": key},
        )

    return [
        card("sponsored", f"{o['n_sponsored']} / {o['n_communes']}", t("card.sponsored_sub")),
        card(
            "difficult",
            f"{o['n_difficult_sponsored']} / {o['n_difficult']}",
            t("card.difficult_sub"),
        ),
        card(
            "support",
            figures.format_vnd(o["support_vnd"], t),
            t("card.support_sub", n=o["n_costed"], total=o["n_projects"]),
        ),
        card("projects", str(o["n_projects"]), kinds or "–"),
    ]


def completeness_children(o: dict[str, Any], t: Translator) -> list[Any]:
    c = o["completeness"]
    years = f"{c['year_min']}–{c['year_max']}" if c["year_min"] else "–"
    return [
        html.Span(
            t(
                "completeness.text",
                a=c["n_assignments"],
                p=c["n_projects"],
                s=c["n_status"],
                src=c["n_sources"],
                years=years,
                undated=c["n_undated"],
            )
        ),
        " ",
        html.Span(t("completeness.aggregate", n=o["n_aggregate"]), className="muted"),
    ]


def vintage_note(vintage: int, t: Translator) -> str:
    return t(f"vintage.note.{vintage}")


def basemap_note(basemap: str | None, t: Translator) -> list[Any]:
    tiles = figures.basemap_tiles(basemap or "none")
    if not tiles:
        return [t("basemap.offline_note")]
    # The provider's attribution is HTML from xyzservices: show it as text, not markup.
    text = html_lib.unescape(_strip_tags(tiles["attribution"]))
    return [t("basemap.attribution"), " ", text]


def _strip_tags(text: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", text)


def sponsor_chart(o: dict[str, Any], t: Translator):
    df = o["by_sponsor"].head(15)
    return figures.bar_chart(
        [name if len(name) <= 40 else name[:39] + "…" for name in df["sponsor"]],
        {
            t("chart.n_communes"): df["n_communes"].tolist(),
            t("chart.n_projects"): df["n_projects"].tolist(),
        },
        colours=styles.CHART_COLOURS,
        horizontal=True,
        height=max(260, 26 * len(df) + 80),
        title=t("chart.by_sponsor"),
    )


def year_chart(o: dict[str, Any], t: Translator):
    df = o["by_year"]
    return figures.bar_chart(
        [str(y) for y in df["year"]],
        {
            t("chart.n_assignments"): df["n_assignments"].tolist(),
            t("chart.n_projects"): df["n_projects"].tolist(),
        },
        colours=styles.CHART_COLOURS,
        title=t("chart.by_year", n=o["completeness"]["n_undated"]),
    )


def gap_rows(c: Context, data: dict[str, Any], t: Translator) -> list[dict[str, Any]]:
    gaps = cv.gap_table(c.bundle, data["vintage"], data["filters"], measures=data["table"])
    yes, no = t("common.yes"), t("common.no")
    return [
        {
            "code": r.code,
            "name": r.name,
            "district_name": r.district_name if isinstance(r.district_name, str) else "",
            "difficult_text": yes if r.difficult else no,
            "n_projects": int(r.n_projects),
            "ntm_year": None if pd.isna(r.ntm_year) else int(r.ntm_year),
        }
        for r in gaps.itertuples(index=False)
    ]


def sponsor_rows(c: Context, data: dict[str, Any], t: Translator) -> list[dict[str, Any]]:
    load = data["load"]
    return [
        {
            "sponsor": r.sponsor,
            "kind_text": t(SponsorKind.label_key_of(r.kind)),
            "n_communes": int(r.n_communes),
            "communes": r.communes,
            "periods": r.periods.replace("?", t("common.undated")),
            "n_projects": int(r.n_projects),
            "load_text": t(f"load.{r.load}"),
        }
        for r in load.itertuples(index=False)
    ]


# ================================================================== 3. selection
def select(
    c: Context,
    click: dict | None,
    search: str | None,
    cell: dict | None,
    vintage: int,
    selected: str | None,
    triggered: str | None = None,
) -> list[Any]:
    """The selected commune code or project id, from a map click, the search box, a gap-table
    row or a vintage change (the selection follows the unit into the new vintage). Returns
    ``[selected, map Patch]``; the map zooms to a commune chosen by search or table."""
    vintage = check_vintage(vintage)
    communes = c.bundle.communes(vintage)
    codes = set(communes["code"])
    if triggered == ids.MAP and click and click.get("points"):
        point = click["points"][0]
        if point.get("curveNumber") == figures.TRACE["points"] and point.get("customdata"):
            cd = point["customdata"]
            return [cd[0] if isinstance(cd, list) else cd, no_update]
        loc = point.get("location")
        if loc in codes:
            return [loc, no_update]
        return [no_update, no_update]
    if triggered in (ids.SEARCH, ids.GAP_GRID):
        code = search if triggered == ids.SEARCH else (cell or {}).get("rowId")
        if not code or code not in codes:
            return [no_update, no_update]
        return [code, zoom_patch(c, vintage, code)]
    if triggered == ids.VINTAGE and selected and not is_project_id(selected):
        code = code_in_vintage(c.bundle, selected, vintage)
        return [code if code != selected else no_update, no_update]
    return [no_update, no_update]


def code_in_vintage(bundle: Bundle, code: str, vintage: int) -> str | None:
    """The unit of ``vintage`` that holds (most of) a unit given by its code in any vintage."""
    if code in set(bundle.communes(vintage)["code"]):
        return code
    cw = bundle.crosswalk
    for v in VINTAGES:
        hit = cw.loc[cw[f"code_{v}"] == code, f"code_{vintage}"]
        if len(hit):
            return hit.iloc[0]
    return None


def zoom_patch(c: Context, vintage: int, code: str) -> Patch:
    comm = c.bundle.communes(vintage)
    geom = comm.loc[comm["code"] == code].geometry.iloc[0]
    patch = Patch()
    patch["layout"]["map"]["center"] = figures.center_of_bbox(geom.bounds)
    patch["layout"]["map"]["zoom"] = min(12.0, figures.zoom_for_bbox(geom.bounds, 700, 560))
    patch["layout"]["map"]["uirevision"] = f"commune:{vintage}:{code}"
    return patch


def show_selection(
    c: Context, selected: str | None, vintage: int, lang: str, *filter_values: Any
) -> list[Any]:
    """The detail panel and the map's selection outline for the selected commune/project."""
    t = c.translations.get(lang)
    vintage = check_vintage(vintage)
    f = _filters(c, dict(zip(FILTER_IDS, filter_values, strict=True)))
    patch = Patch()
    sel_trace = figures.TRACE["selected"]
    if not selected:
        patch["data"][sel_trace]["locations"] = []
        patch["data"][sel_trace]["z"] = []
        return [html.P(t("detail.hint"), className="muted"), patch]
    if is_project_id(selected):
        d = cv.project_details(c.bundle, selected)
        body = project_panel(d, t) if d else html.P(t("detail.not_found"))
        code = d.get(f"code_{vintage}") if d else None
    else:
        d = cv.commune_details(c.bundle, vintage, selected, f)
        body = commune_panel(d, t) if d else html.P(t("detail.not_found"))
        code = selected if d else None
    patch["data"][sel_trace]["locations"] = [code] if code else []
    patch["data"][sel_trace]["z"] = [0] if code else []
    return [body, patch]


def safe_href(url: object) -> str | None:
    """The URL if it is an http(s) link, else None (no ``javascript:`` links from data).

    >>> safe_href("https://backan.gov.vn/x"), safe_href("javascript:alert(1)")
    ('https://backan.gov.vn/x', None)
    """
    if not isinstance(url, str):
        return None
    parsed = urlparse(url.strip())
    return url.strip() if parsed.scheme in ("http", "https") and parsed.netloc else None


def _link(url: object) -> Any:
    href = safe_href(url)
    if not href:
        return html.Span(str(url) if url else "–")
    return html.A(
        urlparse(href).netloc, href=href, target="_blank", rel="noopener noreferrer", title=href
    )


def _txt(value: object) -> str:
    if value is None:
        return "–"
    try:
        if pd.isna(value):
            return "–"
    except (TypeError, ValueError):
        pass
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _period(start: object, end: object, t: Translator) -> str:
    s, e = _txt(start), _txt(end)
    if s == "–" and e == "–":
        return t("common.undated")
    return s if s == e or e == "–" else f"{s}–{e}"


def commune_panel(d: dict[str, Any], t: Translator) -> html.Div:
    """The side panel of one commune (all data text is rendered as text, never as HTML)."""
    became = [
        html.Li(f"{t('detail.became', year=y)}: {', '.join(names) or '–'}")
        for y, names in d["became"].items()
    ]
    parts = d["parts_2019"]
    if d["vintage"] != 2019 and parts:
        became.append(html.Li(f"{t('detail.parts_2019')}: {', '.join(parts)}"))
    asg = d["assignments"]
    sponsors = [
        html.Li(
            [
                html.Strong(r.sponsor_name),
                " · ",
                _period(r.period_start_year, r.period_end_year, t),
                " · ",
                _link(r.source_url),
            ]
        )
        for r in asg.itertuples(index=False)
    ] or [html.Li(t("detail.no_sponsor"), className="muted")]
    prj = d["projects"]
    prj = prj.assign(title=in_language(prj, "title", t.lang))  # the reader's language
    project_rows = [
        html.Tr(
            [
                html.Td(t(styles.kind_style(r.kind).label_key)),
                html.Td(r.title),
                html.Td(_txt(r.year) if isinstance(r.year, str) else t("common.undated")),
                html.Td(figures.format_vnd(r.cost_vnd if pd.notna(r.cost_vnd) else None, t)),
                html.Td(t(ProjectStatus.label_key_of(r.status))),
            ],
            **{"data-project": r.project_id},
        )
        for r in prj.itertuples(index=False)
    ]
    status = [
        html.Li(
            [
                t(CommuneStatusKind.label_key_of(r.status_kind)),
                f" {_txt(r.year)}",
                f" · {r.notes}" if isinstance(r.notes, str) else "",
                " · ",
                _link(r.source_url),
            ]
        )
        for r in d["status"].itertuples(index=False)
    ] or [html.Li(t("detail.no_status"), className="muted")]
    return html.Div(
        [
            html.H3(d["name"], className="detail-name"),
            html.P(
                " · ".join(
                    x
                    for x in (
                        t(UnitKind.label_key_of(d["kind"])),
                        d["district_name"] if isinstance(d["district_name"], str) else None,
                        f"{_txt(round(d['area_km2'], 1) if d['area_km2'] else None)} km²",
                        f"{t('col.code')} {d['code']}",
                        t(f"vintage.{d['vintage']}"),
                    )
                    if x
                )
            ),
            html.P(t("detail.difficult"), className="tag") if d["difficult"] else None,
            html.Ul(became, className="became"),
            html.H4(t("detail.sponsors")),
            html.Ul(sponsors, className="detail-sponsors"),
            html.H4(t("detail.projects", n=len(prj))),
            html.Table(
                [
                    html.Thead(
                        html.Tr(
                            [
                                html.Th(t(k))
                                for k in (
                                    "col.kind",
                                    "col.title",
                                    "col.year",
                                    "col.cost",
                                    "col.status",
                                )
                            ]
                        )
                    ),
                    html.Tbody(project_rows),
                ],
                className="detail-table",
            )
            if project_rows
            else html.P(t("detail.no_projects"), className="muted"),
            html.H4(t("detail.status")),
            html.Ul(status),
            html.H4(t("detail.sources", n=len(d["sources"]))),
            html.Ul([html.Li(_link(u)) for u in d["sources"]], className="sources"),
        ],
        className="detail-body",
        **{"data-commune": d["code"]},
    )


def _in_language(d: dict[str, Any], key: str, lang: str) -> Any:
    """A record's free text in the reader's language (``<key>_en`` in English, if any)."""
    english = d.get(f"{key}_en")
    return english if lang == "en" and isinstance(english, str) and english else d.get(key)


def project_panel(d: dict[str, Any], t: Translator) -> html.Div:
    approx = d.get("location_precision") in (None, "commune", "district", "approximate")
    rows = [
        ("col.kind", t(styles.kind_style(d.get("kind")).label_key)),
        ("col.commune", d.get("commune")),
        ("col.village", d.get("village")),
        ("col.year", d.get("year") or t("common.undated")),
        ("col.criteria", d.get("ntm_criterion")),
        ("col.sponsor", d.get("sponsor_name")),
        ("col.agency", d.get("agency")),
        ("col.cost", figures.format_vnd(d.get("cost_vnd"), t)),
        ("col.quantity", _in_language(d, "quantity_notes", t.lang)),
        ("col.status", t(ProjectStatus.label_key_of(d.get("status")))),
        ("col.confidence", t(f"confidence.{d.get('confidence')}") if d.get("confidence") else None),
    ]
    return html.Div(
        [
            html.H3(_in_language(d, "title", t.lang), className="detail-name"),
            html.P(t("hover.location_approximate"), className="tag") if approx else None,
            html.Dl([x for k, v in rows for x in (html.Dt(t(k)), html.Dd(_txt(v)))]),
            html.H4(t("detail.sources", n=1)),
            html.P(_link(d.get("source_url"))),
        ],
        className="detail-body",
        **{"data-project": d.get("project_id")},
    )


# ================================================================== 4. language
def translate(c: Context, lang: str, i18n_ids: list[dict], tab_ids: list[dict]) -> list[Any]:
    """Every translated text node, option list, tab label and table header for a language."""
    t = c.translations.get(lang)
    return [
        [t(i["key"]) for i in i18n_ids],
        [t(i["key"]) for i in tab_ids],
        layout.vintage_options(t),
        layout.measure_options(t),
        layout.layer_options(t),
        layout.basemap_options(t),
        layout.sponsor_kind_options(t),
        layout.project_kind_options(t),
        layout.criterion_options(t),
        layout.status_options(t),
        layout.undated_options(t),
        layout.difficult_options(t),
        layout.export_options(t),
        layout.gap_columns(t),
        layout.sponsor_columns(t),
        t.lang,
    ]


def export_view(c: Context, n_clicks: int | None, fmt: str | None, *values: Any) -> Any:
    """The export button: the current view (filters, measure, vintage, language, layer
    switches) as a print sheet, a standalone HTML map or data, for ``dcc.Download``."""
    from dashboard.export import export_view_download

    if not n_clicks:
        return no_update
    v = dict(zip(VIEW_IDS, values, strict=True))
    return export_view_download(
        c.bundle,
        _filters(c, v),
        v[ids.MEASURE] or styles.DEFAULT_MEASURE,
        check_vintage(v[ids.VINTAGE] or 2019),
        fmt or "png",
        v[ids.LANG] or "vi",
        visible=list(v[ids.LAYERS] or []),
    )


def export_csv(n_clicks: int | None) -> bool:
    """Ask the grid to download what it shows as CSV."""
    return bool(n_clicks)


# ================================================================== wiring
def register(app: Dash, context: Context | Callable[[], Context]) -> None:
    """Attach every callback to the app. ``context`` may be a function that returns the
    current context (a new one once the store was replaced by an import or a rebuild); each
    callback takes it once, so it works on one consistent bundle."""
    current = context if callable(context) else (lambda: context)
    url_outputs = [Output(cid, prop) for cid, prop, _k in ids.URL_CONTROLS]
    url_inputs = [Input(cid, prop) for cid, prop, _k in ids.URL_CONTROLS]

    @app.callback(
        Output(ids.URL, "search"),
        Output(ids.SHARE, "href"),
        *url_outputs,
        Input(ids.URL, "search"),
        Input(ids.RESET, "n_clicks"),
        *url_inputs,
    )
    def _sync(search, reset, *values):
        triggered = {p.split(".")[0] for p in ctx.triggered_prop_ids}
        return sync_url(current(), search, reset, *values, triggered=triggered)

    @app.callback(
        Output(ids.MAP, "figure"),
        Output(ids.LEGEND, "children"),
        Output(ids.KIND_LEGEND, "children"),
        Output(ids.CARDS, "children"),
        Output(ids.COMPLETENESS, "children"),
        Output(ids.VINTAGE_NOTE, "children"),
        Output(ids.BASEMAP_NOTE, "children"),
        Output(ids.CHART_SPONSOR, "figure"),
        Output(ids.CHART_YEAR, "figure"),
        Output(ids.GAP_GRID, "rowData"),
        Output(ids.SPONSOR_GRID, "rowData"),
        Output(ids.SEARCH, "options"),
        *[Input(cid, "value") for cid in VIEW_IDS],
        prevent_initial_call=True,
    )
    def _view(*values):
        triggered = {t["prop_id"].split(".")[0] for t in ctx.triggered} if ctx.triggered else None
        return update_view(current(), *values, triggered=triggered)

    @app.callback(
        Output(ids.SELECTED, "data", allow_duplicate=True),
        Output(ids.MAP, "figure", allow_duplicate=True),
        Input(ids.MAP, "clickData"),
        Input(ids.SEARCH, "value"),
        Input(ids.GAP_GRID, "cellClicked"),
        Input(ids.VINTAGE, "value"),
        State(ids.SELECTED, "data"),
        prevent_initial_call=True,
    )
    def _select(click, search, cell, vintage, selected):
        return select(current(), click, search, cell, vintage, selected, triggered=ctx.triggered_id)

    @app.callback(
        Output(ids.DETAIL, "children"),
        Output(ids.MAP, "figure", allow_duplicate=True),
        Input(ids.SELECTED, "data"),
        Input(ids.VINTAGE, "value"),
        Input(ids.LANG, "value"),
        *[Input(cid, "value") for cid in FILTER_IDS],
        prevent_initial_call="initial_duplicate",
    )
    def _show(selected, vintage, lang, *filters):
        return show_selection(current(), selected, vintage, lang, *filters)

    @app.callback(
        Output({"type": ids.I18N, "key": ALL}, "children"),
        Output({"type": "tab", "key": ALL}, "label"),
        Output(ids.VINTAGE, "options"),
        Output(ids.MEASURE, "options"),
        Output(ids.LAYERS, "options"),
        Output(ids.BASEMAP, "options"),
        Output(ids.SPONSOR_KIND, "options"),
        Output(ids.PROJECT_KIND, "options"),
        Output(ids.CRITERION, "options"),
        Output(ids.STATUS, "options"),
        Output(ids.UNDATED, "options"),
        Output(ids.DIFFICULT, "options"),
        Output(ids.EXPORT_FORMAT, "options"),
        Output(ids.GAP_GRID, "columnDefs"),
        Output(ids.SPONSOR_GRID, "columnDefs"),
        Output("app-root", "lang"),
        Input(ids.LANG, "value"),
        State({"type": ids.I18N, "key": ALL}, "id"),
        State({"type": "tab", "key": ALL}, "id"),
        prevent_initial_call=True,
    )
    def _translate(lang, i18n_ids, tab_ids):
        return translate(current(), lang, i18n_ids, tab_ids)

    @app.callback(
        Output(ids.EXPORT_DOWNLOAD, "data"),
        Input(ids.EXPORT_BUTTON, "n_clicks"),
        State(ids.EXPORT_FORMAT, "value"),
        *[State(cid, "value") for cid in VIEW_IDS],
        prevent_initial_call=True,
    )
    def _export(n_clicks, fmt, *values):
        return export_view(current(), n_clicks, fmt, *values)

    app.callback(
        Output(ids.GAP_GRID, "exportDataAsCsv"),
        Input(ids.GAP_CSV, "n_clicks"),
        prevent_initial_call=True,
    )(export_csv)
    app.callback(
        Output(ids.SPONSOR_GRID, "exportDataAsCsv"),
        Input(ids.SPONSOR_CSV, "n_clicks"),
        prevent_initial_call=True,
    )(export_csv)
