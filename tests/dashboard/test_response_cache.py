"""The first page is built once per store version (and host) and kept compressed; Dash's
component scripts are compressed once."""

from __future__ import annotations

import gzip
import time

import brotli
import pytest
from store_samples import add_cao_tri_assignment, location

import dashboard.app as app_module
from dashboard.app import create_app
from geodata.settings import Settings


@pytest.fixture()
def counted(monkeypatch):
    """How many times the page was built (the real builder, counted)."""
    calls = []
    real = app_module.serve_layout

    def serve_layout(context):
        calls.append(context)
        return real(context)

    monkeypatch.setattr(app_module, "serve_layout", serve_layout)
    return calls


def test_the_layout_is_built_once_and_served_in_every_coding(store_path, tmp_path, counted):
    app = create_app(Settings(store_path, tmp_path / "cache"), warm_glyphs=False)
    client = app.server.test_client()
    br = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip, br"})
    built = len(counted)  # Dash also builds it once to validate, on the first request
    gz = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
    raw = client.get("/_dash-layout")
    again = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip, br"})
    assert (br.headers["Content-Encoding"], gz.headers["Content-Encoding"]) == ("br", "gzip")
    assert "Content-Encoding" not in raw.headers
    body = raw.get_data()
    assert brotli.decompress(br.get_data()) == body == gzip.decompress(gz.get_data())
    assert again.get_data() == br.get_data()
    assert len(counted) == built + 2  # once per coding, not once per visit
    assert raw.get_json()["props"]  # a Dash component tree


def test_the_layout_of_another_host_names_that_host(store_path, tmp_path):
    client = create_app(Settings(store_path, tmp_path / "cache"), warm_glyphs=False)
    client = client.server.test_client()
    a = client.get("/_dash-layout", headers={"Host": "atlas.example.org"}).get_data()
    b = client.get("/_dash-layout", headers={"Host": "127.0.0.1:8050"}).get_data()
    assert b"atlas.example.org" in a and b"atlas.example.org" not in b  # absolute URLs


def test_a_replaced_store_gets_a_new_layout(store, tmp_path, counted):
    settings = Settings(tmp_path / "unused.gpkg", tmp_path / "cache").with_store(location(store))
    client = create_app(settings, warm_glyphs=False)
    client = client.server.test_client()
    before = client.get("/_dash-layout").get_data()
    built = len(counted)
    assert client.get("/_dash-layout").get_data() == before and len(counted) == built
    add_cao_tri_assignment(store)
    deadline = time.monotonic() + 30
    while client.get("/_dash-layout").get_data() == before:
        assert time.monotonic() < deadline, "the cached layout outlived its store"
        time.sleep(0.5)
    assert len(counted) == built + 1


def test_component_scripts_are_compressed_once(store_path, tmp_path, monkeypatch):
    import flask_compress.flask_compress as fc

    app = create_app(Settings(store_path, tmp_path / "cache"), warm_glyphs=False)
    client = app.server.test_client()
    page = client.get("/").get_data(as_text=True)
    script = next(
        s.split('"')[0]
        for s in page.split('<script src="')[1:]
        if "_dash-component-suites/dash/dcc/" in s
    )
    first = client.get(script, headers={"Accept-Encoding": "gzip"})
    compressed = []
    real = fc._compress_data
    monkeypatch.setattr(fc, "_compress_data", lambda *a: compressed.append(a) or real(*a))
    second = client.get(script, headers={"Accept-Encoding": "gzip"})
    assert second.headers["Content-Encoding"] == "gzip"
    assert second.get_data() == first.get_data() and not compressed


def test_versioned_geojson_is_compressed_once(store_path, tmp_path, monkeypatch):
    """A national store's GeoJSON is tens of MB: a URL with its version (?v=) names one text
    for good, so it is compressed once; without a version it is compressed every time."""
    import flask_compress.flask_compress as fc

    app = create_app(Settings(store_path, tmp_path / "cache"), warm_glyphs=False)
    client = app.server.test_client()
    compressed = []
    real = fc._compress_data
    monkeypatch.setattr(fc, "_compress_data", lambda *a: compressed.append(a) or real(*a))
    gz = {"Accept-Encoding": "gzip"}
    first = client.get("/geo/communes_2019.geojson?v=abc", headers=gz)
    second = client.get("/geo/communes_2019.geojson?v=abc", headers=gz)
    assert second.headers["Content-Encoding"] == "gzip" and len(compressed) == 1
    assert second.get_data() == first.get_data()
    assert b'"features"' in gzip.decompress(second.get_data())
    client.get("/geo/communes_2019.geojson", headers=gz)
    client.get("/geo/communes_2019.geojson", headers=gz)
    assert len(compressed) == 3
