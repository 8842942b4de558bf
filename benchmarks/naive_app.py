"""The baseline: a Dash map app written the way most are.

One dropdown (the district), one callback that rebuilds ``px.choropleth_map`` from the full
GeoJSON with discrete colours on every change, Plotly's full bundle (Dash's own lazy-loaded
``plotly.min.js``). Same store, same GeoJSON features (the simplified web copies the real app
sends), same measure (sponsor coverage from :func:`geodata.coverage.commune_measures`) and the
same district filter as NTM Atlas, so the two can be compared side by side.

    uv run python -m benchmarks.server naive STORE PORT
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import plotly.express as px
from dash import Dash, Input, Output, dcc, html

from geodata import coverage as cv
from geodata.bundle import Bundle

#: The dashboard's control and map ids, so one driver works for both apps.
DISTRICT_ID = "f-district"
MAP_ID = "map"
COLOURS = {
    "sponsored": "#1b9e77",
    "difficult_none": "#d95f02",
    "none": "#bdbdbd",
    "out_of_view": "#f2f2f2",
}


def create_app(store: Path | str) -> Dash:
    """The naive app over a built store."""
    bundle = Bundle.load(store)
    geojson = json.loads(bundle.geojson["communes_2019"])  # the full GeoJSON, every callback
    districts = bundle.tables["districts"].sort_values("name")
    app = Dash(__name__, title="naive", compress=True)
    app.layout = html.Div(
        [
            dcc.Dropdown(
                id=DISTRICT_ID,
                options=[
                    {"label": n, "value": c}
                    for c, n in zip(districts["code"], districts["name"], strict=True)
                ],
                value=None,
            ),
            dcc.Graph(id=MAP_ID, style={"height": "800px"}),
        ]
    )

    @app.callback(Output(MAP_ID, "figure"), Input(DISTRICT_ID, "value"))
    def update(district):
        filters = cv.Filters(districts=(district,)) if district else cv.Filters()
        table = cv.commune_measures(bundle, 2019, filters)
        table["class"] = table["coverage"].where(table["in_view"], "out_of_view")
        chosen = districts.loc[districts["code"] == district] if district else districts
        west, south, east, north = chosen.total_bounds
        fig = px.choropleth_map(
            table,
            geojson=geojson,
            locations="code",
            color="class",
            color_discrete_map=COLOURS,
            hover_name="name",
            hover_data={"district_name": True, "n_sponsors": True, "n_projects": True},
            center={"lon": (west + east) / 2, "lat": (south + north) / 2},
            zoom=_zoom(west, south, east, north),
            opacity=0.85,
            map_style="white-bg",
        )
        fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0})
        return fig

    return app


def _zoom(west: float, south: float, east: float, north: float) -> float:
    """A zoom that fits the box in about 700 × 700 px (Web Mercator).

    >>> round(_zoom(105.4, 21.8, 106.3, 22.8), 1)
    8.9
    """
    span = max(east - west, (north - south) / math.cos(math.radians((north + south) / 2)))
    return math.log2(360 * 700 / 256 / max(span, 1e-6)) - 0.1
