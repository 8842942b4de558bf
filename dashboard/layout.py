"""The page, as functions of (bundle, translator, state); no data is loaded here.

Every text node that changes with the language is a :func:`T` span with a pattern-matching id
``{"type": "i18n", "key": KEY}``; option lists come from the ``*_options`` functions, which the
language callback calls again.
"""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
from dash import dcc, html

from dashboard import ids
from dashboard.i18n import Translator
from geodata import coverage as cv
from geodata.bundle import Bundle
from geodata.vocabulary import VINTAGES, Lang, ProjectStatus, SponsorKind
from layers import figures, styles

BASEMAPS = ("none", "OpenStreetMap.Mapnik")
#: The language switch names each language in itself.
LANG_NAMES = {Lang.VI: "Tiếng Việt", Lang.EN: "English"}


def T(t: Translator, key: str, tag: type = html.Span, **kwargs: Any) -> Any:
    """A translated text node (one per key in the page)."""
    return tag(t(key), id={"type": ids.I18N, "key": key}, **kwargs)


# ---------------------------------------------------------------------------- options
def vintage_options(t: Translator) -> list[dict[str, Any]]:
    return [{"label": t(f"vintage.{v}"), "value": v} for v in VINTAGES]


def measure_options(t: Translator) -> list[dict[str, Any]]:
    return [{"label": t(m.label_key), "value": k} for k, m in styles.MEASURES.items()]


def layer_options(t: Translator) -> list[dict[str, Any]]:
    return [{"label": t(f"layer.{k}"), "value": k} for k in figures.default_visibility()]


def basemap_options(t: Translator) -> list[dict[str, Any]]:
    return [{"label": t(f"basemap.{b}"), "value": b} for b in BASEMAPS]


def sponsor_kind_options(t: Translator) -> list[dict[str, Any]]:
    return [{"label": t(k.label_key), "value": k.value} for k in SponsorKind]


def project_kind_options(t: Translator) -> list[dict[str, Any]]:
    return [{"label": f"{t(s.label_key)}", "value": k} for k, s in styles.PROJECT_KINDS.items()]


def criterion_options(t: Translator) -> list[dict[str, Any]]:
    return [{"label": f"{c}. {t(f'criterion.{c}')}", "value": c} for c in cv.CRITERIA]


def status_options(t: Translator) -> list[dict[str, Any]]:
    return [{"label": t(s.label_key), "value": s.value} for s in ProjectStatus]


#: Export formats offered by the export button (see :mod:`dashboard.export`).
EXPORT_FORMATS = ("png", "pdf", "svg", "html", "csv", "xlsx", "geojson", "gpkg")


def export_options(t: Translator) -> list[dict[str, Any]]:
    return [{"label": t(f"export.fmt.{f}"), "value": f} for f in EXPORT_FORMATS]


def undated_options(t: Translator) -> list[dict[str, Any]]:
    return [{"label": t("filter.undated"), "value": "on"}]


def difficult_options(t: Translator) -> list[dict[str, Any]]:
    return [{"label": t("filter.difficult"), "value": "on"}]


def district_options(bundle: Bundle) -> list[dict[str, Any]]:
    d = bundle.tables["districts"].sort_values("name")
    return [{"label": n, "value": c} for c, n in zip(d["code"], d["name"], strict=True)]


def sponsor_options(bundle: Bundle) -> list[dict[str, Any]]:
    from geodata.names import loose_key

    return [
        {"label": n, "value": n, "search": f"{n} {loose_key(n)}"}
        for n in cv.sponsor_options(bundle)
    ]


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def tone_variants(name: str) -> str:
    """The name with the other tone-mark placement in "oa", "oe", "uy" ("Hoà" ⇄ "Hòa").

    >>> tone_variants("Xã Trung Hoà"), tone_variants("Thủy")
    ('Xã Trung Hòa', 'Thuỷ')
    """
    import re
    import unicodedata

    text = unicodedata.normalize("NFD", name)

    def old_to_new(m: re.Match) -> str:  # o + a + tone → o + tone + a
        return m.group(1) + m.group(3) + m.group(2)

    def new_to_old(m: re.Match) -> str:  # o + tone + a → o + a + tone
        return m.group(1) + m.group(3) + m.group(2)

    swapped = re.sub(rf"([oOuU])([aAeEyY])([{_TONES}])", old_to_new, text)
    if swapped == text:
        swapped = re.sub(rf"([oOuU])([{_TONES}])([aAeEyY])", new_to_old, text)
    return unicodedata.normalize("NFC", swapped)


def search_options(bundle: Bundle, vintage: int) -> list[dict[str, Any]]:
    """Communes of a vintage for the search box; searchable with or without diacritics and
    with either tone placement (the ``search`` text holds those spellings and the code)."""
    from geodata.names import loose_key

    c = bundle.communes(vintage)
    out = []
    for code, name, district in zip(c["code"], c["name"], c["district_name"], strict=True):
        label = f"{name} – {district}" if isinstance(district, str) and district else name
        search = f"{label} {tone_variants(name)} {loose_key(name)} {code}"
        out.append({"label": label, "value": code, "search": search})
    return sorted(out, key=lambda o: loose_key(o["label"]))


# ---------------------------------------------------------------------------- page
Shown = dict[str, Any]


def shown(first: Shown, name: str) -> dict[str, Any]:
    """The id and the first-paint value of a component that follows the view, by its name in
    :data:`ids.VIEW_OUTPUTS` (``html.Div(**shown(first, "legend"))``)."""
    cid, prop = ids.VIEW_OUTPUTS[name]
    return {"id": cid, prop: first[name]}


def page(bundle: Bundle, t: Translator, state: dict[str, Any], first: Shown) -> html.Div:
    """The whole page for a state (see :mod:`dashboard.state`), filled with ``first``: the
    view's outputs by name (:func:`dashboard.callbacks.view_outputs`), so that the first paint
    needs no callback round trip."""
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.SELECTED, data=state["sel"]),
            header(t, state),
            html.Div(
                [
                    sidebar(bundle, t, state, first),
                    html.Main(
                        [
                            html.Div(
                                className="cards",
                                **{"aria-live": "polite"},
                                **shown(first, "cards"),
                            ),
                            html.Div(className="completeness", **shown(first, "completeness")),
                            html.Div(
                                [
                                    dcc.Graph(
                                        **shown(first, "map"),
                                        config={
                                            "scrollZoom": True,
                                            "displaylogo": False,
                                            "responsive": True,
                                        },
                                        className="map-graph",
                                        style={"height": "640px"},
                                    ),
                                    html.Div(
                                        [
                                            html.Div(
                                                className="vintage-note",
                                                **shown(first, "vintage_note"),
                                            ),
                                            html.Div(className="legend", **shown(first, "legend")),
                                            html.Div(
                                                className="legend", **shown(first, "kind_legend")
                                            ),
                                            html.Div(
                                                className="attribution",
                                                **shown(first, "basemap_note"),
                                            ),
                                            export_box(t),
                                        ],
                                        className="map-legend",
                                    ),
                                ],
                                className="map-wrap",
                                role="region",
                                **{"aria-label": t("control.map")},
                            ),
                            tabs(t, first),
                        ],
                        className="main",
                    ),
                    html.Aside(
                        [T(t, "detail.title", html.H2), html.Div(id=ids.DETAIL)],
                        className="detail",
                        **{"aria-live": "polite"},
                    ),
                ],
                className="body",
            ),
            html.Footer(T(t, "app.footer"), className="footer"),
        ],
        className="app",
        id="app-root",
        lang=t.lang,
    )


def header(t: Translator, state: dict[str, Any]) -> html.Header:
    return html.Header(
        [
            html.Div(
                [T(t, "app.title", html.H1), T(t, "app.subtitle", html.P, className="subtitle")]
            ),
            html.Div(
                [
                    html.Label([T(t, "control.vintage")], htmlFor=ids.VINTAGE),
                    dcc.RadioItems(
                        id=ids.VINTAGE,
                        options=vintage_options(t),
                        value=state["v"],
                        inline=True,
                        className="radio",
                    ),
                ],
                className="control",
            ),
            html.Div(
                [
                    dcc.RadioItems(
                        id=ids.LANG,
                        options=[{"label": n, "value": k.value} for k, n in LANG_NAMES.items()],
                        value=state["lang"],
                        inline=True,
                        className="radio lang",
                    ),
                    html.A(T(t, "control.share"), id=ids.SHARE, href="?", className="share"),
                    html.A(T(t, "control.import"), href="/import", className="share"),
                ],
                className="control",
            ),
        ],
        className="header",
    )


def _field(t: Translator, key: str, control: Any, control_id: str) -> html.Div:
    return html.Div([html.Label(T(t, key), htmlFor=control_id), control], className="field")


def sidebar(bundle: Bundle, t: Translator, state: dict[str, Any], first: Shown) -> html.Nav:
    y0, y1 = cv.year_bounds(bundle)
    return html.Nav(
        [
            _field(
                t,
                "control.search",
                dcc.Dropdown(
                    **shown(first, "search_options"),
                    placeholder="Xuân Lạc / Xuan Lac…",
                    clearable=True,
                    searchable=True,
                ),
                ids.SEARCH,
            ),
            _field(
                t,
                "control.measure",
                dcc.RadioItems(
                    id=ids.MEASURE,
                    options=measure_options(t),
                    value=state["m"],
                    className="radio-list",
                ),
                ids.MEASURE,
            ),
            _field(
                t,
                "control.layers",
                dcc.Checklist(
                    id=ids.LAYERS,
                    options=layer_options(t),
                    value=state["layers"],
                    className="radio-list",
                ),
                ids.LAYERS,
            ),
            _field(
                t,
                "control.basemap",
                dcc.Dropdown(
                    id=ids.BASEMAP,
                    options=basemap_options(t),
                    value=state["basemap"],
                    clearable=False,
                ),
                ids.BASEMAP,
            ),
            T(t, "filter.title", html.H2),
            _field(
                t,
                "filter.district",
                dcc.Dropdown(
                    id=ids.DISTRICT, options=district_options(bundle), value=state["d"], multi=True
                ),
                ids.DISTRICT,
            ),
            _field(
                t,
                "filter.sponsor",
                dcc.Dropdown(
                    id=ids.SPONSOR,
                    options=sponsor_options(bundle),
                    value=state["s"],
                    multi=True,
                    searchable=True,
                ),
                ids.SPONSOR,
            ),
            _field(
                t,
                "filter.sponsor_kind",
                dcc.Dropdown(
                    id=ids.SPONSOR_KIND,
                    options=sponsor_kind_options(t),
                    value=state["sk"],
                    multi=True,
                ),
                ids.SPONSOR_KIND,
            ),
            _field(
                t,
                "filter.project_kind",
                dcc.Dropdown(
                    id=ids.PROJECT_KIND,
                    options=project_kind_options(t),
                    value=state["pk"],
                    multi=True,
                ),
                ids.PROJECT_KIND,
            ),
            _field(
                t,
                "filter.criterion",
                dcc.Dropdown(
                    id=ids.CRITERION, options=criterion_options(t), value=state["c"], multi=True
                ),
                ids.CRITERION,
            ),
            _field(
                t,
                "filter.years",
                dcc.RangeSlider(
                    id=ids.YEARS,
                    min=y0,
                    max=y1,
                    step=1,
                    value=state["y"],
                    marks={y: str(y) for y in range(y0, y1 + 1, 3)},
                    tooltip={"placement": "bottom", "always_visible": False},
                ),
                ids.YEARS,
            ),
            dcc.Checklist(
                id=ids.UNDATED, options=undated_options(t), value=state["u"], className="radio-list"
            ),
            _field(
                t,
                "filter.status",
                dcc.Dropdown(
                    id=ids.STATUS, options=status_options(t), value=state["st"], multi=True
                ),
                ids.STATUS,
            ),
            dcc.Checklist(
                id=ids.DIFFICULT,
                options=difficult_options(t),
                value=state["dif"],
                className="radio-list",
            ),
            html.Button(T(t, "filter.reset"), id=ids.RESET, className="button", n_clicks=0),
        ],
        className="sidebar",
        **{"aria-label": "filters"},
    )


def export_box(t: Translator) -> html.Div:
    """Format choice and the export button: the current view as a print sheet or as data."""
    return html.Div(
        [
            html.Label(T(t, "export.format"), htmlFor=ids.EXPORT_FORMAT),
            dcc.Dropdown(
                id=ids.EXPORT_FORMAT,
                options=export_options(t),
                value="png",
                clearable=False,
                searchable=False,
            ),
            html.Button(T(t, "export.button"), id=ids.EXPORT_BUTTON, className="button"),
            dcc.Download(id=ids.EXPORT_DOWNLOAD),
        ],
        className="export-box",
    )


def tabs(t: Translator, first: Shown) -> dcc.Tabs:
    grid_style = {"height": "340px"}
    return dcc.Tabs(
        id=ids.TABS,
        value="overview",
        children=[
            dcc.Tab(
                label=t("tab.overview"),
                value="overview",
                id={"type": "tab", "key": "tab.overview"},
                children=html.Div(
                    [
                        dcc.Graph(**shown(first, "chart_sponsor"), config={"displaylogo": False}),
                        dcc.Graph(**shown(first, "chart_year"), config={"displaylogo": False}),
                    ],
                    className="charts",
                ),
            ),
            dcc.Tab(
                label=t("tab.gaps"),
                value="gaps",
                id={"type": "tab", "key": "tab.gaps"},
                children=html.Div(
                    [
                        html.Div(
                            [
                                T(t, "gaps.title", html.H3),
                                T(t, "gaps.note", html.P, className="note"),
                                html.Button(T(t, "gaps.csv"), id=ids.GAP_CSV, className="button"),
                                dag.AgGrid(
                                    **shown(first, "gap_rows"),
                                    columnDefs=gap_columns(t),
                                    getRowId="params.data.code",
                                    defaultColDef={
                                        "sortable": True,
                                        "filter": True,
                                        "resizable": True,
                                    },
                                    dashGridOptions={
                                        "rowSelection": {"mode": "singleRow", "checkboxes": False}
                                    },
                                    columnSize="responsiveSizeToFit",
                                    csvExportParams={"fileName": "ntm-atlas-gaps.csv"},
                                    style=grid_style,
                                ),
                            ],
                            className="grid-box",
                        ),
                        html.Div(
                            [
                                T(t, "load.title", html.H3),
                                T(t, "load.note", html.P, className="note"),
                                html.Button(
                                    T(t, "load.csv"), id=ids.SPONSOR_CSV, className="button"
                                ),
                                dag.AgGrid(
                                    **shown(first, "sponsor_rows"),
                                    columnDefs=sponsor_columns(t),
                                    getRowId="params.data.sponsor",
                                    defaultColDef={
                                        "sortable": True,
                                        "filter": True,
                                        "resizable": True,
                                    },
                                    columnSize="responsiveSizeToFit",
                                    csvExportParams={"fileName": "ntm-atlas-sponsors.csv"},
                                    style=grid_style,
                                ),
                            ],
                            className="grid-box",
                        ),
                    ],
                    className="grids",
                ),
            ),
        ],
    )


def gap_columns(t: Translator) -> list[dict[str, Any]]:
    return [
        {"field": "name", "headerName": t("col.commune"), "minWidth": 150},
        {"field": "district_name", "headerName": t("col.district")},
        {"field": "difficult_text", "headerName": t("col.difficult")},
        {"field": "n_projects", "headerName": t("col.n_projects"), "type": "numericColumn"},
        {"field": "ntm_year", "headerName": t("col.ntm_year")},
        {"field": "code", "headerName": t("col.code")},
    ]


def sponsor_columns(t: Translator) -> list[dict[str, Any]]:
    return [
        {"field": "sponsor", "headerName": t("col.sponsor"), "minWidth": 200},
        {"field": "kind_text", "headerName": t("col.sponsor_kind")},
        {"field": "n_communes", "headerName": t("col.n_communes"), "type": "numericColumn"},
        {"field": "communes", "headerName": t("col.communes"), "minWidth": 160},
        {"field": "periods", "headerName": t("col.periods")},
        {"field": "n_projects", "headerName": t("col.n_projects"), "type": "numericColumn"},
        {"field": "load_text", "headerName": t("col.load")},
    ]
