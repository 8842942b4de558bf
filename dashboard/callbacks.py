"""Callbacks: each translates inputs into calls of pure functions in ``geodata`` / ``layers``.

Every callback body is a plain module-level function taking a :class:`Context` first (the
bundle, the translations, the URLs); :func:`register` wires them to the app through thin
wrappers that take the current context. Unit tests call the functions directly.

The map is no figure: ``assets/map.js`` makes its own MapLibre map and draws everything on it
from a small paint spec (:mod:`layers.map_paint`; geometry and labels by URL, once per
vintage); a commune chosen by search or by its group sends the box to fit (the map-fit store).
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlparse

import pandas as pd
from dash import (
    ALL,
    ClientsideFunction,
    Dash,
    Input,
    Output,
    State,
    ctx,
    html,
    no_update,
)

from dashboard import gap_view, ids, layout
from dashboard import state as st
from dashboard.i18n import Translations, Translator
from geodata import coverage as cv
from geodata.bundle import Bundle, check_vintage
from geodata.programme import in_language
from geodata.view import View
from geodata.vocabulary import (
    VINTAGES,
    CommuneStatusKind,
    ProjectStatus,
    SponsorKind,
    UnitKind,
    is_project_id,
)
from layers import figures, map_paint, styles


@dataclass(frozen=True)
class Context:
    """What every callback reads: the bundle (read-only), the translations, the GeoJSON URLs."""

    bundle: Bundle
    translations: Translations
    geo_urls: dict[str, str]  # communes_2019, ..., districts, province, neighbours
    glyphs_url: str | None = None

    @cached_property
    def years(self) -> tuple[int, int]:
        return cv.year_bounds(self.bundle)

    def urls(self, vintage: int) -> dict[str, str]:
        return {
            "communes": self.geo_urls[f"communes_{vintage}"],
            "communes_low": self.geo_urls[f"communes_{vintage}_low"],
            "projects": self.geo_urls["projects"],
            "groups": self.geo_urls[f"groups_{vintage}"],
            "labels": self.geo_urls[f"labels_{vintage}"],
            "districts": self.geo_urls["districts"],
            "province": self.geo_urls["province"],
            "neighbours": self.geo_urls["neighbours"],
        }


@dataclass(frozen=True)
class Screen:
    """One view state as the dashboard shows it: the data :class:`~geodata.view.View` of its
    vintage and filters, plus the measure, the language, the layer switches and the basemap.

    Everything is computed once, on first use; the first paint and every callback read it.
    ``state`` maps the keys of :data:`dashboard.state.FIELDS` to control values (a missing key
    counts as its default).
    """

    context: Context
    state: Mapping[str, Any]

    def get(self, key: str) -> Any:
        value = self.state.get(key)
        return st.FIELD[key].default(self.context.years) if value is None else value

    @cached_property
    def t(self) -> Translator:
        return self.context.translations.get(self.get("lang"))

    @cached_property
    def view(self) -> View:
        return View.of(
            self.context.bundle, self.get("v"), st.filters(self.state, self.context.years)
        )

    @property
    def vintage(self) -> int:
        return self.view.vintage

    @cached_property
    def measure(self) -> str:
        return self.get("m")

    @cached_property
    def visible(self) -> dict[str, bool]:
        on = set(self.state.get("layers") or [])
        return {k: k in on for k in figures.default_visibility()}

    @cached_property
    def basemap(self) -> dict[str, Any] | None:
        return figures.basemap_tiles(self.get("basemap"))

    def paint(self) -> dict[str, Any]:
        """What map.js paints for this state (:func:`layers.map_paint.paint_spec`): the
        communes' classes, the outlines, the points and groups shown, the hover words, the
        layer switches, every GeoJSON source by URL (a vintage: its communes, groups and
        labels), the glyphs' URL of the names; the map fits the chosen districts (or the whole
        vintage)."""
        c = self.context
        view, measure, code_column = self.view, self.measure, f"code_{self.vintage}"
        painted = (
            view.derived(
                ("commune_paint", measure),
                lambda: map_paint.commune_paint(measure, view.measures),
            ),
            view.derived(
                ("point_paint", code_column),
                lambda: map_paint.point_paint(view.projects, code_column),
            ),
        )
        spec = map_paint.paint_spec(
            measure=self.measure,
            table=self.view.measures,
            projects=self.view.projects,
            code_column=f"code_{self.vintage}",
            t=self.t,
            sources=c.urls(self.vintage),
            visible=self.visible,
            fit=district_bbox(c.bundle, self.get("d")) or self.view.bbox,
            basemap=self.basemap,
            all_projects=len(c.bundle.projects),  # the /geo/projects source's
            painted=painted,
        )
        return {**spec, "glyphs": c.glyphs_url}


# ================================================================== 1. URL ⇄ controls
def sync_url(
    c: Context, search: str | None, state: Mapping[str, Any], triggered: set[str] | None = None
) -> dict[str, Any]:
    """Keep the URL and the controls in step.

    On page load (or when the URL changes) the controls take the URL's values; when a control
    changes, the URL takes the controls' values; the reset button restores the defaults.
    ``state`` holds the URL fields' current values; ``triggered`` the keys that changed
    (``"url"``, ``"reset"`` or field keys). Returns ``{"url", "share", <field key>...}`` with
    ``no_update`` where nothing changes.
    """
    keys = [f.key for f in st.URL_FIELDS]
    unchanged = {k: no_update for k in keys}
    if not triggered or "url" in triggered:
        wanted = st.known(st.decode(search, c.years), c.bundle)
        out = {k: no_update if state.get(k) == wanted[k] else wanted[k] for k in keys}
        clean = st.encode(wanted, c.years)
        # Values the page does not know (a mistyped district, an old measure) leave the URL.
        fixed = clean if clean != (search or "") and (search or "") not in ("", "?") else no_update
        return {"url": fixed, "share": clean or "?", **out}
    if "reset" in triggered:
        wanted = st.default_state(c.years)
        out = {k: no_update if state.get(k) == wanted[k] else wanted[k] for k in keys}
        return {"url": "", "share": "?", **out}
    query = st.encode(state, c.years)
    return {"url": query, "share": query or "?", **unchanged}


# ================================================================== 1+2+3. one answer
#: Names of the detail callback's part of :func:`page_outputs`.
DETAIL_OUTPUTS = ("detail", "outline", "search")
#: The fields the URL holds: a change of any other (the basemap) leaves the link as it is.
URL_KEYS = frozenset(f.key for f in st.URL_FIELDS)


def page_outputs(
    c: Context,
    search: str | None,
    state: Mapping[str, Any],
    triggered: set[str],
    tables: bool = True,
) -> dict[str, Any]:
    """Everything one change of the page answers, in one response: the URL and the controls
    in step (:func:`sync_url`), the view (:func:`view_outputs`) and the details
    (:func:`show_selection`) of the state the controls end in. One request per change instead
    of three (the round trips, not the work, were most of "change → responses", issue 10).

    ``state`` holds every field's control value; ``triggered`` the keys that changed
    (``"url"``, ``"reset"`` or field keys; empty on the page's first call). What a part does
    not follow is ``no_update``: a measure change leaves the details alone, a selection the
    view. ``tables`` says whether the gap view's tab is open (:func:`view_outputs`).

    ``search`` (the URL) is read only when the URL triggered the call, or when nothing did
    (the page's first call): the answer to a control's change or to the reset button is the
    same whatever link the page had, so the response cache leaves the URL out of that
    answer's key (``app.py``) and a way back to any state asked before is answered from it.
    """
    sync = sync_url(c, search, state, triggered)
    if triggered and not triggered & {"url", "reset", *URL_KEYS}:
        sync = {**sync, "url": no_update, "share": no_update}  # a basemap: the link stays
    moved = {k for k in st.FIELD if k in sync and sync[k] is not no_update}
    shown = {**state, **{k: sync[k] for k in moved}}
    changed = (triggered & set(st.FIELD)) | moved
    screen = Screen(c, shown)
    if changed & _VIEW_KEYS:
        view = view_outputs(screen, triggered=changed & _VIEW_KEYS, tables=tables)
    else:
        view = dict.fromkeys(ids.VIEW_OUTPUTS, no_update)
    words = words_for(c, screen.get("lang")) if triggered and "lang" in changed else no_update
    if not triggered or changed & _DETAIL_KEYS:
        detail = show_selection(screen, triggered=changed & _DETAIL_KEYS)
    else:
        detail = dict.fromkeys(DETAIL_OUTPUTS, no_update)
    return {**sync, **view, **detail, "words": words}


# ================================================================== 2. the view
def view_outputs(
    screen: Screen, triggered: set[str] | None = None, tables: bool = True
) -> dict[str, Any]:
    """Everything that follows the view state, by the names of :data:`ids.VIEW_OUTPUTS`.

    ``paint`` is map.js's paint spec (it sets only what differs from what it shows). The map
    figure is written on the first paint only (``triggered`` None): a filter, a vintage, a
    layer switch or a basemap is the paint spec's.

    ``tables=False`` (the gap view's tab is closed) empties the gap and sponsor tables instead
    of building them: their hundreds of cells were a third of a filter change's server time,
    for tables nobody sees. Opening the tab builds them (:func:`dashboard.gap_view.register`);
    emptied, never left as they were, so that the tab never shows another state's rows while
    they come.
    """
    t = screen.t
    view = screen.view
    return {
        "paint": screen.paint(),
        "legend": legend_children(screen.measure, view.measures, t),
        "kind_legend": kind_legend_children(view.projects, t),
        "cards": cards_children(view.overview, t, view.filters),
        "completeness": completeness_children(view.overview, t),
        "vintage_note": vintage_note(screen.vintage, t),
        "basemap_note": basemap_note(screen.get("basemap"), t),
        "chart_sponsor": sponsor_chart(view.overview, t),
        "chart_year": year_chart(view.overview, t),
        "gap_table": gap_view.gap_table(gap_rows(view, t), t) if tables else None,
        "sponsor_table": gap_view.sponsor_table(sponsor_rows(view, t), t) if tables else None,
        "search_options": layout.search_options(screen.context.bundle, screen.vintage)
        if triggered is None or "v" in triggered
        else no_update,
        "counted": counted_children(screen.context, view, t),
        "empty": empty_children(view, t),
    }


def district_bbox(bundle: Bundle, codes: list[str] | None) -> tuple[float, ...] | None:
    """Bounding box of the chosen districts, or None when none is chosen."""
    if not codes:
        return None
    d = bundle.tables["districts"]
    chosen = d.loc[d["code"].isin(codes)]
    return tuple(float(x) for x in chosen.total_bounds) if len(chosen) else None


def legend_children(measure: str, table: pd.DataFrame, t: Translator) -> list[Any]:
    """The measure's legend: its classes with counts, "outside the filters" when some commune
    is, and the outline row when sponsor or project filters are set."""
    style = styles.measure_style(measure)
    rows = [html.Div(t(style.label_key), className="legend-title")]
    for entry in styles.legend(measure, table):
        swatch = (
            html.Span(className="swatch outline")
            if entry.symbol == "outline"
            else html.Span(className="swatch", style={"background": entry.colour})
        )
        rows.append(
            html.Div(
                [
                    swatch,
                    html.Span(t(entry.label_key)),
                    html.Span(f" ({entry.count})", className="count"),
                ],
                className="legend-row",
                **{"data-key": entry.key},
            )
        )
    if measure in ("coverage", "gaps"):
        rows.append(html.Div(t("legend.no_record_note"), className="legend-note"))
    return rows


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on a hex colour (WCAG relative luminance).

    >>> text_colour("#56B4E9"), text_colour("#0072B2")
    ('#000000', '#ffffff')
    """
    rgb = [int(background.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    return "#000000" if (lum + 0.05) / 0.05 > 1.05 / (lum + 0.05) else "#ffffff"


def kind_legend_children(projects: pd.DataFrame, t: Translator) -> list[Any]:
    rows = [html.Div(t("legend.projects"), className="legend-title")]
    for entry in styles.kind_legend(projects):
        rows.append(
            html.Div(
                [
                    html.Span(
                        entry.symbol,
                        className="dot",
                        style={"background": entry.colour, "color": text_colour(entry.colour)},
                    ),
                    html.Span(t(entry.label_key)),
                    html.Span(f" ({entry.count})", className="count"),
                ],
                className="legend-row",
                **{"data-key": entry.key},
            )
        )
    rows.append(
        html.Div(
            [html.Span("12", className="dot group"), html.Span(t("legend.group"))],
            className="legend-row",
            **{"data-key": "group"},
        )
    )
    rows.append(
        html.Div(
            [html.Span(className="dot halo"), html.Span(t("legend.approximate"))],
            className="legend-row",
        )
    )
    return rows


def cards_children(o: dict[str, Any], t: Translator, f: cv.Filters | None = None) -> list[Any]:
    """Four compact cards that say what they count; with sponsors chosen the first two count
    the chosen sponsors' communes and name what the others add; with a project filter the
    last counts the communes that have such a project."""
    f = f or cv.Filters()
    return [*_coverage_cards(o, t, f), _support_card(o, t), _projects_card(o, t, f)]


def _card(key: str, title: str, value: str, sub: str) -> html.Div:
    return html.Div(
        [
            html.Div(title, className="card-title"),
            html.Div(value, className="card-value"),
            html.Div(sub, className="card-sub"),
        ],
        className="card",
        **{"data-card": key},
    )


def _coverage_cards(o: dict[str, Any], t: Translator, f: cv.Filters) -> list[html.Div]:
    """Communes helped (by the chosen sponsors when some are) and difficult communes helped."""
    communes = f"{o['n_sponsored']} / {o['n_communes']}"
    difficult = f"{o['n_difficult_sponsored']} / {o['n_difficult']}"
    if f.chooses_sponsors:
        return [
            _card(
                "sponsored",
                t("card.chosen"),
                communes,
                t("card.chosen_sub", others=o["n_others"], none=o["n_none"]),
            ),
            _card(
                "difficult",
                t("card.difficult_chosen"),
                difficult,
                t("card.difficult_chosen_sub", others=o["n_difficult_others"]),
            ),
        ]
    return [
        _card("sponsored", t("card.sponsored"), communes, t("card.sponsored_sub")),
        _card("difficult", t("card.difficult"), difficult, t("card.difficult_sub")),
    ]


def _support_card(o: dict[str, Any], t: Translator) -> html.Div:
    return _card(
        "support",
        t("card.support"),
        figures.format_vnd(o["support_vnd"], t),
        t("card.support_sub", n=o["n_costed"], total=o["n_projects"]),
    )


def _projects_card(o: dict[str, Any], t: Translator, f: cv.Filters) -> html.Div:
    """Projects by kind (the four most frequent named), or with a project filter the
    communes that have such a project."""
    kinds = ", ".join(
        f"{n} {t(styles.kind_style(k).label_key).lower()}"
        for k, n in sorted(o["projects_by_kind"].items(), key=lambda kv: -kv[1])[:4]
    )
    if f.chooses_projects:
        return _card(
            "projects",
            t("card.projects_match"),
            f"{o['n_match']} / {o['n_communes']}",
            t("card.projects_match_sub", n=o["n_projects"], kinds=kinds or "–"),
        )
    return _card("projects", t("card.projects"), str(o["n_projects"]), kinds or "–")


def counted_children(c: Context, view: View, t: Translator) -> list[Any]:
    """One line that says in words what every figure on the page counts."""
    f = view.filters
    parts = []
    for name, values in cv.describe_filters(f):
        if name == "years":
            a, b, undated = values
            key = "counted.years_undated" if undated else "counted.years"
            y0, y1 = c.years
            parts.append(t(key, a=a if a is not None else y0, b=b if b is not None else y1))
        elif name == "difficult_only":
            parts.append(t("counted.difficult_only"))
        else:
            describe = st.BY_PART[name].shows.describe  # type: ignore[union-attr]
            words = ", ".join(describe(c.bundle, v, t) for v in values)
            parts.append(t(f"counted.{name}", v=words))
    text = "; ".join(parts) if parts else t("counted.all")
    out: list[Any] = [html.Strong(t("counted.title") + ": "), text]
    n_out = int((~view.measures["in_view"]).sum())
    if n_out:
        out.append(" · " + t("counted.outside", n=n_out))
    return out


def empty_children(view: View, t: Translator) -> list[Any]:
    """Nothing in view, or no record passing the filters: say why (the page shows it with a
    "Xóa bộ lọc" button; an empty list hides it)."""
    f = view.filters
    table = view.measures
    o = view.overview
    if not table["in_view"].any():
        why = t("empty.no_communes")
    elif (f.chooses_sponsors or f.chooses_projects) and o["n_match"] == 0:
        shown = [st.BY_PART[k].shows for k, _v in cv.describe_filters(f)]
        what = ", ".join(t(s.label) for s in shown if s is not None and s.of_records)
        why = t("empty.no_records", what=what.lower())
    else:
        return []
    return [html.H2(t("empty.title")), html.P(why)]


def completeness_children(o: dict[str, Any], t: Translator) -> list[Any]:
    c = o["completeness"]
    years = f"{c['year_min']}–{c['year_max']}" if c["year_min"] else "–"
    return [
        html.Span(
            t(
                "completeness.text",
                a=c["n_assignments"],
                p=c["n_projects"],
                s=c["n_status"],
                src=c["n_sources"],
                years=years,
                undated=c["n_undated"],
            )
        ),
        " ",
        html.Span(t("completeness.aggregate", n=o["n_aggregate"]), className="muted"),
    ]


def vintage_note(vintage: int, t: Translator) -> str:
    return t(f"vintage.note.{vintage}")


def basemap_note(basemap: str | None, t: Translator) -> list[Any]:
    tiles = figures.basemap_tiles(basemap or "none")
    if not tiles:
        return [t("basemap.offline_note")]
    # The provider's attribution is HTML from xyzservices: show it as text, not markup.
    text = html_lib.unescape(_strip_tags(tiles["attribution"]))
    return [t("basemap.attribution"), " ", text]


def _strip_tags(text: str) -> str:
    import re

    return re.sub(r"<[^>]+>", "", text)


def sponsor_chart(o: dict[str, Any], t: Translator):
    df = o["by_sponsor"].head(15)
    return figures.bar_chart(
        [name if len(name) <= 40 else name[:39] + "…" for name in df["sponsor"]],
        {
            t("chart.n_communes"): df["n_communes"].tolist(),
            t("chart.n_projects"): df["n_projects"].tolist(),
        },
        colours=styles.CHART_COLOURS,
        horizontal=True,
        height=max(260, 26 * len(df) + 80),
        title=t("chart.by_sponsor"),
    )


def year_chart(o: dict[str, Any], t: Translator):
    df = o["by_year"]
    return figures.bar_chart(
        [str(y) for y in df["year"]],
        {
            t("chart.n_assignments"): df["n_assignments"].tolist(),
            t("chart.n_projects"): df["n_projects"].tolist(),
        },
        colours=styles.CHART_COLOURS,
        title=t("chart.by_year", n=o["completeness"]["n_undated"]),
    )


def gap_rows(view: View, t: Translator) -> list[dict[str, Any]]:
    gaps = view.gaps
    yes, no = t("common.yes"), t("common.no")
    return [
        {
            "code": r.code,
            "name": r.name,
            "district_name": r.district_name if isinstance(r.district_name, str) else "",
            "difficult_text": yes if r.difficult else no,
            "n_projects": int(r.n_projects),
            "ntm_year": None if pd.isna(r.ntm_year) else int(r.ntm_year),
        }
        for r in gaps.itertuples(index=False)
    ]


def table_rows(c: Context, state: Mapping[str, Any], which: str) -> list[dict[str, Any]]:
    """The rows of the gap table (``"gaps"``) or the sponsor table (``"sponsors"``) for a view
    state (the CSV downloads)."""
    screen = Screen(c, state)
    rows = gap_rows if which == "gaps" else sponsor_rows
    return rows(screen.view, screen.t)


def sponsor_rows(view: View, t: Translator) -> list[dict[str, Any]]:
    load = view.load
    return [
        {
            "sponsor": r.sponsor,
            "kind_text": t(SponsorKind.label_key_of(r.kind)),
            "n_communes": int(r.n_communes),
            "communes": r.communes,
            "periods": r.periods.replace("?", t("common.undated")),
            "n_projects": int(r.n_projects),
            "load_text": t(f"load.{r.load}"),
        }
        for r in load.itertuples(index=False)
    ]


# ================================================================== 3. selection
def select(
    c: Context,
    click: dict | None,
    search: str | None,
    vintage: int,
    selected: str | None,
    triggered: str | None = None,
) -> dict[str, Any]:
    """The selected commune code or project id, from a map click (``click`` as map.js writes
    it: ``{"kind": "project" | "group" | "commune", "id": ...}``), the search box (a
    gap-table link fills it) or a vintage change (the selection follows the unit into the new
    vintage). Returns ``{"selected", "fit"}`` (``fit``: the box the map fits, for a commune
    chosen by search or by its group)."""
    vintage = check_vintage(vintage)
    communes = c.bundle.communes(vintage)
    codes = set(communes["code"])
    nothing = {"selected": no_update, "fit": no_update}
    if triggered == ids.MAP_CLICK and isinstance(click, dict):
        kind, target = click.get("kind"), click.get("id")
        if kind == "project" and isinstance(target, str) and is_project_id(target):
            return {**nothing, "selected": target}
        if kind == "group" and target in codes:  # select it and zoom in: the points spread
            return {"selected": target, "fit": commune_fit(c, vintage, target)}
        return {**nothing, "selected": target} if kind == "commune" and target in codes else nothing
    if triggered == ids.SEARCH:
        code = search
        if not code or code not in codes or code == selected:
            return nothing  # the box names what is already selected (see show_selection)
        return {"selected": code, "fit": commune_fit(c, vintage, code)}
    if triggered == ids.VINTAGE and selected and not is_project_id(selected):
        code = code_in_vintage(c.bundle, selected, vintage)
        return {**nothing, "selected": code if code != selected else no_update}
    return nothing


def code_in_vintage(bundle: Bundle, code: str, vintage: int) -> str | None:
    """The unit of ``vintage`` that holds (most of) a unit given by its code in any vintage."""
    if code in set(bundle.communes(vintage)["code"]):
        return code
    cw = bundle.crosswalk
    for v in VINTAGES:
        hit = cw.loc[cw[f"code_{v}"] == code, f"code_{vintage}"]
        if len(hit):
            return hit.iloc[0]
    return None


def commune_fit(c: Context, vintage: int, code: str) -> dict[str, Any]:
    """The box of a commune for map.js to fit (``key``: asked again, it fits again)."""
    comm = c.bundle.communes(vintage)
    geom = comm.loc[comm["code"] == code].geometry.iloc[0]
    return {"box": [round(float(x), 5) for x in geom.bounds], "key": f"commune:{vintage}:{code}"}


def show_selection(screen: Screen, triggered: set[str] | None = None) -> dict[str, Any]:
    """The detail panel, the code of the commune map.js outlines and the search box for the
    selected commune or project (``screen.state["sel"]``), as ``{"detail", "outline",
    "search"}``: the search box names the selected commune however it was chosen (a map
    click, a link, the URL), and is empty for a project.

    The panel follows the filters and the language, the outline does not: with ``triggered``
    (the state keys that changed) the outline is ``no_update`` unless the selection changed,
    or the vintage changed under a selection (an output that changes nothing still makes the
    browser apply it). On the callback's first call (``triggered`` empty) the page shows no
    selection yet. With ``triggered`` None (a direct call) the outline is always given.
    """
    t = screen.t
    selected = screen.state.get("sel")
    if not selected:
        body: Any = html.P(t("detail.hint"), className="muted")
        code = None
    elif is_project_id(selected):
        d = screen.view.project(selected)
        body = project_panel(d, t) if d else html.P(t("detail.not_found"))
        code = d.get(f"code_{screen.vintage}") if d else None
    else:
        d = screen.view.commune(selected)
        body = commune_panel(d, t) if d else html.P(t("detail.not_found"))
        code = selected if d else None
    chosen = triggered is None or "sel" in triggered
    search = (
        (selected if selected and not is_project_id(selected) else None) if chosen else no_update
    )
    if not (chosen or ("v" in triggered and bool(selected))):
        return {"detail": body, "outline": no_update, "search": search}
    return {"detail": body, "outline": code, "search": search}


def safe_href(url: object) -> str | None:
    """The URL if it is an http(s) link, else None (no ``javascript:`` links from data).

    >>> safe_href("https://backan.gov.vn/x"), safe_href("javascript:alert(1)")
    ('https://backan.gov.vn/x', None)
    """
    if not isinstance(url, str):
        return None
    parsed = urlparse(url.strip())
    return url.strip() if parsed.scheme in ("http", "https") and parsed.netloc else None


def _link(url: object) -> Any:
    href = safe_href(url)
    if not href:
        return html.Span(str(url) if url else "–")
    return html.A(
        urlparse(href).netloc, href=href, target="_blank", rel="noopener noreferrer", title=href
    )


def _txt(value: object) -> str:
    if value is None:
        return "–"
    try:
        if pd.isna(value):
            return "–"
    except (TypeError, ValueError):
        pass
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _period(start: object, end: object, t: Translator) -> str:
    s, e = _txt(start), _txt(end)
    if s == "–" and e == "–":
        return t("common.undated")
    return s if s == e or e == "–" else f"{s}–{e}"


def commune_panel(d: dict[str, Any], t: Translator) -> html.Div:
    """The side panel of one commune (all data text is rendered as text, never as HTML)."""
    prj = d["projects"]
    return html.Div(
        [
            html.H3(d["name"], className="detail-name"),
            html.P(_commune_facts(d, t)),
            html.P(t("detail.difficult"), className="tag") if d["difficult"] else None,
            html.Ul(_became_items(d, t), className="became"),
            html.H4(t("detail.sponsors")),
            html.Ul(_sponsor_items(d["assignments"], t), className="detail-sponsors"),
            html.H4(t("detail.projects", n=len(prj))),
            _project_table(prj, t),
            html.H4(t("detail.status")),
            html.Ul(_status_items(d["status"], t)),
            html.H4(t("detail.sources", n=len(d["sources"]))),
            html.Ul([html.Li(_link(u)) for u in d["sources"]], className="sources"),
        ],
        className="detail-body",
        **{"data-commune": d["code"]},
    )


def _commune_facts(d: dict[str, Any], t: Translator) -> str:
    """Kind · district · area · code · vintage."""
    facts = (
        t(UnitKind.label_key_of(d["kind"])),
        d["district_name"] if isinstance(d["district_name"], str) else None,
        f"{_txt(round(d['area_km2'], 1) if d['area_km2'] else None)} km²",
        f"{t('col.code')} {d['code']}",
        t(f"vintage.{d['vintage']}"),
    )
    return " · ".join(x for x in facts if x)


def _became_items(d: dict[str, Any], t: Translator) -> list[Any]:
    """What the unit became in the later vintages (and its 2019 parts)."""
    items = [
        html.Li(f"{t('detail.became', year=y)}: {', '.join(names) or '–'}")
        for y, names in d["became"].items()
    ]
    parts = d["parts_2019"]
    if d["vintage"] != 2019 and parts:
        items.append(html.Li(f"{t('detail.parts_2019')}: {', '.join(parts)}"))
    return items


def _sponsor_items(asg: pd.DataFrame, t: Translator) -> list[Any]:
    items = [
        html.Li(
            [
                html.Strong(r.sponsor_name),
                " · ",
                _period(r.period_start_year, r.period_end_year, t),
                " · ",
                _link(r.source_url),
            ]
        )
        for r in asg.itertuples(index=False)
    ]
    return items or [html.Li(t("detail.no_sponsor"), className="muted")]


PROJECT_COLUMNS = ("col.kind", "col.title", "col.year", "col.cost", "col.status")


def _project_table(prj: pd.DataFrame, t: Translator) -> Any:
    if prj.empty:
        return html.P(t("detail.no_projects"), className="muted")
    prj = prj.assign(title=in_language(prj, "title", t.lang))  # the reader's language
    rows = [
        html.Tr(
            [
                html.Td(t(styles.kind_style(r.kind).label_key)),
                html.Td(r.title),
                html.Td(_txt(r.year) if isinstance(r.year, str) else t("common.undated")),
                html.Td(figures.format_vnd(r.cost_vnd if pd.notna(r.cost_vnd) else None, t)),
                html.Td(t(ProjectStatus.label_key_of(r.status))),
            ],
            **{"data-project": r.project_id},
        )
        for r in prj.itertuples(index=False)
    ]
    head = html.Thead(html.Tr([html.Th(t(k)) for k in PROJECT_COLUMNS]))
    return html.Table([head, html.Tbody(rows)], className="detail-table")


def _status_items(status: pd.DataFrame, t: Translator) -> list[Any]:
    items = [
        html.Li(
            [
                t(CommuneStatusKind.label_key_of(r.status_kind)),
                f" {_txt(r.year)}",
                f" · {r.notes}" if isinstance(r.notes, str) else "",
                " · ",
                _link(r.source_url),
            ]
        )
        for r in status.itertuples(index=False)
    ]
    return items or [html.Li(t("detail.no_status"), className="muted")]


def _in_language(d: dict[str, Any], key: str, lang: str) -> Any:
    """A record's free text in the reader's language (``<key>_en`` in English, if any)."""
    english = d.get(f"{key}_en")
    return english if lang == "en" and isinstance(english, str) and english else d.get(key)


def project_panel(d: dict[str, Any], t: Translator) -> html.Div:
    approx = d.get("location_precision") in (None, "commune", "district", "approximate")
    rows = [
        ("col.kind", t(styles.kind_style(d.get("kind")).label_key)),
        ("col.commune", d.get("commune")),
        ("col.village", d.get("village")),
        ("col.year", d.get("year") or t("common.undated")),
        ("col.criteria", d.get("ntm_criterion")),
        ("col.sponsor", d.get("sponsor_name")),
        ("col.agency", d.get("agency")),
        ("col.cost", figures.format_vnd(d.get("cost_vnd"), t)),
        ("col.quantity", _in_language(d, "quantity_notes", t.lang)),
        ("col.status", t(ProjectStatus.label_key_of(d.get("status")))),
        ("col.confidence", t(f"confidence.{d.get('confidence')}") if d.get("confidence") else None),
    ]
    return html.Div(
        [
            html.H3(_in_language(d, "title", t.lang), className="detail-name"),
            html.P(t("hover.location_approximate"), className="tag") if approx else None,
            html.Dl([x for k, v in rows for x in (html.Dt(t(k)), html.Dd(_txt(v)))]),
            html.H4(t("detail.sources", n=1)),
            html.P(_link(d.get("source_url"))),
        ],
        className="detail-body",
        **{"data-project": d.get("project_id")},
    )


# ================================================================== 4. language
#: Option lists, placeholders and other properties that follow the language: (component id,
#: property) → the function of a translator that builds them.
TRANSLATED: dict[tuple[str, str], Callable[[Translator], Any]] = {
    (ids.VINTAGE, "options"): layout.vintage_options,
    (ids.MEASURE, "options"): layout.measure_options,
    (ids.LAYERS, "options"): layout.layer_options,
    (ids.BASEMAP, "options"): layout.basemap_options,
    (ids.EXPORT_FORMAT, "options"): layout.export_options,
    **{(cid, "placeholder"): lambda t: t("filter.any") for cid in layout.FILTER_DROPDOWN_IDS},
    (ids.SEARCH, "placeholder"): lambda t: t("control.search_placeholder"),
    **{(cid, "title"): lambda t, key=key: t(key) for cid, key in layout.MAP_TOOLS},
    **{(cid, "labels"): layout.dropdown_labels for cid in layout.DROPDOWN_IDS},
}


def _name(cid: str, prop: str) -> str:
    return f"{cid}.{prop}"


#: The filters whose choices are words (rebuilt in the page's language).
WORDED_FILTERS = tuple(
    f for f in st.FILTER_FIELDS if f.shows and f.shows.options and f.shows.by_language
)


def translate(c: Context, lang: str, i18n_ids: list[dict], tab_ids: list[dict]) -> dict[str, Any]:
    """Every translated text node, tab label, option list and placeholder for a language,
    by name (``texts``, ``tabs``, ``lang`` and ``<component id>.<property>``)."""
    t = c.translations.get(lang)
    return {
        "texts": [t(i["key"]) for i in i18n_ids],
        "tabs": [t(i["key"]) for i in tab_ids],
        "lang": t.lang,
        **{_name(cid, prop): build(t) for (cid, prop), build in TRANSLATED.items()},
        **{_name(f.control, "options"): f.shows.options(c.bundle, t) for f in WORDED_FILTERS},  # type: ignore[union-attr]
    }


#: What the language switch writes after the texts, the tab labels and the page's language,
#: in order: :data:`TRANSLATED` and the worded filters' options (``words_for``'s ``props``).
WORD_OUTPUTS: tuple[tuple[str, str], ...] = (
    *TRANSLATED,
    *((f.control, "options") for f in WORDED_FILTERS),
)


def words_for(c: Context, lang: str) -> dict[str, Any]:
    """A language for the browser to put the page in without a second request
    (``assets/words.js``): the text of every translation key (a text node or a tab shows its
    key's), the page's language and the translated properties in :data:`WORD_OUTPUTS` order.
    The page callback sends it with its answer to a language switch."""
    out = translate(c, lang, [], [])
    t = c.translations.get(lang)
    keys = c.translations.keys() | c.translations.keys(t.lang)
    return {
        "lang": out["lang"],
        "texts": {k: t(k) for k in sorted(keys)},
        "props": [out[_name(cid, prop)] for cid, prop in WORD_OUTPUTS],
    }


def export_view(
    c: Context, n_clicks: int | None, fmt: str | None, state: Mapping[str, Any]
) -> dict[str, Any]:
    """The export button: the current view (filters, measure, vintage, language, layer
    switches) as a print sheet, a standalone HTML map or data, for ``dcc.Download``, and the
    status line that names the file. Returns ``{"download", "status"}``."""
    from dashboard.export import export_view_download

    if not n_clicks:
        return {"download": no_update, "status": no_update}
    screen = Screen(c, state)
    download = export_view_download(
        c.bundle,
        screen.view.filters,
        screen.measure,
        screen.vintage,
        fmt or "png",
        screen.t.lang,
        visible=list(state.get("layers") or []),
    )
    status = screen.t("export.saved", file=download.get("filename", ""))
    return {"download": download, "status": status}


# ================================================================== wiring
def _inputs(fields, kind=Input) -> dict[str, Any]:
    return {f.key: kind(f.control, f.prop) for f in fields}


def _changed(fields, **others: str) -> Callable[[], set[str]]:
    """The state keys (and the names of ``others``, name=component id) whose components
    triggered the callback."""
    by_id = {f.control: f.key for f in fields} | {cid: name for name, cid in others.items()}

    def changed() -> set[str]:
        return {by_id.get(p.split(".")[0], p.split(".")[0]) for p in ctx.triggered_prop_ids}

    return changed


#: The fields the detail panel follows (the view follows :data:`dashboard.state.VIEW_FIELDS`).
DETAIL_FIELDS = tuple(f for f in st.FIELDS if f.key in ("sel", "v", "lang") or f.to_filters)
_DETAIL_KEYS = frozenset(f.key for f in DETAIL_FIELDS)
_VIEW_KEYS = frozenset(f.key for f in st.VIEW_FIELDS)


def register(app: Dash, context: Context | Callable[[], Context]) -> None:
    """Attach every callback to the app. ``context`` may be a function that returns the
    current context (a new one once the store was replaced by an import or a rebuild); each
    callback takes it once, so it works on one consistent bundle. Every output and input is
    named (dict-keyed, from :data:`ids.VIEW_OUTPUTS`, :data:`dashboard.state.FIELDS` and
    :data:`TRANSLATED`), never matched by position."""
    current = context if callable(context) else (lambda: context)
    for wire in (_wire_page, _wire_map, _wire_selection, _wire_language, _wire_exports):
        wire(app, current)


Current = Callable[[], Context]


def _wire_page(app: Dash, current: Current) -> None:
    """The one callback a change of the URL or of a control calls (:func:`page_outputs`):
    its outputs are its own inputs too (the URL and the controls), which Dash allows within
    one callback and never answers with a second call."""
    changed = _changed(st.FIELDS, url=ids.URL, reset=ids.RESET)
    output = {
        "url": Output(ids.URL, "search"),
        "share": Output(ids.SHARE, "value"),
        **_inputs(st.URL_FIELDS, Output),
        **{name: Output(cid, prop) for name, (cid, prop) in ids.VIEW_OUTPUTS.items()},
        "detail": Output(ids.DETAIL, "children"),
        "outline": Output(ids.MAP_OUTLINE, "data"),
        "search": Output(ids.SEARCH, "value", allow_duplicate=True),
        "words": Output(ids.WORDS, "data"),
    }
    if len(output) != 3 + len(st.URL_FIELDS) + len(ids.VIEW_OUTPUTS) + len(DETAIL_OUTPUTS):
        msg = "two outputs of the page callback share a name"
        raise RuntimeError(msg)

    @app.callback(
        output=output,
        inputs={
            "url_search": Input(ids.URL, "search"),
            "reset": Input(ids.RESET, "n_clicks"),
            **_inputs(st.FIELDS),
        },
        state={"tab": State(ids.TABS, "value")},
        prevent_initial_call="initial_duplicate",
    )
    def _page(url_search, reset, tab, **state):
        return page_outputs(current(), url_search, state, changed(), tables=tab == gap_view.TAB)


def _wire_map(app: Dash, _current: Current) -> None:
    """map.js applies the paint spec and the selection outline in the browser (a clientside
    callback, ``window.dash_clientside.ntm_map.paint``): no round trip, no figure write."""
    app.clientside_callback(
        ClientsideFunction(namespace="ntm_map", function_name="paint"),
        Output(ids.MAP_PAINTED, "data"),
        Input(ids.MAP_PAINT, "data"),
        Input(ids.MAP_OUTLINE, "data"),
        Input(ids.MAP_FIT, "data"),
    )


def _wire_selection(app: Dash, current: Current) -> None:
    @app.callback(
        output={
            "selected": Output(ids.SELECTED, "data", allow_duplicate=True),
            "fit": Output(ids.MAP_FIT, "data"),
        },
        inputs={
            "click": Input(ids.MAP_CLICK, "data"),
            "search": Input(ids.SEARCH, "value"),
            "vintage": Input(ids.VINTAGE, "value"),
        },
        state={"selected": State(ids.SELECTED, "data")},
        prevent_initial_call=True,
    )
    def _select(click, search, vintage, selected):
        return select(current(), click, search, vintage, selected, triggered=ctx.triggered_id)


def _wire_language(app: Dash, _current: Current) -> None:
    """A language switch: the page callback's answer carries the language's words
    (:func:`words_for`); ``assets/words.js`` puts them in every text node, tab label and
    translated property in the browser (one request per switch, not two)."""
    app.clientside_callback(
        ClientsideFunction(namespace="ntm_words", function_name="apply"),
        [
            Output({"type": ids.I18N, "key": ALL}, "children"),
            Output({"type": "tab", "key": ALL}, "label"),
            Output("app-root", "lang"),
            *(Output(cid, prop) for cid, prop in WORD_OUTPUTS),
        ],
        Input(ids.WORDS, "data"),
        State({"type": ids.I18N, "key": ALL}, "id"),
        State({"type": "tab", "key": ALL}, "id"),
        prevent_initial_call=True,
    )


def _wire_exports(app: Dash, current: Current) -> None:
    @app.callback(
        output={
            "download": Output(ids.EXPORT_DOWNLOAD, "data"),
            "status": Output(ids.EXPORT_STATUS, "children"),
        },
        inputs={"n_clicks": Input(ids.EXPORT_BUTTON, "n_clicks")},
        state={"fmt": State(ids.EXPORT_FORMAT, "value"), **_inputs(st.VIEW_FIELDS, State)},
        prevent_initial_call=True,
    )
    def _export(n_clicks, fmt, **state):
        return export_view(current(), n_clicks, fmt, state)
