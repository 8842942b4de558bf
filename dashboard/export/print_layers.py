"""What a print map draws: the base layers of a view, project points and legends."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard.export_text import t
from geodata.bundle import Bundle, check_vintage
from geodata.coverage import Filters
from geodata.view import View
from geodata.vocabulary import short_name
from layers import sheet, styles
from layers.sheet import LegendItem, LegendSection, MapLayers

#: Line of the districts abolished in 2025, on the 2025 maps: faint, dashed, never a unit.
FORMER_DISTRICT = "#8f8f8f"


@dataclass(frozen=True)
class PrintBase:
    """The bundle's geometry in the print CRS, projected once (an atlas draws it 122 times)."""

    communes: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame | None
    province: gpd.GeoDataFrame | None
    neighbours: gpd.GeoDataFrame | None
    vintage: int

    @classmethod
    def of(cls, bundle: Bundle, vintage: int, lang: str = "vi") -> PrintBase:
        vintage = check_vintage(vintage)
        communes = sheet.project(bundle.communes(vintage)[["code", "name", "geometry"]])
        districts = bundle.tables.get("districts")
        if districts is not None:
            districts = sheet.project(districts[["code", "name", "geometry"]])
            label = districts["name"].map(short_name)
            if vintage == 2025:
                label = label + " " + t("sub.former", lang)
            districts = districts.assign(label=label.to_numpy())
        province = bundle.tables.get("province")
        if province is not None:
            province = sheet.project(province[["code", "name", "geometry"]])
        neighbours = bundle.tables.get("neighbours")
        if neighbours is not None:
            neighbours = sheet.project(neighbours[["code", "name", "geometry"]])
            neighbours = neighbours.assign(label=neighbours["name"].map(short_name).to_numpy())
        return cls(communes, districts, province, neighbours, vintage)

    def locator(self) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame] | None:
        """(context, province) for a locator inset, simplified to ~300 m (it is a few cm wide)."""
        if self.province is None:
            return None
        context = self.neighbours if self.neighbours is not None else self.province.iloc[:0]
        simple = context.assign(geometry=context.geometry.simplify(300))
        return (simple, self.province.assign(geometry=self.province.geometry.simplify(150)))


def project_points(projects: pd.DataFrame) -> pd.DataFrame:
    """Filtered projects as print points: ``x``, ``y`` (print CRS), ``colour``, ``letter``,
    ``approximate``, ``kind``."""
    df = projects.dropna(subset=["lon", "lat"])
    if df.empty:
        return pd.DataFrame(columns=["x", "y", "colour", "letter", "approximate", "kind"])
    pts = gpd.GeoSeries(gpd.points_from_xy(df["lon"], df["lat"]), crs=4326).to_crs(sheet.PRINT_CRS)
    kinds = [styles.kind_style(k) for k in df["kind"]]
    return pd.DataFrame(
        {
            "x": pts.x.to_numpy(),
            "y": pts.y.to_numpy(),
            "colour": [k.colour for k in kinds],
            "letter": [k.letter for k in kinds],
            "approximate": styles.is_approximate(df["location_precision"]),
            "kind": [k.key for k in kinds],
        }
    )


def measure_legend(measure: str, table: pd.DataFrame, lang: str) -> LegendSection:
    """The measure's classes with their commune counts; "outside the filters" hatched."""
    items = []
    for entry in styles.legend(measure, table):
        out = entry.key == "out_of_view"
        items.append(
            LegendItem(
                f"{t(entry.label_key, lang)} ({entry.count})",
                entry.colour,
                hatch="////" if out else None,
                edgecolor="#bdbdbd" if out else "#8c8c8c",
            )
        )
    return LegendSection(t(f"sheet.measure.{measure}", lang), tuple(items))


def layer_legend(points: pd.DataFrame, vintage: int, lang: str) -> list[LegendSection]:
    """Legend sections of the visible point kinds and the boundary lines."""
    sections = []
    if len(points):
        present = set(points["kind"])
        counts = points["kind"].value_counts()
        items = [
            LegendItem(f"{t(k.label_key, lang)} ({counts[k.key]})", k.colour, "point", k.letter)
            for k in styles.PROJECT_KINDS.values()
            if k.key in present
        ]
        if points["approximate"].any():
            items.append(LegendItem(t("legend.approximate", lang), "#777777", "halo"))
        sections.append(LegendSection(t("sheet.projects", lang), tuple(items)))
    lc = styles.LINE_COLOURS
    district = "legend.district_former" if vintage == 2025 else "legend.district"
    sections.append(
        LegendSection(
            t("sheet.boundaries", lang),
            (
                LegendItem(
                    t("legend.province", lang),
                    lc["province"],
                    "line",
                    linewidth=1.8,
                    layer="province",
                ),
                LegendItem(
                    t(district, lang), lc["district"], "line", linewidth=1.0, layer="districts"
                )
                if vintage != 2025
                else LegendItem(
                    t(district, lang),
                    FORMER_DISTRICT,
                    "line",
                    linewidth=0.7,
                    linestyle="--",
                    layer="districts",
                ),
                LegendItem(t("legend.commune", lang), lc["commune"], "line", linewidth=0.5),
                LegendItem(
                    t("legend.neighbour", lang),
                    lc["neighbour_fill"],
                    edgecolor=lc["neighbour_line"],
                    layer="province",
                ),
            ),
        )
    )
    return sections


def map_layers(
    bundle: Bundle,
    base: PrintBase,
    measure: str,
    filters: Filters,
    *,
    label_communes: bool | None = None,
) -> tuple[MapLayers, pd.DataFrame, pd.DataFrame]:
    """The print layers for a measure and filters, with the measures table and the filtered
    projects. Communes are labelled when at most 40 are in view (or as asked)."""
    vintage = base.vintage
    view = View(bundle, vintage, filters)
    table = view.measures
    cls = styles.classify(measure, table)
    colours = np.asarray(styles.class_colours(measure), dtype=object)[cls]
    communes = base.communes.assign(fill=list(colours), in_view=table["in_view"].to_numpy(bool))
    projects = view.projects
    points = project_points(projects)
    view = communes.loc[communes["in_view"]]
    extent = tuple(view.total_bounds) if len(view) else tuple(communes.total_bounds)
    if label_communes is None:
        label_communes = 0 < len(view) <= 40
    labels = None
    if label_communes:
        rp = view.geometry.representative_point()
        labels = pd.DataFrame({"x": rp.x, "y": rp.y, "label": view["name"].map(short_name)})
    layers = MapLayers(
        communes=communes,
        districts=base.districts,
        province=base.province,
        neighbours=base.neighbours,
        points=points,
        commune_labels=labels,
        extent=extent,
        commune_edge=styles.LINE_COLOURS["commune"],
        line_colours={**styles.LINE_COLOURS, "district_former": FORMER_DISTRICT},
        former_districts=vintage == 2025,
    )
    return layers, table, projects
