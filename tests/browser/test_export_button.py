"""The dashboard's export button in a real headless Chromium: clicking it downloads the print
sheet of the current view (issue 4: "A browser test clicks the export button and receives the
file"). The default format is an A4 landscape PNG at 300 dpi. On both ways of serving
(conftest.SERVED): the GeoPackage under Flask's server, PostGIS under ``serve --workers 2``.
"""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

pytestmark = pytest.mark.browser

BUTTON = re.compile(r"Xuất bản đồ|Export map", re.IGNORECASE)


@pytest.fixture(scope="module")
def server_url(dashboard_url):
    """The session's read-only dashboard, on each way of serving (conftest.SERVED)."""
    return dashboard_url


def test_export_button_downloads_the_sheet_of_the_current_view(server_url, browser, tmp_path):
    page = browser.new_page(accept_downloads=True, viewport={"width": 1400, "height": 900})
    try:
        page.set_default_timeout(180_000)  # a loaded machine answers slowly; wait for states
        page.goto(server_url + "?d=064")
        button = page.get_by_role("button", name=BUTTON)
        button.wait_for()  # rendered by Dash after the page loads
        assert button.count() == 1, "the dashboard shows one export button"
        with page.expect_download() as info:
            button.click()
        download = info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
    finally:
        page.close()
    assert target.name.startswith("ntm-atlas_") and target.suffix == ".png"
    image = Image.open(io.BytesIO(target.read_bytes())).convert("L")
    assert image.size == (3508, 2480)
    low, high = image.getextrema()
    assert high - low > 100, "the sheet is not blank"
