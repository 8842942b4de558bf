"""The dashboard's export button in a real headless Chromium: clicking it downloads the print
sheet of the current view (issue 4: "A browser test clicks the export button and receives the
file").

Skips while the dashboard has no "Xuất bản đồ" button (the button and its callback belong to the
dashboard's layout; :func:`dashboard.export.export_view_download` is its body).
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
BUTTON = re.compile(r"Xuất bản đồ|Export map|^Export$", re.IGNORECASE)
SERVER = """
import sys
from geodata.settings import Settings
from dashboard.app import create_app
settings = Settings(store_path=sys.argv[1], cache_dir=sys.argv[2])
create_app(settings).run(host="127.0.0.1", port=int(sys.argv[3]), debug=False)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(store_path, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    port = _free_port()
    log_path = tmp_path_factory.mktemp("export-log") / "server.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SERVER,
            str(store_path),
            str(tmp_path_factory.mktemp("c")),
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.terminate()
                pytest.fail(f"server did not start: {log_path.read_text()}")
            time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


def test_export_button_downloads_the_sheet_of_the_current_view(server_url, tmp_path):
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(accept_downloads=True, viewport={"width": 1400, "height": 900})
        try:
            page.goto(server_url + "?d=064", wait_until="networkidle", timeout=60_000)
            button = page.get_by_role("button", name=BUTTON)
            if button.count() == 0:
                pytest.skip("the dashboard has no export button yet")
            with page.expect_download(timeout=90_000) as info:
                button.first.click()
            download = info.value
            target = tmp_path / download.suggested_filename
            download.save_as(target)
        finally:
            browser.close()
    data = target.read_bytes()
    assert target.name.startswith("ntm-atlas_") and len(data) > 10_000
    if target.suffix == ".png":
        from PIL import Image

        assert Image.open(io.BytesIO(data)).size in ((3508, 2480), (2480, 3508))
    elif target.suffix == ".pdf":
        assert "Xuân Lạc" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    else:
        assert target.suffix in (".svg", ".html", ".xlsx", ".csv", ".geojson", ".gpkg")
