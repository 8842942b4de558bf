"""The columns an import understands, per kind, and how their headers are written.

A header is compared after :func:`header_key` (no diacritics, lower case, punctuation dropped),
first whole, then by its longest known prefix ("Kinh phí (triệu đồng)" → ``cost``). A unit in
the header ("triệu đồng", "tỷ đồng", "nghìn đồng") scales the amounts of that column.

Examples
--------
>>> match_header("Cơ quan, đơn vị giúp đỡ", "assignments")
'sponsor'
>>> match_header("Huyện/Thành phố", "projects"), match_header("XÃ ĐƯỢC GIÚP ĐỠ", "assignments")
('district', 'commune')
>>> match_header("Kinh phí (triệu đồng)", "projects"), amount_multiplier("Kinh phí (triệu đồng)")
('cost', 1000000)
>>> match_header("Ghi chú thêm", "projects") is None
False
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geodata.vocabulary import ImportKind, plain_words

KINDS = ImportKind.values()

# Headers that mean the same column in every kind.
_COMMON: dict[str, tuple[str, ...]] = {
    "row_no": ("stt", "tt", "so tt", "so thu tu", "no", "#"),
    "commune_code": (
        "ma xa",
        "ma dvhc",
        "ma don vi hanh chinh",
        "ma dvhc xa",
        "ma gso",
        "gso code",
        "commune code",
        "ma xa phuong thi tran",
    ),
    "commune": (
        "xa",
        "xa duoc giup do",
        "xa duoc ho tro",
        "ten xa",
        "xa phuong thi tran",
        "xa phuong",
        "don vi hanh chinh cap xa",
        "dia ban",
        "dia ban xa",
        "commune",
        "commune name",
        "ward",
        "xa phuong tt",
        "xa duoc phan cong giup do",
    ),
    "district": (
        "huyen",
        "huyen thanh pho",
        "huyen thi xa thanh pho",
        "huyen tp",
        "ten huyen",
        "district",
        "district name",
    ),
    "source_url": ("nguon", "nguon tin", "link", "duong dan", "source", "source url", "url"),
    "source_date": ("ngay dang", "ngay nguon", "source date", "ngay van ban"),
    "notes": ("ghi chu", "notes", "note", "remarks"),
    "confidence": ("do tin cay", "confidence"),
}

_BY_KIND: dict[str, dict[str, tuple[str, ...]]] = {
    "assignments": {
        "sponsor": (
            "co quan don vi giup do",
            "co quan giup do",
            "don vi giup do",
            "co quan don vi",
            "co quan phu trach",
            "don vi phu trach",
            "co quan don vi phu trach",
            "co quan don vi duoc phan cong",
            "sponsor",
            "sponsor name",
            "agency",
            "so ban nganh doan the",
            "co quan",
        ),
        "sponsor_kind": ("loai co quan", "loai hinh", "loai don vi", "sponsor kind", "kind"),
        "period": (
            "thoi gian",
            "giai doan",
            "thoi gian giup do",
            "thoi gian phan cong",
            "period",
            "nam",
            "years",
        ),
        "period_start": ("tu nam", "nam bat dau", "start year", "period start", "tu"),
        "period_end": ("den nam", "nam ket thuc", "end year", "period end", "den"),
        "activities": (
            "noi dung giup do",
            "noi dung ho tro",
            "hoat dong",
            "ket qua giup do",
            "noi dung",
            "activities",
            "activities summary",
            "ket qua",
        ),
    },
    "projects": {
        "title": (
            "ten cong trinh",
            "ten du an",
            "cong trinh du an",
            "cong trinh",
            "du an",
            "hang muc",
            "noi dung ho tro",
            "noi dung",
            "ten cong trinh du an",
            "project",
            "title",
            "ten",
        ),
        "kind": ("loai cong trinh", "loai", "loai hinh", "kind", "type", "project kind"),
        "village": ("thon", "thon ban", "ban", "thon to", "village", "village name"),
        "year": (
            "nam",
            "nam thuc hien",
            "nam hoan thanh",
            "thoi gian",
            "thoi gian thuc hien",
            "year",
            "years",
        ),
        "date": ("ngay", "ngay hoan thanh", "ngay ban giao", "ngay khoi cong", "date"),
        "criterion": ("tieu chi", "tieu chi ntm", "thuoc tieu chi", "criterion", "ntm criterion"),
        "sponsor": (
            "don vi ho tro",
            "co quan giup do",
            "co quan don vi giup do",
            "don vi giup do",
            "don vi tai tro",
            "nha tai tro",
            "sponsor",
            "sponsor name",
            "co quan don vi",
        ),
        "cost": (
            "kinh phi",
            "tong kinh phi",
            "gia tri",
            "so tien",
            "tong muc dau tu",
            "cost",
            "cost vnd",
            "amount",
        ),
        "quantity": ("so luong", "quy mo", "khoi luong", "quantity", "quantity notes"),
        "status": ("tinh trang", "trang thai", "tien do", "status"),
        "lon": ("kinh do", "longitude", "lon", "lng", "x", "toa do x"),
        "lat": ("vi do", "latitude", "lat", "y", "toa do y"),
        "coordinates": ("toa do", "coordinates", "vi tri", "location"),
    },
    "agencies": {
        "name": (
            "ten co quan",
            "co quan don vi",
            "ten don vi",
            "co quan",
            "don vi",
            "name",
            "agency",
            "ten",
        ),
        "abbreviation": ("viet tat", "ten viet tat", "abbreviation", "ky hieu"),
        "kind": ("loai", "loai hinh", "loai co quan", "kind", "type"),
        "role": ("vai tro", "role", "role in dataset"),
    },
}

#: Fields a row must have (one of the tuples' members) for the row to mean something.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "assignments": (("sponsor",), ("commune", "commune_code")),
    "projects": (("title",), ("commune", "commune_code")),
    "agencies": (("name",),),
}

#: Headers in the template (Vietnamese / English), in order.
TEMPLATE_COLUMNS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "assignments": (
        ("sponsor", "Cơ quan, đơn vị giúp đỡ", "Sponsor"),
        ("sponsor_kind", "Loại cơ quan", "Sponsor kind"),
        ("district", "Huyện/Thành phố", "District"),
        ("commune", "Xã được giúp đỡ", "Commune"),
        ("commune_code", "Mã xã", "Commune code"),
        ("period", "Thời gian", "Period"),
        ("activities", "Nội dung giúp đỡ", "Activities"),
        ("source_url", "Nguồn", "Source"),
        ("notes", "Ghi chú", "Notes"),
    ),
    "projects": (
        ("title", "Tên công trình", "Title"),
        ("kind", "Loại công trình", "Kind"),
        ("district", "Huyện/Thành phố", "District"),
        ("commune", "Xã", "Commune"),
        ("commune_code", "Mã xã", "Commune code"),
        ("village", "Thôn/bản", "Village"),
        ("year", "Năm", "Year"),
        ("date", "Ngày hoàn thành", "Date"),
        ("criterion", "Tiêu chí NTM", "NTM criterion"),
        ("sponsor", "Đơn vị hỗ trợ", "Sponsor"),
        ("cost", "Kinh phí (đồng)", "Cost (VND)"),
        ("quantity", "Quy mô", "Quantity"),
        ("status", "Tình trạng", "Status"),
        ("lon", "Kinh độ", "Longitude"),
        ("lat", "Vĩ độ", "Latitude"),
        ("source_url", "Nguồn", "Source"),
        ("notes", "Ghi chú", "Notes"),
    ),
    "agencies": (
        ("name", "Tên cơ quan", "Name"),
        ("abbreviation", "Tên viết tắt", "Abbreviation"),
        ("kind", "Loại cơ quan", "Kind"),
        ("role", "Vai trò", "Role"),
        ("source_url", "Nguồn", "Source"),
    ),
}


_MULTIPLIERS = {"ty": 10**9, "trieu": 10**6, "nghin": 10**3, "ngan": 10**3, "1000": 10**3}


def header_key(text: object) -> str:
    """A header without diacritics, punctuation or case: "Huyện/Thành phố" → "huyen thanh pho".

    >>> header_key("  Cơ quan, đơn vị\\ngiúp đỡ ")
    'co quan don vi giup do'
    """
    return plain_words(text)


@dataclass(frozen=True)
class _Synonyms:
    exact: dict[str, str]
    prefixes: tuple[tuple[str, str], ...]  # longest first


_CACHE: dict[str, _Synonyms] = {}


def _synonyms(kind: str) -> _Synonyms:
    if kind not in _CACHE:
        table = {**_COMMON, **_BY_KIND[kind]}
        exact: dict[str, str] = {}
        for field, words in table.items():
            exact[field.replace("_", " ")] = field
            for word in words:
                exact.setdefault(word, field)
        prefixes = sorted(
            ((w, f) for w, f in exact.items() if len(w) >= 3), key=lambda p: -len(p[0])
        )
        _CACHE[kind] = _Synonyms(exact, tuple(prefixes))
    return _CACHE[kind]


def _without_unit(key: str) -> str:
    return re.sub(r"\b(trieu|ty|nghin|ngan)?\s*(dong|vnd|d)$", "", key).strip()


def match_header(text: object, kind: str) -> str | None:
    """The field a header names in an import of this kind, or None."""
    key = header_key(text)
    if not key:
        return None
    syn = _synonyms(kind)
    for candidate in (key, _without_unit(key)):
        if candidate in syn.exact:
            return syn.exact[candidate]
    for prefix, field in syn.prefixes:
        if key.startswith(prefix + " "):
            return field
    return None


def amount_multiplier(header: object) -> int:
    """How many đồng one unit of a column is, from its header ("Kinh phí (triệu đồng)" → 10⁶).

    >>> amount_multiplier("Kinh phí (tỷ đồng)"), amount_multiplier("Kinh phí (1000đ)")
    (1000000000, 1000)
    >>> amount_multiplier("Cost")
    1
    """
    key = header_key(header)
    for word in key.split():
        if word in _MULTIPLIERS:
            return _MULTIPLIERS[word]
        if word in ("1000d", "1000dong"):
            return 1000
    return 1


def fields_of(kind: str) -> tuple[str, ...]:
    """Every field an import of this kind understands."""
    if kind not in _BY_KIND:
        msg = f"Unknown import kind {kind!r}; choose one of: {', '.join(KINDS)}"
        raise ValueError(msg)
    return (*_COMMON, *_BY_KIND[kind])
