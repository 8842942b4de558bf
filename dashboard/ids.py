"""Every component id of the dashboard, in one place (layout and callbacks import these)."""

from __future__ import annotations

URL = "url"
LANG = "lang"
VINTAGE = "vintage"
VINTAGE_NOTE = "vintage-note"
MEASURE = "measure"
LAYERS = "layers"
BASEMAP = "basemap"
BASEMAP_NOTE = "basemap-note"

DISTRICT = "f-district"
SPONSOR = "f-sponsor"
SPONSOR_KIND = "f-sponsor-kind"
PROJECT_KIND = "f-project-kind"
CRITERION = "f-criterion"
YEARS = "f-years"
UNDATED = "f-undated"
STATUS = "f-status"
DIFFICULT = "f-difficult"
RESET = "f-reset"

SEARCH = "search"
SELECTED = "selected"

#: The map's box: assets/map.js makes its MapLibre map in it.
MAP = "map"
#: The map's buttons (zoom in and out, the whole view, a PNG): assets/map.js acts on them.
MAP_TOOLS = "map-tools"
#: A box the map fits (a commune chosen by search or by its group): ``{"box", "key"}``.
MAP_FIT = "map-fit"
#: What assets/map.js paints in MapLibre (layers/map_paint.py): the paint spec of the view,
#: the selected commune's outline, a click on the map (written by map.js) and the clientside
#: callback's (unused) output.
MAP_PAINT = "map-paint"
MAP_OUTLINE = "map-outline"
MAP_CLICK = "map-click"
MAP_PAINTED = "map-painted"
#: The words of a language the page callback sends on a language switch (assets/words.js puts
#: them on the page: no second request).
WORDS = "words"
LEGEND = "legend"
KIND_LEGEND = "kind-legend"
CARDS = "cards"
COMPLETENESS = "completeness"
DETAIL = "detail"

CHART_SPONSOR = "chart-sponsor"
CHART_YEAR = "chart-year"
GAP_CSV = "gap-csv"
SPONSOR_CSV = "sponsor-csv"
TABS = "tabs"
EXPORT_FORMAT = "export-format"
EXPORT_BUTTON = "export-button"
EXPORT_DOWNLOAD = "export-download"
SHARE = "share"

#: Pattern-matching id type of every translated text node: {"type": I18N, "key": "..."}.
I18N = "i18n"

# Map-first layout, panels, feedback and the gap view (issue 9).
SKIP = "skip-link"
BODY = "body"
MAIN = "main"
MAP_WRAP = "map-wrap"
FILTERS_PANEL = "filters-panel"
FILTERS_TOGGLE = "filters-toggle"
FILTERS_CLOSE = "filters-close"
LEGEND_PANEL = "legend-panel"
LEGEND_TOGGLE = "legend-toggle"
DETAIL_PANEL = "detail-panel"
DETAIL_CLOSE = "detail-close"
COUNTED = "counted"
EMPTY = "empty-state"
EMPTY_RESET = "empty-reset"
EXPORT_STATUS = "export-status"
SHARE_STATUS = "share-status"
GAP_TABLE = "gap-table"
GAP_DOWNLOAD = "gap-download"
GAP_MAP = "gap-map"
GAP_PICK = "gap-pick"
SPONSOR_TABLE = "sponsor-table"
SPONSOR_DOWNLOAD = "sponsor-download"

#: What follows the view state, by name: (component id, property). The view callback's
#: outputs, the first paint (:func:`dashboard.layout.page`) and the tests use these names.
VIEW_OUTPUTS = {
    "paint": (MAP_PAINT, "data"),
    "legend": (LEGEND, "children"),
    "kind_legend": (KIND_LEGEND, "children"),
    "cards": (CARDS, "children"),
    "completeness": (COMPLETENESS, "children"),
    "vintage_note": (VINTAGE_NOTE, "children"),
    "basemap_note": (BASEMAP_NOTE, "children"),
    "chart_sponsor": (CHART_SPONSOR, "figure"),
    "chart_year": (CHART_YEAR, "figure"),
    "gap_table": (GAP_TABLE, "children"),
    "sponsor_table": (SPONSOR_TABLE, "children"),
    "search_options": (SEARCH, "options"),
    "counted": (COUNTED, "children"),
    "empty": (EMPTY, "children"),
}
