"""The page's plotly.js: a custom bundle with only the trace types the app draws.

``assets/plotly/plotly-ntm.min.js`` is built from plotly.js's npm package by
``plotly-bundle/build.mjs`` (its gzip and brotli copies beside it). It is served at a URL that
carries a digest of its content (``/_ntm/plotly-<digest>.min.js``), precompressed (the ``.br``
or ``.gz`` file as it is, chosen by ``Accept-Encoding``, never compressed per request) and
cacheable for a year; the page names it (``<meta name="ntm-plotly">``), and
``assets/plotly_when_asked.js`` points ``dcc.Graph``'s loader (``window._dashPlotlyJSURL``) at it
and lets it run once the map has drawn its first picture: the overview charts are below the map,
and the bundle preloaded in the head was ~0.4 s of script parsing on a 2-core machine while the
page and the map started (issue 10). Dash's full ``plotly.min.js`` is never fetched. The
bundle also sets ``window.regeneratorRuntime``, the one part of Babel's polyfill that Dash's
renderer and dcc call, so the page does without that polyfill (97 kB).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import flask

from dashboard.i18n import ASSETS_DIR

BUNDLE_DIR = ASSETS_DIR / "plotly"
BUNDLE_FILE = BUNDLE_DIR / "plotly-ntm.min.js"
ROUTE = "/_ntm/plotly-<digest>.min.js"
#: MapLibre GL JS (the map is assets/map.js's MapLibre map), built by the same script.
MAPLIBRE_FILE = ASSETS_DIR / "maplibre" / "maplibre-ntm.min.js"
MAPLIBRE_ROUTE = "/_ntm/maplibre-<digest>.min.js"
#: Assets Dash must not add to the page by itself (the bundles are added by
#: :func:`index_string`).
ASSETS_IGNORE = r"(plotly|maplibre)-ntm\.min\.js$"
_CACHE = "public, max-age=31536000, immutable"
#: Encodings in order of preference, with the suffix of their precompressed file.
_ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


@dataclass(frozen=True)
class PlotlyBundle:
    """The bundle file, its digest and the trace types it holds."""

    path: Path
    digest: str
    version: str
    traces: tuple[str, ...]

    def url(self, prefix: str = "") -> str:
        return f"{prefix.rstrip('/')}/_ntm/{self.path.name.split('-')[0]}-{self.digest}.min.js"


@cache
def bundle(path: Path = BUNDLE_FILE) -> PlotlyBundle:
    """The committed bundle (read once per process).

    >>> b = bundle()
    >>> "bar" in b.traces and "scattermap" not in b.traces and len(b.digest)
    12
    """
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    meta = json.loads((path.parent / "traces.json").read_text())
    return PlotlyBundle(path, digest, meta["plotly.js"], tuple(meta["traces"]))


@cache
def maplibre(path: Path = MAPLIBRE_FILE) -> PlotlyBundle:
    """The committed MapLibre GL JS bundle (read once per process; no traces).

    >>> m = maplibre()
    >>> m.url("/app").startswith("/app/_ntm/maplibre-") and m.version.startswith("6.")
    True
    """
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    banner = path.read_text(encoding="utf-8")[:200]
    version = re.search(r"MapLibre GL JS v([\w.]+)", banner)
    return PlotlyBundle(path, digest, version.group(1) if version else "", ())


def accepted(header: str | None) -> list[str]:
    """Content codings a client accepts (``q=0`` means refused).

    >>> accepted("gzip, deflate, br, zstd")
    ['gzip', 'deflate', 'br', 'zstd']
    >>> accepted("br;q=0, gzip;q=0.5")
    ['gzip']
    """
    out = []
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        q = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        try:
            refused = float(q) == 0
        except ValueError:
            refused = False
        if name and not refused:
            out.append(name.strip().lower())
    return out


def response(b: PlotlyBundle, accept_encoding: str | None) -> flask.Response:
    """The bundle as the best precompressed file the client accepts (or raw)."""
    codings = accepted(accept_encoding)
    path, coding = b.path, None
    for name, suffix in _ENCODINGS:
        candidate = b.path.with_name(b.path.name + suffix)
        if name in codings and candidate.is_file():
            path, coding = candidate, name
            break
    resp = flask.send_file(path, mimetype="text/javascript", etag=f"{b.digest}-{coding or 'id'}")
    if coding:
        resp.headers["Content-Encoding"] = coding  # flask-compress leaves it as it is
    resp.headers["Vary"] = "Accept-Encoding"
    resp.headers["Cache-Control"] = _CACHE
    return resp


def register(app, prefix: str) -> None:
    """Serve the bundle and name it in the head (``dcc.Graph`` runs it once the map has drawn:
    ``assets/plotly_when_asked.js``)."""
    b = bundle()
    m = maplibre()

    @app.server.route(ROUTE)
    def _plotly(digest: str):
        if digest != b.digest:
            flask.abort(404)
        return response(b, flask.request.headers.get("Accept-Encoding"))

    @app.server.route(MAPLIBRE_ROUTE)
    def _maplibre(digest: str):
        if digest != m.digest:
            flask.abort(404)
        return response(m, flask.request.headers.get("Accept-Encoding"))

    chunks = [f"{prefix}/_dash-component-suites/dash/dcc/{c}" for c in FIRST_SCREEN_CHUNKS]
    app.index_string = index_string(app.index_string, b.url(prefix), chunks, m.url(prefix))
    default = app.interpolate_index

    def interpolate_index(**parts: str) -> str:
        parts["scripts"] = without_unused_scripts(parts["scripts"])
        return default(**parts)

    app.interpolate_index = interpolate_index


#: Scripts Dash puts in every page that this app never needs: the DataTable library (no
#: DataTable is drawn) and Babel's polyfill (core-js: standard features every supported browser
#: has; its ``regeneratorRuntime``, which the renderer and dcc call once the page's scripts have
#: run, comes with the Plotly bundle — plotly-bundle/build.mjs).
UNUSED_SCRIPTS = re.compile(
    r'<script src="[^"]*/(?:dash_table/bundle|deps/polyfill@)[^"]*"></script>\s*'
)


def without_unused_scripts(scripts: str) -> str:
    """Dash's script tags without :data:`UNUSED_SCRIPTS`.

    >>> print(without_unused_scripts(
    ...     '<script src="/_dash-component-suites/dash/deps/polyfill@7.v4_1_0m1.12.1.min.js">'
    ...     '</script>\\n'
    ...     '<script src="/_dash-component-suites/dash/deps/react@18.3.1.min.js"></script>\\n'
    ...     '<script src="/_dash-component-suites/dash/dash_table/bundle.v7_1_0.js"></script>\\n'
    ... ))
    <script src="/_dash-component-suites/dash/deps/react@18.3.1.min.js"></script>
    <BLANKLINE>
    """
    return UNUSED_SCRIPTS.sub("", scripts)


#: dcc's parts the first screen needs (the graphs, the dropdowns, the year slider), which dcc
#: loads only when React first renders such a component, ~0.3 s after the layout came: the
#: page asks for them at once instead (``tests/browser/test_plotly_bundle.py`` checks that
#: each is then used, not fetched twice).
FIRST_SCREEN_CHUNKS = ("async-graph.js", "async-dropdown.js", "async-slider.js")


def index_string(
    template: str, url: str, chunks: list[str] | tuple[str, ...] = (), map_url: str = ""
) -> str:
    """Dash's page template with the bundle's URL named in the head (for
    assets/plotly_when_asked.js), ``chunks`` (scripts that code loads later) preloaded, and
    MapLibre (``map_url``) run as soon as it has arrived
    (``async``: assets/map.js makes the map the moment both it and the map's box exist,
    while Dash's renderer is still starting).

    >>> t = "<head>{%css%}</head>{%scripts%}{%renderer%}"
    >>> print(index_string(t, "/p.js", ["/c.js"], "/m.js").replace("><", ">\\n<"))
    <head>
    <script src="/m.js" async>
    </script>
    <meta name="ntm-plotly" content="/p.js">
    <link rel="preload" href="/c.js" as="script">{%css%}</head>{%scripts%}{%renderer%}
    """
    first = f'<script src="{map_url}" async></script>' if map_url else ""
    named = f'<meta name="ntm-plotly" content="{url}">'
    preload = "".join(f'<link rel="preload" href="{u}" as="script">' for u in chunks)
    return template.replace("{%css%}", first + named + preload + "{%css%}", 1)
