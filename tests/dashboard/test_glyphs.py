"""The map-label glyph files the app serves hold every letter the map can label: the place
names of the store (every vintage's communes, the districts, the neighbours), the counts and
the kinds' letters — while the Vietnamese ranges carry only Vietnamese letters."""

from __future__ import annotations

import pytest

from dashboard.app import create_app
from geodata.bundle import Bundle
from geodata.settings import Settings
from geodata.vocabulary import VINTAGES
from layers.figures import LABEL_FONT
from layers.styles import PROJECT_KINDS


def _varint(data: bytes, i: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        b = data[i]
        n |= (b & 0x7F) << shift
        i += 1
        if not b & 0x80:
            return n, i
        shift += 7


def _fields(data: bytes):
    """(field number, value) of one protobuf message: varints and byte strings."""
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        if key & 7 == 0:
            value, i = _varint(data, i)
        else:
            size, i = _varint(data, i)
            value, i = data[i : i + size], i + size
        yield key >> 3, value


def code_points(pbf: bytes) -> set[int]:
    """The code points of a glyph file (glyphs → fontstack → glyph → id)."""
    out = set()
    for num, stack in _fields(pbf):
        assert num == 1
        for n, glyph in _fields(stack):
            if n == 3:
                out |= {v for k, v in _fields(glyph) if k == 1}
    return out


@pytest.fixture(scope="module")
def client(store_path, tmp_path_factory):
    settings = Settings(store_path, tmp_path_factory.mktemp("cache"))
    return create_app(settings, warm_glyphs=False).server.test_client()


def label_text(bundle: Bundle) -> str:
    names = [bundle.communes(v)["name"] for v in VINTAGES]
    names += [bundle.tables[t]["name"] for t in ("districts", "neighbours")]
    letters = "".join(k.letter for k in PROJECT_KINDS.values())
    return "".join("".join(n.astype(str)) for n in names) + letters + "0123456789"


def test_every_letter_the_map_labels_is_served(client, store_path):
    text = label_text(Bundle.load(store_path))
    assert "Đ" in text and "ư" in text and "ạ" in text  # Vietnamese names, not just ASCII
    served: set[int] = set()
    for start in sorted({ord(ch) // 256 * 256 for ch in text}):
        r = client.get(f"/glyphs/{LABEL_FONT}/{start}-{start + 255}.pbf")
        assert r.status_code == 200
        served |= code_points(r.get_data())
    missing = sorted({ch for ch in text if not ch.isspace() and ord(ch) not in served})
    assert not missing, missing


def test_the_vietnamese_ranges_carry_only_vietnamese_letters(client):
    latin_ext = code_points(client.get(f"/glyphs/{LABEL_FONT}/256-511.pbf").get_data())
    assert {chr(c) for c in latin_ext} == set("ĂăĐđĨĩŨũƠơƯư")
    additional = code_points(client.get(f"/glyphs/{LABEL_FONT}/7680-7935.pbf").get_data())
    assert {ord("Ạ"), ord("ỹ"), ord("ệ")} <= additional and ord("Ḁ") not in additional
    basic = code_points(client.get(f"/glyphs/{LABEL_FONT}/0-255.pbf").get_data())
    assert {ord(c) for c in "Aaz09 éÊ"} <= basic
