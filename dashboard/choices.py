"""What each filter offers and how a chosen value reads, as functions of (bundle, translator).

:data:`dashboard.state.FIELDS` names these per filter: the page builds its controls from them
(:func:`dashboard.layout.filter_controls`), the language callback rebuilds the translated ones,
and the "counted" line and the empty state describe a chosen value with them. Options are
Dash's ``{"label", "value"}`` dicts (``search`` adds the spellings a reader may type).
"""

from __future__ import annotations

from typing import Any

from dashboard.i18n import Translator
from geodata import coverage as cv
from geodata.bundle import Bundle
from geodata.vocabulary import ProjectStatus, SponsorKind
from layers import styles

Options = list[dict[str, Any]]
#: The value of a checked single-box checklist (undated records, difficult communes only).
ON = "on"


def districts(bundle: Bundle, _t: Translator | None = None) -> Options:
    d = bundle.tables["districts"].sort_values("name")
    return [{"label": n, "value": c} for c, n in zip(d["code"], d["name"], strict=True)]


def sponsors(bundle: Bundle, _t: Translator | None = None) -> Options:
    """Sponsor names, searchable without diacritics."""
    from geodata.names import loose_key

    return [
        {"label": n, "value": n, "search": f"{n} {loose_key(n)}"}
        for n in cv.sponsor_options(bundle)
    ]


def sponsor_kinds(_bundle: Bundle | None, t: Translator) -> Options:
    return [{"label": t(k.label_key), "value": k.value} for k in SponsorKind]


def project_kinds(_bundle: Bundle | None, t: Translator) -> Options:
    return [{"label": t(s.label_key), "value": k} for k, s in styles.PROJECT_KINDS.items()]


def criteria(_bundle: Bundle | None, t: Translator) -> Options:
    return [{"label": f"{c}. {t(f'criterion.{c}')}", "value": c} for c in cv.CRITERIA]


def statuses(_bundle: Bundle | None, t: Translator) -> Options:
    return [{"label": t(s.label_key), "value": s.value} for s in ProjectStatus]


def undated(_bundle: Bundle | None, t: Translator) -> Options:
    return [{"label": t("filter.undated"), "value": ON}]


def difficult(_bundle: Bundle | None, t: Translator) -> Options:
    return [{"label": t("filter.difficult"), "value": ON}]


# ------------------------------------------------------------------ a chosen value in words
def as_is(_bundle: Bundle, value: Any, _t: Translator) -> str:
    return str(value)


def district_name(bundle: Bundle, code: Any, _t: Translator) -> str:
    d = bundle.tables["districts"]
    hit = d.loc[d["code"] == code, "name"]
    return str(hit.iloc[0]) if len(hit) else str(code)


def sponsor_kind_name(_bundle: Bundle, value: Any, t: Translator) -> str:
    """The kind's words (the vocabulary's label key; ``unknown`` for a value it lacks)."""
    return t(SponsorKind.label_key_of(value))


def project_kind_name(_bundle: Bundle, value: Any, t: Translator) -> str:
    return t(styles.kind_style(value).label_key).lower()


def criterion_name(_bundle: Bundle, value: Any, t: Translator) -> str:
    return f"{value}. {t(f'criterion.{value}')}"


def status_name(_bundle: Bundle, value: Any, t: Translator) -> str:
    """The status's words (the vocabulary's label key; ``unknown`` for a value it lacks)."""
    return t(ProjectStatus.label_key_of(value))
