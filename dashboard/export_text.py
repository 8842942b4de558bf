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

from geodata.vocabulary import LANGS, Lang


def check_lang(lang: str) -> str:
    """The language code, or a helpful error (see :meth:`geodata.vocabulary.Lang.check`)."""
    return Lang.check(lang).value


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
