"""What validation checks rows against: the communes of every vintage, their names and shapes,
the districts, the crosswalk between vintages, the province outline and the known agencies.

Built once per import from the store (:meth:`ImportContext.from_store`); pure afterwards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import Transformer

from geodata.boundaries import METRIC_CRS
from geodata.names import Candidate, NameIndex
from geodata.store import Store
from geodata.vocabulary import VINTAGES

#: First day each list of units was in force.
VINTAGE_START = {2019: dt.date(2015, 1, 1), 2020: dt.date(2020, 2, 1), 2025: dt.date(2025, 7, 1)}

# VN-2000 transverse Mercator, 3° zone with Bắc Kạn's provincial central meridian 106°30'
# (Circular 973/2001/TT-TCĐC), and VN-2000 / UTM zone 48N; datum shift from Decision 05/2007.
_TOWGS84 = "-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,-0.00427372,0.252906278"
_VN2000 = f"+ellps=WGS84 +towgs84={_TOWGS84} +units=m +no_defs"
VN2000_CRS = {
    "VN-2000 TM-3 106°30'": (
        f"+proj=tmerc +lat_0=0 +lon_0=106.5 +k=0.9999 +x_0=500000 +y_0=0 {_VN2000}"
    ),
    "VN-2000 UTM 48N": f"+proj=utm +zone=48 {_VN2000}",
}


def vintage_in_force(year: int | None, date: dt.date | None = None) -> int | None:
    """The list of units in force at a date, or (without a date) for most of a year.

    >>> [vintage_in_force(y) for y in (2019, 2020, 2025, 2026, None)]
    [2019, 2020, 2020, 2025, None]
    >>> vintage_in_force(None, dt.date(2025, 7, 1)), vintage_in_force(None, dt.date(2020, 1, 15))
    (2025, 2019)
    """
    if date is not None:
        return (
            max(v for v, start in VINTAGE_START.items() if date >= start)
            if date >= VINTAGE_START[2019]
            else 2019
        )
    if year is None:
        return None
    if year <= 2019:
        return 2019
    if year <= 2025:
        return 2020
    return 2025


@dataclass
class ImportContext:
    """The reference data rows are resolved and checked against."""

    communes: dict[int, gpd.GeoDataFrame]  # vintage → indexed by code
    crosswalk: pd.DataFrame
    province: shapely.Geometry
    agency_names: list[str] = field(default_factory=list)

    @classmethod
    def from_store(cls, store: Store) -> ImportContext:
        communes = {v: store.read(f"communes_{v}").set_index("code") for v in VINTAGES}
        crosswalk = store.read("crosswalk")
        province = store.read("province").geometry.iloc[0]
        agencies = store.read("agencies")
        return cls(communes, crosswalk, province, [str(n) for n in agencies["name"].dropna()])

    @cached_property
    def agency_matches(self) -> dict[str, str | None]:
        """Sponsor text → agency name, filled as rows are checked."""
        return {}

    # ---------------------------------------------------------------- names
    @cached_property
    def indexes(self) -> dict[int, NameIndex]:
        out = {}
        for v, table in self.communes.items():
            parent = table["district_code"] if v != 2025 else pd.Series(None, index=table.index)
            out[v] = NameIndex(
                Candidate(code, name, p if isinstance(p, str) else None)
                for code, name, p in zip(table.index, table["name"], parent, strict=True)
            )
        return out

    @cached_property
    def districts(self) -> dict[str, str]:
        rows = pd.concat([self.communes[2019], self.communes[2020]])
        rows = rows.dropna(subset=["district_code"]).drop_duplicates("district_code")
        return dict(zip(rows["district_code"], rows["district_name"], strict=True))

    @cached_property
    def district_index(self) -> NameIndex:
        return NameIndex(Candidate(c, n) for c, n in self.districts.items())

    @cached_property
    def _units(self) -> dict[int, dict[str, dict]]:
        return {v: t.drop(columns="geometry").to_dict("index") for v, t in self.communes.items()}

    def unit(self, vintage: int, code: str) -> dict:
        """The unit's attributes (name, kind, district_code, district_name, area_km2)."""
        return self._units[vintage][code]

    def label(self, vintage: int, code: str) -> dict[str, str | None]:
        """A suggestion: code, official name and district."""
        unit = self.unit(vintage, code)
        district = unit.get("district_name")
        return {
            "code": code,
            "name": str(unit["name"]),
            "district": district if isinstance(district, str) else None,
        }

    # ---------------------------------------------------------------- codes
    @cached_property
    def _to_later(self) -> dict[tuple[int, str], dict[str, str | None]]:
        out: dict[tuple[int, str], dict[str, str | None]] = {}
        cw = self.crosswalk
        for c19, c20, c25 in zip(cw["code_2019"], cw["code_2020"], cw["code_2025"], strict=True):
            out[(2019, c19)] = {"code_2019": c19, "code_2020": c20, "code_2025": c25}
            # a 2020 unit keeps the code of the 2019 unit that absorbed the others
            out.setdefault((2020, c20), {"code_2019": c20, "code_2020": c20, "code_2025": c25})
        for c25, group in cw.groupby("code_2025"):
            olds = sorted(set(group["code_2019"]))
            news = sorted(set(group["code_2020"]))
            out[(2025, str(c25))] = {
                "code_2019": olds[0] if len(olds) == 1 else None,
                "code_2020": news[0] if len(news) == 1 else None,
                "code_2025": str(c25),
            }
        return out

    def codes_in_all_vintages(self, vintage: int, code: str) -> dict[str, str | None]:
        """The unit's codes in 2019, 2020 and 2025 (None where a 2025 unit has several
        predecessors)."""
        return dict(self._to_later[(vintage, code)])

    def find_code(self, code: str, order: tuple[int, ...]) -> tuple[int, str] | None:
        text = code.strip().split(".")[0]
        if not text.isdigit():
            return None
        text = text.zfill(5)
        for v in order:
            if text in self.communes[v].index:
                return v, text
        return None

    # ---------------------------------------------------------------- geometry
    @cached_property
    def _prepared(self) -> None:
        shapely.prepare(self.province)
        for table in self.communes.values():
            shapely.prepare(table.geometry.to_numpy())

    @cached_property
    def _to_metric(self) -> Transformer:
        return Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)

    @cached_property
    def province_bounds(self) -> tuple[float, float, float, float]:
        return tuple(self.province.bounds)

    @cached_property
    def _geometries(self) -> dict[int, dict[str, object]]:
        """Each vintage's commune geometries by code (a dict: no pandas lookup per row)."""
        self._prepared  # noqa: B018
        return {
            v: dict(zip(t.index, t.geometry.to_numpy(), strict=True))
            for v, t in self.communes.items()
        }

    def in_province(self, lon: float, lat: float, tolerance_deg: float = 0.005) -> bool:
        self._prepared  # noqa: B018
        if shapely.contains_xy(self.province, lon, lat):
            return True
        return bool(self.province.distance(shapely.Point(lon, lat)) <= tolerance_deg)

    def commune_at(self, vintage: int, lon: float, lat: float) -> str | None:
        self._prepared  # noqa: B018
        geoms = self.communes[vintage].geometry
        hits = shapely.contains_xy(geoms.to_numpy(), lon, lat)
        return str(geoms.index[hits.argmax()]) if hits.any() else None

    def distance_m(self, vintage: int, code: str, lon: float, lat: float) -> float:
        """Metres from the point to the commune (0 inside)."""
        geom = self._geometries[vintage][code]
        if shapely.contains_xy(geom, lon, lat):
            return 0.0
        nearest = shapely.shortest_line(geom, shapely.Point(lon, lat))
        (x0, y0), (x1, y1) = nearest.coords
        a = self._to_metric.transform(x0, y0)
        b = self._to_metric.transform(x1, y1)
        return float(((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5)

    @cached_property
    def vn2000(self) -> dict[str, Transformer]:
        return {
            name: Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
            for name, crs in VN2000_CRS.items()
        }
