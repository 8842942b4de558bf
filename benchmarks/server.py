"""One app of the benchmark in its own process, behind a WSGI wrapper that counts each
response body as sent (after compression) and the server CPU time it took.

    python -m benchmarks.server real|naive STORE PORT [CACHE_DIR]

``GET /_bench/take`` returns ``[[path, bytes_sent, request_body_bytes, cpu_s, wall_s], ...]``
for the requests since the last call (MapLibre's web workers included, which DevTools does not
see from the page) and clears the list.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from pathlib import Path


class Counting:
    """WSGI middleware: bytes, CPU and wall time per request."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.log: list[list] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/_bench/take":
            with self.lock:
                body = json.dumps(self.log).encode()
                self.log.clear()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        sent = int(environ.get("CONTENT_LENGTH") or 0)
        cpu0, wall0 = time.thread_time(), time.perf_counter()
        result = self.inner(environ, start_response)

        def body():
            n = 0
            try:
                for chunk in result:
                    n += len(chunk)
                    yield chunk
            finally:
                close = getattr(result, "close", None)
                if close:
                    close()
                row = [path, n, sent, time.thread_time() - cpu0, time.perf_counter() - wall0]
                with self.lock:
                    self.log.append(row)

        return body()


def build(kind: str, store: str, cache_dir: str):
    """The Flask server of the real app or of the naive one, wrapped by :class:`Counting`."""
    if kind == "real":
        from dashboard.app import create_app
        from geodata.settings import Settings

        settings = Settings(store_path=Path("unused.gpkg"), cache_dir=Path(cache_dir))
        app = create_app(settings.with_store(store))  # a GeoPackage path or a database URL
    elif kind == "naive":
        from benchmarks.naive_app import create_app

        app = create_app(store)
    else:
        msg = f"Unknown app {kind!r}; choose one of real, naive"
        raise ValueError(msg)
    server = app.server
    server.wsgi_app = Counting(server.wsgi_app)
    return server


def main(argv: list[str]) -> int:
    kind, store, port = argv[0], argv[1], int(argv[2])
    cache_dir = argv[3] if len(argv) > 3 else tempfile.mkdtemp(prefix="bench-cache-")
    server = build(kind, store, cache_dir)
    from werkzeug.serving import run_simple

    # Both apps run in the same threaded server; the load test runs `ntm-atlas serve` itself.
    run_simple("127.0.0.1", port, server, threaded=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
