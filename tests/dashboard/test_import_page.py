"""The Import page through Flask's test client: sign-in, roles, CSRF, report, choose, confirm."""

from __future__ import annotations

import re

import flask
import pytest
from import_samples import ASSIGNMENT_HEADER, write_csv
from store_samples import location

from dashboard.import_page import register_import_page
from geodata.imports import read_log
from geodata.settings import Settings
from geodata.users import add_user

ROWS = [
    [1, "Sở Công Thương", "Xuân Lạc", "Chợ Đồn", "2015 - 2020"],
    [2, "Sở Tài chính", "Xuân Lặc", "Chợ Đồn", "2019–2020"],
]


@pytest.fixture
def app(store, tmp_path):
    """The Import page over a copy of the built store, on each backend."""
    add_user(store, "lan", "editor", "mật khẩu dài")
    add_user(store, "minh", "viewer", "mật khẩu dài")
    app = flask.Flask("test")
    settings = Settings(store_path=tmp_path / "unused.gpkg", cache_dir=tmp_path / "cache")
    register_import_page(app, settings.with_store(location(store)))
    app.testing = True
    app.store = store
    return app


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(client, name):
    token = csrf(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"user": name, "password": "mật khẩu dài", "csrf": token})


def upload(client, path, kind="assignments"):
    page = client.get("/import").get_data(as_text=True)
    with open(path, "rb") as fh:
        return client.post(
            "/import/upload",
            data={"csrf": csrf(page), "kind": kind, "file": (fh, path.name)},
            content_type="multipart/form-data",
        )


def test_visitors_are_sent_to_sign_in_and_viewers_are_refused(app):
    client = app.test_client()
    assert client.get("/import").status_code == 302
    assert client.post("/import/upload").status_code == 403
    assert login(client, "minh").status_code == 302
    page = client.get("/import")
    assert page.status_code == 403 and 'id="viewer-refused"' in page.get_data(as_text=True)
    token = csrf(page.get_data(as_text=True))
    for url in ("/import/upload", "/import/confirm", "/import/undo", "/import/choose"):
        assert client.post(url, data={"csrf": token}).status_code == 403


def test_wrong_password_and_missing_csrf(app):
    client = app.test_client()
    token = csrf(client.get("/login").get_data(as_text=True))
    bad = client.post("/login", data={"user": "lan", "password": "sai", "csrf": token})
    assert bad.status_code == 401
    assert (
        client.post("/login", data={"user": "lan", "password": "mật khẩu dài"}).status_code == 403
    )
    login(client, "lan")
    assert client.post("/import/undo", data={"csrf": "forged"}).status_code == 403
    assert client.post("/import/undo").status_code == 403


def test_editor_uploads_chooses_a_suggestion_and_confirms(app, tmp_path):
    client = app.test_client()
    login(client, "lan")
    path = write_csv(tmp_path / "so-ct.csv", [ASSIGNMENT_HEADER, *ROWS])
    before = app.store.version()
    page = upload(client, path).get_data(as_text=True)
    assert 'data-ok="0"' in page and "Xuân Lặc" in page
    assert "&lt;" not in page and 'id="skip-invalid"' in page  # markup is markup, not escaped text
    assert app.store.version() == before  # checking writes nothing
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    report = client.get(f"/import/report.json?token={token}").get_json()
    assert (
        report["summary"]["error"] == 1
        and report["rows"][1]["problems"][0]["suggestions"][0]["code"] == "02023"
    )
    assert 'data-row="2"' not in page  # rows without problems are counted, not listed
    confirm = client.post("/import/confirm", data={"csrf": csrf(page), "token": token})
    assert "Có dòng bị lỗi" in confirm.get_data(as_text=True) and app.store.version() == before
    chosen = client.post(
        "/import/choose", data={"csrf": csrf(page), "token": token, "row": "3", "code": "02023"}
    )
    page = chosen.get_data(as_text=True)
    assert 'data-ok="1"' in page
    done = client.post("/import/confirm", data={"csrf": csrf(page), "token": token})
    text = done.get_data(as_text=True)
    assert 'id="import-result"' in text and "thêm 2" in text
    log = read_log(app.store)
    assert list(log["user"]) == ["lan"] and 'id="change-log"' in text and "so-ct.csv" in text
    table = app.store.read("assignments")
    assert (table["origin"] == "import").sum() == 2
    undone = client.post("/import/undo", data={"csrf": csrf(text)})
    assert "I0001" in undone.get_data(as_text=True)
    assert (app.store.read("assignments")["origin"] == "import").sum() == 0


def test_another_editor_cannot_confirm_my_upload(app, tmp_path):
    add_user(app.store, "hoa", "editor", "mật khẩu dài")
    mine, theirs = app.test_client(), app.test_client()
    login(mine, "lan")
    login(theirs, "hoa")
    page = upload(mine, write_csv(tmp_path / "a.csv", [ASSIGNMENT_HEADER, ROWS[0]])).get_data(
        as_text=True
    )
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    other = csrf(theirs.get("/import").get_data(as_text=True))
    assert theirs.post("/import/confirm", data={"csrf": other, "token": token}).status_code == 403


def test_unreadable_upload_and_template_download(app, tmp_path):
    client = app.test_client()
    login(client, "lan")
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"nope")
    page = upload(client, junk).get_data(as_text=True)
    assert "Không đọc được tệp" in page
    response = client.get("/import/template/projects")
    assert response.status_code == 200 and response.data[:2] == b"PK"


def test_pages_escape_what_users_write_and_bring_their_own_stylesheet(app, tmp_path):
    client = app.test_client()
    login(client, "lan")
    path = write_csv(tmp_path / "<img src=x onerror=alert(1)>.csv", [ASSIGNMENT_HEADER, *ROWS])
    page = upload(client, path).get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;.csv" in page
    assert 'href="/import/style.css"' in page and "<style>" not in page
    css = client.get("/import/style.css")
    assert css.status_code == 200 and b".msg.error" in css.data


def test_behind_a_tls_proxy_links_are_https_and_the_cookie_is_secure(settings, store_path):
    """NTM_ATLAS_PROXY_HOPS=1: the page's absolute URLs (MapLibre's GeoJSON) follow the
    proxy's X-Forwarded-Proto, and the session cookie is sent over TLS only."""
    from dataclasses import replace

    from dashboard.app import create_app

    app = create_app(replace(settings, proxy_hops=1), warm_glyphs=False)
    client = app.server.test_client()
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "atlas.example.gov.vn"}
    layout = client.get("/_dash-layout", headers=headers).get_data(as_text=True)
    layout = layout.replace("\\u002f", "/")
    assert "https://atlas.example.gov.vn/geo/communes_2019.geojson" in layout
    login = client.get("/login", headers=headers)
    assert "Secure" in login.headers["Set-Cookie"]


def test_a_first_time_user_reads_how_to_get_an_account_and_a_report_in_their_words(app, tmp_path):
    """Issue 9, point 10: the sign-in page says how an account is made; the report speaks the
    spreadsheet's own column names and Vietnamese kinds."""
    from import_samples import PROJECT_HEADER

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "Chưa có tài khoản?" in page and "ntm-atlas users add &lt;tên&gt; --role editor" in page
    login(client, "lan")
    path = write_csv(tmp_path / "so-ct.csv", [ASSIGNMENT_HEADER, *ROWS])
    page = upload(client, path).get_data(as_text=True)
    # «the spreadsheet's header» → what it was read as, in Vietnamese; no internal field name.
    assert "«Xã được giúp đỡ» → xã" in page
    assert "«Cơ quan, đơn vị giúp đỡ» → đơn vị giúp đỡ" in page
    assert "commune ←" not in page and "sponsor ←" not in page
    rows = [PROJECT_HEADER, [1, "Công trình lạ", "Xuân Lạc", "Chợ Đồn", "", 2020, "", "", "", ""]]
    header = [*PROJECT_HEADER, "Loại"]
    rows = [header, [*rows[1], "abc"]]
    page = upload(client, write_csv(tmp_path / "ct.csv", rows), "projects").get_data(as_text=True)
    assert "Loại «abc» không thuộc cầu, trạm biến áp, chợ" in page and "lưu là «khác»" in page
    assert "meeting_house" not in page
