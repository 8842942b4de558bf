"""The words of an export (dates, the filters in words, source lines, the completeness note)
and the formats it can take."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from dashboard.export_text import t
from geodata import programme
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


def format_date(day: dt.date | str, lang: str) -> str:
    """Dates as Vietnamese readers write them (dd/mm/yyyy), ISO in English; an ISO text (a
    ``built_at`` time stamp, a source's ``2019-05`` or ``2019``) is written the same way.

    >>> format_date(dt.date(2026, 11, 28), "vi"), format_date(dt.date(2026, 11, 28), "en")
    ('28/11/2026', '2026-11-28')
    >>> format_date("2026-11-28T10:00:00+00:00", "vi"), format_date("2019-05", "vi")
    ('28/11/2026', '05/2019')
    >>> format_date("2019", "vi"), format_date("", "vi")
    ('2019', '')
    """
    if isinstance(day, str):
        text = day.strip()[:10]
        parts = text.split("-")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            return format_date(dt.date(*map(int, parts)), lang)
        if lang == "vi" and len(parts) == 2 and all(p.isdigit() for p in parts):
            return f"{parts[1]}/{parts[0]}"
        return text
    return day.strftime("%d/%m/%Y") if lang == "vi" else day.isoformat()


def difficult_line(bundle: Bundle, vintage: int, filters: Filters, lang: str = "vi") -> str:
    """How complete the official difficult list of the view's period is, e.g. "39 / 67 xã khu
    vực III đã biết (2021–2025, 861/QĐ-TTg (04/06/2021)); 10 xã suy ra, nguồn không nêu tên"."""
    period = programme.period_of(vintage, filters.year_from, filters.year_to)
    c = programme.difficult_completeness(bundle, period, filters.districts)
    fields = {
        "known": c.known,
        "total": c.total,
        "cls": t(f"difficult.class.{period}", lang),
        "period": period.replace("-", "–"),
        "decision": c.decision or "",
    }
    text = t("difficult.known_of" if c.total is not None else "difficult.known", lang, **fields)
    if c.inferred:
        text += t("difficult.inferred", lang, n=c.inferred)
    return text


def _listed(key: str, values: Sequence[str], sep: str, lang: str) -> str:
    """``sub.<x>`` for one value, ``sub.<x>.many`` for several ("district" / "districts")."""
    return t(key if len(values) == 1 else f"{key}.many", lang, v=sep.join(values))


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
        shown = [short_name(names.get(c, c)) for c in f.districts]
        parts.append(_listed("sub.districts", shown, ", ", lang))
    if f.sponsors:
        parts.append(_listed("sub.sponsors", f.sponsors, "; ", lang))
    if f.sponsor_kinds:
        v = [t(SponsorKind.label_key_of(k), lang) for k in f.sponsor_kinds]
        parts.append(_listed("sub.sponsor_kinds", v, ", ", lang))
    if f.project_kinds:
        v = [t(ProjectKind.label_key_of(k), lang) for k in f.project_kinds]
        parts.append(_listed("sub.project_kinds", v, ", ", lang))
    if f.criteria:
        parts.append(_listed("sub.criteria", [str(c) for c in f.criteria], ", ", lang))
    if f.year_from is not None or f.year_to is not None:
        a = f.year_from if f.year_from is not None else "…"
        b = f.year_to if f.year_to is not None else "…"
        parts.append(t("sub.years", lang, v=f"{a}–{b}"))
        if not f.include_undated:
            parts.append(t("sub.undated_out", lang))
    if f.statuses:
        v = [t(ProjectStatus.label_key_of(s), lang) for s in f.statuses]
        parts.append(_listed("sub.statuses", v, ", ", lang))
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


#: Credit keys (``credit.<prefix>`` in the translation table) by upstream file-name prefix, so
#: a sheet credits its sources in its own language.
_CREDIT_PREFIXES = (
    "gadm41",
    "dvhcvn-historical-data.2020-01-01",
    "dvhcvn-historical-data.2020-02-01",
    "dvhcvn.2025",
    "dvhcvn.gis",
    "vietnam-3d-map",
)


def _credit_key(file: str) -> str | None:
    for prefix in _CREDIT_PREFIXES:
        if file.startswith(prefix):
            return f"credit.{prefix}"
    return None


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
        credit = _credit_key(str(src["file"]))
        line = t(credit, lang) if credit else ""
        if not line or line == credit:  # an upstream file the table does not know yet
            line = f"{attribution} — {src.get('licence', '')}".strip(" —")
        lines.append(line)
    urls = pd.concat([r["source_url"] for r in records if "source_url" in r]).dropna().unique()
    if len(urls):
        hosts = sorted({_host(u) for u in urls})
        shown = ", ".join(hosts[:4]) + (", …" if len(hosts) > 4 else "")
        lines.append(t("sheet.programme_sources", lang, n=len(urls), hosts=shown))
    return lines


def counted(n: int, noun: str, lang: str = "vi") -> str:
    """A count with its noun in the right number (``count.<noun>.one`` / ``.other``).

    >>> counted(1, "sources", "en"), counted(2, "sources", "en"), counted(1, "sources", "vi")
    ('1 source', '2 sources', '1 nguồn')
    """
    return t(f"count.{noun}.{'one' if n == 1 else 'other'}", lang, n=n)


def completeness_note(records: dict, lang: str = "vi") -> str:
    """The "how much data stands behind this" sentence (see :func:`coverage.completeness`)."""
    years = ""
    if records.get("year_min") is not None:
        years = t("sheet.years", lang, a=records["year_min"], b=records["year_max"])
    return t(
        "sheet.note",
        lang,
        assignments=counted(records["n_assignments"], "assignments", lang),
        projects=counted(records["n_projects"], "projects", lang),
        status=counted(records["n_status"], "status", lang),
        sources=counted(records["n_sources"], "sources", lang),
        years=years,
        undated=counted(records["n_undated"], "undated", lang),
    )


def _fmt_from_suffix(path: Path | str, valid: Sequence[str], default: str) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix if suffix in valid else default
