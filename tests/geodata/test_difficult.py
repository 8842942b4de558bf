"""The official "difficult" lists per programme period, on the real store: what a planner
checks against the decisions (861/QĐ-TTg names, counts per district, what is still missing)."""

from __future__ import annotations

import pytest

from geodata import coverage as cv
from geodata import programme as pg
from geodata.bundle import Bundle


def _names(bundle: Bundle, vintage: int, codes) -> set[str]:
    communes = bundle.communes(vintage).set_index("code")
    return {communes.loc[c, "name"] for c in codes}


def test_region_iii_2021_2025_named_communes(bundle):
    codes = pg.difficult_units(bundle, "2021-2025", 2020)
    assert len(codes) == 39
    names = _names(bundle, 2020, codes)
    # Named by the Sở KH&ĐT list; "Hoà Mục" written "Hòa Mục" there, "Liêm Thuỷ" as "Liêm Thủy".
    assert {"Xã Xuân Lạc", "Xã Đại Sảo", "Xã Hoà Mục", "Xã Liêm Thuỷ", "Xã Cao Tân"} <= names
    # Region II and I communes are not difficult.
    assert not {"Xã Thanh Vận", "Xã Cường Lợi", "Xã Kim Lư"} & names


def test_period_decides_the_list(bundle):
    p135 = pg.difficult_units(bundle, "2016-2020", 2019)
    assert _names(bundle, 2019, p135) == {
        "Xã Yên Thượng",
        "Xã Yên Thịnh",
        "Xã Bằng Lãng",
        "Xã Lương Bằng",
        "Xã Nghĩa Tá",
    }
    # The default 2015–2020 view keeps the Programme 135 list; years 2021+ switch to region III.
    assert cv.overview(bundle, 2019)["n_difficult"] == 5
    later = cv.overview(bundle, 2019, cv.Filters(year_from=2021, year_to=2025))
    assert later["n_difficult"] >= 39  # 2020 units cover one or more 2019 communes
    assert cv.overview(bundle, 2020)["n_difficult"] == 39
    # "Difficult only" keeps exactly the period's list.
    m = cv.commune_measures(bundle, 2020, cv.Filters(difficult_only=True))
    assert set(m.loc[m["in_view"], "code"]) == set(pg.difficult_units(bundle, "2021-2025", 2020))


def test_merged_2020_unit_marks_all_its_2019_parts(bundle):
    # Đồng Thắng (2020) is not in the list; Xuân Lạc is, and maps to itself in 2019.
    codes19 = pg.difficult_units(bundle, "2021-2025", 2019)
    assert "02023" in codes19
    cw = bundle.crosswalk
    for code20 in pg.difficult_units(bundle, "2021-2025", 2020):
        parts = set(cw.loc[cw["code_2020"] == code20, "code_2019"])
        assert parts <= codes19


def test_completeness_counts_against_861(bundle):
    c = pg.difficult_completeness(bundle, "2021-2025")
    assert (c.known, c.inferred, c.total) == (39, 10, 67)
    assert c.decision == "861/QĐ-TTg (04/06/2021)"
    assert not c.complete
    # Whole districts: Chợ Đồn 8/8; Ba Bể 0/11 (none named yet).
    cho_don = pg.difficult_completeness(bundle, "2021-2025", ("064",))
    assert (cho_don.known, cho_don.total) == (8, 8) and cho_don.complete
    ba_be = pg.difficult_completeness(bundle, "2021-2025", ("061",))
    assert (ba_be.known, ba_be.total) == (0, 11)
    # No official count of the Programme 135 list is recorded: known only.
    p = pg.difficult_completeness(bundle, "2016-2020")
    assert (p.known, p.total) == (5, None)


def test_every_difficult_row_keeps_its_source(bundle):
    for period in pg.PERIODS:
        rows = pg.difficult_rows(bundle.status, period)
        assert rows["source_url"].str.startswith("http").all()
    counts = bundle.tables["official_counts"]
    assert counts["source_url"].str.startswith("https://backan.gov.vn/").all()
    assert int(counts.loc[counts["status_kind"] == "region_III", "count"].sum()) == 67


def test_unknown_period_is_refused(bundle):
    with pytest.raises(ValueError, match="2016-2020, 2021-2025"):
        pg.difficult_units(bundle, "2030", 2019)
