"""Print sheets, atlas pages and the standalone HTML map, on tiny hand-built shapes."""

from __future__ import annotations

import io
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from components import in_page
from PIL import Image
from pypdf import PdfReader
from shapely.geometry import box

from layers import folium_map as fm
from layers import sheet
from layers.atlas import AtlasPage, Table, render_atlas_page, render_contents
from layers.sheet import LegendItem, LegendSection, MapLayers, SheetText


def _tiny_layers() -> MapLayers:
    communes = gpd.GeoDataFrame(
        {
            "code": ["1", "2", "3"],
            "name": ["Xã Xuân Lạc", "Xã Nam Cường", "Xã Đồng Lạc"],
            "fill": ["#2166ac", "#d55e00", "#fddbc7"],
            "in_view": [True, True, False],
        },
        geometry=[
            box(105.50, 22.30, 105.60, 22.40),
            box(105.60, 22.30, 105.70, 22.40),
            box(105.50, 22.20, 105.70, 22.30),
        ],
        crs=4326,
    ).to_crs(sheet.PRINT_CRS)
    district = gpd.GeoDataFrame(
        {"label": ["Chợ Đồn"]}, geometry=[box(105.5, 22.2, 105.7, 22.4)], crs=4326
    ).to_crs(sheet.PRINT_CRS)
    neighbours = gpd.GeoDataFrame(
        {"label": ["Tuyên Quang"]}, geometry=[box(105.2, 22.0, 105.5, 22.6)], crs=4326
    ).to_crs(sheet.PRINT_CRS)
    pts = gpd.GeoSeries.from_xy([105.55, 105.65], [22.35, 22.33], crs=4326).to_crs(sheet.PRINT_CRS)
    points = pd.DataFrame(
        {
            "x": pts.x,
            "y": pts.y,
            "colour": ["#0072B2", "#E69F00"],
            "letter": ["C", "Đ"],
            "approximate": [True, False],
        }
    )
    labels = pd.DataFrame(
        {
            "x": communes.centroid.x,
            "y": communes.centroid.y,
            "label": ["Xuân Lạc", "Nam Cường", "Đồng Lạc"],
        }
    )
    return MapLayers(
        communes=communes,
        districts=district,
        province=district,
        neighbours=neighbours,
        points=points,
        commune_labels=labels,
    )


LEGEND = [
    LegendSection(
        "Tình trạng có nhà tài trợ",
        (
            LegendItem("Đã ghi nhận nhà tài trợ", "#2166ac"),
            LegendItem("Ngoài bộ lọc", "#f2f2f2", hatch="////"),
        ),
    ),
    LegendSection(
        "Công trình",
        (LegendItem("Cầu", "#0072B2", "point", "C"), LegendItem("Vị trí gần đúng", "#777", "halo")),
    ),
]
TEXT = SheetText(
    title="Bản đồ thử: Bắc Kạn",
    subtitle="Ranh giới 2015–2020 · huyện: Chợ Đồn",
    sources=("GADM, version 4.1 — GADM licence",),
    date="Ngày lập: 28/11/2026",
    note="Dữ liệu: 3 bản ghi",
    credit="NTM Atlas",
)


def _sheet(orientation="landscape", paper="A4"):
    layers = _tiny_layers()
    locator = (layers.neighbours, layers.province)
    return sheet.render_map_sheet(
        layers, TEXT, LEGEND, paper=paper, orientation=orientation, locator=locator
    )


def test_paper_sizes_and_errors():
    assert sheet.pixel_size("A4", "landscape", 300) == (3508, 2480)
    assert sheet.pixel_size("A4", "portrait", 300) == (2480, 3508)
    assert sheet.pixel_size("A3", "landscape", 300) == (4961, 3508)
    with pytest.raises(ValueError, match="choose one of A4, A3"):
        sheet.paper_inches("Letter", "landscape")
    with pytest.raises(ValueError, match="landscape, portrait"):
        sheet.paper_inches("A4", "sideways")
    with pytest.raises(ValueError, match="png, svg, pdf"):
        sheet.figure_bytes(_sheet(), "jpg")


@pytest.mark.parametrize(("orientation", "dpi"), [("landscape", 100), ("portrait", 72)])
def test_png_has_the_paper_size_and_is_not_blank(orientation, dpi):
    data = sheet.figure_bytes(_sheet(orientation), "png", dpi)
    img = Image.open(io.BytesIO(data)).convert("RGB")
    assert img.size == sheet.pixel_size("A4", orientation, dpi)
    pixels = np.asarray(img)
    not_white = (pixels < 245).any(axis=2).mean()
    assert not_white > 0.2  # the map, neighbours, legend...
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50


def test_sheet_has_scale_bar_north_arrow_legend_and_locator():
    fig = _sheet()
    map_ax = fig.axes[0]
    assert any(type(a).__name__ == "ScaleBar" for a in map_ax.artists)
    assert "N" in [t.get_text() for t in map_ax.texts]
    texts = [t.get_text() for t in fig.texts]
    assert TEXT.title in texts and TEXT.subtitle in texts and TEXT.date in texts
    assert any("GADM" in t for t in texts)
    legend_texts = [
        t.get_text()
        for ax in fig.axes
        for a in ax.artists
        if hasattr(a, "get_texts")
        for t in a.get_texts()
    ]
    assert "Cầu" in legend_texts and "Đã ghi nhận nhà tài trợ" in legend_texts
    assert len(fig.axes) == 3  # map, locator, legend


def test_svg_and_pdf_keep_text_as_text():
    svg = sheet.figure_bytes(_sheet(), "svg").decode("utf-8")
    assert re.search(r"<text[^>]*>Xuân Lạc</text>", svg)  # a haloed label, still text
    assert "Bản đồ thử: Bắc Kạn" in svg and "Đã ghi nhận nhà tài trợ" in svg
    # The glyphs travel with the file: subsets of the fonts as @font-face data.
    import base64

    from fontTools.ttLib import TTFont

    faces = re.findall(r"@font-face\{font-family:'([^']+)';[^}]*base64,([^)]+)\)", svg)
    assert len(faces) == 3
    cmap = TTFont(io.BytesIO(base64.b64decode(faces[0][1]))).getBestCmap()
    assert all(ord(c) in cmap for c in "Xuân Lạc Đồng")
    pdf = PdfReader(io.BytesIO(sheet.figure_bytes(_sheet(), "pdf")))
    text = pdf.pages[0].extract_text()
    assert "Xuân Lạc" in text and "Bản đồ thử: Bắc Kạn" in text and "Cầu" in text
    fonts = [f.get_object() for f in pdf.pages[0]["/Resources"]["/Font"].values()]
    assert all(f["/Subtype"] == "/Type0" or "/FontDescriptor" in f for f in fonts)


def test_legend_flows_into_columns_and_shrinks_to_fit():
    fig = sheet.new_sheet("A4", "portrait")
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.12))
    items = tuple(LegendItem(f"Mục {i}", "#123456") for i in range(12))
    size = sheet.draw_legend(ax, [LegendSection("A", items), LegendSection("B", items)])
    assert size <= 7
    renderer = fig.canvas.get_renderer()
    for leg in ax.artists:
        bb = leg.get_window_extent(renderer).transformed(ax.transAxes.inverted())
        assert bb.x0 >= -0.01 and bb.x1 <= 1.01 and bb.y0 >= -0.05


def test_atlas_page_and_contents():
    layers = _tiny_layers()
    page = AtlasPage(
        title="Xã Xuân Lạc",
        subtitle="Huyện Chợ Đồn",
        layers=layers,
        highlight=layers.communes.iloc[:1],
        facts=("Diện tích: 80 km²",),
        tables=(
            Table("Công trình (1)", ("Năm", "Nội dung"), (1, 4), (("2019", "Cầu " * 80),)),
            Table("Nhà tài trợ (0)", ("A",), (1,), (), "Chưa ghi nhận nhà tài trợ."),
        ),
        sources_title="Nguồn",
        sources=("https://backan.gov.vn/a",),
        footer="NTM Atlas",
        page_label="Trang 5",
    )
    fig = render_atlas_page(page, (layers.neighbours, layers.province))
    pdf = PdfReader(io.BytesIO(sheet.figure_bytes(fig, "pdf")))
    text = pdf.pages[0].extract_text()
    for words in ("Xã Xuân Lạc", "Trang 5", "Chưa ghi nhận nhà tài trợ.", "backan.gov.vn"):
        assert words in text
    # A long description wraps onto more lines: every word is printed, nothing is cut.
    assert text.count("Cầu") == 80 and "…" not in text
    pages = render_contents(
        "Mục lục",
        [(f"Xã {i}", "Ba Bể", i) for i in range(60)],
        heading=("Xã", "Huyện", "Trang"),
        rows=25,
    )
    assert len(pages) == 3


# ------------------------------------------------------------------------------ folium
EVIL = '<img src=x onerror="alert(1)">`${alert(2)}`</script>'


def _html_layers() -> fm.HtmlLayers:
    communes = gpd.GeoDataFrame(
        {
            "code": ["1", "2"],
            "name": ["Xã Xuân Lạc", EVIL],
            "fill": ["#2166ac", "#fddbc7"],
            "in_view": [True, True],
            "tooltip": ["Xã Xuân Lạc — có", EVIL],
            "popup": [
                fm.popup_html("Xã Xuân Lạc", [("Nhà tài trợ", "Sở Công Thương")]),
                fm.popup_html(EVIL, [(EVIL, EVIL)], [EVIL, "https://ok.example/x"]),
            ],
        },
        geometry=[box(105.5, 22.3, 105.6, 22.4), box(105.6, 22.3, 105.7, 22.4)],
        crs=4326,
    )
    districts = gpd.GeoDataFrame(
        {"label": [EVIL]}, geometry=[box(105.5, 22.3, 105.7, 22.4)], crs=4326
    )
    points = pd.DataFrame(
        {
            "lon": [105.55],
            "lat": [22.35],
            "colour": ["#0072B2"],
            "letter": ["C"],
            "approximate": [True],
            "group": ["Công trình: Cầu (1)"],
            "tooltip": [EVIL],
            "popup": [fm.popup_html(EVIL, [("Loại", "Cầu")])],
        }
    )
    return fm.HtmlLayers(
        communes=communes,
        districts=districts,
        province=districts,
        neighbours=districts,
        points=points,
    )


def test_standalone_html_inlines_leaflet_and_escapes_everything():
    text = fm.HtmlText(
        title=EVIL,
        subtitle="Ranh giới 2015–2020",
        sources=(EVIL,),
        legend=(("Chú giải", (fm.HtmlLegendItem(EVIL, "#2166ac"),)),),
    )
    m = fm.build_map(_html_layers(), text)
    page = fm.standalone_html(m, title=EVIL)
    assert fm.external_references(page) == []
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+stylesheet", page)
    assert "Leaflet" in page and "leaflet-control-layers" in page  # inlined JS and CSS
    assert in_page("Xã Xuân Lạc", page)
    assert "<img src=x" not in page and 'onerror="alert' not in page
    assert "${alert" not in page
    assert page.count("</script>") == page.count("<script")  # nothing closed a script early
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "javascript:" not in page


def test_external_references_are_found():
    assert fm.external_references('<script src="https://cdn.x/leaflet.js"></script>')
    assert fm.external_references("<style>@import url('https://fonts.x/css');</style>")
    assert not fm.external_references('<a href="https://backan.gov.vn">nguồn</a>')
