"""The benchmark runs end to end (``--quick``), so it cannot rot. No timing is asserted: the
benchmark prints figures, the test checks that every figure was measured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def test_quick_benchmark_measures_every_figure(store_path, tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--store",
            str(store_path),
            "--out",
            str(tmp_path),
            "--label",
            "ci",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "| navigation → map drawn (s) |" in done.stdout
    (path,) = tmp_path.glob("*-ci.json")
    result = json.loads(path.read_text())
    for app in ("atlas", "naive"):
        s = result["summary"][app]
        first = ("first_scripts_ms", "first_layout_ms", "first_map_ms", "first_frames")
        for key in ("drawn_s", "repaint_s", "responses_s", "frames", "change_kib", *first):
            assert s[key]["n"] > 0 and s[key]["median"] is not None, (app, key)
        assert s["load_js_kib"]["median"] > 0
    assert result["summary"]["atlas"]["load_geojson_kib"]["median"] > 0  # geometry by URL
    assert result["summary"]["naive"]["load_geojson_kib"]["median"] == 0  # inline GeoJSON
    load = result["load"]
    assert load["requests"] > 0 and load["errors"] == 0
    assert load["rss"]["rss_mib"] > 0
    assert result["machine"]["cpus"] and result["versions"]["dash"]
