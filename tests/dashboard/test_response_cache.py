"""The first page is built once per store version (at start) and kept compressed per host;
what a URL names for good (Dash's component scripts, assets, versioned GeoJSON, glyphs) is
compressed once, at brotli's best."""

from __future__ import annotations

import gzip
import json
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
    assert len(counted) == 1  # at start, before any request
    client = app.server.test_client()
    br = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip, br"})
    gz = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
    raw = client.get("/_dash-layout")
    again = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip, br"})
    assert (br.headers["Content-Encoding"], gz.headers["Content-Encoding"]) == ("br", "gzip")
    assert "Content-Encoding" not in raw.headers
    body = raw.get_data()
    assert brotli.decompress(br.get_data()) == body == gzip.decompress(gz.get_data())
    assert brotli.decompress(again.get_data()) == body
    app.server.extensions["ntm_atlas.layout_cache"].upgrading.join()  # brotli 11, made after
    best = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip, br"}).get_data()
    assert brotli.decompress(best) == body and len(best) < len(br.get_data())
    assert len(counted) == 1  # not once per coding, nor for Dash's check of the layout
    assert raw.get_json()["props"]  # a Dash component tree


def test_the_layout_of_another_host_names_that_host(store_path, tmp_path, counted):
    client = create_app(Settings(store_path, tmp_path / "cache"), warm_glyphs=False)
    client = client.server.test_client()
    a = client.get("/_dash-layout", headers={"Host": "atlas.example.org"}).get_json()
    b = client.get("/_dash-layout", headers={"Host": "127.0.0.1:8050"}).get_json()
    text_a, text_b = json.dumps(a), json.dumps(b)
    assert '"http://atlas.example.org/geo/communes_' in text_a  # absolute URLs, that host's
    assert "atlas.example.org" not in text_b and '"http://127.0.0.1:8050/geo/communes_' in text_b
    assert app_module.ROOT_PLACEHOLDER not in text_a + text_b
    assert len(counted) == 1  # one build for every host
    assert text_a.replace("atlas.example.org", "127.0.0.1:8050") == text_b


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


@pytest.fixture()
def compressions(monkeypatch):
    """Bodies compressed by the app (the real compressor, counted)."""
    from dashboard import response_cache

    made = []
    real = response_cache.compress

    def compress(data, coding, quality=None):
        made.append((coding, len(data)))
        return real(data, coding, quality)

    monkeypatch.setattr(response_cache, "compress", compress)
    return made


def _script(client, part: str) -> str:
    """The first script of the page whose URL holds ``part``."""
    page = client.get("/").get_data(as_text=True)
    urls = (s.split('"')[0] for s in page.split('<script src="')[1:])
    return next(url for url in urls if part in url)


def test_component_scripts_are_compressed_once_at_best(store_path, tmp_path, compressions):
    app = create_app(Settings(store_path, tmp_path / "cache"), warm_glyphs=False)
    client = app.server.test_client()
    script = _script(client, "_dash-component-suites/dash/dcc/")
    br = {"Accept-Encoding": "gzip, deflate, br, zstd"}  # Chromium's
    first = client.get(script, headers=br)  # a quick brotli: the first visitor never waits
    app.server.extensions["ntm_atlas.kept_responses"].settled()  # the best one, made after
    second = client.get(script, headers=br)
    third = client.get(script, headers=br)
    gz = client.get(script, headers={"Accept-Encoding": "gzip"})
    raw = client.get(script).get_data()
    assert first.headers["Content-Encoding"] == "br" == second.headers["Content-Encoding"]
    assert brotli.decompress(first.get_data()) == raw == brotli.decompress(second.get_data())
    assert raw == gzip.decompress(gz.get_data())
    assert len(second.get_data()) <= len(brotli.compress(raw, quality=11))  # the best quality
    assert len(second.get_data()) < len(first.get_data()) and third.get_data() == second.get_data()
    # once per coding (brotli: quick, then best), not once per request
    assert [c for c, _ in compressions] == ["br", "br", "gzip"]
    assert "Accept-Encoding" in first.headers["Vary"]


def test_assets_and_glyphs_are_compressed_once(store_path, tmp_path, compressions):
    app = create_app(Settings(store_path, tmp_path / "cache"), warm_glyphs=False)
    client = app.server.test_client()
    br = {"Accept-Encoding": "br"}
    for url in (_script(client, "/assets/map.js"), "/glyphs/Open Sans Regular/0-255.pbf"):
        first = client.get(url, headers=br)
        assert first.headers["Content-Encoding"] == "br"
        assert brotli.decompress(first.get_data()) == client.get(url).get_data()
    app.server.extensions["ntm_atlas.kept_responses"].settled()
    assert len(compressions) == 4  # each: a quick brotli, then the best


def test_versioned_geojson_is_compressed_once(store_path, tmp_path, compressions):
    """A national store's GeoJSON is tens of MB: a URL with its version (?v=) names one text
    for good, so it is compressed once; without a version flask-compress compresses it every
    time."""
    import flask_compress.flask_compress as fc

    app = create_app(Settings(store_path, tmp_path / "cache"), warm_glyphs=False)
    client = app.server.test_client()
    gz = {"Accept-Encoding": "gzip"}
    first = client.get("/geo/communes_2019.geojson?v=abc", headers=gz)
    second = client.get("/geo/communes_2019.geojson?v=abc", headers=gz)
    assert second.headers["Content-Encoding"] == "gzip" and len(compressions) == 1
    assert second.get_data() == first.get_data()
    assert b'"features"' in gzip.decompress(second.get_data())
    per_request = fc._compress_data
    calls = []
    fc._compress_data = lambda *a: calls.append(a) or per_request(*a)
    try:
        client.get("/geo/communes_2019.geojson", headers=gz)
        client.get("/geo/communes_2019.geojson", headers=gz)
    finally:
        fc._compress_data = per_request
    assert len(compressions) == 1 and len(calls) == 2


def test_kept_bodies_are_bounded():
    from dashboard.response_cache import KeptResponses

    kept = KeptResponses(max_bytes=2_000)
    for i in range(50):
        kept.get((f"/assets/x.js?m={i}", "gzip"), lambda: bytes(range(256)) * 20, "gzip")
    assert kept._bytes <= 2_000 and len(kept._entries) < 50
