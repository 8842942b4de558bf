"""The words printed on exports (sheets, atlas, HTML, data headers), in Vietnamese and English.

They live in the project's one translation table (``assets/translations.json``, read through
:mod:`dashboard.i18n`), so the screen and the paper use the same words.

>>> t("sheet.sources", "en")
'Sources'
>>> t("kind.bridge", "vi")
'Cầu'
>>> t("no.such.key", "vi")
'no.such.key'
"""

from __future__ import annotations

from functools import cache

LANGS = ("vi", "en")


def check_lang(lang: str) -> str:
    """The language code, or a helpful error.

    >>> check_lang("fr")
    Traceback (most recent call last):
    ...
    ValueError: Unknown language 'fr'; choose one of vi, en
    """
    if lang not in LANGS:
        msg = f"Unknown language {lang!r}; choose one of {', '.join(LANGS)}"
        raise ValueError(msg)
    return lang


@cache
def _tables() -> dict[str, dict[str, str]]:
    from dashboard.i18n import Translations

    loaded = Translations.load()
    return {lang: dict(loaded.tables[lang]) for lang in LANGS}


def t(key: str, lang: str = "vi", **values: object) -> str:
    """The words for ``key`` in ``lang`` (the key itself when unknown), formatted with values.

    An ``export.<key>`` entry, where there is one, holds the paper's wording of a word the
    screen says differently (e.g. a data-file header).
    """
    check_lang(lang)
    table = _tables()[lang]
    text = table.get(f"export.{key}") or table.get(key) or key
    return text.format(**values) if values else text
