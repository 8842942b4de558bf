"""A filter is one row of dashboard.state.FIELDS: the page's control, the language callback's
options and the "counted" line all come from that row, and the row's words are in both
languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from components import text_of

from dashboard import callbacks as cb
from dashboard import choices, ids, layout
from dashboard import state as st
from dashboard.i18n import Translations
from geodata import coverage as cv
from geodata.vocabulary import ProjectStatus, SponsorKind

ROOT = Path(__file__).resolve().parents[2]
TABLE = json.loads((ROOT / "assets" / "translations.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ctx(bundle) -> cb.Context:
    return cb.Context(
        bundle=bundle,
        translations=Translations.load(),
        geo_urls={name: f"/geo/{name}.geojson" for name in bundle.geojson},
        glyphs_url=None,
    )


def _ids(component, out: list) -> list:
    if isinstance(getattr(component, "id", None), str):
        out.append(component.id)
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str):
            _ids(child, out)
    return out


def test_every_filter_has_a_control_with_words_in_both_languages():
    for f in st.FILTER_FIELDS:
        assert f.shows is not None, f"filter {f.key!r} has no Control in state.FIELDS"
        for lang in ("vi", "en"):
            assert f.shows.label in TABLE[lang], (lang, f.shows.label)
            if f.shows.kind == "choices":
                assert f"counted.{f.shows.part}" in TABLE[lang], (lang, f.shows.part)


@pytest.mark.parametrize(
    ("terms", "name"),
    [(SponsorKind, choices.sponsor_kind_name), (ProjectStatus, choices.status_name)],
)
def test_every_chosen_kind_and_status_reads_as_words_in_both_languages(bundle, terms, name):
    """The counted line names a chosen sponsor kind or status by the vocabulary's own key."""
    for lang in ("vi", "en"):
        t = Translations.load().get(lang)
        for member in terms:
            words = name(bundle, member.value, t)
            assert words == TABLE[lang][member.label_key], (lang, member)
        # a value the vocabulary lacks reads "unknown", never as a raw key
        assert name(bundle, "not-a-kind", t) == TABLE[lang][f"{terms.KEY}.unknown"]
    vi = [name(bundle, m.value, Translations.load().get("vi")) for m in terms]
    en = [name(bundle, m.value, Translations.load().get("en")) for m in terms]
    assert len(set(vi)) == len(vi) and vi != en  # words of their own, in each language


def test_every_part_of_the_counted_sentence_is_a_filter_of_the_table():
    everything = cv.Filters(
        districts=("064",),
        sponsors=("x",),
        sponsor_kinds=("x",),
        project_kinds=("x",),
        criteria=(1,),
        statuses=("x",),
        year_from=2019,
        year_to=2020,
        difficult_only=True,
    )
    parts = [name for name, _values in cv.describe_filters(everything)]
    assert len(parts) == 8
    assert set(parts) <= set(st.BY_PART), set(parts) - set(st.BY_PART)


def test_the_filter_panel_is_the_table_in_order(bundle):
    t = Translations.load().get("vi")
    controls = layout.filter_controls(bundle, t, st.default_state((2015, 2024)))
    assert [
        next(i for i in _ids(c, []) if i in {f.control for f in st.FILTER_FIELDS}) for c in controls
    ] == [f.control for f in st.FILTER_FIELDS]
    district = controls[0]
    assert "Huyện" in text_of(district)
    assert set(layout.FILTER_DROPDOWN_IDS) == {
        ids.DISTRICT,
        ids.SPONSOR,
        ids.SPONSOR_KIND,
        ids.PROJECT_KIND,
        ids.CRITERION,
        ids.STATUS,
    }


def test_a_new_row_is_a_new_control_with_its_options_and_words(bundle, ctx):
    """What adding a filter takes: a Field with a Control (the meaning lives in Filters)."""
    row = st.Field(
        "pk2",
        "f-kind-again",
        default=lambda _y: [],
        read=lambda v, _y: v,
        write=lambda v: list(v),
        to_filters=lambda v, _y: {"project_kinds": tuple(v or ())},
        is_list=True,
        shows=st.Control(
            "filter.project_kind",
            "project_kinds",
            options=st.FIELD["pk"].shows.options,
            describe=st.FIELD["pk"].shows.describe,
        ),
    )
    t_en = Translations.load().get("en")
    control = layout._filter_control(bundle, t_en, row, ["bridge"])
    dropdown = next(c for c in control.children if getattr(c, "id", None) == "f-kind-again")
    assert dropdown.value == ["bridge"]
    assert {"Bridge", "Market"} <= {o["label"] for o in dropdown.options}
    assert "Project type" in text_of(control)


def test_language_switch_rebuilds_every_worded_filter(ctx):
    out = cb.translate(ctx, "en", [], [])
    en = ctx.translations.get("en")
    for f in cb.WORDED_FILTERS:
        labels = [o["label"] for o in out[f"{f.control}.options"]]
        assert labels and labels == [o["label"] for o in f.shows.options(ctx.bundle, en)]
    assert {f.key for f in cb.WORDED_FILTERS} == {"sk", "pk", "c", "u", "st", "dif"}


def test_counted_line_reads_each_chosen_value_in_words(ctx):
    state = {**st.default_state(ctx.years), "d": ["064"], "st": ["in_progress"], "c": [2]}
    screen = cb.Screen(ctx, {**state, "lang": "en"})
    line = text_of(cb.counted_children(ctx, screen.view, screen.t))
    assert "in progress" in line.lower(), line
    assert "2. " in line, line
    district = ctx.bundle.tables["districts"].set_index("code").loc["064", "name"]
    assert district in line, line
    assert "064" not in line, line
