"""Data exports: the filtered communes with their measures, assignments, projects, sources."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from dashboard.export.cells import csv_frame, text_cells_as_text
from dashboard.export.html_map import _sources_by_code
from dashboard.export.values import in_words
from dashboard.export.words import (
    DATA_FORMATS,
    _fmt_from_suffix,
    _today,
    completeness_note,
    describe_filters,
    difficult_line,
    format_date,
    source_lines,
)
from dashboard.export_text import check_lang, t
from geodata import coverage
from geodata.bundle import Bundle, check_vintage
from geodata.coverage import Filters
from geodata.view import View

#: Columns of the exported assignments and projects tables.
ASSIGNMENT_COLUMNS = (
    "assignment_id",
    "sponsor_name",
    "sponsor_kind",
    "commune",
    "period_start_year",
    "period_end_year",
    "activities_summary",
    "activities_summary_en",
    "source_url",
    "source_date",
    "confidence",
    "code_2019",
    "code_2020",
    "code_2025",
)
PROJECT_COLUMNS = (
    "project_id",
    "kind",
    "title",
    "title_en",
    "commune",
    "village",
    "year_start",
    "year_end",
    "ntm_criterion",
    "sponsor_name",
    "agency",
    "cost_vnd",
    "quantity_notes",
    "quantity_notes_en",
    "status",
    "location_precision",
    "source_url",
    "source_date",
    "confidence",
    "lon",
    "lat",
    "code_2019",
    "code_2020",
    "code_2025",
)


@dataclass(frozen=True)
class DataTables:
    """What a data export holds: communes (with measures and geometry), assignments, projects,
    sources, and an about table (vintage, filters, completeness, dates, licences)."""

    communes: gpd.GeoDataFrame
    assignments: pd.DataFrame
    projects: pd.DataFrame
    sources: pd.DataFrame
    about: pd.DataFrame


def data_tables(
    bundle: Bundle,
    filters: Filters | None = None,
    vintage: int = 2019,
    lang: str = "vi",
    today: dt.date | None = None,
) -> DataTables:
    """The filtered communes (in view) with every measure and their source links, the filtered
    assignments and projects (with their vintage code), the sources and an about table."""
    lang = check_lang(lang)
    filters = filters or Filters()
    vintage = check_vintage(vintage)
    col = f"code_{vintage}"
    view = View(bundle, vintage, filters)
    m, asg, prj, sta = view.measures, view.assignments, view.projects, view.status
    src = _sources_by_code([asg, prj, sta], col)
    m = m.loc[m["in_view"]].drop(columns=["in_view"]).reset_index(drop=True)
    m["sources"] = [" ; ".join(src.get(c, [])) for c in m["code"]]
    m["ntm_year"] = m["ntm_year"].astype("Int64")
    geom = bundle.communes(vintage).set_index("code").loc[m["code"], "geometry"]
    communes = gpd.GeoDataFrame(m, geometry=geom.to_numpy(), crs=bundle.communes(vintage).crs)

    asg = asg[[c for c in ASSIGNMENT_COLUMNS if c in asg]].reset_index(drop=True)
    prj = prj[[c for c in PROJECT_COLUMNS if c in prj]].reset_index(drop=True)
    urls = pd.concat([asg["source_url"], prj["source_url"], sta["source_url"]]).dropna()
    counts = urls.value_counts()
    sources = pd.DataFrame({"url": counts.index.astype(str), "n_records": counts.to_numpy()})
    sources = sources.sort_values("url").reset_index(drop=True)

    records = coverage.completeness(asg, prj, sta)
    about_rows = [
        ("about.vintage", t(f"sub.vintage.{vintage}", lang)),
        ("about.filters", describe_filters(bundle, vintage, filters, lang)),
        ("about.records", completeness_note(records, lang)),
        ("about.difficult", difficult_line(bundle, vintage, filters, lang)),
        ("about.made", format_date(_today(today), lang)),
        ("about.built", format_date(str(bundle.info.get("built_at", "")), lang)),
    ]
    for line in source_lines(bundle, vintage, [asg, prj, sta], lang):
        about_rows.append(("sheet.sources", line))
    about = pd.DataFrame(
        {"key": [t(k, lang) for k, _ in about_rows], "value": [v for _, v in about_rows]}
    )
    # Codes, yes/no and free texts in the reader's language (the English twins drop out).
    communes = gpd.GeoDataFrame(
        in_words(pd.DataFrame(communes.drop(columns="geometry")), "communes", lang),
        geometry=communes.geometry.to_numpy(),
        crs=communes.crs,
    )
    asg = in_words(asg, "assignments", lang)
    prj = in_words(prj, "projects", lang)
    for df in (asg, prj):
        if "source_date" in df:
            df["source_date"] = [
                format_date(v, lang) if isinstance(v, str) else v for v in df["source_date"]
            ]
    return DataTables(communes, asg, prj, sources, about)


def _headers(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    return df.rename(columns={c: t(f"col.{c}", lang) for c in df.columns if c != "geometry"})


def export_data(
    bundle: Bundle,
    out: Path | str,
    filters: Filters | None = None,
    vintage: int = 2019,
    fmt: str | None = None,
    lang: str = "vi",
    today: dt.date | None = None,
) -> Path:
    """Write the filtered data.

    - ``csv``: the communes table (one row per commune in view, every measure, source links);
      UTF-8 with a byte-order mark so spreadsheet programs read the diacritics.
    - ``xlsx``: one sheet per table (communes, assignments, projects, sources, about) with
      headers in ``lang``.

    In CSV and XLSX, text that a spreadsheet would run as a formula is written as text
    (:mod:`dashboard.export.cells`).
    - ``geojson``: the communes with their measures as properties (EPSG:4326).
    - ``gpkg``: layers ``communes`` and ``projects`` (points) and tables ``assignments``,
      ``sources``, ``about``.
    """
    fmt = fmt or _fmt_from_suffix(out, DATA_FORMATS, "csv")
    if fmt not in DATA_FORMATS:
        msg = f"Unknown data format {fmt!r}; choose one of {', '.join(DATA_FORMATS)}"
        raise ValueError(msg)
    tables = data_tables(bundle, filters, vintage, lang, today)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    writers = {"csv": _write_csv, "xlsx": _write_xlsx, "geojson": _write_geojson}
    writers.get(fmt, _write_gpkg)(tables, out, lang)
    return out


def _write_csv(tables: DataTables, out: Path, lang: str) -> None:
    """The communes table only (a CSV holds one table), with a byte-order mark."""
    communes = pd.DataFrame(tables.communes.drop(columns="geometry"))
    csv_frame(_headers(communes, lang)).to_csv(out, index=False, encoding="utf-8-sig")


def _write_xlsx(tables: DataTables, out: Path, lang: str) -> None:
    """One sheet per table, its header row frozen, columns wide enough for their heading."""
    communes = pd.DataFrame(tables.communes.drop(columns="geometry"))
    with pd.ExcelWriter(out, engine="openpyxl") as xl:
        for key, df in (
            ("sheet.communes", communes),
            ("sheet.assignments", tables.assignments),
            ("sheet.projects_tab", tables.projects),
            ("sheet.sources_tab", tables.sources),
            ("sheet.about", tables.about),
        ):
            name = t(key, lang)[:31]  # Excel's limit for a sheet name
            _headers(df, lang).to_excel(xl, sheet_name=name, index=False)
            sheet_ = xl.sheets[name]
            sheet_.freeze_panes = "A2"
            text_cells_as_text(sheet_)  # imported text is never a formula
            for i, column in enumerate(df.columns, start=1):
                width = min(60, max(10, len(str(t(f"col.{column}", lang))) + 2))
                sheet_.column_dimensions[_xl_col(i)].width = width


def _write_geojson(tables: DataTables, out: Path, lang: str) -> None:
    """The communes with their measures as properties, in EPSG:4326 as GeoJSON wants."""
    if out.exists():
        out.unlink()
    _headers(tables.communes, lang).to_crs(4326).to_file(out, driver="GeoJSON", engine="pyogrio")


def _write_gpkg(tables: DataTables, out: Path, _lang: str) -> None:
    """Every table in one GeoPackage, its columns named as in the store (not translated):
    the communes and the project points as layers, the rest as tables."""
    import pyogrio

    if out.exists():
        out.unlink()
    tables.communes.to_file(out, layer="communes", driver="GPKG", engine="pyogrio")
    prj = tables.projects
    pts = gpd.GeoDataFrame(prj, geometry=gpd.points_from_xy(prj["lon"], prj["lat"]), crs=4326)
    pts.to_file(out, layer="projects", driver="GPKG", engine="pyogrio")
    for name in ("assignments", "sources", "about"):
        pyogrio.write_dataframe(getattr(tables, name), out, layer=name, driver="GPKG")


def _xl_col(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


def export_data_bytes(
    bundle: Bundle,
    filters: Filters | None = None,
    vintage: int = 2019,
    fmt: str = "xlsx",
    lang: str = "vi",
) -> tuple[str, bytes]:
    """A data export as ``(filename, bytes)`` for the dashboard's download buttons."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = export_data(bundle, Path(tmp) / f"data.{fmt}", filters, vintage, fmt, lang)
        data = path.read_bytes()
    extra = "_d" + "-".join(filters.districts) if filters is not None and filters.districts else ""
    return f"ntm-atlas_data_{vintage}{extra}.{fmt}", data
