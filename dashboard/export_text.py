"""The words printed on exports (sheets, atlas, HTML, data headers), in Vietnamese and English:
the one translator (:mod:`geodata.words`) for paper, so the screen and the paper use the same
words (and the paper's own wording where a key has an ``export.<key>`` entry).

>>> t("sheet.sources", "en")
'Sources'
>>> t("kind.bridge", "vi")
'Cầu'
>>> t("no.such.key", "vi")
'no.such.key'
"""

from __future__ import annotations

from geodata.vocabulary import Lang
from geodata.words import translator


def check_lang(lang: str) -> str:
    """The language code, or a helpful error (see :meth:`geodata.vocabulary.Lang.check`)."""
    return Lang.check(lang).value


def t(key: str, lang: str = "vi", **values: object) -> str:
    """The paper's words for ``key`` in ``lang`` (the key itself when unknown)."""
    return translator(check_lang(lang)).for_paper()(key, **values)
