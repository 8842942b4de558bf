"""Hostile data and hostile requests against the real server (create_app, Werkzeug) and in
Debian's Chromium: the grids' CSV downloads write formula-like text as text; the pages run
under the Content-Security-Policy without a violation; oversized, chunked and malformed
requests get a short 4xx and the server keeps serving."""

from __future__ import annotations

import csv
import http.client
import io
import json
import re
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from hostile_samples import HOSTILE, hostile_store
from import_samples import PROJECT_HEADER, write_csv
from places import free_spot

from geodata.bundle import Bundle
from geodata.users import add_user

pytestmark = pytest.mark.browser

PASSWORD = "mật khẩu dài"
READY = (
    "() => { const m = window.ntmMap && window.ntmMap.map();"
    " return !!(m && m.loaded() && m.areTilesLoaded()); }"
)
WATCH_CSP = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)


#: A project whose title and sponsor are markup: the map's tooltip must show them as text.
MARKUP = '<img src=x onerror="window.__pwned=1">'


def import_markup_point(store, tmp) -> None:
    """Import one project named :data:`MARKUP` at a spot of Xuân Lạc far from every other
    point (so that hovering there finds it alone)."""
    from geodata.imports import ImportContext, check_file, import_report
    from geodata.store import GeoPackageStore

    bundle = Bundle.load(store)
    communes = bundle.communes(2019)
    xuan_lac = communes.loc[communes["code"] == "02023"].geometry.iloc[0]
    spot = free_spot(xuan_lac, bundle.projects.geometry, inset_m=320, clear_m=1100)
    row = [1, MARKUP, "Xuân Lạc", "Chợ Đồn", MARKUP, 2021, 2_000_000, spot.x, spot.y, MARKUP]
    path = write_csv(tmp / "markup-projects.csv", [PROJECT_HEADER, row])
    target = GeoPackageStore(store)
    report = check_file(path, "projects", ctx=ImportContext.from_store(target))
    if not report.ok:
        raise AssertionError([p for r in report.rows for p in r.problems])
    import_report(report, target, file=path)


@pytest.fixture(scope="module")
def server(store_path, tmp_path_factory, start_server):
    base = tmp_path_factory.mktemp("hostile-server")
    store = hostile_store(store_path, base)
    import_markup_point(store, base)
    add_user(store, "lan", "editor", PASSWORD)
    with start_server(store, base) as url:
        yield url


def _watched_page(browser):
    page = browser.new_page(accept_downloads=True, viewport={"width": 1400, "height": 900})
    page.set_default_timeout(120_000)
    page.messages = []
    page.on("console", lambda m: page.messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: page.messages.append(f"pageerror: {e}"))
    page.add_init_script(WATCH_CSP)
    return page


def _violations(page) -> list[str]:
    seen = page.evaluate("() => window.__csp || []")
    console = [m for m in page.messages if "Content Security Policy" in m or "Refused to" in m]
    return seen + console


def test_sponsor_table_csv_download_writes_formulas_as_text(server, browser):
    page = _watched_page(browser)
    try:
        page.goto(server + "/?d=064")
        page.click("#tabs >> text=Xã chưa có đơn vị giúp đỡ")
        page.wait_for_selector("#sponsor-table tbody tr")
        with page.expect_download() as download:
            page.click("#sponsor-csv")
        text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    finally:
        page.close()
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert "'" + HOSTILE[0] in cells and "'" + HOSTILE[1] in cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_dashboard_and_import_page_run_under_the_csp_without_violations(server, browser):
    page = _watched_page(browser)
    try:
        response = page.goto(server + "/")
        csp = response.headers["content-security-policy"]
        assert "script-src 'self' 'sha256-" in csp and "unsafe-eval" not in csp
        page.wait_for_function(READY)
        page.evaluate(  # the OpenStreetMap basemap (its tiles fail offline, but are allowed)
            "() => dash_clientside.set_props('basemap', {value: 'OpenStreetMap.Mapnik'})"
        )
        page.wait_for_function(
            "() => document.querySelector('#basemap-note').innerText.includes('OpenStreetMap')"
        )
        page.wait_for_function(  # map.js's tile layer; the outlines and our layers stay
            "() => { const l = window.ntmMap.state().layers; return l.includes('ntm-basemap')"
            " && ['ntm-communes-fill', 'ntm-neighbour-fill', 'ntm-district-line',"
            " 'ntm-province-line', 'ntm-label-district'].every(x => l.includes(x)); }"
        )
        page.click("#tabs >> text=Xã chưa có đơn vị giúp đỡ")  # the tables
        page.wait_for_selector("#sponsor-table tbody tr")
        page.wait_for_load_state("networkidle")  # late requests (glyphs, tiles) have answered
        assert _violations(page) == []
        page.goto(server + "/login?next=/import")
        page.fill("#login-user", "lan")
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_selector("#upload-form")
        assert _violations(page) == []
    finally:
        page.close()


def test_the_map_tooltip_shows_markup_as_text_and_a_click_shows_the_point(server, browser):
    page = _watched_page(browser)
    try:
        page.goto(server + "/")
        page.wait_for_function(READY)
        page.wait_for_function("() => !!(window.ntmMap.state() || {}).points")
        lon, lat, pid = page.evaluate(
            "async () => { const s = window.ntmMap.state();"
            " const g = await (await fetch(s.sources.projects)).json();"
            " const f = g.features.find(f => (f.properties.title || '').includes('onerror'));"
            " return [...f.geometry.coordinates, f.properties.pid]; }"
        )
        page.evaluate(  # zoom in as a reader would: the single points show from zoom 10.5
            "([lon, lat]) => window.ntmMap.map().jumpTo({center: [lon, lat], zoom: 13})",
            [lon, lat],
        )
        page.wait_for_function(READY)
        x, y = page.evaluate(
            "([lon, lat]) => { const m = window.ntmMap.map(); const p = m.project([lon, lat]);"
            " const r = m.getCanvas().getBoundingClientRect();"
            " return [r.left + p.x, r.top + p.y]; }",
            [lon, lat],
        )
        page.mouse.move(x, y)
        page.wait_for_function(
            "() => { const t = document.querySelector('.map-tip');"
            " return !!t && !t.hidden && t.innerText.includes('onerror'); }"
        )
        tip = page.inner_text(".map-tip")
        assert tip.count(MARKUP) == 2  # the title and the sponsor, as text
        assert page.evaluate("() => document.querySelectorAll('.map-tip img').length") == 0
        assert page.evaluate("() => window.__pwned === undefined")
        page.mouse.click(x, y)  # the point's record
        page.wait_for_selector(f"#detail [data-project='{pid}']")
        assert MARKUP in page.inner_text("#detail")
        assert _violations(page) == []
    finally:
        page.close()


# ------------------------------------------------------------------------- requests
def _raw(url: str, method: str, path: str, headers: dict, body_chunks=(), read_timeout=300):
    """A request sent by hand (to control Content-Length and chunking); (status, body)."""
    parts = urllib.parse.urlsplit(url)
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=read_timeout)
    con.putrequest(method, path)
    for k, v in headers.items():
        con.putheader(k, v)
    con.endheaders()
    try:
        for chunk in body_chunks:
            con.send(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server refused and closed: what we want
    response = con.getresponse()
    data = response.read()
    con.close()
    return response.status, data


def _post_callback(url: str, body: bytes):
    """``body`` posted to Dash's callback endpoint as it is, whole; (status, body)."""
    headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
    return _raw(url, "POST", "/_dash-update-component", headers, [body])


def _alive(url):
    assert urllib.request.urlopen(url + "/login", timeout=30).status == 200


@pytest.mark.parametrize("path", ["/_dash-update-component", "/login", "/import/upload"])
def test_a_declared_200_mb_body_is_refused_before_it_is_sent(server, path):
    t = time.perf_counter()
    status, body = _raw(
        server,
        "POST",
        path,
        {"Content-Type": "application/json", "Content-Length": str(200 * 1024 * 1024)},
        [b"{" + b" " * 1000],  # the server must answer without waiting for the rest
    )
    print(f"{path}: {status} in {time.perf_counter() - t:.2f} s")
    assert status == 413 and b"too large" in body
    _alive(server)


@pytest.mark.parametrize(
    ("path", "mb"), [("/_dash-update-component", 5), ("/import/upload", 25), ("/login", 5)]
)
def test_a_chunked_body_over_the_limit_is_refused(server, path, mb):
    chunk = b" " * (1024 * 1024)
    frames = [b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(mb)] + [b"0\r\n\r\n"]
    status, body = _raw(
        server,
        "POST",
        path,
        {"Content-Type": "application/x-www-form-urlencoded", "Transfer-Encoding": "chunked"},
        frames,
    )
    assert status in (403, 413), body  # 403: refused as anonymous before the body was read
    assert len(body) < 300
    _alive(server)


def _callback_request(server) -> dict:
    """A well-formed request of the app's first callback (its output id from the app)."""
    deps = json.loads(urllib.request.urlopen(server + "/_dash-dependencies", timeout=60).read())
    return deps


MALFORMED = [
    b"",
    b"not json",
    b"[]",
    b"null",
    b'"text"',
    b"{}",
    b'{"output": 1}',
    b'{"output": "nothing.here"}',
    b'{"output": "nothing.here", "inputs": "x"}',
    b"{" * 5000,
    b'{"output": "' + b"x" * 10000 + b'"}',
]


@pytest.mark.parametrize("body", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_callback_requests_are_400(server, body):
    status, data = _post_callback(server, body)
    assert status == 400 and len(data) < 300, (status, data[:200])


def test_forged_callback_values_are_400_not_500(server):
    deps = _callback_request(server)
    codes = []
    for dep in deps[:6]:
        inputs = [
            {"id": i["id"], "property": i["property"], "value": {"x": [1]}} for i in dep["inputs"]
        ]
        state = [{"id": s["id"], "property": s["property"], "value": -1} for s in dep["state"]]
        wrong_count = {"output": dep["output"], "inputs": inputs[:-1], "state": state}
        forged = {
            "output": dep["output"],
            "outputs": _outputs(dep["output"]),
            "inputs": inputs,
            "state": state,
            "changedPropIds": [f"{dep['inputs'][0]['id']}.{dep['inputs'][0]['property']}"],
        }
        for body in (wrong_count, forged):
            status, text = _post_callback(server, json.dumps(body).encode())
            codes.append(status)
            assert status != 500 and len(text) < 100_000
    print("forged callback answers:", codes)
    assert all(c in (200, 204, 400) for c in codes)
    _alive(server)


def _outputs(output: str):
    parts = [p for p in re.split(r"\.\.", output.strip(".")) if p]
    outs = []
    for part in parts:
        cid, _, prop = part.rpartition(".")
        outs.append({"id": cid, "property": prop})
    return outs if len(outs) > 1 else outs[0]
