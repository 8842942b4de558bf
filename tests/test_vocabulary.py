"""One vocabulary: every value the data, the filters and the imports use is a member, every
member has its words in both languages, and the two bugs of two spellings stay fixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from components import text_of
from dash import no_update
from import_samples import PROJECT_HEADER, write_csv

from dashboard import callbacks as cb
from dashboard import choices, layout
from dashboard.i18n import Translations
from geodata import coverage as cv
from geodata import vocabulary as vocab
from geodata.bundle import Bundle
from geodata.imports import ImportContext, check_file, import_report
from geodata.imports.messages import REASONS
from layers import figures, styles

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ values the vocabulary lacks
def test_every_stored_value_is_in_the_vocabulary(bundle):
    """A kind, status or id in the store that the vocabulary lacks fails here."""
    checks = {
        "projects.kind": (bundle.projects["kind"], vocab.ProjectKind),
        "projects.status": (bundle.projects["status"], vocab.ProjectStatus),
        "agencies.kind": (bundle.agencies["kind"], vocab.SponsorKind),
        "assignments.sponsor_kind": (bundle.assignments["sponsor_kind"], vocab.SponsorKind),
        "commune_status.status_kind": (bundle.status["status_kind"], vocab.CommuneStatusKind),
    }
    for vintage in vocab.VINTAGES:
        checks[f"communes_{vintage}.kind"] = (bundle.communes(vintage)["kind"], vocab.UnitKind)
    for where, (values, terms) in checks.items():
        unknown = set(values.dropna()) - set(terms.values())
        assert not unknown, f"{where}: {unknown} not in {terms.__name__}"
    assert all(vocab.is_project_id(i) for i in bundle.projects["project_id"])
    assert not any(
        vocab.is_project_id(c) for v in vocab.VINTAGES for c in bundle.communes(v)["code"]
    )


def test_every_value_offered_is_in_the_vocabulary():
    """The filters, the styles and the import template offer members only."""
    t = Translations.load().get("vi")
    offered = {
        vocab.ProjectStatus: choices.statuses(None, t),
        vocab.SponsorKind: choices.sponsor_kinds(None, t),
        vocab.ProjectKind: choices.project_kinds(None, t),
    }
    for terms, options in offered.items():
        assert [o["value"] for o in options] == list(terms.values()), terms.__name__
    assert [o["value"] for o in layout.vintage_options(t)] == list(vocab.VINTAGES)
    assert list(styles.PROJECT_KINDS) == list(vocab.ProjectKind.values())


def test_words_of_import_files_and_old_links():
    assert vocab.ProjectStatus.parse("ongoing") is vocab.ProjectStatus.IN_PROGRESS
    assert vocab.ProjectStatus.parse("Đã bàn giao") is vocab.ProjectStatus.COMPLETED
    assert vocab.ProjectKind.parse("Nhà văn hóa thôn Nà Pài") is vocab.ProjectKind.MEETING_HOUSE
    assert vocab.SponsorKind.parse("Bộ Chỉ huy Quân sự tỉnh") is vocab.SponsorKind.ARMED_FORCES
    assert vocab.ProjectKind.parse("xyz") is None
    with pytest.raises(ValueError, match="choose one of bridge"):
        vocab.ProjectKind.check("tunnel")


# ------------------------------------------------------------------ translations
def test_every_member_has_its_words_in_both_languages():
    """Keys built from the members (not grepped from the code): a new member without its
    translation fails here."""
    data = json.loads((ROOT / "assets" / "translations.json").read_text(encoding="utf-8"))
    assert set(data) == set(vocab.LANGS)
    needed = set(vocab.translation_keys())
    needed |= {m.label_key for m in styles.MEASURES.values()}
    needed |= {c.label_key for m in styles.MEASURES.values() for c in m.classes}
    needed |= {f"layer.{k}" for k in figures.default_visibility()}
    needed |= {f"criterion.{c}" for c in cv.CRITERIA}
    needed |= {f"reason.{code}" for code in REASONS}  # import problems, in both languages
    assert len(needed) > 80
    for lang in vocab.LANGS:
        missing = needed - set(data[lang])
        assert not missing, f"{lang}: {sorted(missing)}"


def test_unit_names_are_shortened_the_same_on_screen_and_paper():
    for name, short in [
        ("Thị trấn Bằng Lũng", "Bằng Lũng"),
        ("Phường Sông Cầu", "Sông Cầu"),
        ("Thành phố Bắc Kạn", "Bắc Kạn"),
        ("Huyện Chợ Đồn", "Chợ Đồn"),
    ]:
        assert vocab.short_name(name) == short


# ------------------------------------------------------------------ the two bugs
@pytest.fixture(scope="module")
def imported(module_store, tmp_path_factory):
    """The store with one project imported the way a data officer does it (each backend)."""
    tmp = tmp_path_factory.mktemp("imported")
    store = module_store
    header = [*PROJECT_HEADER, "Tình trạng"]
    row = [1, "Cầu treo Nà Pài", "Xuân Lạc", "Chợ Đồn", "Nà Pài", 2024, 150000000]
    row += ["", "", "Sở Công Thương", "Đang thi công"]
    path = write_csv(tmp / "cau.csv", [header, row])
    ctx = ImportContext.from_store(store)
    report = check_file(path, "projects", ctx=ctx)
    import_report(report, store, file=path)
    b = Bundle.load(store)
    pid = b.projects.loc[b.projects["title"] == "Cầu treo Nà Pài", "project_id"].iloc[0]
    return b, pid


def _ctx(b: Bundle) -> cb.Context:
    from dashboard.app import MAP_GEOJSON

    names = (*b.geojson, *MAP_GEOJSON)
    return cb.Context(b, Translations.load(), {n: f"/geo/{n}.geojson" for n in names})


def test_status_filter_finds_an_imported_project_in_progress(imported):
    b, pid = imported
    assert b.projects.set_index("project_id").loc[pid, "status"] == "in_progress"
    offered = [o["value"] for o in choices.statuses(None, Translations.load().get("vi"))]
    assert "in_progress" in offered
    chosen = cv.Filters(statuses=("in_progress",))
    assert pid in set(cv.filter_projects(b, 2019, chosen)["project_id"])


def test_clicking_an_imported_point_shows_its_record(imported):
    b, pid = imported
    c = _ctx(b)
    click = {"kind": "project", "id": pid}  # as map.js writes it
    selected = cb.select(c, click, None, 2019, None, triggered="map-click")["selected"]
    assert selected == pid
    text = text_of(cb.show_selection(cb.Screen(c, {"sel": pid}))["detail"])
    assert "Cầu treo Nà Pài" in text
    assert "Đang thực hiện" in text and "status.in_progress" not in text
    # The selection stays on the project when the vintage changes.
    assert cb.select(c, None, None, 2025, pid, triggered="vintage")["selected"] is no_update


def test_an_old_link_with_ongoing_still_filters(imported):
    from dashboard import state as st

    assert st.decode("?st=ongoing", (2015, 2024))["st"] == ["in_progress"]


# ------------------------------------------------------------------ one sponsor, one name
def test_a_sponsor_with_a_qualifier_is_one_sponsor(bundle):
    names = [n for n in cv.sponsor_options(bundle) if n.startswith("Sở Y tế")]
    assert names == ["Sở Y tế tỉnh Bắc Kạn"]
    asg = bundle.assignments
    row = asg.loc[asg["sponsor_as_written"] == "Sở Y tế tỉnh Bắc Kạn (Đảng bộ Sở Y tế)"]
    assert set(row["sponsor_name"]) == {"Sở Y tế tỉnh Bắc Kạn"}
    load = cv.sponsor_load(bundle, 2019, cv.Filters())
    assert (load["sponsor"] == "Sở Y tế tỉnh Bắc Kạn").sum() == 1
