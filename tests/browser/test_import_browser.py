"""The Import page in a real headless Chromium against the real server.

An editor signs in, uploads a spreadsheet, sees the report with an error and its suggestions,
accepts a suggestion and confirms; a viewer sees no import page, and a direct POST is refused.
On both ways of serving (conftest.SERVED): a GeoPackage under Flask's server, and PostGIS under
``serve --workers 2``, where the upload, the accepted suggestion and the confirmation may each
reach a different worker.
"""

from __future__ import annotations

import re
import shutil

import pytest

from geodata.store import open_store
from geodata.users import add_user

pytestmark = pytest.mark.browser

PASSWORD = "mật khẩu dài"


@pytest.fixture(scope="module")
def server(served, tmp_path_factory, start_server):
    location, workers = served
    base = tmp_path_factory.mktemp("import-server")
    if workers is None:  # the session's built GeoPackage: these tests write, so on a copy
        shutil.copyfile(location, base / "store.gpkg")
        location = str(base / "store.gpkg")
    store = open_store(location)  # a database of its own already (conftest.served)
    add_user(store, "lan", "editor", PASSWORD)
    add_user(store, "minh", "viewer", PASSWORD)
    with start_server(location, base, ready_path="/login", workers=workers) as url:
        yield url, store


def sign_in(page, url, name):
    """From the dashboard's own link to the Import page, which asks to sign in first."""
    page.goto(url + "/")
    page.get_by_role("link", name="Nhập dữ liệu (biên tập viên)").click()
    page.fill("#login-user", name)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")


def test_editor_uploads_accepts_a_suggestion_and_confirms(server, browser, tmp_path):
    from openpyxl import Workbook

    url, store = server
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH CƠ QUAN GIÚP ĐỠ XÃ"])
    ws.merge_cells("A1:E1")
    ws.append([])
    ws.append(["STT", "Cơ quan, đơn vị giúp đỡ", "Xã được giúp đỡ", "Huyện/Thành phố", "Thời gian"])
    ws.append([1, "Sở Công Thương", "Xuân Lạc", "Chợ Đồn", "2015 - 2020"])
    ws.append([2, "Sở Tài chính", "Xuân Lặc", "Chợ Đồn", "2019–2020"])
    path = tmp_path / "so-tai-chinh.xlsx"
    wb.save(path)
    before = len(store.read("assignments"))

    page = browser.new_page()
    sign_in(page, url, "lan")
    page.wait_for_selector("#upload-form")
    page.select_option("#upload-kind", "assignments")
    page.set_input_files("#upload-file", str(path))
    page.click("#upload-submit")
    page.wait_for_selector("#report")
    assert page.get_attribute("#report-summary", "data-ok") == "0"
    error_row = page.locator('tr.error[data-row="5"]')
    assert "Xuân Lặc" in error_row.inner_text()
    suggestion = page.locator('button.suggestion[data-row="5"][data-code="02023"]')
    assert "Xã Xuân Lạc" in suggestion.inner_text()
    suggestion.click()
    page.wait_for_selector('#report-summary[data-ok="1"]')
    assert page.locator("tr.error").count() == 0
    page.click("#confirm-submit")
    page.wait_for_selector("#import-result")
    assert "2" in page.inner_text("#import-result")
    assert "so-tai-chinh.xlsx" in page.inner_text("#change-log")
    assert len(store.read("assignments")) == before + 2
    page.close()


def test_a_viewer_sees_no_import_page_and_a_direct_post_is_refused(server, browser):
    url, store = server
    page = browser.new_page()
    sign_in(page, url, "minh")
    page.wait_for_selector("#viewer-refused")
    assert page.locator("#upload-form").count() == 0
    html = page.content()
    token = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    before = store.version()  # grows with every write, on both backends
    for action in ("/import/undo", "/import/confirm"):
        response = page.request.post(url + action, form={"csrf": token, "token": "x"})
        assert response.status == 403
    anonymous = browser.new_page()
    response = anonymous.request.post(url + "/import/undo", form={"csrf": "x"})
    assert response.status == 403
    assert store.version() == before
    page.close()
    anonymous.close()
