"""Coded values in words: what a data export writes instead of ``sponsored``, ``high`` or TRUE.

A table the dashboard computes holds codes (``coverage = "difficult_none"``, ``kind =
"bridge"``, ``difficult = True``); a reader of the XLSX, CSV or GeoJSON gets the words of the
chosen language, the same words the screen and the print sheets use (``assets/
translations.json``), and the free-text columns (titles, summaries, notes) in that language.
"""

from __future__ import annotations

import pandas as pd

from dashboard.export_text import t
from geodata.programme import in_language

#: Column -> translation key prefix of its codes (``<prefix>.<code>``).
CODED_COLUMNS = {
    "coverage": "class.coverage",
    "sponsor_kind": "sponsor_kind",
    "confidence": "confidence",
    "location_precision": "precision",
    "status_kind": "status_kind",
}
#: Columns whose codes depend on the table: a commune's kind (xã, phường) or a project's.
_KIND_PREFIX = {"communes": "unit_kind", "projects": "kind"}
#: Free-text columns kept in Vietnamese with an English twin (``<column>_en``).
TEXT_COLUMNS = ("title", "activities_summary", "quantity_notes", "notes")


def _word(prefix: str, value: object, lang: str) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return value
    key = f"{prefix}.{value}"
    text = t(key, lang)
    return value if text == key else text


def in_words(df: pd.DataFrame, table: str, lang: str) -> pd.DataFrame:
    """A copy of an export table with its codes, yes/no values and free texts in ``lang``.

    ``table`` names what the rows are (``communes``, ``assignments``, ``projects``...), for the
    columns whose codes depend on it. The ``<column>_en`` twins are dropped: the chosen language
    is in the column itself.

    >>> df = pd.DataFrame({"coverage": ["difficult_none"], "difficult": [True],
    ...                    "title": ["Cầu"], "title_en": ["Bridge"]})
    >>> in_words(df, "communes", "vi").iloc[0].tolist()
    ['Xã ĐBKK chưa ghi nhận đơn vị giúp đỡ', 'Có', 'Cầu']
    >>> in_words(df, "communes", "en").iloc[0].tolist()
    ['Difficult commune, no sponsor recorded', 'Yes', 'Bridge']
    """
    out = df.copy()
    for col in TEXT_COLUMNS:
        if col in out:
            out[col] = in_language(out, col, lang)
    out = out.drop(columns=[c for c in out.columns if c.endswith("_en")])
    prefixes = dict(CODED_COLUMNS)
    if table in _KIND_PREFIX:
        prefixes["kind"] = _KIND_PREFIX[table]
    for col, prefix in prefixes.items():
        if col in out:
            out[col] = [_word(prefix, v, lang) for v in out[col]]
    if "status" in out:
        out["status"] = [
            _word("status", v if isinstance(v, str) else "unknown", lang) for v in out["status"]
        ]
    yes, no = t("common.yes", lang), t("common.no", lang)
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = [yes if v else no for v in out[col]]
    return out
