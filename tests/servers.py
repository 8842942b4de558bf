"""Running the real server for tests: ``create_app(settings).run`` in a subprocess on a free
port, over a store given by its location (a GeoPackage path or a database URL)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dashboard.headless import NotAnswering, free_port, wait_until_answers

SERVER = """
import sys
from geodata.settings import Settings
from dashboard.app import create_app
settings = Settings(store_path="unused.gpkg", cache_dir=sys.argv[2]).with_store(sys.argv[1])
create_app(settings).run(host="127.0.0.1", port=int(sys.argv[3]), debug=False)
"""


@contextmanager
def running_server(
    store: Path | str, workdir: Path, ready_path: str = "/", workers: int | None = None
) -> Iterator[str]:
    """The dashboard over ``store`` (a GeoPackage path or a database URL) on a free localhost
    port: ``create_app(settings).run`` in one process, or with ``workers`` the production
    server, ``ntm-atlas serve --workers N``. Yields its base URL (no trailing slash) once
    ``ready_path`` answers."""
    port = free_port()
    log_path = workdir / "server.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-c", SERVER, str(store), str(workdir / "cache"), str(port)]
    if workers:
        command = [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)]
        command += ["--workers", str(workers)]
        env["NTM_ATLAS_CACHE"] = str(workdir / "cache")
        if str(store).startswith("postgresql://"):
            env["NTM_ATLAS_DATABASE_URL"] = str(store)
        else:
            env["NTM_ATLAS_DATA"] = str(store)
            env.pop("NTM_ATLAS_DATABASE_URL", None)
    with log_path.open("w") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        url = f"http://127.0.0.1:{port}"
        try:  # a busy machine starts a server slowly
            wait_until_answers(url + ready_path, proc, 240, timeout_s=30)
        except NotAnswering as e:
            proc.terminate()
            pytest.fail(f"the server did not start ({e}):\n{log_path.read_text()}")
        try:
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=60)  # gunicorn lets its workers finish their requests
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
