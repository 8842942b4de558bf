"""The words on paper and in data files, read as a person would: Vietnamese throughout in a
Vietnamese export (no coded value, no English title, one term for sponsor, one date format,
credits in the sheet's language), English in an English one, the difficult list's completeness
printed, and the atlas and HTML polish (legend, wrapping, skipped empty communes, metric scale,
basemap attribution)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata

import pandas as pd
from openpyxl import load_workbook
from pypdf import PdfReader

from dashboard import export
from dashboard.export_text import t
from geodata.coverage import Filters

TODAY = dt.date(2026, 11, 28)
CHO_DON = Filters(districts=("064",))
#: Codes that must never reach a reader (the store's vocabulary).
CODES = {
    "sponsored",
    "difficult_none",
    "none",
    "high",
    "medium",
    "low",
    "commune",
    "department",
    "mass_org",
    "enterprise",
    "armed_forces",
    "bridge",
    "transformer",
    "meeting_house",
    "house_for_poor",
    "training",
    "other",
    "unknown",
    "TRUE",
    "FALSE",
    "True",
    "False",
}
#: English words that a Vietnamese export must not print (titles, notes, credits, values).
ENGLISH = re.compile(
    r"\b(the|and|for|with|of|upgrade|station|support|village|houses?|bridge|households?|"
    r"licence|free|academic|permission|snapshot|sponsor|commune|yes|no)\b",
    re.IGNORECASE,
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def pdf_text(data: bytes) -> list[str]:
    return [nfc(p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages]


def _cells(path) -> dict[str, list[list[object]]]:
    wb = load_workbook(path, read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


# ------------------------------------------------------------------------------ data files
def test_vietnamese_xlsx_has_no_code_and_no_english_title(bundle, tmp_path):
    out = export.export_data(bundle, tmp_path / "d.xlsx", None, 2019, today=TODAY)
    sheets = _cells(out)
    values = {str(v) for rows in sheets.values() for row in rows[1:] for v in row if v is not None}
    assert not values & CODES, values & CODES
    texts = [v for v in values if not v.startswith("http")]
    english = sorted(v for v in texts if ENGLISH.search(v))
    assert not english, english[:5]
    projects = sheets["Công trình"]
    head = projects[0]
    titles = {r[head.index("Nội dung")] for r in projects[1:]}
    assert "Nâng cấp trạm biến áp Bản Ó" in titles
    assert "Transformer station upgrade Bản Ó" not in titles
    communes = sheets["Xã"]
    difficult = {r[communes[0].index("Đặc biệt khó khăn")] for r in communes[1:]}
    assert difficult == {"Có", "Không"}
    coverage = {r[communes[0].index(t("col.coverage", "vi"))] for r in communes[1:]}
    assert "Có đơn vị giúp đỡ" in coverage and "Chưa ghi nhận đơn vị giúp đỡ" in coverage
    about = dict((r[0], r[1]) for r in sheets["Giới thiệu"][1:])
    assert about["Ngày xuất"] == "28/11/2026"
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", about["Ngày tạo dữ liệu"])
    assert "xã đặc biệt khó khăn (Chương trình 135) đã biết" in about[t("about.difficult", "vi")]
    assert all("nhà tài trợ" not in str(v).lower() for v in values)


def test_english_xlsx_speaks_english(bundle, tmp_path):
    out = export.export_data(bundle, tmp_path / "e.xlsx", None, 2020, lang="en", today=TODAY)
    sheets = _cells(out)
    projects = sheets["Projects"]
    titles = {r[projects[0].index("Title")] for r in projects[1:]}
    assert "Transformer station upgrade Bản Ó" in titles
    communes = sheets["Communes"]
    assert {r[communes[0].index("Difficult")] for r in communes[1:]} == {"Yes", "No"}
    about = dict((r[0], r[1]) for r in sheets["About"][1:])
    assert about[t("about.difficult", "en")].startswith("39 of 67 region III communes known")
    assert about["Exported on"] == "2026-11-28"


def test_csv_and_geojson_speak_the_language(bundle, tmp_path):
    csv = export.export_data(bundle, tmp_path / "c.csv", CHO_DON, 2020, today=TODAY)
    df = pd.read_csv(csv, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    assert "Phân loại giúp đỡ" in df.columns and "coverage" not in df.columns
    assert not set(df.to_numpy().ravel()) & CODES
    # 2021–2025: "difficult" is region III (all 8 of Chợ Đồn's are known).
    assert (df["Đặc biệt khó khăn"] == "Có").sum() == 8
    gj = export.export_data(bundle, tmp_path / "c.geojson", CHO_DON, 2020, lang="en")
    props = [f["properties"] for f in json.loads(gj.read_text(encoding="utf-8"))["features"]]
    assert {p["Difficult"] for p in props} == {"Yes", "No"}
    assert {p["Sponsor coverage"] for p in props} <= {
        "Sponsor recorded",
        "Difficult commune, no sponsor recorded",
        "No sponsor recorded",
    }


# ------------------------------------------------------------------------------ map sheets
def test_vietnamese_sheet_names_the_measure_and_credits_in_vietnamese(bundle):
    _, pdf = export.export_map_bytes(bundle, None, "coverage", 2020, "pdf", "vi", today=TODAY)
    (text,) = pdf_text(pdf)
    flat = " ".join(text.split())
    assert "Độ phủ đơn vị giúp đỡ – nông thôn mới tỉnh Bắc Kạn" in flat
    assert "39 / 67 xã khu vực III đã biết" in flat and "10 xã suy ra" in flat
    assert "giấy phép GADM" in flat and "free for academic" not in flat
    assert "nhà tài trợ" not in flat.lower()
    assert not re.search(r"\b\d{4}-\d\d-\d\d\b", flat)  # one date format: dd/mm/yyyy
    assert "Ngày lập: 28/11/2026" in flat
    # The letter key: the legend names every kind next to its letter disc.
    assert "Cầu (2)" in flat


def test_english_sheet_credits_in_english_with_plurals(bundle):
    _, pdf = export.export_map_bytes(
        bundle, Filters(districts=("064", "060")), "coverage", 2019, "pdf", "en", today=TODAY
    )
    (text,) = pdf_text(pdf)
    flat = " ".join(text.split())
    assert "Sponsor coverage – New Rural Development in Bắc Kạn" in flat
    assert "free for academic" in flat
    assert "districts: Chợ Đồn, Pác Nặm" in flat
    assert not re.search(r"\b1 (sources|assignments|records)\b", flat)
    assert "Made on 2026-11-28" in flat


def test_2025_sheet_shows_former_districts_as_former(bundle):
    _, svg = export.export_map_bytes(bundle, None, "coverage", 2025, "svg", "vi", today=TODAY)
    texts = [nfc(x) for x in re.findall(r"<text[^>]*>([^<]*)</text>", svg.decode("utf-8"))]
    # Pác Nặm is no unit of 2025 (Chợ Đồn, Na Rì... are also new communes' names).
    districts = [x for x in texts if x.startswith("Pác Nặm")]
    assert districts and all(x == "Pác Nặm (huyện cũ)" for x in districts)
    assert "Ranh giới huyện cũ (đến 6/2025)" in texts
    assert "Ranh giới huyện" not in texts  # never drawn as current units


# ------------------------------------------------------------------------------ atlas
def test_atlas_page_has_a_legend_and_wraps_instead_of_cutting(bundle):
    from layers import sheet

    fig = export.atlas_page_figure(bundle, "02023", 2019, today=TODAY)
    (text,) = pdf_text(sheet.figure_bytes(fig, "pdf"))
    flat = " ".join(text.split())
    assert "Độ phủ đơn vị giúp đỡ" in flat  # the legend's title
    assert "Có đơn vị giúp đỡ" in flat and "Trạm biến áp" in flat
    # The longest sponsor summary is printed whole, across several lines.
    summary = "Giúp đỡ một xã đặc biệt khó khăn: tập huấn về tiêu chí số 4 và số 7"
    assert summary in flat and "công ty điện lực thực hiện" in flat
    assert "…" not in flat.replace("… và", "")
    assert "Transformer" not in flat


def test_atlas_skip_empty_lists_them_on_one_page(bundle, tmp_path):
    out = export.export_atlas(
        bundle, tmp_path / "a.pdf", CHO_DON, by="commune", today=TODAY, skip_empty=True
    )
    pages = pdf_text(out.read_bytes())
    summary = pages[-1]
    n_empty = int(re.search(r"Xã chưa ghi nhận phân công, công trình \((\d+)\)", summary)[1])
    assert 5 <= n_empty < 22
    # Cover, contents, one page per commune with records, one summary page.
    assert len(pages) == 1 + 1 + (22 - n_empty) + 1
    assert "Chợ Đồn" in summary
    with_records = " ".join(pages[2:-1])
    assert "Xã Xuân Lạc" in with_records


# ------------------------------------------------------------------------------ HTML
def test_html_scale_is_metric_and_the_attribution_is_a_link(bundle):
    page = export.export_html_text(bundle, None, "coverage", 2019, "vi")
    assert "imperial: false" in page and "L.control.scale()" not in page
    # Leaflet shows the attribution as HTML: a link, not escaped tags printed as text.
    (raw,) = re.findall(r'"attribution": ("(?:[^"\\]|\\.)*")', page)
    attribution = json.loads(raw)
    assert '<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>' in attribution
    assert "&lt;" not in attribution
    # Popups open below the title box (auto-pan padding = its height); other boxes step aside.
    assert "autoPanPaddingTopLeft" in page and 'on("popupopen"' in page
    assert "Độ phủ đơn vị giúp đỡ" in page
