"""Layer styles as data: measures with their classes and colour-blind-safe palettes, project
kinds with a colour and a symbol, and legends.

Everything a person reads is given as a translation key (``label_key``); the translation table
lives in ``assets/translations.json`` and is read by :mod:`dashboard.i18n`. Colours are
ColorBrewer sequential schemes or the Okabe–Ito / Tol palettes, all colour-blind safe.

A commune's class is an index: 0 is "outside the filters", 1.. are the measure's classes in
legend order; :func:`class_colours` gives the colour of each (the screen map paints them per
commune, ``layers/map_paint.py``; the print and HTML exports colour by them too).

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"in_view": [True, True, False], "n_sponsors": [0, 2, 1]})
>>> classify("n_sponsors", table).tolist()
[1, 3, 0]
>>> [(e.key, e.count) for e in legend("n_sponsors", table)]
[('0', 1), ('1', 0), ('2', 1), ('3+', 0), ('out_of_view', 1)]
>>> cov = pd.DataFrame({"in_view": [True] * 3, "coverage": ["chosen", "others", "none"]})
>>> [(e.key, e.count) for e in legend("coverage", cov, sponsors_chosen=True)]
[('chosen', 1), ('others', 1), ('difficult_none', 0), ('none', 1)]
>>> measure_style("nope")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
KeyError: "Unknown measure 'nope'; choose one of coverage, gaps, n_sponsors, ..."
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geodata.vocabulary import ProjectKind

#: Fill of communes the district / difficult filters leave out: a neutral mid grey that no
#: measure uses (the measures' "none" classes are near-white tints), so "outside the filters"
#: never reads as "no sponsor recorded".
OUT_OF_VIEW_COLOUR = "#c4c4c4"
#: Outline of the communes that match the sponsor / project filters (drawn over any measure).
MATCH_COLOUR = "#111111"
#: Commune borders, district borders, province outline, neighbours.
LINE_COLOURS = {
    "commune": "#8c8c8c",
    "district": "#333333",
    "province": "#000000",
    "neighbour_fill": "#e9e6df",
    "neighbour_line": "#9a9a9a",
    "selected": "#e7298a",
}
#: The two series of the overview bar charts (communes or assignments, projects).
CHART_COLOURS = ("#2166ac", "#e69f00")


@dataclass(frozen=True)
class ClassStyle:
    """One class of a measure: a key (stable, used in tests and URLs), its colour and the
    translation key of its legend label."""

    key: str
    colour: str
    label_key: str


@dataclass(frozen=True)
class MeasureStyle:
    """A measure of :func:`geodata.coverage.commune_measures` and how it is classified.

    ``column`` is the measures-table column; ``classify`` maps that column to class numbers
    1..len(classes) (0 is reserved for communes out of view).
    """

    key: str
    column: str
    label_key: str
    classes: tuple[ClassStyle, ...]
    classify: Callable[[pd.Series], np.ndarray]


def _bins(edges: list[float], *, missing: int | None = None) -> Callable[[pd.Series], np.ndarray]:
    """Class numbers from right-open bins [e0, e1), [e1, e2), ...; the first class is 1."""

    def classify(values: pd.Series) -> np.ndarray:
        x = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
        out = np.digitize(x, edges).astype(int)  # 1..len(edges)
        if missing is not None:
            out[np.isnan(x)] = missing
        return out

    return classify


def _ranked(values: pd.Series, order: dict[str, int], other: int) -> np.ndarray:
    """``order``'s number of each value, ``other`` for any other (or missing) value: one
    comparison per key over the whole column (``Series.map`` took ~4 ms a change for a
    country's 10,736 communes).

    >>> _ranked(pd.Series(["b", None, "a", "x"]), {"a": 1, "b": 2}, 3).tolist()
    [2, 3, 1, 3]
    """
    v = values.to_numpy(dtype=object)
    out = np.full(len(v), other, dtype=int)
    for key, rank in order.items():
        out[v == key] = rank
    return out


def _coverage(values: pd.Series) -> np.ndarray:
    order = {"sponsored": 1, "chosen": 2, "others": 3, "difficult_none": 4, "none": 5}
    return _ranked(values, order, 5)


def _gaps(values: pd.Series) -> np.ndarray:
    return _ranked(values, {"difficult_none": 1, "none": 2}, 3)


def _ntm(values: pd.Series) -> np.ndarray:
    x = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    out = np.digitize(x, [-np.inf, 2018, 2020, 2022]) + 1  # 2..5
    out[np.isnan(x)] = 1
    return out.astype(int)


def _measure(
    key: str,
    colours: dict[str, str],
    classify: Callable[[pd.Series], np.ndarray],
    column: str | None = None,
) -> MeasureStyle:
    """A measure whose legend label is ``measure.<key>`` and whose classes (``colours``: class
    key → colour, in legend order) are labelled ``class.<key>.<class key>``; ``column`` is
    the measures-table column when it is not named ``key``."""
    classes = tuple(ClassStyle(c, colour, f"class.{key}.{c}") for c, colour in colours.items())
    return MeasureStyle(key, column or key, f"measure.{key}", classes, classify)


#: Every measure the map can show, in menu order.
MEASURES: dict[str, MeasureStyle] = {
    m.key: m
    for m in (
        _measure(
            "coverage",
            {
                "sponsored": "#2166ac",
                "chosen": "#08519c",
                "others": "#9ecae1",
                "difficult_none": "#d55e00",
                "none": "#fddbc7",
            },
            _coverage,
        ),
        _measure(
            "gaps",
            {"difficult_none": "#b2182b", "none": "#f4a582", "covered": "#ffffff"},
            _gaps,
            column="coverage",
        ),
        _measure(
            "n_sponsors",
            {"0": "#eff3ff", "1": "#9ecae1", "2": "#4292c6", "3+": "#084594"},
            _bins([0, 1, 2, 3]),
        ),
        _measure(
            "support_vnd",
            {"none": "#fffbf2", "lt50m": "#fee391", "50m_500m": "#fe9929", "ge500m": "#993404"},
            lambda v: _support(v),
        ),
        _measure(
            "n_projects",
            {"0": "#f2f0f7", "1-2": "#bcbddc", "3-5": "#807dba", "6+": "#4a1486"},
            _bins([0, 1, 3, 6]),
        ),
        _measure(
            "ntm_year",
            {
                "none": "#fbfbf4",
                "le2017": "#440154",
                "2018-2019": "#31688e",
                "2020-2021": "#35b779",
                "ge2022": "#fde725",
            },
            _ntm,
        ),
    )
}


def _support(values: pd.Series) -> np.ndarray:
    x = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    out = np.digitize(x, [50e6, 500e6]) + 2  # 2..4
    out[np.isnan(x) | (x <= 0)] = 1
    return out.astype(int)


#: The default measure.
DEFAULT_MEASURE = "coverage"


def measure_style(key: str) -> MeasureStyle:
    """The style of a measure by key, with the valid keys in the error."""
    if key not in MEASURES:
        msg = f"Unknown measure {key!r}; choose one of {', '.join(MEASURES)}"
        raise KeyError(msg)
    return MEASURES[key]


def classify(measure: str, table: pd.DataFrame) -> np.ndarray:
    """Class numbers of every row of a :func:`~geodata.coverage.commune_measures` table: 0 for
    rows out of view, 1.. for the measure's classes in legend order."""
    style = measure_style(measure)
    cls = style.classify(table[style.column])
    in_view = table["in_view"].to_numpy(dtype=bool)
    return np.where(in_view, cls, 0).astype(int)


def class_colours(measure: str) -> list[str]:
    """Colours by class number (index 0 = out of view)."""
    return [OUT_OF_VIEW_COLOUR, *(c.colour for c in measure_style(measure).classes)]


@dataclass(frozen=True)
class LegendEntry:
    """One row of a legend: key, colour, translation key of the label, how many features."""

    key: str
    colour: str
    label_key: str
    count: int
    symbol: str = "square"


#: Coverage classes shown only with (True) or only without (False) a sponsor filter.
_SPONSOR_CLASSES = {"sponsored": False, "chosen": True, "others": True}


def sponsors_chosen_in(table: pd.DataFrame) -> bool:
    """Whether the measures table was computed with a sponsor filter (its ``attrs``), else
    whether it holds the "chosen" / "others" classes."""
    filters = table.attrs.get("filters")
    if filters is not None and hasattr(filters, "chooses_sponsors"):
        return bool(filters.chooses_sponsors)
    return "coverage" in table and bool(table["coverage"].isin(["chosen", "others"]).any())


def legend(
    measure: str, table: pd.DataFrame, *, sponsors_chosen: bool | None = None
) -> list[LegendEntry]:
    """Legend rows of a measure with the number of communes in each class.

    The coverage measure shows "sponsored" without a sponsor filter and "chosen" / "others"
    with one (``sponsors_chosen``; read from the table when not given). The "outside the
    filters" row comes next, only when some commune is outside; the "match" row (communes
    outlined because they have a record that passes the sponsor / project filters) comes last,
    only when the table has such a filter.
    """
    style = measure_style(measure)
    cls = classify(measure, table)
    chosen = sponsors_chosen_in(table) if sponsors_chosen is None else sponsors_chosen
    rows = [
        LegendEntry(c.key, c.colour, c.label_key, int((cls == i).sum()))
        for i, c in enumerate(style.classes, start=1)
        if measure != "coverage" or _SPONSOR_CLASSES.get(c.key, chosen) == chosen
    ]
    n_out = int((cls == 0).sum())
    if n_out:
        rows.append(LegendEntry("out_of_view", OUT_OF_VIEW_COLOUR, "class.out_of_view", n_out))
    filters = table.attrs.get("filters")
    highlights = getattr(filters, "highlights", None)
    if highlights and "match" in table:
        n_match = int(table["match"].to_numpy(dtype=bool).sum())
        rows.append(
            LegendEntry(
                "match", MATCH_COLOUR, f"class.match.{highlights}", n_match, symbol="outline"
            )
        )
    return rows


# ------------------------------------------------------------------------------ projects
@dataclass(frozen=True)
class KindStyle:
    """How a project kind is drawn: colour and a one-letter mark (kinds told apart without
    colour); its name is the kind's translation key."""

    kind: ProjectKind
    colour: str
    letter: str

    @property
    def key(self) -> str:
        return self.kind.value

    @property
    def label_key(self) -> str:
        return self.kind.label_key


#: Project kinds in legend order (:class:`~geodata.vocabulary.ProjectKind` order). Colours:
#: Okabe–Ito and Tol, distinct under the common colour vision deficiencies.
_KIND_LOOK = {
    ProjectKind.BRIDGE: ("#0072B2", "C"),
    ProjectKind.TRANSFORMER: ("#E69F00", "Đ"),
    ProjectKind.MARKET: ("#CC79A7", "M"),
    ProjectKind.MEETING_HOUSE: ("#D55E00", "N"),
    ProjectKind.INCINERATOR: ("#000000", "R"),
    ProjectKind.ROAD: ("#56B4E9", "Đg"),
    ProjectKind.WATER: ("#44AA99", "W"),
    ProjectKind.SCHOOL: ("#009E73", "T"),
    ProjectKind.HOUSE_FOR_POOR: ("#882255", "H"),
    ProjectKind.TRAINING: ("#997700", "L"),
    ProjectKind.OTHER: ("#777777", "K"),
}
PROJECT_KINDS: dict[str, KindStyle] = {k.value: KindStyle(k, *_KIND_LOOK[k]) for k in ProjectKind}

#: Marker sizes: a surveyed point is small and solid; a point placed somewhere inside its
#: commune ("location approximate") is drawn with a wide translucent halo.
POINT_SIZE = 15
#: How much wider than a marker its dark outline disc is (px).
POINT_CASING = 4
HALO_SIZE = 28
HALO_OPACITY = 0.28


def kind_style(kind: str | None) -> KindStyle:
    """The style of a project kind; unknown kinds are drawn as "other"."""
    return PROJECT_KINDS.get(kind or "other", PROJECT_KINDS["other"])


def kind_legend(projects: pd.DataFrame | None = None) -> list[LegendEntry]:
    """Legend rows for project kinds, with counts when a projects table is given."""
    counts = projects["kind"].value_counts() if projects is not None else pd.Series(dtype=int)
    return [
        LegendEntry(k.key, k.colour, k.label_key, int(counts.get(k.key, 0)), symbol=k.letter)
        for k in PROJECT_KINDS.values()
    ]


def is_approximate(precision: pd.Series) -> np.ndarray:
    """True where a point's location is only known to its commune."""
    return precision.fillna("commune").isin(["commune", "district", "approximate"]).to_numpy()
