"""``ntm-atlas data check``: re-read a store and report counts, validity and coverage problems."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import shapely

from geodata.store import Store

EXPECTED_COUNTS = {
    "communes_2019": 122,
    "communes_2020": 108,
    "communes_2025": 37,
    "districts": 8,
    "province": 1,
    "neighbours": 5,
}
COMMUNE_LAYERS = ("communes_2019", "communes_2020", "communes_2025")


@dataclass
class CheckReport:
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_store(store: Store) -> CheckReport:
    """Every problem found in the store (an empty list means it is sound)."""
    report = CheckReport()
    layers = store.list_layers()
    needed = [
        *EXPECTED_COUNTS,
        *(f"{n}_web" for n in COMMUNE_LAYERS),
        "crosswalk",
        "agencies",
        "assignments",
        "projects",
        "commune_status",
        "build_info",
    ]
    missing = [n for n in needed if n not in layers]
    report.problems += [f"layer {n!r} is missing" for n in missing]
    tables = {n: store.read(n) for n in layers}
    report.counts = {n: len(t) for n, t in tables.items()}

    for name, expected in EXPECTED_COUNTS.items():
        if name in tables and len(tables[name]) != expected:
            report.problems.append(f"{name}: {len(tables[name])} features, expected {expected}")
    for name, table in tables.items():
        if not isinstance(table, gpd.GeoDataFrame):
            continue
        if table.crs is None or table.crs.to_epsg() != 4326:
            report.problems.append(f"{name}: CRS is {table.crs}, expected EPSG:4326")
        invalid = table.loc[~table.geometry.is_valid]
        for row in invalid.itertuples():
            report.problems.append(
                f"{name}: invalid geometry for {getattr(row, 'code', row.Index)}"
            )
    for base in COMMUNE_LAYERS:
        for name in (base, f"{base}_web"):
            if name not in tables:
                continue
            table = tables[name]
            codes = table["code"]
            if codes.duplicated().any():
                report.problems.append(
                    f"{name}: duplicate codes {sorted(codes[codes.duplicated()])}"
                )
            if not codes.str.fullmatch(r"\d{5}").all():
                report.problems.append(f"{name}: codes that are not 5 digits")
            if not shapely.coverage_is_valid(table.geometry.to_numpy()):
                report.problems.append(
                    f"{name}: not a valid coverage (overlaps or unmatched edges)"
                )
    if "crosswalk" in tables:
        cw = tables["crosswalk"]
        for vintage in ("2019", "2020", "2025"):
            name = f"communes_{vintage}"
            if name in tables and set(cw[f"code_{vintage}"]) != set(tables[name]["code"]):
                report.problems.append(f"{name}: codes differ from the crosswalk's code_{vintage}")
    if "projects" in tables:
        report.problems += _points_inside(tables)
    return report


def _points_inside(tables: dict) -> list[str]:
    problems = []
    projects = tables["projects"]
    for vintage in ("2019", "2020", "2025"):
        layer = tables.get(f"communes_{vintage}")
        if layer is None:
            continue
        polys = layer.set_index("code").geometry
        for row in projects.itertuples():
            code = getattr(row, f"code_{vintage}")
            if not isinstance(code, str):  # a 2025 unit formed from several: predecessor unknown
                continue
            if code not in polys.index or not polys[code].contains(row.geometry):
                problems.append(
                    f"project {row.project_id}: point not inside its {vintage} commune {code}"
                )
    return problems
