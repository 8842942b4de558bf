"""The words printed on exports (sheets, atlas, HTML, data headers), in Vietnamese and English.

Keys that the dashboard also shows (measures, classes, project kinds, sponsor kinds) are looked
up in the dashboard's translation table first (:mod:`dashboard.i18n`, ``assets/translations.json``)
so the screen and the paper use the same words; the table below holds the export-only words
and a fallback for those keys while the dashboard's table does not have them.

>>> t("sheet.sources", "en")
'Sources'
>>> t("kind.bridge", "vi")
'Cầu'
>>> t("no.such.key", "vi")
'no.such.key'
"""

from __future__ import annotations

from functools import cache

LANGS = ("vi", "en")

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        # sheet furniture
        "sheet.title": "Nông thôn mới tỉnh Bắc Kạn: {measure}",
        "sheet.sources": "Nguồn",
        "sheet.date": "Ngày lập: {date}",
        "sheet.data_built": "dữ liệu tạo ngày {date}",
        "sheet.credit": "NTM Atlas (GPL-3.0) · Hệ tọa độ WGS 84 / UTM 48N (EPSG:32648)",
        "sheet.locator": "Vị trí",
        "sheet.layers": "Lớp bản đồ",
        "sheet.projects": "Công trình, hoạt động",
        "sheet.boundaries": "Ranh giới",
        "sheet.note": (
            "Dữ liệu: {n_assignments} phân công, {n_projects} công trình/hoạt động, "
            "{n_status} bản ghi tình trạng, từ {n_sources} nguồn{years}; {n_undated} bản ghi "
            "không có năm. Xã không có bản ghi là \u201cchưa ghi nhận nhà tài trợ\u201d, không "
            "phải \u201ckhông có nhà tài trợ\u201d."
        ),
        "sheet.years": ", năm {a}–{b}",
        "sheet.programme_sources": (
            "Dữ liệu chương trình: {n} trang công khai của tỉnh ({hosts}); đường dẫn từng bản "
            "ghi trong bản xuất dữ liệu"
        ),
        "legend.province": "Ranh giới tỉnh",
        "legend.district": "Ranh giới huyện",
        "legend.district_former": "Ranh giới huyện cũ (đến 6/2025)",
        "legend.commune": "Ranh giới xã",
        "legend.neighbour": "Tỉnh lân cận",
        "legend.approximate": "Vị trí gần đúng (chỉ biết xã)",
        "legend.selected": "Đơn vị của trang này",
        # subtitle
        "sub.vintage.2019": "Ranh giới 2015–2020 (122 đơn vị cấp xã)",
        "sub.vintage.2020": "Ranh giới 2020–2025 (108 đơn vị cấp xã)",
        "sub.vintage.2025": "Ranh giới từ 1/7/2025 (37 xã, phường thuộc tỉnh Thái Nguyên)",
        "sub.all": "toàn tỉnh, mọi nhà tài trợ, mọi năm",
        "sub.districts": "huyện: {v}",
        "sub.sponsors": "nhà tài trợ: {v}",
        "sub.sponsor_kinds": "loại nhà tài trợ: {v}",
        "sub.project_kinds": "loại công trình: {v}",
        "sub.criteria": "tiêu chí: {v}",
        "sub.years": "năm {v}",
        "sub.undated_out": "không tính bản ghi không có năm",
        "sub.statuses": "tình trạng: {v}",
        "sub.difficult": "chỉ xã đặc biệt khó khăn",
        "sub.former": "(cũ)",
        # atlas
        "atlas.title": "Tập bản đồ nông thôn mới tỉnh Bắc Kạn",
        "atlas.by.commune": "Mỗi trang một đơn vị cấp xã",
        "atlas.by.district": "Mỗi trang một huyện",
        "atlas.by.sponsor": "Mỗi trang một nhà tài trợ",
        "atlas.contents": "Mục lục",
        "atlas.page": "Trang",
        "atlas.district": "Huyện",
        "atlas.kind": "Loại",
        "atlas.area": "Diện tích",
        "atlas.became": "Sau sáp nhập",
        "atlas.parts": "Gồm các xã cũ",
        "atlas.status": "Tình trạng",
        "atlas.difficult": "Xã đặc biệt khó khăn",
        "atlas.ntm": "Đạt chuẩn nông thôn mới năm {year}",
        "atlas.sponsors": "Nhà tài trợ",
        "atlas.no_sponsor": "Chưa ghi nhận nhà tài trợ.",
        "atlas.projects": "Công trình, hoạt động",
        "atlas.no_project": "Chưa ghi nhận công trình, hoạt động.",
        "atlas.more": "… và {n} mục khác",
        "atlas.col.year": "Năm",
        "atlas.col.kind": "Loại",
        "atlas.col.title": "Nội dung",
        "atlas.col.cost": "Kinh phí (triệu đồng)",
        "atlas.col.status": "Tình trạng",
        "atlas.col.sponsor": "Nhà tài trợ",
        "atlas.col.period": "Giai đoạn",
        "atlas.col.commune": "Xã",
        "atlas.sources": "Nguồn của trang",
        "atlas.no_source": "Không có nguồn: chưa có bản ghi nào.",
        "atlas.communes": "Các xã được giúp đỡ",
        "atlas.n_units": "{n} trang",
        "status.unknown": "chưa rõ",
        "status.completed": "hoàn thành",
        "status.ongoing": "đang thực hiện",
        "status.planned": "kế hoạch",
        "undated": "không rõ năm",
        # html
        "html.communes": "Xã (theo chỉ số)",
        "html.projects": "Công trình: {kind}",
        "html.districts": "Ranh giới huyện",
        "html.province": "Ranh giới tỉnh",
        "html.neighbours": "Tỉnh lân cận",
        "html.basemap": "Nền bản đồ (cần Internet)",
        "html.sponsors": "Nhà tài trợ",
        "html.n_projects": "Số công trình",
        "html.support": "Kinh phí đã biết",
        "html.source": "Nguồn",
        "html.approximate": "Vị trí gần đúng: điểm đặt trong xã, không phải vị trí thực.",
        "html.precise": "Vị trí đã khảo sát.",
        # data headers
        "col.code": "Mã ĐVHC",
        "col.name": "Tên",
        "col.kind": "Loại",
        "col.district_code": "Mã huyện",
        "col.district_name": "Huyện",
        "col.area_km2": "Diện tích (km²)",
        "col.in_view": "Trong bộ lọc",
        "col.difficult": "Đặc biệt khó khăn",
        "col.n_sponsors": "Số nhà tài trợ",
        "col.sponsors": "Nhà tài trợ",
        "col.n_assignments": "Số phân công",
        "col.n_projects": "Số công trình",
        "col.support_vnd": "Kinh phí đã biết (đồng)",
        "col.n_costed": "Số công trình có kinh phí",
        "col.ntm_year": "Năm đạt chuẩn NTM",
        "col.coverage": "Bảo trợ",
        "col.n_sources": "Số nguồn",
        "sheet.communes": "Xã",
        "sheet.assignments": "Phân công",
        "sheet.projects_tab": "Công trình",
        "sheet.sources_tab": "Nguồn",
        "sheet.about": "Giới thiệu",
    },
    "en": {
        "sheet.title": "New Rural Development in Bắc Kạn: {measure}",
        "sheet.sources": "Sources",
        "sheet.date": "Made on {date}",
        "sheet.data_built": "data built {date}",
        "sheet.credit": "NTM Atlas (GPL-3.0) · WGS 84 / UTM zone 48N (EPSG:32648)",
        "sheet.locator": "Location",
        "sheet.layers": "Map layers",
        "sheet.projects": "Projects and activities",
        "sheet.boundaries": "Boundaries",
        "sheet.note": (
            "Data: {n_assignments} assignments, {n_projects} projects/activities, {n_status} "
            "status records, from {n_sources} sources{years}; {n_undated} records undated. "
            "A commune with no record has \u201cno sponsor recorded\u201d, "
            "not \u201cno sponsor\u201d."
        ),
        "sheet.years": ", years {a}–{b}",
        "sheet.programme_sources": (
            "Programme data: {n} public provincial pages ({hosts}); each record's link is in the "
            "data export"
        ),
        "legend.province": "Province boundary",
        "legend.district": "District boundary",
        "legend.district_former": "Former district boundary (until 6/2025)",
        "legend.commune": "Commune boundary",
        "legend.neighbour": "Neighbouring province",
        "legend.approximate": "Location approximate (commune only)",
        "legend.selected": "This page's unit",
        "sub.vintage.2019": "2015–2020 boundaries (122 commune-level units)",
        "sub.vintage.2020": "2020–2025 boundaries (108 commune-level units)",
        "sub.vintage.2025": "Boundaries since 1 July 2025 (37 units, in Thái Nguyên province)",
        "sub.all": "whole province, all sponsors, all years",
        "sub.districts": "district: {v}",
        "sub.sponsors": "sponsor: {v}",
        "sub.sponsor_kinds": "sponsor kind: {v}",
        "sub.project_kinds": "project kind: {v}",
        "sub.criteria": "criterion: {v}",
        "sub.years": "years {v}",
        "sub.undated_out": "undated records left out",
        "sub.statuses": "status: {v}",
        "sub.difficult": "difficult communes only",
        "sub.former": "(former)",
        "atlas.title": "New Rural Development atlas of Bắc Kạn",
        "atlas.by.commune": "One page per commune-level unit",
        "atlas.by.district": "One page per district",
        "atlas.by.sponsor": "One page per sponsor",
        "atlas.contents": "Contents",
        "atlas.page": "Page",
        "atlas.district": "District",
        "atlas.kind": "Type",
        "atlas.area": "Area",
        "atlas.became": "After the mergers",
        "atlas.parts": "Made of the former",
        "atlas.status": "Status",
        "atlas.difficult": "Difficult commune",
        "atlas.ntm": "Met the NTM standard in {year}",
        "atlas.sponsors": "Sponsors",
        "atlas.no_sponsor": "No sponsor recorded.",
        "atlas.projects": "Projects and activities",
        "atlas.no_project": "No project or activity recorded.",
        "atlas.more": "… and {n} more",
        "atlas.col.year": "Year",
        "atlas.col.kind": "Kind",
        "atlas.col.title": "What",
        "atlas.col.cost": "Cost (million VND)",
        "atlas.col.status": "Status",
        "atlas.col.sponsor": "Sponsor",
        "atlas.col.period": "Period",
        "atlas.col.commune": "Commune",
        "atlas.sources": "Sources of this page",
        "atlas.no_source": "No source: nothing is recorded yet.",
        "atlas.communes": "Communes helped",
        "atlas.n_units": "{n} pages",
        "status.unknown": "unknown",
        "status.completed": "completed",
        "status.ongoing": "ongoing",
        "status.planned": "planned",
        "undated": "undated",
        "html.communes": "Communes (by measure)",
        "html.projects": "Projects: {kind}",
        "html.districts": "District boundaries",
        "html.province": "Province boundary",
        "html.neighbours": "Neighbouring provinces",
        "html.basemap": "Basemap (needs internet)",
        "html.sponsors": "Sponsors",
        "html.n_projects": "Projects",
        "html.support": "Known support",
        "html.source": "Source",
        "html.approximate": "Location approximate: placed inside its commune, not surveyed.",
        "html.precise": "Surveyed location.",
        "col.code": "GSO code",
        "col.name": "Name",
        "col.kind": "Type",
        "col.district_code": "District code",
        "col.district_name": "District",
        "col.area_km2": "Area (km²)",
        "col.in_view": "In filter",
        "col.difficult": "Difficult",
        "col.n_sponsors": "Sponsors (n)",
        "col.sponsors": "Sponsors",
        "col.n_assignments": "Assignments (n)",
        "col.n_projects": "Projects (n)",
        "col.support_vnd": "Known support (VND)",
        "col.n_costed": "Projects with a cost (n)",
        "col.ntm_year": "NTM year",
        "col.coverage": "Coverage",
        "col.n_sources": "Sources (n)",
        "sheet.communes": "Communes",
        "sheet.assignments": "Assignments",
        "sheet.projects_tab": "Projects",
        "sheet.sources_tab": "Sources",
        "sheet.about": "About",
    },
}

#: Fallback words for keys of :mod:`layers.styles` (the dashboard's table wins when it has them).
STYLE_FALLBACK: dict[str, dict[str, str]] = {
    "vi": {
        "measure.coverage": "Tình trạng có nhà tài trợ",
        "measure.n_sponsors": "Số nhà tài trợ",
        "measure.support_vnd": "Kinh phí hỗ trợ đã biết",
        "measure.n_projects": "Số công trình, hoạt động",
        "measure.ntm_year": "Năm đạt chuẩn nông thôn mới",
        "class.coverage.sponsored": "Đã ghi nhận nhà tài trợ",
        "class.coverage.difficult_none": "Xã ĐBKK chưa ghi nhận nhà tài trợ",
        "class.coverage.none": "Chưa ghi nhận nhà tài trợ",
        "class.n_sponsors.0": "0",
        "class.n_sponsors.1": "1",
        "class.n_sponsors.2": "2",
        "class.n_sponsors.3+": "3 trở lên",
        "class.support_vnd.none": "Chưa ghi nhận",
        "class.support_vnd.lt50m": "Dưới 50 triệu đồng",
        "class.support_vnd.50m_500m": "50–500 triệu đồng",
        "class.support_vnd.ge500m": "Từ 500 triệu đồng",
        "class.n_projects.0": "0",
        "class.n_projects.1-2": "1–2",
        "class.n_projects.3-5": "3–5",
        "class.n_projects.6+": "6 trở lên",
        "class.ntm_year.none": "Chưa ghi nhận",
        "class.ntm_year.le2017": "Đến 2017",
        "class.ntm_year.2018-2019": "2018–2019",
        "class.ntm_year.2020-2021": "2020–2021",
        "class.ntm_year.ge2022": "Từ 2022",
        "class.out_of_view": "Ngoài bộ lọc",
        "kind.bridge": "Cầu",
        "kind.transformer": "Trạm biến áp",
        "kind.market": "Chợ",
        "kind.meeting_house": "Nhà văn hóa thôn",
        "kind.incinerator": "Lò đốt rác",
        "kind.road": "Đường giao thông",
        "kind.water": "Nước sạch",
        "kind.school": "Trường học",
        "kind.house_for_poor": "Nhà cho hộ nghèo",
        "kind.training": "Tập huấn",
        "kind.other": "Khác",
        "sponsor_kind.department": "Sở, ban, ngành",
        "sponsor_kind.party": "Cơ quan Đảng",
        "sponsor_kind.mass_org": "Đoàn thể",
        "sponsor_kind.armed_forces": "Lực lượng vũ trang",
        "sponsor_kind.enterprise": "Doanh nghiệp",
        "sponsor_kind.other": "Khác",
    },
    "en": {
        "measure.coverage": "Sponsor coverage",
        "measure.n_sponsors": "Number of sponsors",
        "measure.support_vnd": "Known support mobilised",
        "measure.n_projects": "Number of projects and activities",
        "measure.ntm_year": "Year the NTM standard was met",
        "class.coverage.sponsored": "Sponsor recorded",
        "class.coverage.difficult_none": "Difficult commune, no sponsor recorded",
        "class.coverage.none": "No sponsor recorded",
        "class.n_sponsors.0": "0",
        "class.n_sponsors.1": "1",
        "class.n_sponsors.2": "2",
        "class.n_sponsors.3+": "3 or more",
        "class.support_vnd.none": "None recorded",
        "class.support_vnd.lt50m": "Under 50 million VND",
        "class.support_vnd.50m_500m": "50–500 million VND",
        "class.support_vnd.ge500m": "500 million VND or more",
        "class.n_projects.0": "0",
        "class.n_projects.1-2": "1–2",
        "class.n_projects.3-5": "3–5",
        "class.n_projects.6+": "6 or more",
        "class.ntm_year.none": "None recorded",
        "class.ntm_year.le2017": "2017 or earlier",
        "class.ntm_year.2018-2019": "2018–2019",
        "class.ntm_year.2020-2021": "2020–2021",
        "class.ntm_year.ge2022": "2022 or later",
        "class.out_of_view": "Outside the filters",
        "kind.bridge": "Bridge",
        "kind.transformer": "Transformer station",
        "kind.market": "Market",
        "kind.meeting_house": "Village meeting house",
        "kind.incinerator": "Waste incinerator",
        "kind.road": "Road",
        "kind.water": "Clean water",
        "kind.school": "School",
        "kind.house_for_poor": "House for a poor household",
        "kind.training": "Training",
        "kind.other": "Other",
        "sponsor_kind.department": "Department or agency",
        "sponsor_kind.party": "Party body",
        "sponsor_kind.mass_org": "Mass organisation",
        "sponsor_kind.armed_forces": "Armed forces",
        "sponsor_kind.enterprise": "Enterprise",
        "sponsor_kind.other": "Other",
    },
}


def check_lang(lang: str) -> str:
    """The language code, or a helpful error.

    >>> check_lang("fr")
    Traceback (most recent call last):
    ...
    ValueError: Unknown language 'fr'; choose one of vi, en
    """
    if lang not in LANGS:
        msg = f"Unknown language {lang!r}; choose one of {', '.join(LANGS)}"
        raise ValueError(msg)
    return lang


@cache
def _dashboard_table(lang: str) -> dict[str, str]:
    """The dashboard's own words for ``lang`` (``assets/translations.json`` through
    :mod:`dashboard.i18n`), or nothing if that table is not there."""
    try:
        from dashboard import i18n

        return dict(i18n.Translations.load().tables.get(lang, {}))
    except (ImportError, AttributeError, OSError, KeyError, ValueError):
        return {}


def t(key: str, lang: str = "vi", **values: object) -> str:
    """The words for ``key`` in ``lang`` (the key itself when unknown), formatted with values."""
    check_lang(lang)
    text = (
        TEXT[lang].get(key)
        or _dashboard_table(lang).get(key)
        or STYLE_FALLBACK[lang].get(key)
        or key
    )
    return text.format(**values) if values else text
