"""The dashboard run on this machine and looked at by a headless browser: Debian's Chromium and
the flags it runs with, a free localhost port, and waiting for a started server to answer.

The browser tests (``tests/servers.py``, ``tests/browser/conftest.py``), the benchmarks and
``docs/make_screenshots.py`` all do this; they share this one copy. It lives in the product
(not in ``benchmarks``, which is not an installed package, nor in ``tests``) so that each of
them can import it; the dashboard's own serving never imports it. Playwright is a development
dependency: :func:`launch_chromium` takes the Playwright object its caller started.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request

#: Debian's Chromium (``apt-get install chromium``; ``.ci/run`` installs it).
CHROMIUM = "/usr/bin/chromium"

#: The flags every headless run uses: no sandbox (CI containers have none), no GPU, and none of
#: the background traffic that would add requests to what is measured.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)


def launch_chromium(playwright):
    """Debian's Chromium, headless, with :data:`CHROMIUM_ARGS`, from a started Playwright
    (``with sync_playwright() as p: launch_chromium(p)``)."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
    )


def free_port() -> int:
    """A localhost TCP port that nothing listens on now.

    >>> 0 < free_port() < 65536
    True
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NotAnswering(RuntimeError):
    """A started server stopped, or did not answer in time."""


def wait_until_answers(
    url: str, proc: subprocess.Popen, wait_s: float, *, timeout_s: float = 5, poll_s: float = 0.3
) -> None:
    """Return once a GET of ``url`` answers; raise :class:`NotAnswering` as soon as ``proc``
    (the server) has stopped, or after ``wait_s`` (a loaded machine starts a server slowly).
    Each try waits up to ``timeout_s`` for its answer.

    >>> import sys
    >>> gone = subprocess.Popen([sys.executable, "-c", "pass"])
    >>> wait_until_answers(f"http://127.0.0.1:{free_port()}/", gone, 60)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dashboard.headless.NotAnswering: the server stopped before http://127.0.0.1:.../ answered
    """
    deadline = time.monotonic() + wait_s
    while True:
        try:
            urllib.request.urlopen(url, timeout=timeout_s).read()
            return
        except OSError:
            if proc.poll() is not None:
                raise NotAnswering(f"the server stopped before {url} answered") from None
            if time.monotonic() > deadline:
                raise NotAnswering(f"{url} did not answer within {wait_s:g} s") from None
            time.sleep(poll_s)
