# ruff: noqa: E501  (a table of messages reads best one per line)
"""What each problem means, in English and Vietnamese.

A problem carries a reason code; :func:`reason_text` renders it with its details.

>>> reason_text("commune_unknown", "vi", value="Xuân Lặc")
'Không tìm thấy xã «Xuân Lặc» trong danh mục'
"""

from __future__ import annotations

#: code → (severity, English, Vietnamese). Severity: error, warning or skipped.
REASONS: dict[str, tuple[str, str, str]] = {
    "commune_missing": ("error", "No commune given (name or code)", "Thiếu tên hoặc mã xã"),
    "commune_unknown": (
        "error",
        "Commune «{value}» is not in the list",
        "Không tìm thấy xã «{value}» trong danh mục",
    ),
    "commune_approximate": (
        "error",
        "Commune «{value}» only resembles an official name; choose one of the suggestions",
        "Tên xã «{value}» chỉ gần giống tên chính thức; hãy chọn một gợi ý",
    ),
    "commune_suggestion_accepted": (
        "warning",
        "Commune «{value}» was taken as {name} (closest official name)",
        "Xã «{value}» được hiểu là {name} (tên chính thức gần nhất)",
    ),
    "commune_ambiguous": (
        "error",
        "Commune «{value}» is ambiguous; give the district or the code",
        "Tên xã «{value}» trùng nhiều đơn vị; hãy ghi huyện hoặc mã xã",
    ),
    "commune_wrong_district": (
        "error",
        "Commune «{value}» is not in district {district}; it is in {actual}",
        "Xã «{value}» không thuộc {district} mà thuộc {actual}",
    ),
    "commune_other_vintage": (
        "warning",
        "Commune «{value}» is named as in the {vintage} list, not the list in force for the row's period",
        "Xã «{value}» được ghi theo danh mục năm {vintage}, không phải danh mục áp dụng cho thời gian của dòng",
    ),
    "commune_chosen": (
        "warning",
        "Commune chosen by the user: {name}",
        "Xã do người dùng chọn: {name}",
    ),
    "code_unknown": (
        "error",
        "Commune code «{value}» is not in the list",
        "Mã xã «{value}» không có trong danh mục",
    ),
    "code_name_mismatch": (
        "error",
        "Code {value} is {name}, but the name column says «{written}»",
        "Mã {value} là {name}, nhưng cột tên ghi «{written}»",
    ),
    "district_unknown": (
        "error",
        "District «{value}» is not in the province",
        "Không tìm thấy huyện «{value}» trong tỉnh",
    ),
    "district_from_section": (
        "warning",
        "District taken from the section heading in row {section_row}",
        "Huyện lấy từ dòng tiêu đề mục ở dòng {section_row}",
    ),
    "vintage_2025_predecessor_unknown": (
        "warning",
        "{name} (2025) was formed from several communes; the 2019/2020 commune is unknown",
        "{name} (2025) được hợp nhất từ nhiều xã; không xác định được xã năm 2019/2020",
    ),
    "sponsor_missing": ("error", "No sponsor given", "Thiếu cơ quan, đơn vị giúp đỡ"),
    "title_missing": ("error", "No project title given", "Thiếu tên công trình"),
    "name_missing": ("error", "No agency name given", "Thiếu tên cơ quan"),
    "period_unreadable": (
        "error",
        "Period «{value}» is not a year or a range of years",
        "Thời gian «{value}» không phải năm hoặc khoảng năm",
    ),
    "period_reversed": (
        "error",
        "Period «{value}» ends before it starts",
        "Thời gian «{value}» kết thúc trước khi bắt đầu",
    ),
    "year_unreadable": ("error", "«{value}» is not a year", "«{value}» không phải là năm"),
    "year_out_of_range": (
        "error",
        "Year {year} is outside 1990–2035",
        "Năm {year} nằm ngoài 1990–2035",
    ),
    "amount_unreadable": (
        "error",
        "Amount «{value}» is not readable (write e.g. 81.000.000, 81 triệu, 1,2 tỷ)",
        "Không đọc được số tiền «{value}» (ví dụ: 81.000.000, 81 triệu, 1,2 tỷ)",
    ),
    "amount_out_of_range": (
        "error",
        "Amount «{value}» is implausible",
        "Số tiền «{value}» không hợp lý",
    ),
    "amount_approximate": (
        "warning",
        "Amount «{value}» is approximate; stored as {amount} đồng",
        "Số tiền «{value}» là ước lượng; lưu là {amount} đồng",
    ),
    "date_unreadable": (
        "error",
        "Date «{value}» is not dd/mm/yyyy",
        "Ngày «{value}» không theo dạng dd/mm/yyyy",
    ),
    "date_invalid": ("error", "Date «{value}» does not exist", "Ngày «{value}» không tồn tại"),
    "coordinate_unreadable": (
        "error",
        "Coordinates «{value}» are not readable",
        "Không đọc được tọa độ «{value}»",
    ),
    "coordinate_incomplete": ("error", "Only one coordinate given", "Chỉ có một tọa độ"),
    "coordinates_swapped": (
        "warning",
        "Longitude and latitude were swapped; read as {lon}, {lat}",
        "Kinh độ và vĩ độ bị đảo; đã đọc là {lon}, {lat}",
    ),
    "coordinates_vn2000": (
        "warning",
        "Coordinates read as VN-2000 ({crs}): {lon}, {lat}",
        "Tọa độ được hiểu là VN-2000 ({crs}): {lon}, {lat}",
    ),
    "point_outside_province": (
        "error",
        "Point {lon}, {lat} is outside the province",
        "Điểm {lon}, {lat} nằm ngoài tỉnh",
    ),
    "point_outside_commune": (
        "error",
        "Point {lon}, {lat} is {distance_m} m outside {name}; it lies in {actual}",
        "Điểm {lon}, {lat} nằm ngoài {name} {distance_m} m, thuộc {actual}",
    ),
    "point_near_commune": (
        "warning",
        "Point {lon}, {lat} is {distance_m} m outside {name} (within the boundary tolerance); kept",
        "Điểm {lon}, {lat} nằm ngoài {name} {distance_m} m (trong sai số ranh giới); vẫn giữ",
    ),
    "kind_unknown": (
        "warning",
        "Kind «{value}» is not one of {choices}; stored as «other»",
        "Loại «{value}» không thuộc {choices_vi}; lưu là «khác»",
    ),
    "status_unknown": (
        "warning",
        "Status «{value}» is not recognised; kept as written",
        "Không nhận ra tình trạng «{value}»; giữ nguyên",
    ),
    "criterion_unknown": (
        "error",
        "NTM criterion «{value}» is not a number from 1 to 19",
        "Tiêu chí «{value}» không phải số từ 1 đến 19",
    ),
    "duplicate_row": (
        "skipped",
        "Same as row {other}; imported once",
        "Trùng với dòng {other}; chỉ nhập một lần",
    ),
    "duplicate_key": (
        "error",
        "Same {what} as row {other} but different details; merge the rows or tell them apart",
        "Trùng {what} với dòng {other} nhưng khác nội dung; hãy gộp hoặc phân biệt",
    ),
    "agency_exists": (
        "skipped",
        "Agency already in the list: {name}",
        "Cơ quan đã có trong danh sách: {name}",
    ),
    "total_row": ("skipped", "Total row", "Dòng tổng cộng"),
    "footer_row": ("skipped", "Footer or signature row", "Dòng chân trang hoặc chữ ký"),
    "numbering_row": ("skipped", "Column numbering row", "Dòng đánh số cột"),
    "single_value_row": (
        "skipped",
        "Heading or note row (one value only)",
        "Dòng tiêu đề mục hoặc ghi chú (chỉ một giá trị)",
    ),
    "section_row": ("skipped", "Section heading: district {name}", "Tiêu đề mục: {name}"),
}

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "commune": ("commune", "xã"),
    "commune_code": ("commune code", "mã xã"),
    "district": ("district", "huyện"),
    "sponsor": ("sponsor", "đơn vị giúp đỡ"),
    "period": ("period", "thời gian"),
    "period_start": ("start year", "từ năm"),
    "period_end": ("end year", "đến năm"),
    "title": ("title", "tên công trình"),
    "kind": ("kind", "loại"),
    "year": ("year", "năm"),
    "date": ("date", "ngày"),
    "cost": ("cost", "kinh phí"),
    "lon": ("longitude", "kinh độ"),
    "lat": ("latitude", "vĩ độ"),
    "coordinates": ("coordinates", "tọa độ"),
    "status": ("status", "tình trạng"),
    "criterion": ("criterion", "tiêu chí"),
    "name": ("name", "tên"),
    "": ("row", "dòng"),
}


#: Project kinds as a Vietnamese reader names them (the report lists them when a kind is not
#: understood; the dashboard's translation table has the same words).
KIND_WORDS_VI: dict[str, str] = {
    "bridge": "cầu",
    "transformer": "trạm biến áp",
    "market": "chợ",
    "meeting_house": "nhà văn hóa",
    "incinerator": "lò đốt rác",
    "road": "đường giao thông",
    "water": "nước sạch",
    "school": "trường học",
    "house_for_poor": "nhà cho hộ nghèo",
    "training": "tập huấn",
    "other": "khác",
}


def field_label(field: str, lang: str = "en") -> str:
    """What a column was read as, in words (``commune`` → "xã").

    >>> field_label("commune", "vi"), field_label("sponsor", "vi"), field_label("odd", "vi")
    ('xã', 'đơn vị giúp đỡ', 'odd')
    """
    en, vi = FIELD_LABELS.get(field, (field, field))
    return vi if lang == "vi" else en


class _Default(dict):
    def __missing__(self, key: str) -> str:
        return "…"


def reason_text(reason: str, lang: str = "en", **details: object) -> str:
    """The message of a reason code in English (``en``) or Vietnamese (``vi``)."""
    _, en, vi = REASONS.get(reason, ("error", reason, reason))
    return (vi if lang == "vi" else en).format_map(_Default(details))


def severity(reason: str) -> str:
    return REASONS.get(reason, ("error",))[0]
