"""The web edge through Flask's test client on the real Import page with the real edge
(dashboard.security): sign-in throttling, cookie flags,
local-only redirects, short 4xx answers, headers on every response."""

from __future__ import annotations

import re

import flask
import pytest
from hostile_samples import growing_delays
from import_samples import ASSIGNMENT_HEADER, copy_store, write_csv

from dashboard.import_page import register_import_page
from dashboard.security import LoginThrottle, WebSecurity, local_target, secure_app
from geodata.settings import Settings
from geodata.users import add_user

PASSWORD = "mật khẩu dài"
ROWS = [
    [1, "Sở Công Thương", "Xuân Lạc", "Chợ Đồn", "2015 - 2020"],
    [2, "Sở Tài chính", "Xuân Lặc", "Chợ Đồn", "2019–2020"],
]


def make_app(store, tmp_path, **security):
    app = flask.Flask("test")
    register_import_page(app, Settings(store_path=store, cache_dir=tmp_path / "cache"))
    secure_app(app, WebSecurity(**security))
    app.testing = True
    return app


@pytest.fixture
def store(store_path, tmp_path):
    store = copy_store(store_path, tmp_path)
    add_user(store, "lan", "editor", PASSWORD)
    return store


@pytest.fixture
def app(store, tmp_path):
    return make_app(store, tmp_path)


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(client, name="lan", password=PASSWORD, **extra):
    token = csrf(client.get("/login").get_data(as_text=True))
    data = {"user": name, "password": password, "csrf": token, **extra}
    return client.post(
        "/login", data=data, environ_base={"REMOTE_ADDR": extra.pop("ip", "1.2.3.4")}
    )


def test_50_wrong_passwords_then_the_right_one_waits(store, tmp_path):
    client = make_app(store, tmp_path, first_delay_s=600).test_client()
    codes = [login(client, password=f"sai {i}").status_code for i in range(50)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    right = login(client)
    assert right.status_code == 429
    assert "thử lại sau" in right.get_data(as_text=True)


def test_the_delay_grows_and_a_success_clears_it():
    now = [0.0]
    throttle = LoginThrottle(WebSecurity(), clock=lambda: now[0])
    assert growing_delays(throttle, now) == [2.0, 4.0, 8.0, 16.0, 32.0]
    assert throttle.wait("lan", "another address") > 0  # per account
    assert throttle.wait("minh", "a") == 0  # the address has 20 free failures
    now[0] += 10_000
    throttle.succeeded("lan", "a")
    assert throttle.wait("lan", "a") == 0


def test_per_address_throttle_across_accounts():
    throttle = LoginThrottle(WebSecurity())
    for i in range(20):
        throttle.failed(f"user{i}", "9.9.9.9")
    assert throttle.wait("someone-else", "9.9.9.9") > 0
    assert throttle.wait("someone-else", "8.8.8.8") == 0


def test_session_cookie_flags(store, tmp_path):
    app = make_app(store, tmp_path)
    cookie = login(app.test_client()).headers.get_all("Set-Cookie")[-1]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    client = app.test_client()
    token = csrf(client.get("/login", base_url="https://localhost").get_data(as_text=True))
    r = client.post(
        "/login",
        data={"user": "lan", "password": PASSWORD, "csrf": token},
        base_url="https://localhost",
    )
    assert "Secure" in r.headers.get_all("Set-Cookie")[-1]
    forced = make_app(store, tmp_path, secure_cookies=True)
    assert "Secure" in login(forced.test_client()).headers.get_all("Set-Cookie")[-1]


def test_behind_a_proxy_x_forwarded_proto_makes_the_cookie_secure(store, tmp_path):
    app = make_app(store, tmp_path, proxy_hops=1)
    client = app.test_client()
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "5.6.7.8"}
    token = csrf(client.get("/login", headers=headers).get_data(as_text=True))
    r = client.post(
        "/login", data={"user": "lan", "password": PASSWORD, "csrf": token}, headers=headers
    )
    assert "Secure" in r.headers.get_all("Set-Cookie")[-1]
    assert "Strict-Transport-Security" in r.headers
    plain = make_app(store, tmp_path)  # not configured: the header is not trusted
    c = plain.test_client()
    token = csrf(c.get("/login", headers=headers).get_data(as_text=True))
    r = c.post("/login", data={"user": "lan", "password": PASSWORD, "csrf": token}, headers=headers)
    assert "Secure" not in r.headers.get_all("Set-Cookie")[-1]


NEXT_VALUES = [
    "//2130706433/",
    "//0x7f000001/",
    "//intranet-host/x",
    "/\\evil.example",
    "\\\\evil.example",
    "http://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "//evil.example/%2F..",
    "evil.example",
    "/%0d%0aSet-Cookie:x=1",
]


@pytest.mark.parametrize("target", NEXT_VALUES)
def test_next_is_local_only(app, target):
    r = login(app.test_client(), next=target)
    assert r.status_code == 302 and r.headers["Location"] == "/import"
    assert local_target(target) == "/import"


def test_a_local_next_is_kept(app):
    r = login(app.test_client(), next="/?d=064&sel=02065")
    assert r.headers["Location"] == "/?d=064&sel=02065"


def test_headers_on_every_response(app):
    client = app.test_client()
    for response in (client.get("/login"), client.get("/nowhere"), client.post("/import/upload")):
        h = response.headers
        assert h["X-Content-Type-Options"] == "nosniff" and h["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"]


def test_oversized_bodies_are_413_before_the_sign_in_check(app):
    client = app.test_client()
    big = b"x" * (3 * 1024 * 1024)
    r = client.post("/login", data=big, content_type="application/octet-stream")
    assert r.status_code == 413 and b"too large" in r.data
    r = client.post("/import/upload", data=b"x" * (21 * 1024 * 1024), content_type="text/plain")
    assert r.status_code == 413


def test_choose_with_a_superscript_row_is_400_and_the_upload_recovers(app, tmp_path):
    client = app.test_client()
    login(client)
    path = write_csv(tmp_path / "a.csv", [ASSIGNMENT_HEADER, *ROWS])
    page = client.get("/import").get_data(as_text=True)
    with open(path, "rb") as fh:
        report = client.post(
            "/import/upload",
            data={"csrf": csrf(page), "kind": "assignments", "file": (fh, path.name)},
            content_type="multipart/form-data",
        ).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', report).group(1)
    bad = client.post(
        "/import/choose", data={"csrf": csrf(report), "token": token, "row": "²", "code": "02023"}
    )
    assert bad.status_code == 400 and len(bad.data) < 300
    good = client.post(
        "/import/choose", data={"csrf": csrf(report), "token": token, "row": "3", "code": "02023"}
    )
    assert good.status_code == 200 and 'data-ok="1"' in good.get_data(as_text=True)


def test_a_chunked_body_over_the_limit_is_413(app):
    """No Content-Length (a chunked upload): cut off as soon as the limit is passed."""
    import io

    client = app.test_client()
    for path, size in (("/login", 3 * 1024 * 1024), ("/import/upload", 21 * 1024 * 1024)):
        r = client.post(
            path,
            input_stream=io.BytesIO(b"x" * size),
            headers={"Transfer-Encoding": "chunked", "Content-Type": "text/plain"},
        )
        assert r.status_code == 413 and b"too large" in r.data
    small = client.post(
        "/login",
        input_stream=io.BytesIO(b"user=lan"),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "text/plain"},
    )
    assert small.status_code == 403  # read in full, then refused for its missing CSRF token
