"""The Dash app factory: ``create_app(settings)``.

The bundle is loaded once per process, here, and never mutated. The page layout is a function
(built per page load from the default view; the URL's state is applied by a callback). The
app serves the boundary GeoJSON at ``/geo/<name>.geojson?v=<build>`` with a long cache
lifetime, so the browser fetches each geometry once (the project points and the commune
groups of assets/map.js too, :func:`map_geojson`), and the map-label glyphs at
``/glyphs/<fontstack>/<range>.pbf`` (no internet needed).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable

import flask
import pandas as pd
from dash import Dash, html

from dashboard import callbacks, gap_view, ids, layout, panels, plotly_bundle, response_cache
from dashboard import state as st
from dashboard.i18n import ASSETS_DIR, Translations
from dashboard.import_page import CSS_FILE as IMPORT_CSS
from dashboard.import_page import register_import_page
from dashboard.security import secure_app
from geodata.bundle import LOW_TOLERANCE, Bundle, BundleHolder, low_geojson_text
from geodata.settings import Settings
from geodata.store import open_store
from geodata.vocabulary import VINTAGES, short_name
from layers import map_paint, styles

GEO_ROUTE = "/geo/<name>.geojson"
GLYPH_ROUTE = "/glyphs/<fontstack>/<int:start>-<int:end>.pbf"
_CACHE = "public, max-age=31536000, immutable"


def create_app(
    settings: Settings, bundle: Bundle | None = None, *, warm_glyphs: bool = True
) -> Dash:
    """A Dash app over the store named by ``settings`` (or over a given bundle).

    ``warm_glyphs`` renders the map-label glyph files in a background thread right away.
    """
    holder = (
        BundleHolder.fixed(bundle)
        if bundle is not None
        else BundleHolder(open_store(settings.store))
    )
    app = _dash_app(settings, holder)
    prefix = app.config.requests_pathname_prefix.rstrip("/")
    plotly_bundle.register(app, prefix)  # our plotly.js: only the traces we draw
    # scripts, assets, GeoJSON, glyphs: compressed once (and kept)
    app.server.extensions["ntm_atlas.kept_responses"] = response_cache.precompress(app, prefix)
    current = _contexts(holder, Translations.load(), prefix)
    _add_map_routes(app.server, holder)
    _add_page(app, current)
    # the first page: built once per store version (now, at start), sent to any host from it
    layouts = response_cache.cache_layout(app, current, placeholder=ROOT_PLACEHOLDER)
    layouts.prepare(current())
    app.server.extensions["ntm_atlas.layout_cache"] = layouts
    # A filter state asked for before is answered without running the callbacks again.
    app.server.extensions["ntm_atlas.callback_cache"] = response_cache.cache_callbacks(
        app,
        current,
        skip_outputs=(ids.EXPORT_DOWNLOAD,),
        read_when_triggered=(f"{ids.URL}.search",),  # callbacks.page_outputs
    )
    register_import_page(app, settings)  # /login, /import (editors)
    secure_app(app)  # body limits, security headers, cookie flags, 4xx for malformed requests
    if warm_glyphs:
        threading.Thread(target=_warm_glyphs, name="ntm-atlas-glyphs", daemon=True).start()
    return app


def _dash_app(settings: Settings, holder: BundleHolder) -> Dash:
    """The Flask server and the Dash app on it, behind the TLS proxy if there is one."""
    server = flask.Flask(__name__)
    server.extensions["ntm_atlas.bundle_holder"] = holder  # serving.py: each worker watches it
    if settings.proxy_hops:  # behind a TLS proxy: take scheme, host and client from its headers
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
        server.config["SESSION_COOKIE_SECURE"] = True
    return Dash(
        __name__,
        server=server,
        assets_folder=str(ASSETS_DIR),
        title="NTM Atlas – Bắc Kạn",
        update_title=None,
        compress=True,
        serve_locally=True,
        # our plotly.js is served by plotly_bundle; the Import page brings its own stylesheet
        assets_ignore=f"{plotly_bundle.ASSETS_IGNORE}|{re.escape(IMPORT_CSS)}$",
    )


def _contexts(
    holder: BundleHolder, translations: Translations, prefix: str
) -> Callable[[], callbacks.Context]:
    """``current()``: the context of the store as it is now (a new one after an import or a
    rebuild; one kept at a time)."""
    contexts: dict[int, callbacks.Context] = {}

    def current() -> callbacks.Context:
        current_bundle = holder.get()
        key = id(current_bundle)
        if key not in contexts:
            contexts.clear()
            contexts[key] = _context(current_bundle, translations, prefix)
        return contexts[key]

    return current


class FirstPage:
    """The page of a fresh visit, built once per callback context (store version): Dash's
    validation skeleton, Dash's check of the layout on its first request and ``/_dash-layout``
    all take this one build (a national store's took ~30 s, three times before)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: callbacks.Context | None = None
        self._page: html.Div | None = None

    def get(self, context: callbacks.Context) -> html.Div:
        with self._lock:  # one build at a time: the others wait for it
            if self._owner is not context or self._page is None:
                self._page = serve_layout(context)
                self._owner = context
            return self._page


def _add_page(app: Dash, current: Callable[[], callbacks.Context]) -> None:
    """The page and its callbacks."""
    first = FirstPage()
    # Dash embeds the validation layout in every page; with a layout function it would be a
    # whole filled page (~170 kB). The ids and component types are all it needs (with the
    # pick links of the gap tables, which the served page leaves empty).
    page = html.Div([first.get(current()), *gap_view.skeleton_parts()])
    app.validation_layout = skeleton(page)
    app.layout = lambda: first.get(current())
    app.index_string = page_template(app.index_string)
    callbacks.register(app, current)
    gap_view.register(app, lambda state, which: callbacks.table_rows(current(), state, which))
    panels.register(app)


def _add_map_routes(server: flask.Flask, holder: BundleHolder) -> None:
    """The map's static parts, cached for a year by the browser: the GeoJSON of each layer
    (fetched once, never sent through a callback) and the label glyphs (rendered from the
    fonts on this machine; :func:`response_cache.precompress` compresses both once)."""

    @server.route(GEO_ROUTE)
    def _geojson(name: str):
        bundle = holder.get()
        text = bundle.geojson.get(name) or map_geojson(bundle, name)
        if text is None:
            flask.abort(404)
        # application/json rather than geo+json: flask-compress compresses it.
        response = flask.Response(text, mimetype="application/json")
        response.headers["Cache-Control"] = _CACHE
        return response

    @server.route(GLYPH_ROUTE)
    def _glyphs(fontstack: str, start: int, end: int):
        from dashboard.glyphs import glyph_range

        if start % 256 or end != start + 255 or start > 65535:
            flask.abort(404)
        first = fontstack.split(",")[0].strip()
        response = flask.Response(glyph_range(start, first), mimetype="application/x-protobuf")
        response.headers["Cache-Control"] = _CACHE
        return response


#: The GeoJSON assets/map.js draws besides the boundaries: every project, each vintage's
#: commune groups and name labels (its communes', the districts', the neighbours';
#: layers/map_paint.py) and its communes simplified for a country zoomed out
#: (geodata.bundle.low_geojson_text; a national store's map below map_paint.DETAIL_ZOOM).
MAP_GEOJSON = (
    "projects",
    *(f"groups_{v}" for v in VINTAGES),
    *(f"labels_{v}" for v in VINTAGES),
    *(f"communes_{v}_low" for v in VINTAGES),
)
_MAP_GEOJSON: dict[tuple[int, str], tuple[Bundle, str]] = {}
_MAP_LOCK = threading.Lock()


def map_geojson(bundle: Bundle, name: str) -> str | None:
    """The text of one of :data:`MAP_GEOJSON` for a bundle (built once per bundle; the entry
    keeps its bundle, so an id is never reused for another), or None for another name."""
    if name not in MAP_GEOJSON:
        return None
    key = (id(bundle), name)
    with _MAP_LOCK:
        hit = _MAP_GEOJSON.get(key)
        if hit is None:
            if any(b is not bundle for b, _ in _MAP_GEOJSON.values()):
                _MAP_GEOJSON.clear()  # the store was replaced: the old texts go
            hit = _MAP_GEOJSON[key] = (bundle, _build_map_geojson(bundle, name))
    return hit[1]


def _label_tables(bundle: Bundle, vintage: int) -> dict[str, pd.DataFrame]:
    """The label points of a vintage's communes, the districts and the neighbours, named as
    the map shows them (without their unit word)."""
    lp = bundle.label_points
    keys = {"commune": f"communes_{vintage}", "district": "districts", "neighbour": "neighbours"}
    return {
        kind: lp[key].assign(name=lp[key]["name"].map(short_name))
        for kind, key in keys.items()
        if key in lp
    }


def _build_map_geojson(bundle: Bundle, name: str) -> str:
    if name.endswith("_low"):
        return low_geojson_text(bundle, int(name.removeprefix("communes_").removesuffix("_low")))
    projects = bundle.projects
    if name == "projects":
        data = map_paint.project_features(projects)
    elif name.startswith("labels_"):
        data = map_paint.label_features(_label_tables(bundle, int(name.removeprefix("labels_"))))
    else:
        vintage = int(name.removeprefix("groups_"))
        communes = bundle.communes(vintage)
        names = dict(zip(communes["code"], communes["name"], strict=True))
        data = map_paint.group_features(projects, f"code_{vintage}", names)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


#: The project columns :func:`map_paint.project_features` reads (lon/lat: every text).
_PROJECT_COLUMNS = (
    "project_id",
    "kind",
    "location_precision",
    "title",
    "title_en",
    "commune",
    "year",
    "agency",
    "sponsor_name",
    "lon",
    "lat",
)


def _digest(bundle: Bundle, name: str) -> str:
    """The version in the URL of one of :data:`MAP_GEOJSON`: a hash of what its text is made
    of (the project columns it reads, a vintage's commune names, the kinds' looks), so a text
    is built only when a browser asks for it — a national store's four texts (100,000
    projects) took ~20 s of CPU at every start, three of them for vintages nobody showed."""
    h = hashlib.sha1(name.encode())
    if name.startswith("labels_"):
        for table in _label_tables(bundle, int(name.removeprefix("labels_"))).values():
            h.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
        return h.hexdigest()[:10]
    if name.endswith("_low"):  # from the vintage's web layer, simplified
        h.update(repr(LOW_TOLERANCE).encode())
        h.update(bundle.geojson[name.removesuffix("_low")].encode())
        return h.hexdigest()[:10]
    projects = bundle.projects
    h.update(repr(list(styles.PROJECT_KINDS.values())).encode())
    if name == "projects":
        cols = [c for c in _PROJECT_COLUMNS if c in projects]
    else:
        vintage = int(name.removeprefix("groups_"))
        cols = [c for c in (f"code_{vintage}", "kind", "lon", "lat") if c in projects]
        names = bundle.communes(vintage)[["code", "name"]]
        h.update(pd.util.hash_pandas_object(names, index=False).to_numpy().tobytes())
    rows = pd.util.hash_pandas_object(pd.DataFrame(projects[cols]), index=False)
    h.update(rows.to_numpy().tobytes())
    return h.hexdigest()[:10]


def _context(bundle: Bundle, translations: Translations, prefix: str) -> callbacks.Context:
    """Callback context of one bundle; the GeoJSON URLs carry a version of its build."""
    version = hashlib.sha1(
        (bundle.info.get("built_at", "") + str(len(bundle.geojson))).encode()
    ).hexdigest()[:10]
    return callbacks.Context(
        bundle=bundle,
        translations=translations,
        geo_urls={
            **{name: f"{prefix}/geo/{name}.geojson?v={version}" for name in bundle.geojson},
            # the projects change with every import: these URLs carry their content's digest
            **{
                name: f"{prefix}/geo/{name}.geojson?v={_digest(bundle, name)}"
                for name in MAP_GEOJSON
            },
        },
        glyphs_url=f"{prefix}/glyphs/{{fontstack}}/{{range}}.pbf",
    )


#: Glyph ranges every page needs (Latin, Latin Extended-A/B with Đ Ơ Ư, Vietnamese letters).
WARM_RANGES = (0, 256, 7680)


def _warm_glyphs() -> None:
    """Render the glyph files a page always asks for, so the first visitor does not wait."""
    from dashboard.glyphs import glyph_range
    from layers.figures import LABEL_FONT

    for start in WARM_RANGES:
        glyph_range(start, LABEL_FONT)


#: The root of the absolute URLs in the page of a fresh visit: the page is built once per store
#: version with this root, and each host's copy has the host's root in its place
#: (:func:`dashboard.response_cache.cache_layout`), so no host waits for a build. Letters, dots
#: and dashes only: JSON writes it as it is (Plotly's encoder writes "/" as "\\u002f").
ROOT_PLACEHOLDER = "ntm-atlas-root.invalid"


def absolute(context: callbacks.Context, root: str | None = None) -> callbacks.Context:
    """The context with absolute URLs (MapLibre loads GeoJSON layers and glyphs in a web worker,
    where a relative URL does not resolve), under ``root`` or the request's host (unchanged
    without either)."""
    if root is None:
        if not flask.has_request_context():
            return context
        root = flask.request.host_url.rstrip("/")
    return callbacks.Context(
        bundle=context.bundle,
        translations=context.translations,
        geo_urls={k: root + v for k, v in context.geo_urls.items()},
        glyphs_url=root + context.glyphs_url if context.glyphs_url else None,
    )


def skeleton(page) -> html.Div:
    """Every component of the page that has an id, bare (type and id only), for validation."""
    bare = []
    for node in _walk(page):
        cid = getattr(node, "id", None)
        if cid is not None:
            bare.append(type(node)(id=cid))
    return html.Div(bare)


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    if children is None:
        return
    if not isinstance(children, (list, tuple)):
        children = [children]
    for child in children:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)


def serve_layout(context: callbacks.Context) -> html.Div:
    """The page of a fresh visit (default view, Vietnamese), built from that view's outputs, so
    that the first paint needs no callback round trip (the URL's state follows by callback).

    The gap view's tab is closed on a fresh visit (the tab is not part of the link), so its
    two tables are left empty: opening the tab fills them (:func:`dashboard.gap_view.opened`).
    A national store's 10,736 rows of table cells were ~40 % of building this page.
    Its URLs are under :data:`ROOT_PLACEHOLDER` (the host is put in when it is sent)."""
    screen = callbacks.Screen(absolute(context, ROOT_PLACEHOLDER), st.default_state(context.years))
    first = callbacks.view_outputs(screen, tables=False)
    return layout.page(context.bundle, screen.t, screen.state, first)


def page_template(template: str) -> str:
    """Dash's page with ``<html lang>`` (set again per language by the layout) and its script
    holder a plain ``div``: the page's one ``<footer>`` landmark is the app's own.

    >>> page_template("<html><body><footer>{%scripts%}</footer></body></html>")
    '<html lang="vi"><body><div class="dash-scripts">{%scripts%}</div></body></html>'
    """
    template = template.replace("<html>", '<html lang="vi">', 1)
    return template.replace("<footer>", '<div class="dash-scripts">', 1).replace(
        "</footer>", "</div>", 1
    )
