"""Exports on the real store, checked as a person would: pixel size, not blank, text present,
page count, every atlas page names its unit, the HTML works offline and escapes data, data
exports read back equal."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from components import in_page
from PIL import Image
from pypdf import PdfReader

from dashboard import export
from dashboard.cli import main
from dashboard.export_text import t
from geodata.bundle import Bundle
from geodata.coverage import Filters
from layers import folium_map as fm

CHO_DON = Filters(districts=("064",))
TODAY = dt.date(2026, 11, 28)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def pdf_text(data_or_path) -> list[str]:
    src = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    return [nfc(p.extract_text()) for p in PdfReader(src).pages]


# ------------------------------------------------------------------------------ map sheets
def test_a4_png_at_300_dpi_has_exact_size_and_content(bundle):
    name, data = export.export_map_bytes(bundle, None, "coverage", 2019, "png", "vi", today=TODAY)
    assert name == "ntm-atlas_coverage_2019.png"
    img = Image.open(io.BytesIO(data)).convert("RGB")
    assert img.size == (3508, 2480)
    px = np.asarray(img.resize((877, 620)))
    assert (px < 245).any(axis=2).mean() > 0.35  # map + neighbours + legend, not a blank page
    # The "sponsor recorded" blue of the legend and the map is there.
    blue = (abs(px[..., 0].astype(int) - 0x21) < 12) & (abs(px[..., 2].astype(int) - 0xAC) < 12)
    assert blue.sum() > 100


def test_svg_and_pdf_have_title_legend_and_xuan_lac_as_text(bundle):
    title = "Chợ Đồn: ai giúp xã nào"
    opts = {"title": title, "today": TODAY}
    _, svg = export.export_map_bytes(bundle, CHO_DON, "coverage", 2019, "svg", "vi", **opts)
    svg = svg.decode("utf-8")
    texts = [nfc(x) for x in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    assert title in texts
    assert "Xuân Lạc" in texts
    assert any(x.startswith(t("class.coverage.sponsored", "vi")) for x in texts)
    assert any(x.startswith(t("kind.bridge", "vi")) for x in texts)
    assert any(x.endswith("km") for x in texts)  # scale bar
    assert "N" in texts  # north arrow

    _, pdf = export.export_map_bytes(bundle, CHO_DON, "coverage", 2019, "pdf", "en", **opts)
    (text,) = pdf_text(pdf)
    for words in (
        title,
        "Xuân Lạc",
        "Sponsor recorded",
        "Chợ Đồn",
        "GADM",
        "km",
        "2015–2020 boundaries",
        "district: Chợ Đồn",
        "Made on 2026-11-28",
    ):
        assert words in text, words
    reader = PdfReader(io.BytesIO(pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = {str(f.get_object().get("/BaseFont")) for f in fonts.values()}
    assert any("Noto" in n or "DejaVu" in n for n in names)


def test_subtitle_states_filters_and_vintage_in_words(bundle):
    f = Filters(
        districts=("064",),
        year_from=2019,
        year_to=2020,
        difficult_only=True,
        project_kinds=("bridge",),
    )
    vi = export.describe_filters(bundle, 2019, f, "vi")
    assert "Ranh giới 2015–2020" in vi and "Chợ Đồn" in vi and "2019–2020" in vi
    assert "chỉ xã đặc biệt khó khăn" in vi and "Cầu" in vi
    en = export.describe_filters(bundle, 2025, Filters(), "en")
    assert "since 1 July 2025" in en and "whole province" in en


def test_2025_sheet_and_a3_portrait(bundle):
    _, data = export.export_map_bytes(
        bundle, None, "n_projects", 2025, "png", "en", paper="A3", orientation="portrait", dpi=50
    )
    assert Image.open(io.BytesIO(data)).size == (585, 827)
    _, pdf = export.export_map_bytes(bundle, None, "n_projects", 2025, "pdf", "vi")
    (text,) = pdf_text(pdf)
    assert "Ranh giới từ 1/7/2025" in text and "(huyện cũ)" in text  # former districts say so
    assert "Ranh giới huyện cũ" in text  # the legend calls the dashed lines former districts


def test_switched_off_layers_leave_the_sheet_and_its_legend(bundle):
    options = {"layers": ("communes", "labels"), "today": TODAY}
    _, svg = export.export_map_bytes(bundle, None, "coverage", 2019, "svg", "en", **options)
    texts = [nfc(x) for x in re.findall(r"<text[^>]*>([^<]*)</text>", svg.decode("utf-8"))]
    assert "Xuân Lạc" in texts  # labels on for the whole province
    assert not any(x.startswith("Bridge") for x in texts)  # projects off
    assert "District boundary" not in texts and "Province boundary" not in texts
    assert any(x.startswith("Sponsor recorded") for x in texts)
    with pytest.raises(ValueError, match="choose from communes, districts"):
        export.export_map_bytes(bundle, None, "coverage", 2019, "png", layers=("roads",))


def test_unknown_choices_are_refused(bundle):
    with pytest.raises(KeyError, match="choose one of coverage"):
        export.export_map_bytes(bundle, None, "nope", 2019, "png")
    with pytest.raises(ValueError, match="choose one of 2019, 2020, 2025"):
        export.export_map_bytes(bundle, None, "coverage", 2021, "png")
    with pytest.raises(ValueError, match="vi, en"):
        export.export_map_bytes(bundle, None, "coverage", 2019, "png", "fr")


# ------------------------------------------------------------------------------ atlas
def test_atlas_of_122_communes(bundle, tmp_path):
    out = export.export_atlas(bundle, tmp_path / "atlas.pdf", by="commune", today=TODAY)
    pages = pdf_text(out)
    communes = bundle.communes(2019)
    n_contents = -(-122 // 52)
    assert len(pages) == 1 + n_contents + 122
    assert t("atlas.title", "vi") in pages[0]
    unit_pages = pages[1 + n_contents :]
    names = set(communes["name"])
    for number, text in enumerate(unit_pages, start=2 + n_contents):
        first_line = text.strip()
        assert any(name in text for name in names), number
        assert f"Trang {number}" in text
    # Each commune has its own page, and the contents point at it.
    titles = {name: [i for i, p in enumerate(unit_pages) if name in p] for name in names}
    assert all(titles[n] for n in names)
    xl = next(p for p in unit_pages if "Xã Xuân Lạc" in p and "Sở Công Thương" in p)
    assert "Huyện Chợ Đồn" in xl and "backan.gov.vn" in xl
    assert "Xã Nam Cường" in xl  # what it became in 2025
    contents = "".join(pages[1 : 1 + n_contents])
    assert contents.count("Chợ Đồn") >= 22
    outline = PdfReader(out).outline
    assert len(outline) == 1 + 122
    del first_line


def test_atlas_by_district_and_by_sponsor(bundle, tmp_path):
    out = export.export_atlas(bundle, tmp_path / "d.pdf", by="district", lang="en")
    pages = pdf_text(out)
    assert len(pages) == 1 + 1 + 8
    for name in bundle.tables["districts"]["name"]:
        assert any(name in p for p in pages[2:]), name
    out = export.export_atlas(bundle, tmp_path / "s.pdf", CHO_DON, by="sponsor")
    pages = pdf_text(out)
    n = export.atlas_units(bundle, CHO_DON, "sponsor", 2019)
    assert n >= 1 and len(pages) == 2 + n
    assert any("Sở Công Thương tỉnh Bắc Kạn" in p and "Xuân Lạc" in p for p in pages[2:])
    with pytest.raises(ValueError, match="commune, district, sponsor"):
        export.export_atlas(bundle, tmp_path / "x.pdf", by="village")


def test_atlas_of_2025_units_names_them_and_their_former_communes(bundle, tmp_path):
    out = export.export_atlas(bundle, tmp_path / "a25.pdf", CHO_DON, vintage=2025, lang="en")
    pages = pdf_text(out)
    n = export.atlas_units(bundle, CHO_DON, "commune", 2025)
    assert len(pages) == 2 + n and 3 <= n < 22
    nam_cuong = next(
        p for p in pages[2:] if p.lstrip().startswith("Xã Nam Cường") or "Xã Nam Cường\n" in p
    )
    assert "Made of the former" in nam_cuong and "Xuân Lạc" in nam_cuong
    assert "Sở Công Thương" in nam_cuong  # Xuân Lạc's sponsor, re-aggregated to 2025


# ------------------------------------------------------------------------------ HTML
def test_html_has_all_communes_and_no_remote_script_or_style(bundle, tmp_path):
    out = export.export_html(bundle, tmp_path / "map.html", lang="vi", today=TODAY)
    page = out.read_text(encoding="utf-8")
    for name in bundle.communes(2019)["name"]:
        assert in_page(name, page), name
    assert fm.external_references(page) == []
    assert not re.search(r"<script[^>]+src\s*=", page, re.I)
    assert not re.search(r"<link[^>]+rel=.?stylesheet", page, re.I)
    # The commune layer holds 122 features.
    assert page.count('"in_view": ') == 122
    # A tile basemap is offered (off), with its attribution.
    assert "tile.openstreetmap.org" in page and "OpenStreetMap" in page


def test_html_escapes_popups_and_tooltips(bundle):
    evil = '<img src=x onerror="alert(1)"> & `${x}`'
    projects = bundle.projects.copy()
    projects.loc[projects.index[0], ["title", "title_en"]] = evil
    assignments = bundle.assignments.copy()
    assignments.loc[assignments.index[0], "sponsor_name"] = evil
    tables = {**bundle.tables, "projects": projects, "assignments": assignments}
    hostile = Bundle.from_tables(tables)
    page = export.export_html_text(hostile, None, "coverage", 2019, "en", basemap=False)
    assert "<img src=x" not in page and "${x}" not in page
    assert in_page("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &#96;&#36;{x}&#96;", page)
    assert "tile.openstreetmap.org" not in page


# ------------------------------------------------------------------------------ data
def test_csv_round_trip(bundle, tmp_path):
    expected = export.data_tables(bundle, CHO_DON, 2019, today=TODAY).communes
    out = export.export_data(bundle, tmp_path / "c.csv", CHO_DON, 2019, today=TODAY)
    assert out.read_bytes()[:3] == b"\xef\xbb\xbf"  # BOM: spreadsheets read the diacritics
    back = pd.read_csv(out, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    want = pd.DataFrame(expected.drop(columns="geometry"))
    assert list(back.columns) == [t(f"col.{c}", "vi") for c in want.columns]
    back.columns = list(want.columns)
    assert len(back) == 22 and "Xã Xuân Lạc" in set(back["name"])
    want = want.astype(object).where(want.notna(), "").astype(str)
    pd.testing.assert_frame_equal(back, want, check_dtype=False)
    numbers = pd.read_csv(out, encoding="utf-8-sig")
    assert numbers[t("col.n_projects", "vi")].sum() == expected["n_projects"].sum()


def test_xlsx_has_one_sheet_per_table_with_vietnamese_headers(bundle, tmp_path):
    tables = export.data_tables(bundle, CHO_DON, 2019, today=TODAY)
    out = export.export_data(bundle, tmp_path / "d.xlsx", CHO_DON, 2019, today=TODAY)
    sheets = pd.read_excel(out, sheet_name=None, dtype=str, engine="openpyxl")
    assert list(sheets) == ["Xã", "Phân công", "Công trình", "Nguồn", "Giới thiệu"]
    assert "Mã ĐVHC" in sheets["Xã"].columns and "Đơn vị giúp đỡ" in sheets["Phân công"].columns
    for sheet, df in zip(
        sheets.values(),
        (
            pd.DataFrame(tables.communes.drop(columns="geometry")),
            tables.assignments,
            tables.projects,
            tables.sources,
            tables.about,
        ),
        strict=True,
    ):
        assert len(sheet) == len(df)
        assert list(sheet.columns) == [t(f"col.{c}", "vi") for c in df.columns]
    names = sheets["Xã"][t("col.name", "vi")]
    assert set(names) == set(tables.communes["name"])
    assert sheets["Phân công"][t("col.source_url", "vi")].notna().all()


def test_geojson_and_gpkg_round_trip(bundle, tmp_path):
    tables = export.data_tables(bundle, CHO_DON, 2019, today=TODAY)
    gj = gpd.read_file(export.export_data(bundle, tmp_path / "d.geojson", CHO_DON, 2019))
    assert gj.crs.to_epsg() == 4326 and len(gj) == len(tables.communes)
    assert list(gj[t("col.code", "vi")]) == list(tables.communes["code"])
    assert list(gj[t("col.sponsors", "vi")].fillna("")) == list(tables.communes["sponsors"])
    assert set(gj[t("col.coverage", "vi")]) <= {
        t(f"class.coverage.{c}", "vi") for c in ("sponsored", "difficult_none", "none")
    }
    area = tables.communes.to_crs(32648).area.sum()
    assert gj.to_crs(32648).area.sum() == pytest.approx(area, rel=1e-6)
    path = export.export_data(bundle, tmp_path / "d.gpkg", CHO_DON, 2019)
    communes = gpd.read_file(path, layer="communes")
    assert list(communes["name"]) == list(tables.communes["name"])
    assert list(communes["n_projects"]) == list(tables.communes["n_projects"])
    projects = gpd.read_file(path, layer="projects")
    assert sorted(projects["project_id"]) == sorted(tables.projects["project_id"])
    assignments = gpd.read_file(path, layer="assignments")
    assert sorted(assignments["assignment_id"]) == sorted(tables.assignments["assignment_id"])
    name, data = export.export_data_bytes(bundle, CHO_DON, 2019, "xlsx")
    assert name == "ntm-atlas_data_2019_d064.xlsx" and data[:2] == b"PK"


# ------------------------------------------------------------------------------ CLI
def test_cli_exports(store_path, tmp_path, capsys):
    common = ["--store", str(store_path), "--district", "Chợ Đồn"]
    out = tmp_path / "m.png"
    assert main(["export", "map", *common, "--dpi", "30", "--out", str(out)]) == 0
    assert Image.open(out).size == (351, 248)
    out = tmp_path / "m.html"
    assert main(["export", "html", *common, "--lang", "en", "--out", str(out)]) == 0
    assert "Xuân Lạc" in out.read_text(encoding="utf-8") or "Xu\\u00e2n" in out.read_text()
    out = tmp_path / "d.xlsx"
    assert main(["export", "data", *common, "--out", str(out)]) == 0
    assert "Wrote" in capsys.readouterr().out
    assert (
        main(
            [
                "export",
                "map",
                "--store",
                str(store_path),
                "--district",
                "Nowhere",
                "--out",
                str(tmp_path / "x.png"),
            ]
        )
        == 1
    )
    assert "Unknown district 'Nowhere'; choose one of" in capsys.readouterr().err


# ------------------------------------------------------------------------------ dashboard
@pytest.mark.parametrize("fmt", ["pdf", "html", "csv"])
def test_export_view_download_for_the_dashboard_button(bundle, fmt):
    import base64

    payload = export.export_view_download(
        bundle, CHO_DON, "coverage", 2019, fmt, "vi", visible=("communes", "districts")
    )
    data = base64.b64decode(payload["content"])
    assert payload["base64"] is True and payload["filename"].endswith(f".{fmt}")
    assert payload["filename"].startswith("ntm-atlas_")
    if fmt == "pdf":
        assert "Xuân Lạc" in pdf_text(data)[0]
    elif fmt == "html":
        assert fm.external_references(data.decode("utf-8")) == []
    else:
        assert "Xã Xuân Lạc" in data.decode("utf-8-sig")
    with pytest.raises(ValueError, match="choose one of png, svg, pdf, html"):
        export.export_view_download(bundle, CHO_DON, "coverage", 2019, "docx")


def test_exports_leave_the_bundle_as_loaded(bundle, store_path):
    fresh = Bundle.load(store_path)
    for name in ("communes_2019", "assignments", "projects", "commune_status", "districts"):
        pd.testing.assert_frame_equal(
            pd.DataFrame(bundle.tables[name]).drop(columns="geometry", errors="ignore"),
            pd.DataFrame(fresh.tables[name]).drop(columns="geometry", errors="ignore"),
        )
