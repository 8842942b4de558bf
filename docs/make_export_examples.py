"""Regenerate the export examples shown in the README (small PNG previews in docs/img/).

    uv run python docs/make_export_examples.py [--store FILE]

The full-size outputs are made by the CLI (``ntm-atlas export ...``); these previews are kept
small (about 100-250 KiB each) so the repository carries no large binaries.
"""

from __future__ import annotations

import argparse
import io
import tempfile
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
XUAN_LAC = "02023"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path)
    args = parser.parse_args()

    from dashboard import export
    from geodata.build import build_at
    from geodata.bundle import Bundle
    from geodata.coverage import Filters
    from layers import sheet

    tmp = tempfile.TemporaryDirectory()
    bundle = Bundle.load(args.store or build_at(Path(tmp.name) / "store.gpkg"))
    img = HERE / "img"
    img.mkdir(exist_ok=True)

    def save(data: bytes, name: str, width: int) -> None:
        im = Image.open(io.BytesIO(data)).convert("RGB")
        im.thumbnail((width, width * 2))
        im = im.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        im.save(img / name, optimize=True)
        print(f"{img / name}: {(img / name).stat().st_size / 1024:.0f} KiB")

    _, data = export.export_map_bytes(bundle, None, "coverage", 2019, "png", "vi", dpi=150)
    save(data, "export-sheet-a4.png", 1400)
    _, data = export.export_map_bytes(
        bundle,
        Filters(districts=("064",)),
        "n_projects",
        2019,
        "png",
        "en",
        orientation="portrait",
        dpi=110,
    )
    save(data, "export-sheet-cho-don-en.png", 800)
    _, data = export.export_map_bytes(bundle, None, "coverage", 2025, "png", "vi", dpi=110)
    save(data, "export-sheet-2025.png", 1000)
    fig = export.atlas_page_figure(bundle, XUAN_LAC, 2019)
    save(sheet.figure_bytes(fig, "png", 110), "export-atlas-xuan-lac.png", 800)
    tmp.cleanup()


if __name__ == "__main__":
    main()
