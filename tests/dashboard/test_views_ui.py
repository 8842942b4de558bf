"""The screen half of issue 9, unit-tested on the real store: the gap tables, the cards and the
line that say what is counted, the empty state, the map's point groups and outlines."""

from __future__ import annotations

import pytest
from components import table_cells, text_of

from dashboard import callbacks as cb
from dashboard import gap_view, ids
from dashboard import state as st
from dashboard.app import _context
from dashboard.i18n import Translations
from geodata.bundle import Bundle

SCT = "Sở Công Thương tỉnh Bắc Kạn"


@pytest.fixture(scope="module")
def ctx(store_path):
    return _context(Bundle.load(store_path), Translations.load(), "")


def _screen(ctx, **changes) -> cb.Screen:
    """The default view state with some fields changed (by state key)."""
    return cb.Screen(ctx, {**st.default_state(ctx.years), **changes})


def _view(ctx, **changes) -> dict:
    """The view's outputs by name after the fields ``changes`` names changed."""
    return cb.view_outputs(_screen(ctx, **changes), triggered=set(changes) or {"lang"})


def test_gap_table_is_a_plain_sortable_table_with_full_headers(ctx):
    t = ctx.translations.get("vi")
    rows = cb.table_rows(ctx, st.default_state(ctx.years), "gaps")
    assert rows == cb.gap_rows(_screen(ctx).view, t)
    table = gap_view.gap_table(rows, t)
    text = text_of(table)
    for header in ("Xã", "Huyện", "Đặc biệt khó khăn", "Số công trình", "Năm đạt chuẩn NTM"):
        assert header in text
    body = table_cells(table, gap_view.GAP_COLUMNS)
    assert len(body) == len(rows) == 104  # 101 + 3 difficult communes with none recorded
    first = body[0]
    assert first["col.difficult"].children == "Có"  # difficult communes first
    assert first["col.n_projects"].className == "num"  # numbers right-aligned
    assert first["col.district"].className is None  # text stays left
    link = first["col.commune"].children
    assert link.id == {"type": ids.GAP_PICK, "code": rows[0]["code"]}
    # a click on it fills the search box in the browser (panels.js pickGap): test_dashboard.py


def test_gap_csv_neutralises_formulas():
    t = Translations.load().get("vi")
    text = gap_view.rows_csv([{"name": "=HYPERLINK(1)", "code": "1"}], gap_view.GAP_COLUMNS, t)
    assert "'=HYPERLINK" in text
    assert text.splitlines()[0].startswith("Xã,Huyện")


def test_english_tables_have_no_vietnamese_headers(ctx):
    t = ctx.translations.get("en")
    text = text_of(gap_view.sponsor_table(cb.sponsor_rows(_screen(ctx, lang="en").view, t), t))
    assert "Sponsor" in text and "Đơn vị" not in text.split("Sở")[0]


def test_cards_and_counted_line_with_a_sponsor(ctx):
    names = _view(ctx, s=[SCT])
    cards = text_of(names["cards"])
    assert "Xã được đơn vị đã chọn giúp đỡ" in cards
    assert "đơn vị khác giúp thêm" in cards
    counted = text_of(names["counted"])
    assert SCT in counted
    legend = text_of(names["legend"])
    assert "Được đơn vị đã chọn giúp đỡ" in legend and "Chỉ có đơn vị khác giúp đỡ" in legend
    assert "Viền đen đậm" in legend


def test_project_kind_outlines_and_counts(ctx):
    names = _view(ctx, pk=["bridge"])
    assert "Xã có công trình khớp bộ lọc" in text_of(names["cards"])
    match = names["paint"]["match"]  # map.js outlines these communes
    table = _screen(ctx, pk=["bridge"]).view.measures
    assert match and match == table.loc[table["match"], "code"].tolist()


def test_empty_state_says_why(ctx):
    names = _view(ctx, st=["completed"])  # the seed gives no status
    text = text_of(names["empty"])
    assert "Không có gì khớp bộ lọc" in text and "tình trạng công trình" in text
    assert text_of(_view(ctx)["empty"]) == ""


def test_points_gather_by_commune(ctx):
    screen = _screen(ctx)
    groups = screen.paint()["groups"]
    assert groups["02023"][0] == 12  # Xuân Lạc
    assert sum(g[0] for g in groups.values()) == len(screen.view.projects)
