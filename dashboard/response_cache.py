"""Responses that are the same for every visitor, made once.

- ``/_dash-layout`` (the filled first page, on every visit's critical path) is built once per
  store version and host and kept compressed, so a visit costs a dictionary lookup instead of
  building the view; a replaced store (a new callback context) empties the cache.
- A callback's answer is a function of its request (the inputs, states and which of them
  changed: the view lives in the page, not in the server) and of the store, so answers are
  kept per store version, by request: a filter state that any reader asked for before is
  answered without running the callback again (per worker process; exports are not kept).
- Dash's component scripts (``/_dash-component-suites/…``, fingerprinted by version) are
  compressed once by flask-compress instead of on every request.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import flask

from dashboard.plotly_bundle import accepted

#: Distinct hosts (``Host`` header) whose layout is kept; more empty the cache (a bound).
MAX_ENTRIES = 16
#: Callback answers kept per process (least recently used go first) and the largest kept.
MAX_CALLBACKS = 1024
MAX_CALLBACK_BYTES = 256 * 1024


def compress(data: bytes, coding: str | None) -> bytes:
    """``data`` in a content coding (``br``, ``gzip`` or None for as is).

    >>> gzip.decompress(compress(b"abc" * 100, "gzip")) == b"abc" * 100
    True
    """
    if coding == "br":
        import brotli

        return brotli.compress(data, quality=9)
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
    """Compressed layout bodies of one callback context (store version), by host and coding."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: object = None
        self._entries: dict[Hashable, bytes] = {}

    def get(self, owner: object, key: Hashable) -> bytes | None:
        with self._lock:
            if owner is not self._owner:
                self._owner, self._entries = owner, {}
            return self._entries.get(key)

    def put(self, owner: object, key: Hashable, body: bytes) -> None:
        with self._lock:
            if owner is not self._owner:
                return  # the store was replaced meanwhile: do not keep the old page
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = body


def cache_layout(app, current: Callable[[], object]) -> LayoutCache:
    """Answer Dash's ``/_dash-layout`` from a :class:`LayoutCache` keyed by ``current()`` (the
    callback context of the store as it is now), the request's host and its coding."""
    endpoint = app.config.routes_pathname_prefix + "_dash-layout"
    build = app.server.view_functions[endpoint]
    cache = LayoutCache()

    def layout():
        owner = current()
        coding = best_coding(flask.request.headers.get("Accept-Encoding"))
        key = (flask.request.host_url, coding)
        body = cache.get(owner, key)
        if body is None:
            body = compress(build().get_data(), coding)
            cache.put(owner, key, body)
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

    def __init__(self, size: int = MAX_CALLBACKS) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._owner: object = None
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, owner: object, key: Hashable) -> bytes | None:
        with self._lock:
            if owner is not self._owner:
                self._owner, self._entries = owner, OrderedDict()
            body = self._entries.get(key)
            if body is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return body

    def put(self, owner: object, key: Hashable, body: bytes) -> None:
        with self._lock:
            if owner is not self._owner:
                return
            self._entries[key] = body
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def cache_callbacks(
    app, current: Callable[[], object], skip_outputs: tuple[str, ...] = ()
) -> CallbackCache:
    """Answer Dash's ``/_dash-update-component`` from a :class:`CallbackCache` keyed by
    ``current()``, the host and the request body; callbacks writing one of ``skip_outputs``
    (component ids: downloads) always run."""
    endpoint = app.config.routes_pathname_prefix + "_dash-update-component"
    dispatch = app.server.view_functions[endpoint]
    cache = CallbackCache()
    skip = tuple(cid.encode() for cid in skip_outputs)

    def answer():
        request = flask.request.get_data()  # Dash reads it again (kept by the request)
        if any(s in request for s in skip):
            return dispatch()
        owner = current()
        key = (flask.request.host_url, hashlib.sha256(request).digest())
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


class _SuitesCache:
    """flask-compress's cache backend, holding only what a URL names for good: Dash's
    fingerprinted component scripts and the GeoJSON at ``/geo/…?v=<version>`` (a national
    store's GeoJSON is tens of MB: compressing it for every page load cost seconds of CPU)."""

    def __init__(self) -> None:
        self._entries: dict[str, bytes] = {}

    @staticmethod
    def _keeps(key: str) -> bool:
        return "/_dash-component-suites/" in key or ("/geo/" in key and "?v=" in key)

    def get(self, key: str) -> bytes | None:
        return self._entries.get(key) if self._keeps(key) else None

    def set(self, key: str, value: bytes) -> None:
        if self._keeps(key):
            self._entries[key] = value


def compress_config() -> dict:
    """Flask config for flask-compress: compress each component script once."""
    return {
        "COMPRESS_CACHE_BACKEND": _SuitesCache,
        "COMPRESS_CACHE_KEY": lambda request: request.full_path if request.method == "GET" else "",
    }
