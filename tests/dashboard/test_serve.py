"""``ntm-atlas serve``: gunicorn workers that any request can reach, each seeing a replaced
store; ``--debug`` keeps Flask's development server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from store_samples import add_cao_tri_assignment, location

from dashboard.cli import _parser
from dashboard.headless import NotAnswering, free_port, wait_until_answers
from dashboard.serving import ServeOptions, gunicorn_config
from geodata.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


def _layouts(url: str, n: int) -> set[bytes]:
    """Distinct ``/_dash-layout`` bodies of ``n`` concurrent requests (any worker answers)."""

    def get(_):
        with urllib.request.urlopen(url + "/_dash-layout", timeout=120) as r:
            return r.read()

    with ThreadPoolExecutor(n) as pool:
        return set(pool.map(get, range(n)))


def test_serve_options():
    args = _parser().parse_args(["serve", "--workers", "3", "--threads", "2", "--port", "9"])
    assert (args.workers, args.threads, args.port, args.debug) == (3, 2, 9, False)
    assert _parser().parse_args(["serve", "--debug"]).debug
    config = gunicorn_config(Settings(Path("s.gpkg"), Path("c"), host="::1"), ServeOptions(2, 4))
    assert config["bind"] == "[::1]:8050" and config["worker_class"] == "gthread"


EXIT = """
import atexit, sys, types
from pathlib import Path
from dashboard.serving import ServeOptions, gunicorn_config
from geodata.settings import Settings
config = gunicorn_config(Settings("s.gpkg", "c"), ServeOptions())
atexit.register(lambda: Path(sys.argv[1]).write_text("cleaned"))
if sys.argv[2] == "master":  # gunicorn calls on_exit while it handles why it stops
    try:
        raise {"term": StopIteration(), "halt": RuntimeError("worker failed to boot")}[sys.argv[3]]
    except Exception:
        config["on_exit"](None)
else:
    worker = types.SimpleNamespace(booted=sys.argv[2] == "booted", alive=sys.argv[3] == "alive")
    config["worker_exit"](None, worker)
print("returned")
"""


@pytest.mark.parametrize(
    ("who", "state", "leaves"),
    [
        ("booted", "stopped", True),
        ("booted", "alive", False),
        ("failed", "stopped", False),
        ("master", "term", True),
        ("master", "halt", False),
    ],
)
def test_a_stopped_server_leaves_at_once_after_its_exit_functions(tmp_path, who, state, leaves):
    """gunicorn's worker_exit and on_exit hooks: a worker that stopped as asked, and the master
    stopped by a signal, end their process there (exit code 0) once the exit functions ran
    (temporary files are removed by them); a worker still alive or one that never booted, and
    a master halting for a reason, return to gunicorn's own exit (and exit code)."""
    mark = tmp_path / "cleaned.txt"
    run = subprocess.run(
        [sys.executable, "-c", EXIT, str(mark), who, state],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert ("returned" not in run.stdout) is leaves
    assert mark.read_text() == "cleaned"  # exit functions ran either way


def test_every_worker_answers_and_sees_a_replaced_store(store, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "NTM_ATLAS_CACHE": str(tmp_path / "cache"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("NTM_ATLAS_DATABASE_URL", None)
    postgis = location(store).startswith("postgresql")
    env["NTM_ATLAS_DATABASE_URL" if postgis else "NTM_ATLAS_DATA"] = location(store)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port), "--workers", "2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        try:
            wait_until_answers(url + "/", proc, 180)
        except NotAnswering as e:
            pytest.fail(f"serve did not start ({e}):\n{log.read_text()}")
        assert "gunicorn" in log.read_text()
        # the master forked two workers (the first may answer before the second is forked)
        deadline = time.monotonic() + 60
        while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(_children(proc.pid)) == 2
        before = _layouts(url, 12)
        assert len(before) == 1  # every worker serves the same page

        add_cao_tri_assignment(store)  # rewrites the store, as a rebuild does
        deadline = time.monotonic() + 90
        while True:
            after = _layouts(url, 12)
            if len(after) == 1 and after != before:
                break  # all twelve answers, from whichever worker, show the new store
            assert time.monotonic() < deadline, "a worker kept the old store"
            time.sleep(1)
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.wait(timeout=30)
