"""The view state: one table of fields (:data:`FIELDS`) from which the defaults, the URL query
string (encode and decode), the callbacks' inputs and the :class:`~geodata.coverage.Filters`
all derive, and so do the filter controls of the page (:class:`Control`: label, kind, choices),
the language callback's option lists and the words of the "counted" line. Adding a filter is
one row here, its words in the translation table, and its meaning in
:class:`~geodata.coverage.Filters` (a field and the rows it keeps).

A state is a mapping from a field's key (its URL key) to its control's value.

Examples
--------
>>> state = default_state((2015, 2024))
>>> encode(state, (2015, 2024))
''
>>> s = {**state, "v": 2025, "d": ["064"], "s": ["Sở Công Thương tỉnh Bắc Kạn"], "sel": "02026"}
>>> q = encode(s, (2015, 2024))
>>> q
'?v=2025&d=064&s=S%E1%BB%9F+C%C3%B4ng+Th%C6%B0%C6%A1ng+t%E1%BB%89nh+B%E1%BA%AFc+K%E1%BA%A1n&sel=02026'
>>> decode(q, (2015, 2024)) == s
True
>>> filters(s, (2015, 2024)).districts
('064',)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

from dashboard import choices, ids
from dashboard.choices import ON
from dashboard.i18n import Translator
from geodata import coverage
from geodata.bundle import Bundle
from geodata.coverage import Filters
from geodata.vocabulary import (
    DEFAULT_LANG,
    DEFAULT_VINTAGE,
    LANGS,
    VINTAGES,
    ProjectStatus,
    SponsorKind,
)
from layers import figures, styles

Years = tuple[int, int]
State = dict[str, Any]


@dataclass(frozen=True)
class Control:
    """How a filter shows on the page and reads in words.

    ``label`` is the translation key of its label; ``part`` its name in
    :func:`geodata.coverage.describe_filters` (the "counted" line and the empty state say
    ``counted.<part>`` with the chosen values in words, ``describe``); ``kind`` is
    ``"choices"`` (a multi-choice dropdown, "any" when empty), ``"checks"`` (check boxes) or
    ``"range"`` (the year slider); ``options`` builds the choices from the bundle and the
    translator, rebuilt by the language callback when ``by_language``. ``of_records=False``
    marks a filter of communes (districts, difficult only): when no record passes the filters
    the empty state names only the filters of records.
    """

    label: str
    part: str
    kind: str = "choices"
    options: Callable[[Bundle, Translator], list[dict[str, Any]]] | None = None
    by_language: bool = True
    describe: Callable[[Bundle, Any, Translator], str] = choices.as_is
    searchable: bool = False
    of_records: bool = True


@dataclass(frozen=True)
class Field:
    """One control of the view state.

    ``key`` names it in the URL and in a state; ``control``/``prop`` is the Dash component
    property that holds it. ``default`` gives the fresh page's value for the data's year range;
    ``read`` turns the URL's values into a control value (raising ``ValueError`` for a value
    that is not valid, which then falls back to the default) and ``write`` does the reverse;
    ``to_filters`` gives the :class:`Filters` arguments it sets; ``known`` the values the
    page offers for a bundle (a link's other values are dropped, :func:`known`).
    ``in_url=False`` keeps a control out of the URL (the basemap needs the network; a shared
    link should not). A filter's ``shows`` says how the page shows it.
    """

    key: str
    control: str
    default: Callable[[Years], Any]
    read: Callable[[list[str], Years], Any]
    write: Callable[[Any], list[str]]
    to_filters: Callable[[Any, Years], dict[str, Any]] | None = None
    known: Callable[[Bundle], Iterable[Any]] | None = None
    prop: str = "value"
    in_url: bool = True
    is_list: bool = False
    shows: Control | None = None


def _one_of(choices: Callable[[], Any], cast: Callable[[str], Any] = str):
    def read(values: list[str], _years: Years) -> Any:
        value = cast(values[0])
        if value not in choices():
            raise ValueError(value)
        return value

    return read


def _write_one(value: Any) -> list[str]:
    return [] if value is None else [str(value)]


def _many(cast: Callable[[str], Any] = str):
    def read(values: list[str], _years: Years) -> list[Any]:
        return [cast(v) for v in values if v]

    return read


def _write_many(value: Any) -> list[str]:
    return [str(v) for v in (value or [])] or [""]  # "" keeps an emptied default list


def _tuple(name: str, cast: Callable[[Any], Any] = str):
    def to_filters(value: Any, _years: Years) -> dict[str, Any]:
        return {name: tuple(cast(v) for v in (value or ()))}

    return to_filters


def _switch(name: str):
    def to_filters(value: Any, _years: Years) -> dict[str, Any]:
        return {name: ON in (value or ())}

    return to_filters


def _read_statuses(values: list[str], _years: Years) -> list[str]:
    """Statuses by value or synonym: old links say ``ongoing`` for ``in_progress``."""
    found = (ProjectStatus.parse(v) for v in values if v)
    return list(dict.fromkeys(s.value for s in found if s is not None))


def _read_years(values: list[str], years: Years) -> list[int]:
    lo, hi = (int(x) for x in values[0].split("-", 1))
    return [max(min(lo, hi), years[0]), min(max(lo, hi), years[1])]


def _write_years(value: Any) -> list[str]:
    return [f"{int(value[0])}-{int(value[1])}"]


def _years_filter(value: Any, years: Years) -> dict[str, Any]:
    """A year range equal to the whole slider means "no year restriction"."""
    if not value or (int(value[0]) <= years[0] and int(value[1]) >= years[1]):
        return {"year_from": None, "year_to": None}
    return {"year_from": int(value[0]), "year_to": int(value[1])}


def _visible_layers(_years: Years) -> list[str]:
    return [k for k, on in figures.default_visibility().items() if on]


def _list(key, control, *, read=None, to_filters=None, default=None, known=None, shows=None):
    return Field(
        key,
        control,
        default=default or (lambda _y: []),
        read=read or _many(),
        write=_write_many,
        to_filters=to_filters,
        known=known,
        is_list=True,
        shows=shows,
    )


def _units_and_projects(bundle: Bundle) -> set[str]:
    """What a selection may name: a unit of any vintage or a project."""
    codes = {c for v in VINTAGES for c in bundle.communes(v)["code"]}
    return codes | set(bundle.projects["project_id"])


#: Every control of the view state, in URL order.
FIELDS: tuple[Field, ...] = (
    Field("lang", ids.LANG, lambda _y: DEFAULT_LANG.value, _one_of(lambda: LANGS), _write_one),
    Field("v", ids.VINTAGE, lambda _y: DEFAULT_VINTAGE, _one_of(lambda: VINTAGES, int), _write_one),
    Field(
        "m",
        ids.MEASURE,
        lambda _y: styles.DEFAULT_MEASURE,
        _one_of(lambda: styles.MEASURES),
        _write_one,
    ),
    _list(
        "layers",
        ids.LAYERS,
        default=_visible_layers,
        known=lambda _b: figures.default_visibility(),
    ),
    _list(
        "d",
        ids.DISTRICT,
        to_filters=_tuple("districts"),
        known=lambda b: b.tables["districts"]["code"],
        shows=Control(
            "filter.district",
            "districts",
            options=choices.districts,
            by_language=False,
            describe=choices.district_name,
            of_records=False,
        ),
    ),
    _list(
        "s",
        ids.SPONSOR,
        to_filters=_tuple("sponsors"),
        known=coverage.sponsor_options,
        shows=Control(
            "filter.sponsor",
            "sponsors",
            options=choices.sponsors,
            by_language=False,
            searchable=True,
        ),
    ),
    _list(
        "sk",
        ids.SPONSOR_KIND,
        to_filters=_tuple("sponsor_kinds"),
        known=lambda _b: SponsorKind.values(),
        shows=Control(
            "filter.sponsor_kind",
            "sponsor_kinds",
            options=choices.sponsor_kinds,
            describe=choices.sponsor_kind_name,
        ),
    ),
    _list(
        "pk",
        ids.PROJECT_KIND,
        to_filters=_tuple("project_kinds"),
        known=lambda _b: styles.PROJECT_KINDS,
        shows=Control(
            "filter.project_kind",
            "project_kinds",
            options=choices.project_kinds,
            describe=choices.project_kind_name,
        ),
    ),
    _list(
        "c",
        ids.CRITERION,
        read=_many(int),
        to_filters=_tuple("criteria", int),
        known=lambda _b: coverage.CRITERIA,
        shows=Control(
            "filter.criterion",
            "criteria",
            options=choices.criteria,
            describe=choices.criterion_name,
        ),
    ),
    Field(
        "y",
        ids.YEARS,
        default=lambda years: [years[0], years[1]],
        read=_read_years,
        write=_write_years,
        to_filters=_years_filter,
        shows=Control("filter.years", "years", kind="range"),
    ),
    _list(
        "u",
        ids.UNDATED,
        default=lambda _y: [ON],
        to_filters=_switch("include_undated"),
        known=lambda _b: (ON,),
        shows=Control("filter.undated_group", "undated", kind="checks", options=choices.undated),
    ),
    _list(
        "st",
        ids.STATUS,
        read=_read_statuses,
        to_filters=_tuple("statuses"),
        known=lambda _b: ProjectStatus.values(),
        shows=Control(
            "filter.status",
            "statuses",
            options=choices.statuses,
            describe=choices.status_name,
        ),
    ),
    _list(
        "dif",
        ids.DIFFICULT,
        to_filters=_switch("difficult_only"),
        known=lambda _b: (ON,),
        shows=Control(
            "filter.difficult_group",
            "difficult_only",
            kind="checks",
            options=choices.difficult,
            of_records=False,
        ),
    ),
    Field(
        "sel",
        ids.SELECTED,
        lambda _y: None,
        lambda v, _y: v[0] or None,
        _write_one,
        known=_units_and_projects,
        prop="data",
    ),
    Field(
        "basemap",
        ids.BASEMAP,
        lambda _y: "none",
        _one_of(lambda: ("none",)),
        _write_one,
        in_url=False,
    ),
)
FIELD = {f.key: f for f in FIELDS}
#: The fields a link carries, the fields that filter the records, and the fields the view
#: follows (all but the selection).
URL_FIELDS = tuple(f for f in FIELDS if f.in_url)
FILTER_FIELDS = tuple(f for f in FIELDS if f.to_filters is not None)
#: The filters by their part in :func:`geodata.coverage.describe_filters`.
BY_PART = {f.shows.part: f for f in FILTER_FIELDS if f.shows is not None}
VIEW_FIELDS = tuple(f for f in FIELDS if f.key != "sel")


def default_state(years: Years) -> State:
    """Control values of a fresh page."""
    return {f.key: f.default(years) for f in FIELDS}


def encode(state: Mapping[str, Any], years: Years) -> str:
    """Query string ('?...') of the URL values that differ from the defaults ('' if none)."""
    pairs: list[tuple[str, str]] = []
    for f in URL_FIELDS:
        if f.key in state and _norm(f, state[f.key]) != _norm(f, f.default(years)):
            pairs.extend((f.key, v) for v in f.write(state[f.key]))
    return "?" + urlencode(pairs) if pairs else ""


def decode(search: str | None, years: Years) -> State:
    """Control values from a query string; unknown or invalid values fall back to defaults."""
    state = default_state(years)
    params = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
    for f in URL_FIELDS:
        if f.key not in params:
            continue
        try:
            state[f.key] = f.read(params[f.key], years)
        except (ValueError, IndexError):
            continue
    return state


def known(state: Mapping[str, Any], bundle: Bundle) -> State:
    """The state with only the values the page offers for ``bundle`` (a link's unknown
    districts, sponsors, kinds, criteria, statuses, layers and selection are dropped)."""
    out = dict(state)
    for f in FIELDS:
        if f.known is None or f.key not in state:
            continue
        allowed = set(f.known(bundle))
        if f.is_list:
            out[f.key] = [v for v in (state[f.key] or []) if v in allowed]
        elif state[f.key] is not None and state[f.key] not in allowed:
            out[f.key] = f.default((0, 0))
    return out


def filters(state: Mapping[str, Any], years: Years) -> Filters:
    """The :class:`Filters` a state asks for (a missing field counts as its default)."""
    kwargs: dict[str, Any] = {}
    for f in FILTER_FIELDS:
        value = state.get(f.key, f.default(years))
        kwargs.update(f.to_filters(value, years))  # type: ignore[misc]
    return Filters(**kwargs)


def _norm(f: Field, value: Any) -> Any:
    if f.is_list:
        return sorted(str(v) for v in (value or []))
    if f.key == "y":
        return [int(value[0]), int(value[1])] if value else None
    return value
