"""Serving the dashboard to many readers: gunicorn with worker processes and threads.

Why gunicorn rather than waitress: a change costs Python CPU (pandas, building the response),
and one process runs Python on one core at a time (the GIL). gunicorn's worker processes use
every core; its threads (``gthread``) keep a worker answering while another request waits on
the network. waitress is a single process with threads, so it would serve on one core however
many threads it had. gunicorn runs on Unix only, which is where the dashboard is deployed;
``ntm-atlas serve --debug`` keeps Flask's development server (reloader, debugger) for work on
the code.

The app holds no per-reader state in process memory (the view lives in the page's URL and
components, sessions in a signed cookie whose key is ``NTM_ATLAS_SECRET_KEY`` or kept by the
store, accounts in the store, uploads on disk), so any worker answers any request. The app is
created once in the master process and the workers are forked from it (``preload_app``),
sharing the loaded bundle's memory until they write to it; each worker checks the store's
version on its own, every 0.25 s in a background thread and on a request more than 0.25 s
after its last check, and reloads before it answers (:class:`geodata.bundle.BundleHolder`), so
a changed store (an import, a rebuild) is seen by the next request to any worker.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass

from geodata.settings import Settings

#: Seconds a request may take before the worker is restarted (an atlas PDF export is slow).
TIMEOUT_S = 300


@dataclass(frozen=True)
class ServeOptions:
    """How many processes and threads answer requests."""

    workers: int = 2
    threads: int = 4

    @classmethod
    def default(cls) -> ServeOptions:
        """One worker per core (at least two), four threads each."""
        return cls(workers=max(2, os.cpu_count() or 1), threads=4)


def gunicorn_config(settings: Settings, options: ServeOptions) -> dict:
    """gunicorn settings for the dashboard.

    >>> c = gunicorn_config(Settings("s.gpkg", "c"), ServeOptions(workers=3, threads=2))
    >>> c["bind"], c["workers"], c["threads"], c["worker_class"], c["preload_app"]
    ('127.0.0.1:8050', 3, 2, 'gthread', True)
    """
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    return {
        "bind": f"{host}:{settings.port}",
        "workers": options.workers,
        "threads": options.threads,
        "worker_class": "gthread",
        "preload_app": True,
        "timeout": TIMEOUT_S,
        "graceful_timeout": 20,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "ntm-atlas",
        # No gunicornc control socket (new in gunicorn 25): its default path
        # ($HOME/.gunicorn/gunicorn.ctl) is one per user, so a second dashboard on the host (or
        # a test's server) takes it over. The dashboard is stopped and reloaded by signals.
        "control_socket_disable": True,
        "post_worker_init": _post_worker_init,
        "worker_exit": _worker_exit,
        "on_exit": _on_exit,
    }


def _post_worker_init(worker) -> None:
    """In each worker, in the background (a thread started in the master would not survive the
    fork): render the map-label glyphs a page always asks for, and watch the store, so that a
    change made through another worker is loaded before a request here asks for it."""
    from dashboard.app import _warm_glyphs

    threading.Thread(target=_warm_glyphs, name="ntm-atlas-glyphs", daemon=True).start()
    holder = getattr(worker.wsgi, "extensions", {}).get("ntm_atlas.bundle_holder")
    if holder is not None:
        holder.watch()


def _leave_now() -> None:
    """End this process now, exit code 0, after its exit functions (temporary files, ...)
    and without tearing its objects down one by one (as :mod:`multiprocessing` children do):
    with a bundle loaded that teardown held each stop, a restart or a deploy, for seconds."""
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(0)


def _worker_exit(_arbiter, worker) -> None:
    """A worker that stopped as asked (its requests answered) leaves at once; one that failed
    keeps Python's own exit and its exit code."""
    if worker.booted and not worker.alive:
        _leave_now()


def _on_exit(_arbiter) -> None:
    """The master, stopped by a signal (TERM, INT: gunicorn is handling a StopIteration or
    KeyboardInterrupt when it calls this) once its workers are gone, leaves at once too; a halt
    for a reason (a worker that could not boot) keeps Python's exit and its exit code."""
    if isinstance(sys.exc_info()[1], StopIteration | KeyboardInterrupt):
        _leave_now()


def serve(settings: Settings, options: ServeOptions) -> None:
    """Run the dashboard under gunicorn until interrupted."""
    from gunicorn.app.base import BaseApplication

    from dashboard.app import create_app

    server = create_app(settings, warm_glyphs=False).server
    # Dash registers the paths of its component scripts while it renders the index page; a
    # worker that never rendered it answers those scripts with 500 ("dash" is not a registered
    # library). Render it once here, before the fork, so every worker starts with them.
    with server.test_client() as client:
        client.get("/")
    config = gunicorn_config(settings, options)

    class Application(BaseApplication):
        def load_config(self):
            for key, value in config.items():
                self.cfg.set(key, value)

        def load(self):
            return server

    Application().run()
