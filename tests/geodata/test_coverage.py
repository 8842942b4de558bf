"""Coverage measures: tiny hand-built bundle for the rules, the real store for the facts."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box
from store_samples import add_cao_tri_assignment, reopen

from geodata import coverage as cv
from geodata.bundle import Bundle


def _tiny() -> Bundle:
    """Three 2019 communes (A, B in district 001; C in 002); B and C merge into B in 2020 and
    2025. A has a sponsor 2019–2020, C is difficult, B has two projects."""
    c19 = gpd.GeoDataFrame(
        {
            "code": ["1", "2", "3"],
            "name": ["Xã A", "Xã B", "Xã C"],
            "kind": ["xã"] * 3,
            "district_code": ["001", "001", "002"],
            "district_name": ["Huyện X", "Huyện X", "Huyện Y"],
            "area_km2": [1.0, 1.0, 1.0],
        },
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)],
        crs="EPSG:4326",
    )
    c20 = gpd.GeoDataFrame(
        {
            "code": ["1", "2"],
            "name": ["Xã A", "Xã B"],
            "kind": ["xã"] * 2,
            "district_code": ["001", "001"],
            "district_name": ["Huyện X", "Huyện X"],
            "area_km2": [1.0, 2.0],
        },
        geometry=[box(0, 0, 1, 1), box(1, 0, 3, 1)],
        crs="EPSG:4326",
    )
    c25 = c20.assign(district_code=None, district_name=None)
    cw = pd.DataFrame(
        {
            "code_2019": ["1", "2", "3"],
            "name_2019": ["Xã A", "Xã B", "Xã C"],
            "district_code": ["001", "001", "002"],
            "code_2020": ["1", "2", "2"],
            "name_2020": ["Xã A", "Xã B", "Xã B"],
            "code_2025": ["1", "2", "2"],
            "name_2025": ["Xã A", "Xã B", "Xã B"],
        }
    )
    codes = {"code_2019": "1", "code_2020": "1", "code_2025": "1"}
    asg = pd.DataFrame(
        [
            {
                "assignment_id": "A1",
                "sponsor_name": "Sở X",
                "sponsor_kind": "department",
                "commune": "Xã A",
                "district_code": "001",
                "period_start_year": 2019,
                "period_end_year": 2020,
                "source_url": "u1",
                **codes,
            },
        ]
    )
    asg["period_start_year"] = asg["period_start_year"].astype("Int64")
    asg["period_end_year"] = asg["period_end_year"].astype("Int64")
    b_codes = {"code_2019": "2", "code_2020": "2", "code_2025": "2"}
    prj = gpd.GeoDataFrame(
        [
            {
                "project_id": "P1",
                "kind": "bridge",
                "title": "<b>Cầu</b>",
                "commune": "Xã B",
                "district_code": "001",
                "year": "2018",
                "year_start": 2018,
                "year_end": 2018,
                "ntm_criterion": "2",
                "sponsor_name": "Sở X",
                "agency": "Sở X",
                "cost_vnd": 100,
                "source_url": "u2",
                "status": None,
                "location_precision": "commune",
                **b_codes,
            },
            {
                "project_id": "P2",
                "kind": "road",
                "title": "Đường",
                "commune": "Xã B",
                "district_code": "001",
                "year": None,
                "year_start": None,
                "year_end": None,
                "ntm_criterion": "2;4",
                "sponsor_name": "Ai đó",
                "agency": None,
                "cost_vnd": None,
                "source_url": "u3",
                "status": None,
                "location_precision": "commune",
                **b_codes,
            },
        ],
        geometry=[Point(1.5, 0.5), Point(1.6, 0.5)],
        crs="EPSG:4326",
    )
    status = pd.DataFrame(
        [
            {
                "status_id": "S1",
                "commune": "Xã C",
                "status_kind": "program135_extremely_difficult",
                "year": 2016,
                "source_url": "u4",
                "district_code": "002",
                "code_2019": "3",
                "code_2020": "2",
                "code_2025": "2",
            },
            {
                "status_id": "S2",
                "commune": "Xã A",
                "status_kind": "ntm_achieved",
                "year": 2019,
                "source_url": "u5",
                "district_code": "001",
                **codes,
            },
        ]
    )
    agencies = pd.DataFrame(
        {
            "name": ["Sở X", "Sở Z"],
            "abbreviation": [None, None],
            "kind": ["department", "mass_org"],
            "source_url": [None, None],
        }
    )
    return Bundle.from_tables(
        {
            "communes_2019": c19,
            "communes_2020": c20,
            "communes_2025": c25,
            "crosswalk": cw,
            "assignments": asg,
            "projects": prj,
            "commune_status": status,
            "agencies": agencies,
        }
    )


@pytest.fixture(scope="module")
def tiny() -> Bundle:
    return _tiny()


def test_measures_per_commune(tiny):
    m = cv.commune_measures(tiny, 2019).set_index("code")
    assert m.loc["1", "coverage"] == "sponsored"
    assert m.loc["3", "coverage"] == "difficult_none"
    assert m.loc["2", "coverage"] == "none"
    assert m.loc["2", "n_projects"] == 2
    assert m.loc["2", "support_vnd"] == 100
    assert m.loc["2", "n_costed"] == 1
    assert m.loc["1", "ntm_year"] == 2019
    assert m.loc["1", "n_sources"] == 2  # assignment + status


def test_reaggregation_to_later_vintage(tiny):
    # C's Programme 135 record is of 2016–2020: the years say which period's list counts.
    f = cv.Filters(year_from=2016, year_to=2020)
    m = cv.commune_measures(tiny, 2020, f).set_index("code")
    assert list(m.index) == ["1", "2"]
    assert bool(m.loc["2", "difficult"])  # C was difficult and merged into B
    assert m.loc["2", "coverage"] == "difficult_none"
    # The 2020 units default to 2021–2025, whose region III list does not name C.
    assert not cv.commune_measures(tiny, 2020).set_index("code").loc["2", "difficult"]


def test_district_filter_and_2025_parts(tiny):
    f = cv.Filters(districts=("002",))
    m19 = cv.commune_measures(tiny, 2019, f).set_index("code")
    assert m19["in_view"].to_dict() == {"1": False, "2": False, "3": True}
    m25 = cv.commune_measures(tiny, 2025, f).set_index("code")
    assert m25["in_view"].to_dict() == {"1": False, "2": True}
    assert m19.loc["1", "n_sponsors"] == 0  # out of view counts nothing


def test_year_filter_and_undated(tiny):
    f = cv.Filters(year_from=2021, year_to=2023)
    assert cv.filter_assignments(tiny, 2019, f).empty
    assert cv.filter_projects(tiny, 2019, f)["project_id"].tolist() == ["P2"]  # undated kept
    f = f.replace(include_undated=False)
    assert cv.filter_projects(tiny, 2019, f).empty
    f = cv.Filters(year_from=2020)
    assert cv.filter_assignments(tiny, 2019, f)["assignment_id"].tolist() == ["A1"]


def test_project_filters(tiny):
    assert cv.filter_projects(tiny, 2019, cv.Filters(criteria=(4,)))["project_id"].tolist() == [
        "P2"
    ]
    assert cv.filter_projects(tiny, 2019, cv.Filters(project_kinds=("bridge",))).shape[0] == 1
    assert cv.filter_projects(tiny, 2019, cv.Filters(sponsors=("Sở X",))).shape[0] == 1
    assert cv.filter_projects(tiny, 2019, cv.Filters(sponsor_kinds=("mass_org",))).empty
    assert cv.filter_projects(tiny, 2019, cv.Filters(statuses=("unknown",))).shape[0] == 2
    assert cv.filter_projects(tiny, 2019, cv.Filters(statuses=("done",))).empty


def test_gap_table_difficult_first(tiny):
    gaps = cv.gap_table(tiny, 2019)
    assert gaps["code"].tolist() == ["3", "2"]


def test_sponsor_load_keeps_sponsors_without_commune(tiny):
    load = cv.sponsor_load(tiny, 2019).set_index("sponsor")
    assert load.loc["Sở X", "n_communes"] == 1
    assert load.loc["Sở X", "periods"] == "2019–2020"
    assert load.loc["Sở Z", "load"] == "none"


def test_overview_and_completeness(tiny):
    o = cv.overview(tiny, 2019)
    assert (o["n_communes"], o["n_sponsored"], o["n_difficult"]) == (3, 1, 1)
    assert o["projects_by_kind"] == {"bridge": 1, "road": 1}
    c = o["completeness"]
    assert (c["n_assignments"], c["n_projects"], c["n_sources"]) == (1, 2, 5)
    assert (c["year_min"], c["year_max"], c["n_undated"]) == (2016, 2020, 1)


def test_commune_details(tiny):
    d = cv.commune_details(tiny, 2019, "3")
    assert d["became"] == {2020: ["Xã B"], 2025: ["Xã B"]}
    assert d["difficult"]
    assert cv.commune_details(tiny, 2019, "nope") is None
    assert cv.project_details(tiny, "P1")["title"] == "<b>Cầu</b>"


def test_filters_round_trip():
    f = cv.Filters(sponsors=("Sở X",), criteria=(2, 4), year_from=2019, difficult_only=True)
    assert cv.Filters.from_dict(f.to_dict()) == f
    assert cv.Filters.from_dict({"year_from": "", "bogus": 1}) == cv.Filters()


# ------------------------------------------------------------------------- real store
def test_real_counts_per_vintage(bundle):
    for vintage, n in ((2019, 122), (2020, 108), (2025, 37)):
        m = cv.commune_measures(bundle, vintage)
        assert len(m) == n
        assert m["n_projects"].sum() == len(bundle.projects)


def test_real_xuan_lac(bundle):
    d = cv.commune_details(bundle, 2019, "02023")
    assert d["name"] == "Xã Xuân Lạc"
    assert "Sở Công Thương tỉnh Bắc Kạn" in set(d["assignments"]["sponsor_name"])
    assert d["became"][2025] == ["Xã Nam Cường"]
    d25 = cv.commune_details(bundle, 2025, "02026")
    assert d25["name"] == "Xã Nam Cường"
    assert "Xã Xuân Lạc" in d25["parts_2019"]
    assert set(d["projects"]["project_id"]) <= set(d25["projects"]["project_id"])


def test_real_district_filter(bundle):
    o = cv.overview(bundle, 2019, cv.Filters(districts=("064",)))
    assert o["n_communes"] == 22
    assert o["n_sponsored"] < cv.overview(bundle, 2019)["n_sponsored"]


def test_bundle_holder_reloads_a_changed_store(store):
    """A write (an import, a rebuild) raises the store's version: the holder of every worker
    hands out a new bundle on its next look, and the same one as long as nothing changed."""

    from geodata.bundle import BundleHolder

    holder = BundleHolder(reopen(store), interval=0)  # another worker's view of the store
    first = holder.get()
    assert holder.get() is first  # nothing changed: same bundle
    add_cao_tri_assignment(store)
    second = holder.get()
    assert second is not first
    assert len(second.assignments) == len(first.assignments) + 1
    before = cv.overview(first, 2019)["n_sponsored"]
    assert cv.overview(second, 2019)["n_sponsored"] == before + 1
    # An import rewrites a few programme tables: only those are read again, and the boundary
    # GeoJSON (the costly part) is taken over from the bundle before.
    store.replace_tables({"assignments": store.read("assignments").iloc[:-1]})
    third = holder.get()
    assert len(third.assignments) == len(first.assignments)
    assert cv.overview(third, 2019)["n_sponsored"] == before
    assert third.geojson["communes_2019"] is second.geojson["communes_2019"]
    assert third.tables["communes_2019"] is second.tables["communes_2019"]
    assert third.inputs["assignments"] is not second.inputs["assignments"]
