"""``ntm-atlas data build``: upstream files → one store (a GeoPackage, or PostGIS).

:func:`build_tables` is pure given the upstream paths; :func:`build_store` fetches and writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geodata import boundaries as bd
from geodata import gso, programme, sources
from geodata.imports.apply import carry_imports
from geodata.placement import place_in_areas
from geodata.settings import Settings
from geodata.store import Store, open_store

COMMUNE_COLUMNS = ["code", "name", "kind", "district_code", "district_name", "area_km2"]
PROVINCE_NAME = "Tỉnh Bắc Kạn"


@dataclass
class BuildResult:
    tables: dict[str, pd.DataFrame]
    report: dict[str, object] = field(default_factory=dict)


def _communes_2019(gadm_path: Path, units_2019: pd.DataFrame):
    """The 2019 communes: GADM's shapes with the GSO codes attached, cleaned into a coverage
    (no gaps or overlaps), with their areas; and the coverage report of GADM's raw shapes
    (kept in the store's report, to show what cleaning changed)."""
    raw = bd.attach_codes(bd.read_gadm(gadm_path), units_2019)
    communes = bd.clean_coverage(raw)
    communes["area_km2"] = bd.area_km2(communes.geometry)
    return communes[[*COMMUNE_COLUMNS, "gadm_id", "geometry"]], bd.coverage_report(raw)


def _province(districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The province outline: the union of its districts, so it fits them exactly."""
    geom = bd._polygonal(shapely.coverage_union_all(districts.geometry.to_numpy()))
    province = gpd.GeoDataFrame(
        {"code": [gso.BAC_KAN], "name": [PROVINCE_NAME]}, geometry=[geom], crs=bd.STORE_CRS
    )
    province["area_km2"] = bd.area_km2(province.geometry)
    return province


def _programme_tables(units_2019, units_2020, crosswalk, communes_2019, communes_2025) -> dict:
    """The programme's tables from the seed files, resolved against the official unit lists;
    projects without coordinates are placed inside their commune."""
    gaz = programme.Gazetteer(units={2019: units_2019, 2020: units_2020}, crosswalk=crosswalk)
    assignments, assignments_aggregate = programme.build_assignments(gaz)
    agencies = programme.build_agencies(assignments)
    projects, projects_aggregate = programme.build_projects(gaz, agencies)
    projects = _place_projects(projects, communes_2019, communes_2025)
    return {
        "agencies": agencies,
        "assignments": assignments,
        "assignments_aggregate": assignments_aggregate,
        "projects": projects,
        "projects_aggregate": projects_aggregate,
        "commune_status": programme.build_status(gaz),
        "official_counts": programme.build_official_counts(gaz),
    }


def _with_web_copies(communes: dict[str, gpd.GeoDataFrame], report: dict) -> dict:
    """Each vintage's communes, then their simplified copies for the browser (``*_web``);
    the coverage report of both goes into ``report``."""
    tables: dict[str, pd.DataFrame] = dict(communes)
    for name, full in communes.items():
        report[name] = bd.coverage_report(full)
        web = bd.simplify_coverage(full)
        report[f"{name}_web"] = bd.coverage_report(web)
        tables[f"{name}_web"] = web
    return tables


def build_tables(paths: dict[str, Path]) -> BuildResult:
    """Every layer and table of the store, from local copies of the upstream files."""
    units_2019 = gso.read_units(paths[sources.GSO_2019])
    units_2020 = gso.read_units(paths[sources.GSO_2020])
    crosswalk = programme.read_seed("crosswalk")
    communes_2019, gadm_raw = _communes_2019(paths[sources.GADM], units_2019)
    report: dict[str, object] = {"gadm_raw": gadm_raw}
    communes_2020 = _communes_2020(communes_2019, units_2020, crosswalk)
    communes_2025 = _communes_2025(paths[sources.WARDS_2025], crosswalk)
    districts = _districts(communes_2019)
    province = _province(districts)
    _, ref_outline, _ = bd.read_gis_province(paths[sources.GIS_BAC_KAN])
    report["province_iou_vs_dvhcvn"] = round(bd.iou(province.geometry.iloc[0], ref_outline), 4)
    neighbours = _neighbours([paths[n] for n in sources.GIS_NEIGHBOURS])
    programme_tables = _programme_tables(
        units_2019, units_2020, crosswalk, communes_2019, communes_2025
    )
    vintages = {
        "communes_2019": communes_2019,
        "communes_2020": communes_2020,
        "communes_2025": communes_2025,
    }
    tables = {
        **_with_web_copies(vintages, report),
        "districts": districts,
        "province": province,
        "neighbours": neighbours,
        "crosswalk": crosswalk,
        **programme_tables,
    }
    report["counts"] = {k: len(v) for k, v in tables.items()}
    return BuildResult(tables=tables, report=report)


def build_store(settings: Settings, out: Store | Path | str | None = None) -> BuildResult:
    """Fetch the upstream files, build every table and write the store (``out``, else the
    settings' store) all or nothing."""
    registry = sources.registry()
    paths = {name: sources.fetch(name, settings) for name in registry}
    result = build_tables(paths)
    meta = _metadata(registry, paths, result.report)
    target = open_store(out if out is not None else settings.store)
    with target.lock():  # imports are carried over, never dropped (geodata.imports.apply)
        tables = carry_imports(target, {**result.tables, "build_info": meta})
        target.write_all(tables)
    return result


def build_at(location: Path | str) -> Path:
    """Build a store at ``location`` from the upstream files (from the mirror when
    ``NTM_ATLAS_MIRROR`` names one) and return its path: for the scripts (benchmarks, docs)
    that take ``--store`` and build a store of their own without it."""
    settings = Settings.from_env().with_store(location)
    build_store(settings)
    return settings.store_path


def _communes_2020(
    c2019: gpd.GeoDataFrame, units: pd.DataFrame, crosswalk: pd.DataFrame
) -> gpd.GeoDataFrame:
    """The 108 units of 2020-02 → 2025-06, dissolved from the clean 2019 coverage.

    Two 2019 communes were split in 2020 (Phong Huân, Lương Hạ); no boundary of the split is
    published, so each goes whole to the unit that took most of it (see the crosswalk).
    """
    to_2020 = crosswalk.set_index("code_2019")["code_2020"]
    tagged = c2019.assign(code_2020=c2019["code"].map(to_2020))
    geoms = bd.dissolve(tagged, "code_2020")
    table = units.set_index("code").loc[geoms.index].reset_index()
    out = gpd.GeoDataFrame(
        table[["code", "name", "kind", "district_code", "district_name"]],
        geometry=geoms.to_numpy(),
        crs=bd.STORE_CRS,
    )
    out["area_km2"] = bd.area_km2(out.geometry)
    return out[[*COMMUNE_COLUMNS, "geometry"]]


def _communes_2025(path: Path, crosswalk: pd.DataFrame) -> gpd.GeoDataFrame:
    """The 37 units of the former Bắc Kạn area inside Thái Nguyên (from 2025-07-01)."""
    names = crosswalk.drop_duplicates("code_2025").set_index("code_2025")["name_2025"]
    wards = bd.clean_coverage(bd.read_wards_2025(path, set(names.index)))
    wards["name"] = wards["code"].map(names)  # the crosswalk's official names
    wards["district_code"] = None  # districts were abolished on 2025-07-01
    wards["district_name"] = None
    wards["area_km2"] = bd.area_km2(wards.geometry)
    return wards[[*COMMUNE_COLUMNS, "geometry"]]


def _districts(c2019: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geoms = bd.dissolve(c2019, "district_code")
    names = c2019.drop_duplicates("district_code").set_index("district_code")["district_name"]
    out = gpd.GeoDataFrame(
        {"code": geoms.index, "name": names.loc[geoms.index].to_numpy()},
        geometry=geoms.to_numpy(),
        crs=bd.STORE_CRS,
    )
    out["area_km2"] = bd.area_km2(out.geometry)
    return out


def _neighbours(paths: list[Path]) -> gpd.GeoDataFrame:
    rows = [bd.read_gis_province(p)[:2] for p in paths]
    return gpd.GeoDataFrame(
        {"code": [info["code"] for info, _ in rows], "name": [info["name"] for info, _ in rows]},
        geometry=[geom for _, geom in rows],
        crs=bd.STORE_CRS,
    )


def _place_projects(
    projects: pd.DataFrame, c2019: gpd.GeoDataFrame, c2025: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Points inside each project's commune in every vintage (2019 unit ∩ its 2025 unit)."""
    g2019 = c2019.set_index("code").geometry
    g2025 = c2025.set_index("code").geometry
    keys = list(zip(projects["code_2019"], projects["code_2025"], strict=True))
    areas = {k: g2019[k[0]].intersection(g2025[k[1]]) for k in set(keys)}
    points = place_in_areas(keys, areas)
    return gpd.GeoDataFrame(projects, geometry=points, crs=bd.STORE_CRS)


def _metadata(registry: dict, paths: dict[str, Path], report: dict) -> pd.DataFrame:
    rows = [
        {"key": "built_at", "value": datetime.now(UTC).isoformat(timespec="seconds")},
        {"key": "schema", "value": "1"},
        {"key": "report", "value": json.dumps(report, ensure_ascii=False, default=str)},
    ]
    for name, src in registry.items():
        rows.append(
            {
                "key": f"source:{name}",
                "value": json.dumps(
                    {
                        "url": src.url,
                        "sha256": sources.sha256_of(paths[name]),
                        "licence": src.licence,
                        "attribution": src.attribution,
                    },
                    ensure_ascii=False,
                ),
            }
        )
    return pd.DataFrame(rows)
