"""The panels around the map, opened and closed in the browser (clientside callbacks: no round
trip): the filters panel (beside the map on a wide screen, a drawer on a phone), the legend
over the map, the details panel (shown while something is selected; its × clears the
selection), the share link (copies the page's URL and says so), and the empty state's
"Xóa bộ lọc" (presses the reset button).

The JavaScript lives in ``assets/panels.js`` (``window.dash_clientside.ntm``).
"""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State

from dashboard import ids


def register(app: Dash) -> None:
    fn = lambda name: ClientsideFunction(namespace="ntm", function_name=name)  # noqa: E731

    app.clientside_callback(
        fn("toggleFilters"),
        Output(ids.BODY, "className"),
        Output(ids.FILTERS_TOGGLE, "aria-expanded"),
        Input(ids.FILTERS_TOGGLE, "n_clicks"),
        Input(ids.FILTERS_CLOSE, "n_clicks"),
        State(ids.BODY, "className"),
    )
    app.clientside_callback(
        fn("toggleLegend"),
        Output(ids.MAP_WRAP, "className"),
        Output(ids.LEGEND_TOGGLE, "aria-expanded"),
        Input(ids.LEGEND_TOGGLE, "n_clicks"),
        Input(ids.SELECTED, "data"),
        State(ids.MAP_WRAP, "className"),
    )
    app.clientside_callback(
        fn("closeDetail"),
        Output(ids.SELECTED, "data", allow_duplicate=True),
        Output(ids.SEARCH, "value", allow_duplicate=True),
        Input(ids.DETAIL_CLOSE, "n_clicks"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        fn("share"),
        Output(ids.SHARE_STATUS, "children"),
        Input(ids.SHARE, "n_clicks"),
        State(ids.LANG, "value"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        fn("emptyReset"),
        Output(ids.RESET, "n_clicks"),
        Input(ids.EMPTY_RESET, "n_clicks"),
        State(ids.RESET, "n_clicks"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        fn("setLang"),
        Output(ids.SKIP, "title"),
        Input(ids.LANG, "value"),
    )
