"""Responses that are the same for every visitor, made once.

- ``/_dash-layout`` (the filled first page, on every visit's critical path) is built once per
  store version and host and kept compressed, so a visit costs a dictionary lookup instead of
  building the view; a replaced store (a new callback context) empties the cache.
- A callback's answer is a function of its request (the inputs, states and which of them
  changed: the view lives in the page, not in the server) and of the store, so answers are
  kept per store version, by request: a filter state that any reader asked for before is
  answered without running the callback again (per worker process; exports are not kept).
- What a URL names for good — Dash's component scripts (``/_dash-component-suites/…``,
  fingerprinted by version), the app's assets (``/assets/…?m=<mtime>``), the GeoJSON at
  ``/geo/…?v=<version>`` and the map-label glyphs — is compressed once, at brotli's best
  quality (or gzip 9), and kept (:func:`precompress`); flask-compress compresses the rest
  (callback answers) per request, quickly.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import flask

from dashboard.plotly_bundle import accepted

#: Distinct hosts (``Host`` header) whose layout is kept; more empty the cache (a bound).
MAX_ENTRIES = 16
#: Callback answers kept per process (least recently used go first), the bytes they may hold
#: together, and the largest kept. A national store's answers are ~0.3-1.5 MB (every one of
#: its 10,736 communes; the whole country's, the most asked for, took ~0.3 s of CPU each time
#: when a 256 KiB bound left it out).
MAX_CALLBACKS = 1024
MAX_CALLBACKS_BYTES = 128 << 20
MAX_CALLBACK_BYTES = 4 << 20


#: Brotli quality of what is compressed once and kept: the best up to 1 MiB, and a quality that
#: takes about a second for a national store's ~10 MB GeoJSON above it.
BEST_QUALITY, LARGE_QUALITY, LARGE = 11, 9, 1 << 20
#: The brotli quality of a body's first compression (see :class:`KeptResponses`).
QUICK_QUALITY = 5
#: The layout is compressed once per host at a quality that takes milliseconds (the first visit
#: of a host waits for it: ~6 ms for a province's 95 kB), then again at the best quality in the
#: background (~0.2 s; 12 % fewer bytes) for the visits after.
LAYOUT_QUALITY = 6


def compress(data: bytes, coding: str | None, quality: int | None = None) -> bytes:
    """``data`` in a content coding (``br``, ``gzip`` or None for as is), as small as a
    once-made response deserves.

    >>> gzip.decompress(compress(b"abc" * 100, "gzip")) == b"abc" * 100
    True
    """
    if coding == "br":
        import brotli

        if quality is None:
            quality = BEST_QUALITY if len(data) <= LARGE else LARGE_QUALITY
        return brotli.compress(data, quality=quality)
    if coding == "gzip":
        return gzip.compress(data, compresslevel=9, mtime=0)
    return data


def best_coding(accept_encoding: str | None) -> str | None:
    """The coding to answer with: brotli, else gzip, else none.

    >>> best_coding("gzip, deflate, br"), best_coding("gzip"), best_coding("")
    ('br', 'gzip', None)
    """
    codings = accepted(accept_encoding)
    return "br" if "br" in codings else "gzip" if "gzip" in codings else None


class LayoutCache:
    """The layout of one callback context (store version): its JSON text, built once, and that
    text for each host (the placeholder root replaced by the host's) in each coding."""

    def __init__(self, build: Callable[[], bytes], placeholder: str | None = None) -> None:
        self._build = build
        self._placeholder = placeholder.encode() if placeholder else None
        self._lock = threading.Lock()
        self._owner: object = None
        self._text: bytes | None = None
        self._entries: dict[Hashable, bytes] = {}
        self.upgrading: threading.Thread | None = None  # the last best-quality compression

    def prepare(self, owner: object) -> bytes:
        """The layout's JSON text for ``owner`` (built by the first caller; the others wait)."""
        with self._lock:
            if owner is not self._owner or self._text is None:
                self._owner, self._entries = owner, {}
                self._text = self._build()
            return self._text

    def body(self, owner: object, root: str, coding: str | None) -> bytes:
        """The layout for a host (``root``: its URL without the trailing slash) in a coding."""
        key = (root, coding)
        with self._lock:
            body = self._entries.get(key) if owner is self._owner else None
        if body is not None:
            return body
        text = self.prepare(owner)
        if self._placeholder:
            text = text.replace(self._placeholder, json.dumps(root)[1:-1].encode())
        body = compress(text, coding, quality=LAYOUT_QUALITY)
        self._keep(owner, key, body)
        if coding == "br":  # the best quality for the next visits, made off the request
            best = threading.Thread(
                target=lambda: self._keep(owner, key, compress(text, coding)),
                name="ntm-atlas-layout-br",
                daemon=True,
            )
            best.start()
            self.upgrading = best
        return body

    def _keep(self, owner: object, key: Hashable, body: bytes) -> None:
        with self._lock:
            if owner is self._owner:  # else the store was replaced meanwhile: not kept
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
                self._entries[key] = body


def cache_layout(app, current: Callable[[], object], placeholder: str | None = None) -> LayoutCache:
    """Answer Dash's ``/_dash-layout`` from a :class:`LayoutCache` keyed by ``current()`` (the
    callback context of the store as it is now), the request's host and its coding. The page
    is built (Dash's view: the layout function, its JSON) once per context; ``placeholder``,
    the root of its absolute URLs, is replaced by the request's host for each host.
    :meth:`LayoutCache.prepare` builds it before any request (at start)."""
    endpoint = app.config.routes_pathname_prefix + "_dash-layout"
    view = app.server.view_functions[endpoint]

    def build() -> bytes:
        if flask.has_request_context():
            return view().get_data()
        with app.server.test_request_context(endpoint):
            return view().get_data()

    cache = LayoutCache(build, placeholder)

    def layout():
        coding = best_coding(flask.request.headers.get("Accept-Encoding"))
        body = cache.body(current(), flask.request.host_url.rstrip("/"), coding)
        response = flask.Response(body, mimetype="application/json")
        if coding:
            response.headers["Content-Encoding"] = coding  # flask-compress leaves it
        response.headers["Vary"] = "Accept-Encoding"
        response.headers["Cache-Control"] = "no-cache"
        return response

    app.server.view_functions[endpoint] = layout
    return cache


class CallbackCache:
    """Answers of one callback context (store version) by request, least recently used out."""

    def __init__(self, size: int = MAX_CALLBACKS, max_bytes: int = MAX_CALLBACKS_BYTES) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._owner: object = None
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._bytes = 0
        self.hits = self.misses = 0

    def get(self, owner: object, key: Hashable) -> bytes | None:
        with self._lock:
            if owner is not self._owner:
                self._owner, self._entries, self._bytes = owner, OrderedDict(), 0
            body = self._entries.get(key)
            if body is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return body

    def put(self, owner: object, key: Hashable, body: bytes) -> None:
        with self._lock:
            if owner is not self._owner or len(body) > self.max_bytes:
                return
            old = self._entries.pop(key, None)
            self._bytes += len(body) - (len(old) if old is not None else 0)
            self._entries[key] = body
            while len(self._entries) > self.size or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped)


def cache_callbacks(
    app,
    current: Callable[[], object],
    skip_outputs: tuple[str, ...] = (),
    read_when_triggered: tuple[str, ...] = (),
) -> CallbackCache:
    """Answer Dash's ``/_dash-update-component`` from a :class:`CallbackCache` keyed by
    ``current()``, the host and the request body; callbacks writing one of ``skip_outputs``
    (component ids: downloads) always run. An input named in ``read_when_triggered``
    (``"id.property"``) is one its callback reads only when it triggered the call: when it
    did not, its value is left out of the key (:func:`request_key`)."""
    endpoint = app.config.routes_pathname_prefix + "_dash-update-component"
    dispatch = app.server.view_functions[endpoint]
    cache = CallbackCache()
    skip = tuple(cid.encode() for cid in skip_outputs)

    def answer():
        request = flask.request.get_data()  # Dash reads it again (kept by the request)
        if any(s in request for s in skip):
            return dispatch()
        owner = current()
        key = (flask.request.host_url, request_key(request, read_when_triggered))
        body = cache.get(owner, key)
        if body is not None:
            return flask.Response(body, mimetype="application/json")
        response = dispatch()
        if (
            isinstance(response, flask.Response)
            and response.status_code == 200
            and response.mimetype == "application/json"
            and not response.headers.getlist("Set-Cookie")
        ):
            data = response.get_data()
            if len(data) <= MAX_CALLBACK_BYTES:
                cache.put(owner, key, data)
        return response

    app.server.view_functions[endpoint] = answer
    return cache


def request_key(request: bytes, read_when_triggered: tuple[str, ...] = ()) -> bytes:
    """The cache key of a callback request: its body's digest, with the value of each input
    named in ``read_when_triggered`` left out when that input did not trigger the call (the
    page callback reads the URL only when the URL changed: the way back to a state asked
    before, from any link, is the same answer).

    >>> def body(search, changed):
    ...     return json.dumps({"output": "o.children", "changedPropIds": [changed],
    ...         "inputs": [{"id": "url", "property": "search", "value": search},
    ...                    {"id": "d", "property": "value", "value": []}]}).encode()
    >>> keep = ("url.search",)
    >>> request_key(body("?d=1", "d.value"), keep) == request_key(body("?d=2", "d.value"), keep)
    True
    >>> by_url = [request_key(body(s, "url.search"), keep) for s in ("?d=1", "?d=2")]
    >>> by_url[0] == by_url[1]
    False
    >>> request_key(body("?d=1", "d.value")) == request_key(body("?d=2", "d.value"))
    False
    >>> request_key(body("?d=1", "x.value"), keep) == request_key(body("?d=2", "x.value"), keep)
    False
    """
    ids = [n.split(".")[0].encode() for n in read_when_triggered]
    if not any(i in request for i in ids):
        return hashlib.sha256(request).digest()
    try:
        body = json.loads(request)
        changed = set(body.get("changedPropIds") or ())
        inputs = [i for i in body.get("inputs") or () if isinstance(i, dict)]  # not ALL lists
        names = [f"{i.get('id')}.{i.get('property')}" for i in inputs]
        if changed & set(names):  # another input triggered it (never on a call with none)
            for item, name in zip(inputs, names, strict=True):
                if name in read_when_triggered and name not in changed:
                    item["value"] = None
    except (ValueError, AttributeError, TypeError):
        return hashlib.sha256(request).digest()  # Dash answers what it cannot read
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).digest()


#: The most bytes of compressed responses :func:`precompress` keeps per process.
MAX_KEPT_BYTES = 256 << 20
#: Media types worth compressing (not the favicon or images).
TEXT_TYPES = frozenset(
    {
        "application/javascript",
        "text/javascript",
        "text/css",
        "application/json",
        "application/x-protobuf",
    }
)


class KeptResponses:
    """Compressed bodies by URL and coding, least recently used out beyond a byte bound
    (a URL may carry any query string: the bound keeps a visitor from filling memory).

    Brotli's best quality takes ~0.6 s for dcc's 300 kB script: the first request of a body
    gets a quick brotli (:data:`QUICK_QUALITY`, milliseconds) and one background thread makes
    the best one for the requests after, so the first visitor after a start never waits for
    it."""

    def __init__(self, max_bytes: int = MAX_KEPT_BYTES) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._bytes = 0
        self.made = 0
        self._todo: queue.Queue = queue.Queue()
        self._worker: threading.Thread | None = None

    def get(self, key: Hashable, data: Callable[[], bytes], coding: str) -> bytes:
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
                return body
        raw = data()
        quick = coding == "br"
        body = compress(raw, coding, quality=QUICK_QUALITY) if quick else compress(raw, coding)
        self._keep(key, body)
        if quick:  # asked for once kept: a best body made first would be dropped as not kept
            self._later(key, raw, coding)
        return body

    def _keep(self, key: Hashable, body: bytes) -> None:
        with self._lock:
            self.made += 1
            old = self._entries.pop(key, None)
            self._bytes += len(body) - (len(old) if old is not None else 0)
            self._entries[key] = body
            while self._bytes > self.max_bytes and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped)

    def _later(self, key: Hashable, raw: bytes, coding: str) -> None:
        self._todo.put((key, raw, coding))
        with self._lock:
            if self._worker is None or not self._worker.is_alive():  # none, or not since a fork
                self._worker = threading.Thread(
                    target=self._work, name="ntm-atlas-compress", daemon=True
                )
                self._worker.start()

    def _work(self) -> None:
        while True:
            key, raw, coding = self._todo.get()
            try:
                best = compress(raw, coding)
                with self._lock:
                    kept = key in self._entries
                if kept:  # not if it was dropped meanwhile (the byte bound)
                    self._keep(key, best)
            finally:
                self._todo.task_done()

    def settled(self) -> None:
        """Wait until every best-quality body asked for so far is made (tests)."""
        self._todo.join()


def kept_for_good(path: str, query: str, prefix: str = "/") -> bool:
    """Whether a URL names the same body for good (so its compressed body may be kept).

    >>> kept_for_good("/_dash-component-suites/dash/dcc/async-graph.js", "")
    True
    >>> kept_for_good("/assets/map.js", "m=1796012610.49"), kept_for_good("/assets/map.js", "")
    (True, False)
    >>> kept_for_good("/geo/communes_2019.geojson", "v=abc"), kept_for_good("/geo/x.geojson", "")
    (True, False)
    >>> kept_for_good("/glyphs/Open Sans Regular/0-255.pbf", "")
    True
    >>> kept_for_good("/_dash-update-component", "")
    False
    """
    rest = path.removeprefix(prefix.rstrip("/"))
    if rest.startswith(("/_dash-component-suites/", "/glyphs/")):
        return True
    if rest.startswith("/assets/"):
        return query.startswith("m=")
    return rest.startswith("/geo/") and query.startswith("v=")


def precompress(app, prefix: str = "/") -> KeptResponses:
    """Answer what :func:`kept_for_good` names with a body compressed once (brotli 11, else
    gzip 9) and kept; flask-compress, which runs after this, leaves those responses alone."""
    kept = KeptResponses()

    @app.server.after_request
    def _precompressed(response: flask.Response) -> flask.Response:
        request = flask.request
        coding = best_coding(request.headers.get("Accept-Encoding"))
        if (
            coding is None
            or request.method != "GET"
            or response.status_code != 200
            or "Content-Encoding" in response.headers
            or response.mimetype not in TEXT_TYPES
            or not kept_for_good(request.path, request.query_string.decode("latin-1"), prefix)
        ):
            return response
        response.direct_passthrough = False  # a file response: read it once, here
        key = (request.full_path, coding)
        body = kept.get(key, response.get_data, coding)
        response.set_data(body)
        response.headers["Content-Encoding"] = coding
        etag, weak = response.get_etag()
        if etag and not weak:
            response.set_etag(f"{etag}:{coding}")  # another representation, another tag
        vary = response.headers.get("Vary")
        if not vary:
            response.headers["Vary"] = "Accept-Encoding"
        elif "accept-encoding" not in vary.lower():
            response.headers["Vary"] = f"{vary}, Accept-Encoding"
        return response

    return kept
