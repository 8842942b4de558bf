"""Places on the real map that the browser tests point at: a spot inside a commune, clear of
every project point (so that a click or a hover there finds the commune, or one point, alone).

Distances are metres in WGS 84 / UTM zone 48N (:data:`geodata.boundaries.METRIC_CRS`), not
degrees: a buffer in degrees is wider east-west than north-south and geopandas warns about it.
"""

from __future__ import annotations

import geopandas as gpd
import shapely

from geodata.boundaries import METRIC_CRS


def free_spot(
    area: shapely.Geometry, points: gpd.GeoSeries, *, inset_m: float, clear_m: float
) -> shapely.Point:
    """A point of ``area`` (in ``points``' CRS) at least ``inset_m`` inside its border and
    ``clear_m`` from every one of ``points``; the area's representative point if there is no
    such spot. Returned in ``points``' CRS."""
    metric = gpd.GeoSeries([area], crs=points.crs).to_crs(METRIC_CRS).iloc[0]
    taken = shapely.union_all(points.to_crs(METRIC_CRS).buffer(clear_m).to_numpy())
    free = metric.buffer(-inset_m).difference(taken)
    spot = (free if not free.is_empty else metric).representative_point()
    return gpd.GeoSeries([spot], crs=METRIC_CRS).to_crs(points.crs).iloc[0]
