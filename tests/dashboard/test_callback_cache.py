"""Callback answers are kept per store version by request: a filter state asked for before is
answered without running the callback again; downloads always run."""

from __future__ import annotations

import json

from dash import Dash, Input, Output, dcc, html

from dashboard.response_cache import cache_callbacks


def _app(store: list):
    """A real Dash app whose callback counts its runs; ``store[0]`` stands for the store."""
    app = Dash(__name__)
    app.layout = html.Div(
        [dcc.Input(id="x"), html.Div(id="out"), dcc.Download(id="export-download")]
    )
    runs = []

    @app.callback(Output("out", "children"), Input("x", "value"))
    def show(x):
        runs.append(x)
        if x == "country":  # a national store's answer: every one of its 10,736 communes
            return f"{store[0]}:" + '[1,"Huyện Chợ Đồn",3,10,2],' * 20_000
        return f"{store[0]}:{x}"

    @app.callback(Output("export-download", "data"), Input("x", "value"))
    def download(x):
        runs.append(("download", x))
        return {"content": str(x), "filename": "x.txt"}

    cache = cache_callbacks(app, lambda: store[0], skip_outputs=("export-download",))
    return app, runs, cache


def _body(output: str, value: str) -> dict:
    return {
        "output": output,
        "outputs": {"id": output.split(".")[0], "property": output.split(".")[1]},
        "inputs": [{"id": "x", "property": "value", "value": value}],
        "changedPropIds": ["x.value"],
        "state": [],
    }


def test_a_request_asked_before_is_answered_without_running_again():
    store = ["v1"]
    app, runs, cache = _app(store)
    client = app.server.test_client()
    a = client.post("/_dash-update-component", json=_body("out.children", "a"))
    a2 = client.post("/_dash-update-component", json=_body("out.children", "a"))
    b = client.post("/_dash-update-component", json=_body("out.children", "b"))
    assert runs == ["a", "b"]  # "a" ran once
    assert a.get_data() == a2.get_data() and a.get_json() != b.get_json()
    assert json.loads(a2.get_data())["response"]["out"]["children"] == "v1:a"
    assert (cache.hits, cache.misses) == (1, 2)


def test_a_replaced_store_runs_the_callbacks_again():
    store = ["v1"]
    app, runs, _cache = _app(store)
    client = app.server.test_client()
    client.post("/_dash-update-component", json=_body("out.children", "a"))
    store[0] = "v2"  # a new bundle (an import, a rebuild)
    again = client.post("/_dash-update-component", json=_body("out.children", "a"))
    assert runs == ["a", "a"]
    assert again.get_json()["response"]["out"]["children"] == "v2:a"


def test_downloads_always_run():
    app, runs, _cache = _app(["v1"])
    client = app.server.test_client()
    for _ in range(2):
        r = client.post("/_dash-update-component", json=_body("export-download.data", "a"))
        assert r.status_code == 200
    assert runs == [("download", "a"), ("download", "a")]


def test_a_country_sized_answer_is_kept_and_the_answers_kept_are_bounded_in_bytes():
    store = ["v1"]
    app, runs, _cache = _app(store)
    client = app.server.test_client()
    for _ in range(2):
        r = client.post("/_dash-update-component", json=_body("out.children", "country"))
        assert len(r.get_data()) > 600_000
    assert runs == ["country"]  # the second was answered from the cache

    from dashboard.response_cache import CallbackCache

    bounded = CallbackCache(size=100, max_bytes=10_000)
    assert bounded.get("v1", 0) is None  # the store version the answers are kept for
    for i in range(20):
        bounded.put("v1", i, b"x" * 3_000)
    assert bounded._bytes <= 10_000 and len(bounded._entries) == 3
    assert bounded.get("v1", 19) is not None and bounded.get("v1", 0) is None
    bounded.put("v1", "huge", b"x" * 20_000)  # more than the whole bound: not kept
    assert bounded.get("v1", "huge") is None and bounded.get("v1", 19) is not None
