"""What each problem of an import is: a reason code and its severity. Its words, in Vietnamese
and English, are the translation table's ``reason.<code>`` entries (:mod:`geodata.words`).

>>> reason_text("commune_unknown", "vi", value="Xuân Lặc")
'Không tìm thấy xã «Xuân Lặc» trong danh mục'
>>> severity("total_row"), severity("no_such_code")
('skipped', 'error')
"""

from __future__ import annotations

from geodata.words import translator

#: code → severity (error: the row cannot be imported; warning: imported, with a note;
#: skipped: not a data row).
REASONS: dict[str, str] = {
    # error
    "commune_missing": "error",
    "commune_unknown": "error",
    "commune_approximate": "error",
    "commune_ambiguous": "error",
    "commune_wrong_district": "error",
    "code_unknown": "error",
    "code_name_mismatch": "error",
    "district_unknown": "error",
    "sponsor_missing": "error",
    "title_missing": "error",
    "name_missing": "error",
    "period_unreadable": "error",
    "period_reversed": "error",
    "year_unreadable": "error",
    "year_out_of_range": "error",
    "amount_unreadable": "error",
    "amount_out_of_range": "error",
    "amount_negative": "error",
    "text_too_long": "error",
    "date_unreadable": "error",
    "date_invalid": "error",
    "coordinate_unreadable": "error",
    "coordinate_incomplete": "error",
    "point_outside_province": "error",
    "point_outside_commune": "error",
    "criterion_unknown": "error",
    "duplicate_key": "error",
    # warning
    "commune_suggestion_accepted": "warning",
    "commune_other_vintage": "warning",
    "commune_chosen": "warning",
    "district_from_section": "warning",
    "vintage_2025_predecessor_unknown": "warning",
    "amount_approximate": "warning",
    "coordinates_swapped": "warning",
    "coordinates_vn2000": "warning",
    "point_near_commune": "warning",
    "kind_unknown": "warning",
    "status_unknown": "warning",
    # skipped
    "duplicate_row": "skipped",
    "agency_exists": "skipped",
    "total_row": "skipped",
    "footer_row": "skipped",
    "numbering_row": "skipped",
    "single_value_row": "skipped",
    "section_row": "skipped",
}


def reason_text(reason: str, lang: str = "en", **details: object) -> str:
    """The message of a reason code in English (``en``) or Vietnamese (``vi``); a detail the
    message names but the problem lacks reads "…"."""
    return translator(lang)(f"reason.{reason}", **details)


def severity(reason: str) -> str:
    return REASONS.get(reason, "error")


def field_label(field: str, lang: str = "en") -> str:
    """What a column was read as, in words (``commune`` → "xã"; ``field.<name>`` entries).

    >>> field_label("commune", "vi"), field_label("sponsor", "vi"), field_label("odd", "vi")
    ('xã', 'đơn vị giúp đỡ', 'odd')
    """
    key = f"field.{field or 'row'}"
    text = translator(lang)(key)
    return field if text == key else text
