"""Hostile data in the browser: the grids' CSV downloads write formula-like text as text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hostile_samples import HOSTILE, hostile_store

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(store_path, tmp_path_factory, start_server):
    base = tmp_path_factory.mktemp("hostile-server")
    store = hostile_store(store_path, base)
    with start_server(store, base) as url:
        yield url


def test_sponsor_table_csv_download_writes_formulas_as_text(server, browser):
    page = browser.new_page(accept_downloads=True, viewport={"width": 1400, "height": 900})
    try:
        page.goto(server + "/?d=064")
        page.click("#tabs >> text=Xã chưa có đơn vị giúp đỡ")
        page.wait_for_selector("#sponsor-grid .ag-row")
        with page.expect_download() as download:
            page.click("#sponsor-csv")
        text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    finally:
        page.close()
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert "'" + HOSTILE[0] in cells and "'" + HOSTILE[1] in cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
