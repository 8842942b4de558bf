"""The web app's edge: request size limits, security headers, cookies, sign-in throttling,
local-only redirects and short 4xx answers to malformed requests.

Call :func:`secure_app` once from ``create_app`` (after the routes are registered). Settings
come from the environment (:class:`WebSecurity`):

- ``NTM_ATLAS_MAX_BODY_MB`` (default 2): the largest request body of any route, Dash's
  ``/_dash-update-component`` included; ``NTM_ATLAS_MAX_UPLOAD_MB`` (default 20) for
  ``/import/upload``. A larger body is refused with 413 before it is read (by its
  Content-Length) or as soon as it passes the limit (a chunked body has none).
- ``NTM_ATLAS_LOGIN_DELAY_S`` (default 2): the sign-in throttle's first delay, after 5 failed
  sign-ins of an account (or 20 from an address); each further failure doubles it, up to
  15 min. The failures are counted in the store, so every worker and server shares them.
- ``NTM_ATLAS_SECURE_COOKIES=1``: the session cookie is always ``Secure``; without it, it is
  ``Secure`` whenever the request came over HTTPS.
- Behind N reverse proxies, ``NTM_ATLAS_PROXY_HOPS=N`` (``Settings.proxy_hops``; ``create_app``
  installs Werkzeug's ProxyFix): HTTPS at a TLS-terminating proxy counts as HTTPS (the cookie
  is ``Secure``) and the throttle sees the client's address. ``WebSecurity.proxy_hops`` does the
  same for a bare Flask app.
"""

from __future__ import annotations

import io
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import flask
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import HTTPException

MIB = 1024 * 1024

#: Content-Security-Policy of every response. Dash's one inline script (the renderer's start)
#: is allowed by its hash (added per app); MapLibre runs its workers from blob: URLs; Plotly and
#: Dash components set inline styles.
#: The basemap's tile servers (layout.BASEMAPS: OpenStreetMap through xyzservices); MapLibre
#: fetches tiles from a worker (connect-src) and the HTML export shows them as images.
TILE_HOSTS = "https://tile.openstreetmap.org https://*.tile.openstreetmap.org"
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": f"'self' data: blob: {TILE_HOSTS}",
    "font-src": "'self' data:",
    "connect-src": f"'self' {TILE_HOSTS}",
    "worker-src": "'self' blob:",
    "child-src": "'self' blob:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

#: Errors a callback raises when a forged request gives it values of the wrong type or shape.
BAD_VALUE_ERRORS = (TypeError, ValueError, KeyError, IndexError, AttributeError)

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@dataclass(frozen=True)
class WebSecurity:
    max_body_bytes: int = 2 * MIB
    max_upload_bytes: int = 20 * MIB
    secure_cookies: bool = False
    proxy_hops: int = 0
    #: Sign-in throttle: failures allowed before a delay, per account and per address.
    free_failures_account: int = 5
    free_failures_address: int = 20
    #: The delay after the first failure over the free ones, doubled by each further failure.
    first_delay_s: float = 2.0
    max_delay_s: float = 15 * 60.0
    #: Failures older than this (since the last one) are forgotten.
    forget_after_s: float = 24 * 3600.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> WebSecurity:
        env = os.environ if environ is None else environ
        return cls(
            max_body_bytes=int(float(env.get("NTM_ATLAS_MAX_BODY_MB", 2)) * MIB),
            max_upload_bytes=int(float(env.get("NTM_ATLAS_MAX_UPLOAD_MB", 20)) * MIB),
            secure_cookies=env.get("NTM_ATLAS_SECURE_COOKIES", "") in ("1", "true", "yes"),
            first_delay_s=float(env.get("NTM_ATLAS_LOGIN_DELAY_S", 2.0)),
        )


# --------------------------------------------------------------------------------------------
# Redirect targets
# --------------------------------------------------------------------------------------------


def local_target(target: str | None, default: str = "/import") -> str:
    """``target`` if it is a path on this site, else ``default``: no scheme, no host, no
    ``//host`` or ``/\\host`` (browsers read a backslash as a slash), no control characters.

    >>> [local_target(t) for t in ("/import", "/?d=064&sel=02065", "/import/x-y_z")]
    ['/import', '/?d=064&sel=02065', '/import/x-y_z']
    >>> bad = ["//2130706433/", "//0x7f000001/", "//intranet-host/x", "/\\\\evil", "http://e/",
    ...        "javascript:alert(1)", "evil", "/\\t/evil", " //evil", "/%0a", ""]
    >>> {local_target(t) for t in bad}
    {'/import'}
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(c) < 0x21 or c == "\\" or ord(c) == 0x7F for c in target):
        return default
    if "%0a" in target.lower() or "%0d" in target.lower():
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


# --------------------------------------------------------------------------------------------
# Sign-in throttle
# --------------------------------------------------------------------------------------------


class MemoryFailures:
    """Failed sign-ins in this process's memory (a bare Flask app without a store, and the
    doctests); the app keeps them in its store (:meth:`geodata.store.UserRows.add_failure`),
    so that every worker and every server counts the same failures and a restart forgets none."""

    def __init__(self) -> None:
        self._rows: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def failures(self, key: str) -> tuple[int, float]:
        return self._rows.get(key, (0, 0.0))

    def add_failure(self, key: str, at: float, *, forget_before: float) -> int:
        with self._lock:
            for old in [k for k, (_, last) in self._rows.items() if last < forget_before]:
                del self._rows[old]
            count = self._rows.get(key, (0, 0.0))[0] + 1
            self._rows[key] = (count, at)
            return count

    def clear_failures(self, key: str) -> None:
        self._rows.pop(key, None)


@dataclass
class LoginThrottle:
    """Failed sign-ins per account and per address, with a delay that doubles with each
    failure past the free ones (2 s, 4 s, 8 s … up to 15 min). While an account or an address
    must wait, no password is checked (the right one neither). A success clears the account
    and the address; failures a day old are forgotten. The counts live in ``rows``: the
    store's (shared by every worker, see :func:`login_throttle`) or this process's memory.

    >>> now = [1000.0]
    >>> throttle = LoginThrottle(clock=lambda: now[0])
    >>> for _ in range(6):
    ...     throttle.failed("lan", "10.0.0.1")
    >>> throttle.wait("LAN", "10.0.0.2"), throttle.wait("minh", "10.0.0.1")
    (4.0, 0.0)
    """

    settings: WebSecurity = field(default_factory=WebSecurity)
    clock: Callable[[], float] = time.time
    rows: object = field(default_factory=MemoryFailures)

    @staticmethod
    def _keys(account: str, address: str) -> tuple[str, str]:
        return "account:" + account.casefold()[:200], "address:" + address[:100]

    def _delay(self, key: str, free: int) -> float:
        count, last = self.rows.failures(key)
        if count < free:
            return 0.0
        delay = min(self.settings.first_delay_s * 2 ** (count - free), self.settings.max_delay_s)
        return max(0.0, last + delay - self.clock())

    def wait(self, account: str, address: str) -> float:
        """Seconds before this account may try again from this address (0: it may now)."""
        account_key, address_key = self._keys(account, address)
        return max(
            self._delay(account_key, self.settings.free_failures_account),
            self._delay(address_key, self.settings.free_failures_address),
        )

    def failed(self, account: str, address: str) -> None:
        now = self.clock()
        for key in self._keys(account, address):
            self.rows.add_failure(key, now, forget_before=now - self.settings.forget_after_s)

    def succeeded(self, account: str, address: str) -> None:
        for key in self._keys(account, address):
            self.rows.clear_failures(key)


THROTTLE_KEY = "ntm_login_throttle"
SETTINGS_KEY = "ntm_web_security"


def login_throttle(store=None) -> LoginThrottle:
    """The sign-in throttle of the current app, counting in ``store`` (a
    :class:`geodata.store.Store`: every worker shares the counts) or, without one, in this
    process's memory."""
    extensions = flask.current_app.extensions
    if store is None:
        return extensions.setdefault(THROTTLE_KEY, LoginThrottle())
    settings = extensions.get(SETTINGS_KEY) or WebSecurity()
    return LoginThrottle(settings, rows=store.users())


# --------------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------------


def begin_session(store, user) -> None:
    """Sign ``user`` in: a fresh session (no fixation) made under the account's current
    session epoch (:mod:`geodata.users`)."""
    from geodata.users import session_epoch

    flask.session.clear()
    flask.session["user"] = user.name
    flask.session["epoch"] = session_epoch(store, user.name)


def signed_in(store):
    """The session's user, if the session has not ended (sign-out anywhere, or the account
    changed, bumps the epoch the session was made under)."""
    from geodata.users import session_user

    return session_user(store, flask.session.get("user"), flask.session.get("epoch"))


def end_session(store) -> None:
    """Sign out: end every session of the account (a copied cookie too), then this one."""
    from geodata.users import end_sessions

    user = signed_in(store)
    if user is not None:
        end_sessions(store, user.name)
    flask.session.clear()


def wait_text(seconds: float) -> str:
    """
    >>> wait_text(0.2), wait_text(61)
    ('1 s', '2 min')
    """
    return f"{math.ceil(seconds)} s" if seconds <= 60 else f"{math.ceil(seconds / 60)} min"


# --------------------------------------------------------------------------------------------
# The app
# --------------------------------------------------------------------------------------------


def content_security_policy(script_hashes: list[str] = ()) -> str:
    policy = dict(CSP)
    if script_hashes:
        policy["script-src"] += " " + " ".join(script_hashes)
    return "; ".join(f"{k} {v}" for k, v in policy.items())


def secure_app(app, settings: WebSecurity | None = None) -> None:
    """Put the edge in front of a Dash app (or a bare Flask app): body limits (413), security
    headers on every response, the session cookie's flags, ProxyFix when configured, and
    short 4xx answers instead of a bare 500 for malformed requests."""
    settings = settings or WebSecurity.from_env()
    server: flask.Flask = getattr(app, "server", app)
    _set_config(server, settings)
    _wrap_wsgi(server, settings)
    # The CSP allows Dash's own inline scripts by their hashes (none for a bare Flask app).
    policy = content_security_policy(_dash_script_hashes(app))
    dash_paths = _dash_callback_paths(app)
    _check_requests(server, app, settings, dash_paths)
    _add_headers(server, policy)
    _answer_errors(server, dash_paths)


def _set_config(server: flask.Flask, settings: WebSecurity) -> None:
    """Flask's body limit and session cookie flags (set outright: Flask's defaults already
    hold the keys, so setdefault would do nothing), a cookie that is also Secure when the
    request came over HTTPS, and the settings and sign-in throttle where the request handlers
    find them."""
    server.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    server.config["SESSION_COOKIE_SAMESITE"] = "Lax"  # Flask's defaults hold the key: set it
    server.config["SESSION_COOKIE_HTTPONLY"] = True
    server.config["SESSION_COOKIE_SECURE"] = settings.secure_cookies
    server.session_interface = _SessionInterface()
    server.extensions[SETTINGS_KEY] = settings
    server.extensions[THROTTLE_KEY] = LoginThrottle(settings)


def _wrap_wsgi(server: flask.Flask, settings: WebSecurity) -> None:
    """The body limit outermost but for ProxyFix (when the app runs behind ``proxy_hops``
    proxies), so an oversized body is refused before Flask reads any of it."""
    server.wsgi_app = BodyLimit(server.wsgi_app, settings)
    if settings.proxy_hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _check_requests(server: flask.Flask, app, settings: WebSecurity, dash_paths) -> None:
    """Before each request: the upload route's larger body limit, and a 400 for a callback
    request that is not shaped like one of the app's callbacks."""

    @server.before_request
    def _limits():
        request = flask.request
        if request.path.endswith(UPLOAD_PATH):
            request.max_content_length = settings.max_upload_bytes
        if request.path in dash_paths and request.method == "POST":
            problem = malformed_callback(request, app)
            if problem:
                flask.abort(400, description=problem)
        return None


def _add_headers(server: flask.Flask, policy: str) -> None:
    """The CSP and the other security headers on every response (a route's own win), HSTS on
    HTTPS only."""

    @server.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if flask.request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def _answer_errors(server: flask.Flask, dash_paths) -> None:
    """Short plain-text answers: an HTTP error's own code, a 400 for a callback request whose
    values do not fit its components, a 500 that says the error is logged (never a trace)."""
    bad_values = BAD_VALUE_ERRORS
    if dash_paths:
        from dash.exceptions import DashException  # "Output does not match callback definition"

        bad_values = (*BAD_VALUE_ERRORS, DashException)

    @server.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        text = _short(exc)
        response = flask.Response(text + "\n", status=exc.code or 500, mimetype="text/plain")
        if exc.code == 413:
            response.headers["Connection"] = "close"  # do not read the rest of the body
        return response

    @server.errorhandler(Exception)
    def _error(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        server.logger.exception("error answering %s %s", flask.request.method, flask.request.path)
        if flask.request.path in dash_paths and isinstance(exc, bad_values):
            # A well-formed callback request whose values do not fit its components (a
            # forged request): the client's error. The exception is logged all the same.
            text = "Bad Request (400): the callback's values do not fit its components"
            return flask.Response(text + "\n", status=400, mimetype="text/plain")
        text = "Internal Server Error (500): the error is logged; please report it"
        return flask.Response(text + "\n", status=500, mimetype="text/plain")


UPLOAD_PATH = "/import/upload"
TOO_LARGE = b"Request too large (413): the body is over the limit of this address.\n"


class BodyLimit:
    """WSGI middleware in front of the whole app: a body over the limit (of the upload route,
    or of every other route) is refused with 413 before the app sees the request: by its
    declared Content-Length before any of it is read, or, for a chunked body (no length), as
    soon as more than the limit has arrived (the body read so far is handed on in memory)."""

    def __init__(self, app, settings: WebSecurity) -> None:
        self.app = app
        self.settings = settings

    def limit(self, path: str) -> int:
        if path.endswith(UPLOAD_PATH):
            return self.settings.max_upload_bytes
        return self.settings.max_body_bytes

    def __call__(self, environ, start_response):
        limit = self.limit(environ.get("PATH_INFO", ""))
        length = environ.get("CONTENT_LENGTH", "")
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if length.isdigit() and int(length) > limit:
            return self._refuse(environ, start_response)
        if chunked or (not length and environ.get("wsgi.input_terminated")):
            data = environ["wsgi.input"].read(limit + 1)
            if len(data) > limit:
                return self._refuse(environ, start_response)
            environ["wsgi.input"] = io.BytesIO(data)
            environ["CONTENT_LENGTH"] = str(len(data))
            environ.pop("wsgi.input_terminated", None)
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)

    @staticmethod
    def _refuse(environ, start_response):
        headers = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(TOO_LARGE))),
            ("Connection", "close"),  # the rest of the body is not read
            *[(k, v) for k, v in HEADERS.items()],
        ]
        start_response("413 Request Entity Too Large", headers)
        return [TOO_LARGE]


def _short(exc) -> str:
    if exc.code == 413:
        return "Request too large (413): the body is over the limit of this address."
    description = exc.description if isinstance(exc.description, str) else ""
    if len(description) > 200:
        description = description[:200] + "…"
    return f"{exc.name} ({exc.code}): {description}".rstrip(": ")


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with a cookie that is ``Secure`` when configured or
    when the request came over HTTPS (behind a proxy: with ``NTM_ATLAS_PROXY_HOPS``)."""

    def get_cookie_secure(self, app) -> bool:
        configured = bool(app.config["SESSION_COOKIE_SECURE"])
        return configured or (flask.has_request_context() and flask.request.is_secure)


def _dash_script_hashes(app) -> list[str]:
    try:
        return [f"'{h}'" if not h.startswith("'") else h for h in app.csp_hashes()]
    except AttributeError:  # a bare Flask app
        return []


def _dash_callback_paths(app) -> set[str]:
    prefix = getattr(getattr(app, "config", None), "routes_pathname_prefix", None)
    if prefix is None:
        return set()
    return {prefix + "_dash-update-component"}


def malformed_callback(request, app) -> str | None:
    """What is wrong with a Dash callback request's shape (None if nothing): Dash answers a
    malformed one with a bare 500; this app answers 400 before Dash sees it."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in app.callback_map:
        return "unknown output"
    for key in ("inputs", "state", "changedPropIds"):
        value = body.get(key, [])
        if not isinstance(value, list):
            return f"{key} is not a list"
        for item in value:
            if key == "changedPropIds":
                if not isinstance(item, str):
                    return "changedPropIds holds a non-string"
            elif not _is_dependency(item):
                return f"{key} holds a malformed item"
    if "outputs" in body and not (
        _is_dependency(body["outputs"])
        or (isinstance(body["outputs"], list) and all(map(_is_dependency, body["outputs"])))
    ):
        return "outputs is malformed"
    callback = app.callback_map[output]
    if len(body.get("inputs", [])) != len(callback.get("inputs", [])):
        return "wrong number of inputs"
    if len(body.get("state", [])) != len(callback.get("state", [])):
        return "wrong number of states"
    return None


def _is_dependency(item) -> bool:
    if isinstance(item, list):  # pattern-matching (ALL/ALLSMALLER) inputs are lists
        return all(_is_dependency(i) for i in item)
    return (
        isinstance(item, dict)
        and isinstance(item.get("id"), str | dict)
        and isinstance(item.get("property"), str)
    )
