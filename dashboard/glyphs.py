"""Map-label glyphs served by the dashboard itself, so labels work with no internet.

MapLibre draws text from signed-distance-field glyphs fetched as protobuf files
(``/{fontstack}/{start}-{end}.pbf``, 256 code points each); Plotly's built-in styles fetch them
from a public server, which fails offline. This module renders those files from a local TrueType
font (Noto Sans or DejaVu Sans from the system, or the DejaVu Sans that matplotlib ships) with
Pillow, computes the distance field with numpy and encodes the protobuf by hand.

Examples
--------
>>> pbf = glyph_range(0)
>>> pbf[:1] == b"\\x0a" and len(pbf) > 10_000
True
>>> glyph_range(7680) != b""  # Latin Extended Additional: the Vietnamese letters
True

The labels are Vietnamese place names (or English words), so the two ranges that hold the
Vietnamese letters carry only those (:data:`ONLY`): 12 of Latin Extended-A/B's 256 code points,
90 of Latin Extended Additional's — 36 kB less on a first load, and less to render.

>>> sorted(chr(g) for g in glyph_codes(256))
['Ă', 'ă', 'Đ', 'đ', 'Ĩ', 'ĩ', 'Ũ', 'ũ', 'Ơ', 'ơ', 'Ư', 'ư']
>>> len(glyph_codes(7680)), chr(min(glyph_codes(7680))), chr(max(glyph_codes(7680)))
(90, 'Ạ', 'ỹ')
>>> len(glyph_codes(0)), len(glyph_codes(512))  # other ranges: every letter they hold
(191, 256)
"""

from __future__ import annotations

import importlib.util
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np

FONT_SIZE = 24
BUFFER = 3
RADIUS = 8.0
CUTOFF = 0.25
#: MapLibre's baseline offset for 24 px glyphs (see its local-glyph code).
TOP_OFFSET = 26

_CANDIDATES = (
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


def font_path() -> Path | None:
    """A TrueType font with Vietnamese letters: the system's, else matplotlib's DejaVu Sans."""
    for candidate in _CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    spec = importlib.util.find_spec("matplotlib")
    if spec and spec.submodule_search_locations:
        path = Path(spec.submodule_search_locations[0]) / "mpl-data/fonts/ttf/DejaVuSans.ttf"
        if path.is_file():
            return path
    return None


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 63)


def _field_varint(num: int, value: int) -> bytes:
    return _varint(num << 3) + _varint(value)


def _field_bytes(num: int, value: bytes) -> bytes:
    return _varint((num << 3) | 2) + _varint(len(value)) + value


def _sdf(alpha: np.ndarray) -> np.ndarray:
    """Signed distance field (bytes) of an anti-aliased glyph bitmap."""
    inside = alpha > 127
    h, w = alpha.shape
    yy, xx = np.mgrid[0:h, 0:w]
    pts = np.stack([yy.ravel(), xx.ravel()], axis=1).astype(float)
    ins = pts[inside.ravel()]
    outs = pts[~inside.ravel()]
    dist = np.full(h * w, RADIUS * 2, dtype=float)
    if len(ins) and len(outs):
        flat_in = inside.ravel()
        d_out = np.sqrt(((outs[:, None, :] - ins[None, :, :]) ** 2).sum(-1)).min(1)
        d_in = np.sqrt(((ins[:, None, :] - outs[None, :, :]) ** 2).sum(-1)).min(1)
        dist[~flat_in] = d_out - 0.5
        dist[flat_in] = -(d_in - 0.5)
    elif len(ins):
        dist[:] = -RADIUS
    value = 255 - 255 * (dist / RADIUS + CUTOFF)
    return np.clip(np.round(value), 0, 255).astype(np.uint8).reshape(h, w)


#: Ranges whose glyph files carry only the code points Vietnamese writes (by range start).
ONLY = {
    256: frozenset(map(ord, "ĂăĐđĨĩŨũƠơƯư")),
    7680: frozenset(range(0x1EA0, 0x1EFA)),  # Ạ … ỹ: every vowel with its tone marks
}


def glyph_codes(start: int) -> list[int]:
    """The code points of the glyph file starting at ``start`` (controls and unassigned ones
    never; only Vietnamese letters in :data:`ONLY`'s ranges)."""
    keep = ONLY.get(start)
    return [
        cp
        for cp in range(start, start + 256)
        if unicodedata.category(chr(cp)) not in ("Cc", "Cn", "Cs", "Co")
        and (keep is None or cp in keep)
    ]


@lru_cache(maxsize=64)
def glyph_range(start: int, fontstack: str = "Open Sans Regular") -> bytes:
    """The protobuf of code points ``start``..``start+255`` (``b""`` with no font)."""
    from PIL import Image, ImageDraw, ImageFont

    path = font_path()
    if path is None:
        return b""
    font = ImageFont.truetype(str(path), FONT_SIZE)
    end = start + 255
    glyphs = []
    for cp in glyph_codes(start):
        ch = chr(cp)
        advance = round(font.getlength(ch))
        x0, y0, x1, y1 = font.getbbox(ch, anchor="ls")
        w, h = max(0, x1 - x0), max(0, y1 - y0)
        msg = _field_varint(1, cp)
        if w and h:
            img = Image.new("L", (w + 2 * BUFFER, h + 2 * BUFFER), 0)
            ImageDraw.Draw(img).text(
                (BUFFER - x0, BUFFER - y0), ch, font=font, fill=255, anchor="ls"
            )
            msg += _field_bytes(2, _sdf(np.asarray(img)).tobytes())
        msg += _field_varint(3, w) + _field_varint(4, h)
        msg += _field_varint(5, _zigzag(x0)) + _field_varint(6, _zigzag(-y0 - TOP_OFFSET))
        msg += _field_varint(7, advance)
        glyphs.append(_field_bytes(3, msg))
    stack = _field_bytes(1, fontstack.encode()) + _field_bytes(2, f"{start}-{end}".encode())
    stack += b"".join(glyphs)
    return _field_bytes(1, stack)
