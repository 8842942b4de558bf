"""The custom plotly.js bundle: it holds every trace type the app draws, matches the Python
library's plotly.js, and is served precompressed with a long cache lifetime."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from dashboard import plotly_bundle as pb

ROOT = Path(__file__).resolve().parents[2]
#: Where figures are made: the app (layers, dashboard) and the exports (dashboard/export).
SOURCES = [*ROOT.glob("layers/**/*.py"), *ROOT.glob("dashboard/**/*.py")]


def registered_traces(js: str) -> set[str]:
    """Trace modules registered in a plotly.js bundle (its ``moduleType:"trace"`` objects)."""
    return set(re.findall(r'moduleType:"trace",name:"(\w+)"', js))


def trace_types_in_source() -> set[str]:
    """Trace types named in the code: ``go.Choroplethmap(`` → choroplethmap; ``fig.add_bar(``
    and ``px.bar(`` → bar; ``"type": "scattermap"`` in figure dicts."""
    found: set[str] = set()
    for path in SOURCES:
        text = path.read_text()
        found |= {m.lower() for m in re.findall(r"\bgo\.([A-Z]\w+)\(", text) if m != "Figure"}
        found |= {m.replace("_", "") for m in re.findall(r"\bpx\.(\w+)\(", text)}
        found |= set(re.findall(r"\.add_(\w+)\(", text))
        found |= set(re.findall(r"[\"']type[\"']\s*:\s*[\"'](\w*map|bar|scatter\w*)[\"']", text))
    return found & plotly_trace_types()


def plotly_trace_types() -> set[str]:
    """Every trace type of the Python library (``bar``, ``choroplethmap``, ...)."""
    import plotly.graph_objects as go
    from plotly.basedatatypes import BaseTraceType

    return {
        name.lower()
        for name in dir(go)
        if isinstance(getattr(go, name), type) and issubclass(getattr(go, name), BaseTraceType)
    }


def figure_trace_types(node) -> set[str]:
    """Trace types of every figure in a Dash layout (JSON)."""
    out: set[str] = set()
    if isinstance(node, dict):
        fig = node.get("figure") if isinstance(node.get("figure"), dict) else None
        for trace in (fig or {}).get("data", []):
            out.add(trace.get("type", "scatter"))
        for value in node.values():
            out |= figure_trace_types(value)
    elif isinstance(node, list):
        for value in node:
            out |= figure_trace_types(value)
    return out


def test_the_bundle_registers_exactly_its_listed_traces():
    b = pb.bundle()
    assert registered_traces(b.path.read_text()) == set(b.traces)
    assert "scattergeo" not in b.traces  # a partial bundle, not the full one
    assert (pb.BUNDLE_DIR / "LICENSE").read_text().startswith("MIT License")


def test_the_bundle_is_the_plotly_js_of_the_python_library():
    from plotly.offline import get_plotlyjs_version

    assert pb.bundle().version == get_plotlyjs_version(), (
        "plotly (Python) moved: rebuild the bundle (cd plotly-bundle && npm i"
        " plotly.js@<version> && npm run build)"
    )


def test_every_trace_type_the_code_names_is_in_the_bundle():
    used = trace_types_in_source()
    assert "bar" in used  # the scan finds it (the map is MapLibre's own: no map trace)
    assert used <= set(pb.bundle().traces), used - set(pb.bundle().traces)


@pytest.fixture(scope="module")
def client(store_path, tmp_path_factory):
    from dashboard.app import create_app
    from geodata.settings import Settings

    settings = Settings(store_path=store_path, cache_dir=tmp_path_factory.mktemp("cache"))
    return create_app(settings, warm_glyphs=False).server.test_client()


def test_every_trace_type_of_the_page_is_in_the_bundle(client):
    layout = client.get("/_dash-layout").get_json()
    used = figure_trace_types(layout)
    assert "bar" in used and "scattermap" not in used  # the map is assets/map.js's own
    assert used <= set(pb.bundle().traces)


@pytest.mark.parametrize("which", [pb.bundle, pb.maplibre])
@pytest.mark.parametrize(
    ("accept", "coding", "suffix"),
    [("gzip, deflate, br, zstd", "br", ".br"), ("gzip", "gzip", ".gz"), ("", None, "")],
)
def test_the_bundles_are_served_precompressed_and_cached_for_a_year(
    client, which, accept, coding, suffix
):
    b = which()
    r = client.get(b.url(), headers={"Accept-Encoding": accept})
    assert r.status_code == 200
    assert r.headers.get("Content-Encoding") == coding
    assert r.get_data() == b.path.with_name(b.path.name + suffix).read_bytes()  # as stored
    assert (
        "immutable" in r.headers["Cache-Control"]
        and "max-age=31536000" in r.headers["Cache-Control"]
    )
    assert "Accept-Encoding" in r.headers["Vary"]
    assert r.headers["Content-Type"].startswith("text/javascript")


def test_the_compressed_copies_hold_the_bundle():
    b = pb.bundle()
    raw = b.path.read_bytes()
    assert gzip.decompress(b.path.with_name(b.path.name + ".gz").read_bytes()) == raw


def test_another_digest_is_not_found(client):
    assert client.get("/_ntm/plotly-000000000000.min.js").status_code == 404


def test_the_page_names_the_bundle_for_the_first_graph(client):
    page = client.get("/").get_data(as_text=True)
    url = pb.bundle().url()
    head, body = page.split("</head>", 1)
    assert f'<meta name="ntm-plotly" content="{url}">' in head
    # neither preloaded (parsed meanwhile, it slowed the map's first picture) nor run by the
    # page: dcc.Graph's loader runs it, once the map has drawn (assets/plotly_when_asked.js)
    assert f'href="{url}"' not in page
    assert f'<script src="{url}"' not in page
    assert "/assets/plotly_when_asked.js" in body  # which points dcc's loader at it
    assert "plotly.min.js" not in page and "plotly-ntm.min.js" not in page  # no second copy


def test_the_traces_file_lists_the_build_inputs():
    meta = json.loads((pb.BUNDLE_DIR / "traces.json").read_text())
    source = json.loads((ROOT / "plotly-bundle" / "traces.json").read_text())
    assert meta["traces"] == source
    lock = json.loads((ROOT / "plotly-bundle" / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/plotly.js"]["version"] == meta["plotly.js"]


def test_maplibre_runs_from_the_head_as_soon_as_it_arrives(client):
    """The map is assets/map.js's own MapLibre map: MapLibre (built by the same script, the
    version plotly.js's package pins) is an async script in the head, not a Dash asset."""
    page = client.get("/").get_data(as_text=True)
    m = pb.maplibre()
    head = page.split("</head>", 1)[0]
    assert f'<script src="{m.url()}" async></script>' in head
    assert "maplibre-ntm.min.js" not in page  # Dash does not add its own copy
    lock = json.loads((ROOT / "plotly-bundle" / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/maplibre-gl"]["version"] == m.version
    assert (m.path.parent / "LICENSE.txt").read_text().startswith("Copyright")
    raw = m.path.read_bytes()
    assert gzip.decompress(m.path.with_name(m.path.name + ".gz").read_bytes()) == raw
    assert b"setWorkerUrl" not in pb.bundle().path.read_bytes()  # plotly.js holds no MapLibre
