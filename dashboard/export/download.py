"""The dashboard's export button: any export of the current view as a dcc.Download payload."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from dashboard.export.data import export_data_bytes
from dashboard.export.html_map import export_html_text
from dashboard.export.sheets import export_map_bytes, map_filename
from dashboard.export.words import DATA_FORMATS, MAP_FORMATS
from geodata.bundle import Bundle
from geodata.coverage import Filters

MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
}


def download_payload(filename: str, data: bytes) -> dict:
    """What ``dcc.Download`` takes (the same dict as ``dcc.send_bytes``), without importing
    Dash here.

    >>> p = download_payload("a.png", b"\\x89PNG")
    >>> p["filename"], p["type"], p["base64"], p["content"]
    ('a.png', 'image/png', True, 'iVBORw==')
    """
    import base64

    fmt = Path(filename).suffix.lstrip(".").lower()
    return {
        "content": base64.b64encode(data).decode("ascii"),
        "filename": filename,
        "type": MIME.get(fmt, "application/octet-stream"),
        "base64": True,
    }


def export_view_download(
    bundle: Bundle,
    filters: Filters,
    measure: str,
    vintage: int,
    fmt: str = "png",
    lang: str = "vi",
    visible: Sequence[str] | None = None,
) -> dict:
    """The export button's callback body: the current view as a ``dcc.Download`` payload.
    ``fmt``: a map sheet (png, svg, pdf, A4 landscape, 300 dpi for PNG), ``html`` (the
    standalone map) or a data format (csv, xlsx, geojson, gpkg). ``visible``: the dashboard's
    layer switches that are on."""
    if fmt in MAP_FORMATS:
        name, data = export_map_bytes(
            bundle,
            filters,
            measure,
            vintage,
            fmt,
            lang,
            layers=tuple(visible) if visible is not None else None,
        )
    elif fmt == "html":
        data = export_html_text(bundle, filters, measure, vintage, lang).encode("utf-8")
        name = map_filename(measure, vintage, "html", filters)
    elif fmt in DATA_FORMATS:
        name, data = export_data_bytes(bundle, filters, vintage, fmt, lang)
    else:
        valid = ", ".join([*MAP_FORMATS, "html", *DATA_FORMATS])
        msg = f"Unknown export format {fmt!r}; choose one of {valid}"
        raise ValueError(msg)
    return download_payload(name, data)
