"""Workers over one store, as production runs them: a session made on one is good on the
other, and an import made through one is seen through the others.

Two production servers (``ntm-atlas serve``) over the same store, on both backends: A with two
workers, B with one (B stands for another machine, or a sibling worker that is certainly not
the one that made the import).

Seen within 2 s (issue 11): a worker looks at the store's version every
:data:`~geodata.bundle.CHECK_INTERVAL_S` (0.25 s) in the background, and again on the first
request more than 0.25 s after its last look, reloading before it answers. So the first request
that reaches B 0.25 s after A answered the import must show it: that is asserted, and 0.25 s is
the whole of the wait the app adds. The rest is the time that request takes (the reload if the
background look has not finished it, building the page for the new data), which is CPU work and
grows with the machine's load: it is printed (``-s``), not asserted (house rule).
"""

from __future__ import annotations

import re
import time

import pytest
import requests
from import_samples import ASSIGNMENT_HEADER, write_csv
from servers import running_server
from store_samples import location

from geodata.bundle import CHECK_INTERVAL_S
from geodata.users import add_user

PASSWORD = "mật khẩu dài"
#: Xã Cao Trĩ (Ba Bể) has no sponsor recorded in the seed: importing one makes 18 → 19 of 122.
CAO_TRI = [1, "Sở Tư pháp", "Cao Trĩ", "Ba Bể", "2021"]


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def sponsored(base: str) -> int:
    layout = requests.get(base + "/_dash-layout", timeout=60).text.replace("\\u002f", "/")
    return int(re.search(r"(\d+) / 122", layout).group(1))


@pytest.fixture
def two_workers(store, tmp_path):
    add_user(store, "lan", "editor", PASSWORD)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with (
        running_server(location(store), tmp_path / "a", ready_path="/login", workers=2) as a,
        running_server(location(store), tmp_path / "b", ready_path="/login", workers=1) as b,
    ):
        yield a, b


def test_an_import_through_one_worker_is_seen_through_the_other(two_workers, tmp_path):
    a, b = two_workers
    assert sponsored(a) == sponsored(b) == 18
    session = requests.Session()
    page = session.get(a + "/login", timeout=60).text
    signed_in = session.post(
        a + "/login",
        data={"user": "lan", "password": PASSWORD, "csrf": csrf(page), "next": "/import"},
        timeout=60,
    )
    assert signed_in.ok and 'id="upload-form"' in signed_in.text
    # The session cookie made by worker A is good on worker B (one key, one account table).
    on_b = session.get(b + "/import", timeout=60)
    assert on_b.status_code == 200 and 'id="upload-form"' in on_b.text

    path = write_csv(tmp_path / "so-tu-phap.csv", [ASSIGNMENT_HEADER, CAO_TRI])
    with path.open("rb") as fh:
        report = session.post(
            a + "/import/upload",
            data={"csrf": csrf(on_b.text), "kind": "assignments"},
            files={"file": (path.name, fh, "text/csv")},
            timeout=120,
        )
    assert 'data-ok="1"' in report.text, report.text[:2000]
    token = re.search(r'name="token" value="([^"]+)"', report.text).group(1)
    done = session.post(
        a + "/import/confirm", data={"csrf": csrf(report.text), "token": token}, timeout=120
    )
    assert 'id="import-result"' in done.text
    answered = time.monotonic()
    time.sleep(CHECK_INTERVAL_S)  # the one wait the app imposes (on a busy machine it is longer)
    asked = time.monotonic()
    assert sponsored(b) == 19, "B's first request after the interval did not show the import"
    seen = time.monotonic()
    assert sponsored(b) == 19
    again = time.monotonic() - seen
    print(
        f"\nimport answered by A, shown by B after {seen - answered:.2f} s "
        f"(waited {asked - answered:.2f} s; B's request that reloaded took {seen - asked:.2f} s, "
        f"the next one {again:.2f} s)"
    )
    # Each new connection to A may reach either of its workers: all of them show the import.
    assert [sponsored(a) for _ in range(6)] == [19] * 6
