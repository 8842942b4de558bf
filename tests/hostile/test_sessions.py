"""Sessions end at sign-out and failed sign-ins are counted where every worker sees them, on
both backends (GeoPackage + users file, PostGIS): a cookie copied before sign-out is refused
for reads of /import and for writes; 50 wrong passwords then the right one is refused with a
growing delay, also when the attempts are spread over two server workers."""

from __future__ import annotations

import contextlib
import re
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import flask
import pytest
from hostile_samples import growing_delays
from servers import running_server

from dashboard.import_page import register_import_page
from dashboard.security import LoginThrottle, WebSecurity, login_throttle, secure_app
from geodata.settings import Settings
from geodata.store import GeoPackageStore
from geodata.users import add_user, end_sessions, session_epoch, session_user

PASSWORD = "mật khẩu dài"


def make_app(store, tmp_path, **security):
    app = flask.Flask("test")
    settings = Settings(store_path=tmp_path / "unused.gpkg", cache_dir=tmp_path / "cache")
    register_import_page(app, settings.with_store(store_location(store)))
    secure_app(app, WebSecurity(**security))
    app.testing = True
    return app


def store_location(store) -> str:
    return str(store.path) if isinstance(store, GeoPackageStore) else store.dsn


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(client, name="lan", password=PASSWORD, ip="1.2.3.4"):
    token = csrf(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login",
        data={"user": name, "password": password, "csrf": token},
        environ_base={"REMOTE_ADDR": ip},
    )


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


@pytest.fixture
def account(store):
    add_user(store, "lan", "editor", PASSWORD)
    return store


def test_a_cookie_copied_before_sign_out_is_refused_for_reads_and_writes(account, tmp_path):
    app = make_app(account, tmp_path)
    client = app.test_client()
    assert login(client).status_code == 302
    page = client.get("/import")
    assert page.status_code == 200
    token = csrf(page.get_data(as_text=True))
    copied = session_cookie(client)

    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/import").status_code == 200  # the copy works while the session lives

    assert client.post("/logout", data={"csrf": token}).status_code == 302
    assert client.get("/import").status_code == 302  # signed out

    thief.set_cookie("session", copied)
    read = thief.get("/import")
    assert read.status_code == 302 and read.headers["Location"].startswith("/login")
    write = thief.post("/import/undo", data={"csrf": token})
    assert write.status_code == 403 and b"sign in first" in write.data
    upload = thief.post("/import/upload", data={"csrf": token, "kind": "assignments"})
    assert upload.status_code == 403

    # signing in again makes a new session under the new epoch; the old cookie stays dead
    assert login(client).status_code == 302
    assert client.get("/import").status_code == 200
    thief.set_cookie("session", copied)
    assert thief.get("/import").status_code == 302


def test_sign_out_ends_every_session_of_the_account(account, tmp_path):
    app = make_app(account, tmp_path)
    laptop, phone = app.test_client(), app.test_client()
    login(laptop)
    login(phone)
    token = csrf(laptop.get("/import").get_data(as_text=True))
    laptop.post("/logout", data={"csrf": token})
    assert phone.get("/import").status_code == 302


def test_a_new_password_ends_the_sessions(account, tmp_path):
    client = make_app(account, tmp_path).test_client()
    login(client)
    assert client.get("/import").status_code == 200
    add_user(account, "lan", "editor", "một mật khẩu mới", replace=True)
    assert client.get("/import").status_code == 302


def test_session_epochs_in_the_store(account):
    epoch = session_epoch(account, "lan")
    assert epoch == 0 and session_user(account, "lan", 0).name == "lan"
    end_sessions(account, "lan")
    assert session_epoch(account, "lan") == 1
    assert session_user(account, "lan", 0) is None and session_user(account, "lan", 1)
    assert session_user(account, "lan", None) is None and session_user(account, "lan", True) is None
    assert session_user(account, "nobody", 0) is None and session_epoch(account, "nobody") is None


def test_a_users_file_without_the_epoch_column_is_migrated(tmp_path):
    store = GeoPackageStore(tmp_path / "old.gpkg")
    with contextlib.closing(sqlite3.connect(store.accounts_path)) as con, con:
        con.execute(  # the users file as the first importer wrote it
            "CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, "
            "password TEXT NOT NULL, created_at TEXT DEFAULT CURRENT_TIMESTAMP)"
        )
    add_user(store, "lan", "editor", PASSWORD)
    with contextlib.closing(sqlite3.connect(store.accounts_path)) as con, con:
        con.execute("ALTER TABLE users DROP COLUMN session_epoch")
        con.execute("INSERT INTO users (name, role, password) VALUES ('minh', 'viewer', 'x')")
    assert session_epoch(store, "minh") == 0
    end_sessions(store, "lan")
    assert session_epoch(store, "lan") == 1


def test_a_postgis_store_of_schema_version_2_is_migrated(pg_databases, postgis_empty):
    import psycopg

    from geodata.postgis import ADMIN, MIGRATIONS, PostGISStore, _migrated, migrate

    url = pg_databases.create(postgis_empty)
    empty_store = PostGISStore(url)
    with psycopg.connect(empty_store.dsn, autocommit=True) as con:
        assert migrate(con) == len(MIGRATIONS)
        con.execute(f"DROP TABLE {ADMIN}.login_failures")
        con.execute(f"ALTER TABLE {ADMIN}.users DROP COLUMN session_epoch")
        con.execute(f"DELETE FROM {ADMIN}.migrations WHERE version > 2")
        con.execute(
            f"INSERT INTO {ADMIN}.users (name, role, password) VALUES ('minh', 'viewer', 'x')"
        )
    _migrated.discard(empty_store.dsn)
    assert session_epoch(empty_store, "minh") == 0
    end_sessions(empty_store, "minh")
    assert session_epoch(empty_store, "minh") == 1
    pg_databases.drop(url)


# ------------------------------------------------------------------------------------------
# The sign-in throttle, counted by the store
# ------------------------------------------------------------------------------------------


def test_50_wrong_passwords_then_the_right_one_is_refused_with_a_growing_delay(account, tmp_path):
    client = make_app(account, tmp_path, first_delay_s=600).test_client()
    answers = [login(client, password=f"sai {i}") for i in range(50)]
    assert [a.status_code for a in answers[:5]] == [401] * 5
    assert {a.status_code for a in answers[5:]} == {429}
    right = login(client)
    assert right.status_code == 429
    text = right.get_data(as_text=True)
    assert "thử lại sau" in text and 'id="login-wait"' in text
    # another app over the same store (another worker, a restarted server) counts the same
    other = make_app(account, tmp_path, first_delay_s=600).test_client()
    assert login(other, ip="5.6.7.8").status_code == 429  # the account waits from any address


def test_the_store_counts_a_growing_delay_and_a_success_clears_it(account):
    now = [1_000_000.0]
    throttle = LoginThrottle(WebSecurity(), clock=lambda: now[0], rows=account.users())
    assert growing_delays(throttle, now) == [2.0, 4.0, 8.0, 16.0, 32.0]
    again = LoginThrottle(WebSecurity(), clock=lambda: now[0], rows=account.users())
    assert again.wait("LAN", "elsewhere") == 64.0  # another worker sees the same count
    now[0] += 64
    throttle.succeeded("lan", "a")
    assert throttle.wait("lan", "a") == 0
    for _ in range(6):
        throttle.failed("minh", "b")
    now[0] += 2 * 24 * 3600  # a day-old streak is forgotten
    throttle.failed("minh", "b")
    assert account.users().failures("account:minh")[0] == 1


def test_login_throttle_of_the_app_uses_the_store(account, tmp_path):
    app = make_app(account, tmp_path)
    with app.test_request_context("/login"):
        throttle = login_throttle(account)
        throttle.failed("lan", "9.9.9.9")
    assert account.users().failures("address:9.9.9.9")[0] == 1


class _Browser:
    """A client with its own cookies against the real server."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def login(self, password: str) -> int:
        _, page = self.get("/login")
        return self.post("/login", {"user": "lan", "password": password, "csrf": csrf(page)})[0]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_across_two_workers_wrong_passwords_add_up_and_a_signed_out_cookie_is_dead(
    account, tmp_path, monkeypatch
):
    """The real server (``ntm-atlas serve --workers 2``): 50 wrong passwords sent on fresh
    connections (gunicorn hands them to either worker) are all counted; then the right one is
    refused. A cookie copied before sign-out is refused by every worker."""
    add_user(account, "minh", "editor", PASSWORD)
    monkeypatch.setenv("NTM_ATLAS_LOGIN_DELAY_S", "600")  # a slow machine never outwaits it
    with running_server(store_location(account), tmp_path, "/login", workers=2) as url:
        attacker = _Browser(url)
        codes = [attacker.login(f"sai {i}") for i in range(50)]
        assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
        assert attacker.login(PASSWORD) == 429
        assert account.users().failures("account:lan")[0] == 5  # the rest were not checked

        editor = _Browser(url)
        _, page = editor.get("/login")
        status, _ = editor.post(
            "/login", {"user": "minh", "password": PASSWORD, "csrf": csrf(page)}
        )
        assert status == 302
        status, page = editor.get("/import")
        assert status == 200
        cookie = next(c for c in editor.jar if c.name == "session").value
        assert editor.post("/logout", {"csrf": csrf(page)})[0] == 302
        for _ in range(4):  # reach both workers
            request = urllib.request.Request(
                url + "/import", headers={"Cookie": f"session={cookie}"}
            )
            status, _ = _Browser(url)._open(request)
            assert status == 302


def test_users_sign_out_on_the_command_line_ends_the_sessions(account, tmp_path, capsys):
    from dashboard.cli import main

    client = make_app(account, tmp_path).test_client()
    login(client)
    assert client.get("/import").status_code == 200
    assert main(["users", "sign-out", "lan", "--store", store_location(account)]) == 0
    assert "lan" in capsys.readouterr().out
    assert client.get("/import").status_code == 302
    assert main(["users", "sign-out", "nobody", "--store", store_location(account)]) == 2
