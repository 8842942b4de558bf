"""Every filter against every measure on the real store (docs/filters.md says what they mean).

Each case checks what a reader of the map would check: the legend counts add up to the
communes of the vintage, a commune outside the filters is never "no sponsor recorded", a
sponsor filter never turns other sponsors' communes into "none recorded", a project filter
outlines the communes that have such a project, and the cards (``overview``) count what the
legend counts.
"""

from __future__ import annotations

import pytest

from geodata import coverage as cv
from geodata.vocabulary import ProjectStatus
from layers import styles

SCT = "Sở Công Thương tỉnh Bắc Kạn"
CHO_DON = "064"

FILTERS = {
    "district": cv.Filters(districts=(CHO_DON,)),
    "sponsor": cv.Filters(sponsors=(SCT,)),
    "sponsor_kind": cv.Filters(sponsor_kinds=("mass_org",)),
    "project_kind": cv.Filters(project_kinds=("bridge",)),
    "criterion": cv.Filters(criteria=(4,)),
    "years": cv.Filters(year_from=2019, year_to=2020, include_undated=False),
    "status": cv.Filters(statuses=(ProjectStatus.UNKNOWN,)),  # the seed gives no status
    "difficult": cv.Filters(difficult_only=True),
}
MEASURES = tuple(styles.MEASURES)


@pytest.fixture(scope="module")
def default_table(bundle):
    return cv.commune_measures(bundle, 2019)


def _counts(measure, table):
    return {e.key: e.count for e in styles.legend(measure, table)}


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("name", list(FILTERS))
def test_filter_by_measure(bundle, default_table, name, measure):
    f = FILTERS[name]
    table = cv.commune_measures(bundle, 2019, f)
    counts = _counts(measure, table)
    n_out = int((~table["in_view"]).sum())
    # The legend accounts for every commune once (the "match" row is an outline, not a class).
    classes = {k: n for k, n in counts.items() if k != "match"}
    assert sum(classes.values()) == len(table) == 122
    # Outside the filters is its own class, never "none recorded".
    assert classes.get("out_of_view", 0) == n_out
    assert not table.loc[~table["in_view"], "match"].any()
    cls = styles.classify(measure, table)
    assert (cls[~table["in_view"].to_numpy()] == 0).all()
    # Every filter changes what the legend says.
    assert counts != _counts(measure, default_table), f"{name} changes nothing on {measure}"
    # A sponsor or project filter adds the outline row, with the communes that match.
    if f.highlights:
        assert counts["match"] == int(table["match"].sum()) > 0
    else:
        assert "match" not in counts


@pytest.mark.parametrize("name", list(FILTERS))
def test_cards_count_what_the_legend_counts(bundle, name):
    f = FILTERS[name]
    table = cv.commune_measures(bundle, 2019, f)
    o = cv.overview(bundle, 2019, f, measures=table)
    counts = _counts("coverage", table)
    helped = counts.get("chosen", counts.get("sponsored"))
    assert o["n_sponsored"] == helped
    assert o["n_others"] == counts.get("others", 0)
    assert o["n_none"] == counts["none"] + counts["difficult_none"]
    assert o["n_communes"] + counts.get("out_of_view", 0) == 122
    assert o["n_match"] == counts.get("match", 0)
    gaps = _counts("gaps", table)
    assert len(cv.gap_table(bundle, 2019, f, measures=table)) == o["n_none"]
    assert gaps["difficult_none"] + gaps["none"] == o["n_none"]


def test_sponsor_filter_keeps_other_sponsors_communes(bundle, default_table):
    """Issue 9: choosing Sở Công Thương must not turn other sponsors' communes into gaps."""
    table = cv.commune_measures(bundle, 2019, FILTERS["sponsor"])
    counts = _counts("coverage", table)
    before = _counts("coverage", default_table)
    assert counts["none"] == before["none"]
    assert counts["difficult_none"] == before["difficult_none"]
    assert counts["chosen"] + counts["others"] == before["sponsored"]
    assert counts["chosen"] >= 1  # Xuân Lạc
    assert table.set_index("code").loc["02023", "coverage"] == "chosen"
    assert "sponsored" not in counts


def test_project_kind_outlines_communes_with_that_kind(bundle):
    f = FILTERS["project_kind"]
    table = cv.commune_measures(bundle, 2019, f)
    projects = bundle.projects
    with_bridge = set(projects.loc[projects["kind"] == "bridge", "code_2019"].dropna())
    assert set(table.loc[table["match"], "code"]) == with_bridge
    # n_projects counts bridges only.
    assert table["n_projects"].sum() == int((projects["kind"] == "bridge").sum())


def test_district_filter_greys_out_the_rest(bundle):
    table = cv.commune_measures(bundle, 2019, FILTERS["district"])
    counts = _counts("coverage", table)
    assert counts["out_of_view"] == 100  # 22 communes in Chợ Đồn
    assert counts["sponsored"] + counts["difficult_none"] + counts["none"] == 22


def test_describe_filters_names_every_chosen_filter():
    f = cv.Filters(
        districts=(CHO_DON,),
        sponsors=(SCT,),
        project_kinds=("bridge",),
        year_from=2019,
        year_to=2020,
        difficult_only=True,
    )
    parts = dict(cv.describe_filters(f))
    assert parts["sponsors"] == (SCT,)
    assert parts["project_kinds"] == ("bridge",)
    assert parts["years"] == (2019, 2020, True)
    assert parts["districts"] == (CHO_DON,)
    assert "difficult_only" in parts
