"""Imported projects without coordinates are placed inside their commune by the import and
reach the standalone HTML map (issue 12: "export html drew none of 75 imported projects")."""

from __future__ import annotations

import json

from import_samples import PROJECT_HEADER, write_csv

from dashboard.export import export_html_text
from geodata.bundle import Bundle
from geodata.coverage import Filters
from geodata.imports import check_file, import_report


def test_imported_points_placed_in_their_commune_reach_the_html_map(store, tmp_path):
    titles = [f"Nhà văn hóa thôn Kiểm Tra {i}" for i in range(3)]
    rows = [
        [i + 1, title, "Xuân Lạc", "Chợ Đồn", f"Bản {i}", 2019, 1_000_000, None, None, "Sở Y tế"]
        for i, title in enumerate(titles)
    ]
    path = write_csv(tmp_path / "p.csv", [PROJECT_HEADER, *rows])
    import_report(check_file(path, "projects", store), store, file=path)
    projects = store.read("projects")
    mine = projects.loc[projects["title"].isin(titles)]
    assert len(mine) == 3 and set(mine["location_precision"]) == {"commune"}
    assert not mine.geometry.is_empty.any()  # placed, without lon/lat columns
    bundle = Bundle.load(store)
    loaded = bundle.projects.loc[bundle.projects["title"].isin(titles)]
    assert len(loaded) == 3 and loaded[["lon", "lat"]].notna().all().all()
    html = export_html_text(bundle, Filters(), "coverage", 2019, "vi")
    for title in titles:  # in the popups (as JSON, which escapes the diacritics)
        assert title in html or json.dumps(title)[1:-1] in html
