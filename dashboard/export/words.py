"""The words of an export (dates, the filters in words, source lines, the completeness note)
and the formats it can take."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from dashboard.export_text import t
from geodata.bundle import Bundle
from geodata.coverage import Filters
from geodata.vocabulary import ProjectKind, ProjectStatus, SponsorKind, short_name
from layers import sheet

#: Map sheet formats and data formats.
MAP_FORMATS = sheet.FORMATS
DATA_FORMATS = ("csv", "xlsx", "geojson", "gpkg")
ATLAS_UNITS = ("commune", "district", "sponsor")


def _today(today: dt.date | None) -> dt.date:
    return today or dt.datetime.now(dt.UTC).date()


def format_date(day: dt.date, lang: str) -> str:
    """Dates as Vietnamese readers write them (dd/mm/yyyy), ISO in English.

    >>> format_date(dt.date(2026, 11, 28), "vi"), format_date(dt.date(2026, 11, 28), "en")
    ('28/11/2026', '2026-11-28')
    """
    return day.strftime("%d/%m/%Y") if lang == "vi" else day.isoformat()


def describe_filters(bundle: Bundle, vintage: int, filters: Filters, lang: str = "vi") -> str:
    """The filters and the vintage in words, for a subtitle."""
    parts = [t(f"sub.vintage.{vintage}", lang)]
    f = filters
    if f.is_default:
        parts.append(t("sub.all", lang))
        return " · ".join(parts)
    if f.districts:
        d = bundle.tables.get("districts")
        names = dict(zip(d["code"], d["name"], strict=True)) if d is not None else {}
        parts.append(
            t("sub.districts", lang, v=", ".join(short_name(names.get(c, c)) for c in f.districts))
        )
    if f.sponsors:
        parts.append(t("sub.sponsors", lang, v="; ".join(f.sponsors)))
    if f.sponsor_kinds:
        v = ", ".join(t(SponsorKind.label_key_of(k), lang) for k in f.sponsor_kinds)
        parts.append(t("sub.sponsor_kinds", lang, v=v))
    if f.project_kinds:
        v = ", ".join(t(ProjectKind.label_key_of(k), lang) for k in f.project_kinds)
        parts.append(t("sub.project_kinds", lang, v=v))
    if f.criteria:
        parts.append(t("sub.criteria", lang, v=", ".join(str(c) for c in f.criteria)))
    if f.year_from is not None or f.year_to is not None:
        a = f.year_from if f.year_from is not None else "…"
        b = f.year_to if f.year_to is not None else "…"
        parts.append(t("sub.years", lang, v=f"{a}–{b}"))
        if not f.include_undated:
            parts.append(t("sub.undated_out", lang))
    if f.statuses:
        parts.append(
            t(
                "sub.statuses",
                lang,
                v=", ".join(t(ProjectStatus.label_key_of(s), lang) for s in f.statuses),
            )
        )
    if f.difficult_only:
        parts.append(t("sub.difficult", lang))
    return " · ".join(parts)


def _host(url: str) -> str:
    return urlparse(str(url)).netloc or str(url)


#: Which upstream files drew the boundaries of each vintage (by file-name prefix).
_BOUNDARY_FILES = {
    2019: ("gadm41", "dvhcvn-historical-data.2020-01-01", "dvhcvn.gis"),
    2020: ("gadm41", "dvhcvn-historical-data.2020-02-01", "dvhcvn.gis"),
    2025: ("vietnam-3d-map", "dvhcvn.2025", "dvhcvn.gis"),
}


def source_lines(
    bundle: Bundle, vintage: int, records: Sequence[pd.DataFrame], lang: str = "vi"
) -> list[str]:
    """Attribution lines: one per boundary source of the vintage (attribution — licence, from
    the store's ``build_info``) and one for the programme records shown."""
    lines: list[str] = []
    seen: set[str] = set()
    prefixes = _BOUNDARY_FILES[vintage]
    for src in bundle.sources():
        if not str(src.get("file", "")).startswith(prefixes):
            continue
        attribution = str(src.get("attribution", src["file"]))
        key = attribution.split(",")[0] if src["file"].startswith("dvhcvn.gis") else attribution
        if key in seen:
            continue
        seen.add(key)
        line = f"{attribution} — {src.get('licence', '')}".strip(" —")
        lines.append(line if len(line) < 240 else line[:237] + "…")
    urls = pd.concat([r["source_url"] for r in records if "source_url" in r]).dropna().unique()
    if len(urls):
        hosts = sorted({_host(u) for u in urls})
        shown = ", ".join(hosts[:4]) + (", …" if len(hosts) > 4 else "")
        lines.append(t("sheet.programme_sources", lang, n=len(urls), hosts=shown))
    return lines


def completeness_note(records: dict, lang: str = "vi") -> str:
    """The "how much data stands behind this" sentence (see :func:`coverage.completeness`)."""
    years = ""
    if records.get("year_min") is not None:
        years = t("sheet.years", lang, a=records["year_min"], b=records["year_max"])
    return t(
        "sheet.note",
        lang,
        n_assignments=records["n_assignments"],
        n_projects=records["n_projects"],
        n_status=records["n_status"],
        n_sources=records["n_sources"],
        years=years,
        n_undated=records["n_undated"],
    )


def _fmt_from_suffix(path: Path | str, valid: Sequence[str], default: str) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in valid else default
