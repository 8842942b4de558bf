"""The page, as functions of (bundle, translator, state); no data is loaded here.

Every text node that changes with the language is a :func:`T` span with a pattern-matching id
``{"type": "i18n", "key": KEY}``; option lists come from the ``*_options`` functions, which the
language callback calls again.
"""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from dashboard import ids
from dashboard import state as st
from dashboard.i18n import Translator
from geodata import coverage as cv
from geodata.bundle import Bundle
from geodata.vocabulary import VINTAGES, Lang
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


#: Export formats offered by the export button (see :mod:`dashboard.export`).
EXPORT_FORMATS = ("png", "pdf", "svg", "html", "csv", "xlsx", "geojson", "gpkg")


def export_options(t: Translator) -> list[dict[str, Any]]:
    return [{"label": t(f"export.fmt.{f}"), "value": f} for f in EXPORT_FORMATS]


def dropdown_labels(t: Translator) -> dict[str, str]:
    """The dropdowns' own words (Dash's are English: "Search", "Select All", ...)."""
    keys = (
        "select_all",
        "deselect_all",
        "selected_count",
        "search",
        "clear_search",
        "clear_selection",
        "no_options_found",
    )
    return {k: t(f"dropdown.{k}") for k in keys}


#: The multi-choice filter dropdowns (their placeholder says "any" in the page's language).
FILTER_DROPDOWN_IDS = tuple(
    f.control for f in st.FILTER_FIELDS if f.shows is not None and f.shows.kind == "choices"
)
#: Every dropdown of the page (their ``labels`` follow the language).
DROPDOWN_IDS = (
    ids.SEARCH,
    ids.VINTAGE,
    ids.MEASURE,
    ids.EXPORT_FORMAT,
    *FILTER_DROPDOWN_IDS,
    ids.BASEMAP,
)


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
    with either tone placement (the ``search`` text holds those spellings and the code).
    Built once per bundle and vintage (every spelling of every name: ~20 ms a vintage)."""
    key = ("search_options", int(vintage))
    return bundle.derived(key, lambda: _search_options(bundle, vintage))


def _search_options(bundle: Bundle, vintage: int) -> list[dict[str, Any]]:
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
    needs no callback round trip.

    Map first: a compact header, a toolbar (filters switch, search, measure, export), compact
    cards, then the map filling the rest of the screen with the legend and the details over
    it. The filters sit in a panel beside the map that folds away (a drawer on a phone); the
    overview charts and the gap view come below the map. ``assets/style.css`` lays it out,
    ``dashboard.panels`` opens and closes the panels in the browser.
    """
    return html.Div(
        [
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.SELECTED, data=state["sel"]),
            html.A(t("app.skip"), href="#map", className="skip-link", id=ids.SKIP),
            header(t, state),
            html.Div(
                [
                    sidebar(bundle, t, state),
                    html.Main(
                        [
                            html.Div(
                                [
                                    toolbar(bundle, t, state, first),
                                    html.Div(
                                        [
                                            html.Div(
                                                className="counted", **shown(first, "counted")
                                            ),
                                            html.Div(className="cards", **shown(first, "cards")),
                                        ],
                                        className="summary",
                                        **{"aria-live": "polite"},
                                    ),
                                    map_area(t, first),
                                ],
                                className="stage",
                            ),
                            html.Div(className="completeness", **shown(first, "completeness")),
                            tabs(t, first),
                        ],
                        className="main",
                        id=ids.MAIN,
                    ),
                ],
                className="body",
                id=ids.BODY,
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
                [T(t, "app.title", html.H1), T(t, "app.subtitle", html.P, className="subtitle")],
                className="titles",
            ),
            html.Div(
                [
                    html.Div(
                        dcc.RadioItems(
                            id=ids.LANG,
                            options=[{"label": n, "value": k.value} for k, n in LANG_NAMES.items()],
                            value=state["lang"],
                            inline=True,
                            className="radio lang",
                        ),
                        role="radiogroup",
                        **{"aria-label": "Ngôn ngữ / Language"},
                    ),
                    html.Button(
                        T(t, "control.share"), id=ids.SHARE, className="button link", n_clicks=0
                    ),
                    html.Span(id=ids.SHARE_STATUS, className="status", role="status"),
                    html.A(T(t, "control.import"), href="/import", className="share"),
                ],
                className="control",
            ),
        ],
        className="header",
    )


def toolbar(bundle: Bundle, t: Translator, state: dict[str, Any], first: Shown) -> html.Div:
    """Above the map: the filters switch, the commune search, the measure, the export."""
    return html.Div(
        [
            html.Button(
                [html.Span("☰ ", **{"aria-hidden": "true"}), T(t, "filter.toggle")],
                id=ids.FILTERS_TOGGLE,
                className="button toggle",
                n_clicks=0,
                **{"aria-controls": ids.FILTERS_PANEL, "aria-expanded": "true"},
            ),
            html.Div(
                [
                    html.Label(T(t, "control.search"), htmlFor=ids.SEARCH, className="sr-only"),
                    dcc.Dropdown(
                        labels=dropdown_labels(t),
                        **shown(first, "search_options"),
                        placeholder=t("control.search_placeholder"),
                        clearable=True,
                        searchable=True,
                    ),
                ],
                className="tool search",
            ),
            _one_choice(t, "control.vintage", ids.VINTAGE, vintage_options(t), state["v"]),
            _one_choice(t, "control.measure", ids.MEASURE, measure_options(t), state["m"]),
            export_box(t),
        ],
        className="toolbar",
    )


def map_area(t: Translator, first: Shown) -> html.Div:
    """The map with its overlays: the legend (top right, folds away), the details (right,
    only while something is selected) and the empty-state message."""
    return html.Div(
        [
            # assets/map.js makes its MapLibre map in this box, as soon as it is on the page
            html.Div(
                id=ids.MAP,
                className="map-graph",
                role="region",
                **{"aria-label": t("map.label")},
            ),
            _map_tools(t),
            # assets/map.js paints the communes and the points from these (layers/map_paint)
            dcc.Store(**shown(first, "paint")),
            dcc.Store(id=ids.MAP_FIT, data=None),
            dcc.Store(id=ids.MAP_OUTLINE, data=None),
            dcc.Store(id=ids.MAP_CLICK, data=None),
            dcc.Store(id=ids.MAP_PAINTED, data=None),
            dcc.Store(id=ids.WORDS, data=None),
            _map_legend(t, first),
            html.Div(
                [
                    _close_button(t, ids.DETAIL_CLOSE, "detail.close"),
                    T(t, "detail.title", html.H2),
                    html.Div(id=ids.DETAIL),
                ],
                id=ids.DETAIL_PANEL,
                className="detail",
                tabIndex="-1",
                role="region",
                **{"aria-label": t("detail.title"), "aria-live": "polite"},
            ),
            html.Div(
                [
                    html.Div(role="status", **shown(first, "empty")),
                    html.Button(
                        T(t, "empty.reset"),
                        id=ids.EMPTY_RESET,
                        className="button primary",
                        n_clicks=0,
                    ),
                ],
                className="empty-state",
            ),
        ],
        className="map-wrap",
        id=ids.MAP_WRAP,
    )


def _map_legend(t: Translator, first: Shown) -> html.Div:
    """The legend over the map (its button folds it away): the vintage, the measure's
    classes, the project kinds, the basemap's attribution and how to select."""
    return html.Div(
        [
            html.Button(
                T(t, "legend.title"),
                id=ids.LEGEND_TOGGLE,
                className="button toggle small",
                n_clicks=0,
                **{"aria-controls": ids.LEGEND_PANEL, "aria-expanded": "true"},
            ),
            html.Div(
                [
                    html.Div(className="vintage-note", **shown(first, "vintage_note")),
                    html.Div(className="legend", **shown(first, "legend")),
                    html.Div(className="legend", **shown(first, "kind_legend")),
                    html.Div(className="attribution", **shown(first, "basemap_note")),
                    T(t, "detail.hint", html.P, className="hint"),
                ],
                id=ids.LEGEND_PANEL,
                className="legend-body",
                tabIndex="0",  # it scrolls: reachable by keyboard
            ),
        ],
        className="map-legend",
        role="region",
        **{"aria-label": t("legend.title")},
    )


#: The map's buttons: (id, translation key, what assets/map.js does, the symbol shown).
MAP_TOOLS_SPEC = (
    ("map-zoom-in", "map.zoom_in", "zoom-in", "+"),
    ("map-zoom-out", "map.zoom_out", "zoom-out", "−"),
    ("map-reset", "map.reset", "reset", "⤢"),
    ("map-png", "map.png", "png", "⤓"),
)
#: (id, translation key) of each button: its title follows the language (callbacks.TRANSLATED).
MAP_TOOLS = tuple((cid, key) for cid, key, _, _ in MAP_TOOLS_SPEC)


def _map_tools(t: Translator) -> html.Div:
    """The map's buttons (top left): zoom in and out, the whole view again, a PNG of the map;
    assets/map.js acts on a click (``data-act``)."""
    return html.Div(
        [
            html.Button(
                [html.Span(symbol, **{"aria-hidden": "true"}), T(t, key, className="sr-only")],
                id=cid,
                className="map-tool",
                title=t(key),
                type="button",
                **{"data-act": act},
            )
            for cid, key, act, symbol in MAP_TOOLS_SPEC
        ],
        id=ids.MAP_TOOLS,
        className="map-tools",
    )


def _close_button(t: Translator, cid: str, key: str) -> html.Button:
    """A panel's "×" button, named for screen readers and on hover."""
    return html.Button(
        "×", id=cid, className="close", n_clicks=0, title=t(key), **{"aria-label": t(key)}
    )


def _field(t: Translator, key: str, control: Any, control_id: str) -> html.Div:
    return html.Div([html.Label(T(t, key), htmlFor=control_id), control], className="field")


def _group(t: Translator, key: str, control: Any, label_id: str) -> html.Div:
    """A labelled group of radio buttons or check boxes (the label names the group)."""
    return html.Div(
        [html.Div(T(t, key), className="field-label", id=label_id), control],
        className="field",
        role="group",
        **{"aria-labelledby": label_id},
    )


def _choices(t: Translator, key: str, cid: str, options: list, value: Any, **extra) -> html.Div:
    """A labelled multi-choice dropdown filter ("any" when nothing is chosen)."""
    dropdown = dcc.Dropdown(
        labels=dropdown_labels(t),
        id=cid,
        options=options,
        value=value,
        multi=True,
        placeholder=t("filter.any"),
        **extra,
    )
    return _field(t, key, dropdown, cid)


def _checks(t: Translator, key: str, cid: str, options: list, value: Any, label_id: str):
    """A labelled group of check boxes."""
    boxes = dcc.Checklist(id=cid, options=options, value=value, className="radio-list")
    return _group(t, key, boxes, label_id)


def _one_choice(t: Translator, key: str, cid: str, options: list, value: Any) -> html.Div:
    """A labelled single-choice dropdown of the toolbar (no typing, never empty)."""
    dropdown = dcc.Dropdown(
        labels=dropdown_labels(t),
        id=cid,
        options=options,
        value=value,
        clearable=False,
        searchable=False,
    )
    return html.Div([html.Label(T(t, key), htmlFor=cid), dropdown], className=f"tool {cid}")


def sidebar(bundle: Bundle, t: Translator, state: dict[str, Any]) -> html.Aside:
    """The filters panel (folds away; a drawer on a phone): the filters, the reset button,
    then the map's layer switches and basemap."""
    head = html.Div(
        [T(t, "filter.title", html.H2), _close_button(t, ids.FILTERS_CLOSE, "filter.close")],
        className="panel-head",
    )
    reset = html.Button(T(t, "filter.reset"), id=ids.RESET, className="button", n_clicks=0)
    return html.Aside(
        [
            head,
            *filter_controls(bundle, t, state),
            reset,
            T(t, "control.map_title", html.H2),
            *map_controls(t, state),
        ],
        className="sidebar",
        id=ids.FILTERS_PANEL,
        **{"aria-label": t("filter.title")},
    )


def filter_controls(bundle: Bundle, t: Translator, state: dict[str, Any]) -> list[html.Div]:
    """One control per filter of :data:`dashboard.state.FIELDS`, with the state's values."""
    return [
        _filter_control(bundle, t, f, state[f.key]) for f in st.FILTER_FIELDS if f.shows is not None
    ]


def _filter_control(bundle: Bundle, t: Translator, f: st.Field, value: Any) -> html.Div:
    shows: st.Control = f.shows  # type: ignore[assignment]
    if shows.kind == "range":
        y0, y1 = cv.year_bounds(bundle)
        years = dcc.RangeSlider(
            id=f.control,
            min=y0,
            max=y1,
            step=1,
            value=value,
            marks={y: str(y) for y in range(y0, y1 + 1, 3)},
            tooltip={"placement": "bottom", "always_visible": False},
            allow_direct_input=False,
        )
        return _group(t, shows.label, years, f"{f.control}-l")
    options = shows.options(bundle, t) if shows.options else []
    if shows.kind == "checks":
        return _checks(t, shows.label, f.control, options, value, f"{f.control}-l")
    extra = {"searchable": True} if shows.searchable else {}
    return _choices(t, shows.label, f.control, options, value, **extra)


def map_controls(t: Translator, state: dict[str, Any]) -> list[html.Div]:
    """The layer switches and the basemap (offline by default)."""
    basemap = dcc.Dropdown(
        labels=dropdown_labels(t),
        id=ids.BASEMAP,
        options=basemap_options(t),
        value=state.get("basemap", "none"),
        clearable=False,
        searchable=False,
    )
    return [
        _checks(t, "control.layers", ids.LAYERS, layer_options(t), state["layers"], "layers-l"),
        _field(t, "control.basemap", basemap, ids.BASEMAP),
    ]


def export_box(t: Translator) -> html.Div:
    """Format choice and the export button: the current view as a print sheet or as data; a
    status line says it is working and then names the file."""
    return html.Div(
        [
            html.Label(T(t, "export.format"), htmlFor=ids.EXPORT_FORMAT),
            dcc.Dropdown(
                labels=dropdown_labels(t),
                id=ids.EXPORT_FORMAT,
                options=export_options(t),
                value="png",
                clearable=False,
                searchable=False,
            ),
            html.Button(T(t, "export.button"), id=ids.EXPORT_BUTTON, className="button primary"),
            dcc.Loading(
                html.Span(id=ids.EXPORT_STATUS, className="status", role="status"),
                type="dot",
                delay_show=150,
                overlay_style={"visibility": "visible"},
                custom_spinner=html.Span(T(t, "export.working"), className="status busy"),
            ),
            dcc.Download(id=ids.EXPORT_DOWNLOAD),
        ],
        className="tool export-box",
    )


def tabs(t: Translator, first: Shown) -> dcc.Tabs:
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
                        html.Section(
                            [
                                T(t, "gaps.title", html.H3),
                                T(t, "gaps.note", html.P, className="note"),
                                html.Button(T(t, "gaps.csv"), id=ids.GAP_CSV, className="button"),
                                html.Button(
                                    T(t, "gaps.on_map"), id=ids.GAP_MAP, className="button"
                                ),
                                dcc.Download(id=ids.GAP_DOWNLOAD),
                                html.Div(className="table-wrap", **shown(first, "gap_table")),
                            ],
                            className="grid-box",
                        ),
                        html.Section(
                            [
                                T(t, "load.title", html.H3),
                                T(t, "load.note", html.P, className="note"),
                                html.Button(
                                    T(t, "load.csv"), id=ids.SPONSOR_CSV, className="button"
                                ),
                                dcc.Download(id=ids.SPONSOR_DOWNLOAD),
                                html.Div(className="table-wrap", **shown(first, "sponsor_table")),
                            ],
                            className="grid-box",
                        ),
                    ],
                    className="grids",
                ),
            ),
        ],
    )
