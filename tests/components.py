"""Test helpers for Dash component trees and generated pages."""

from __future__ import annotations

import json


def text_of(component) -> str:
    """All text inside a Dash component tree (strings and numbers, space-joined)."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text_of(c) for c in component)
    return text_of(getattr(component, "children", None))


def in_page(text: str, page: str) -> bool:
    """Whether ``text`` is in the page as is or as JSON inside a script (Folium writes GeoJSON
    with ``\\uXXXX`` escapes)."""
    as_json = json.dumps(text)[1:-1]
    html_safe = (  # Jinja's tojson, as Folium embeds GeoJSON
        as_json.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
    )
    return text in page or as_json in page or html_safe in page


def table_cells(table, columns) -> list[dict]:
    """The body rows of an ``html.Table`` (its ``Tbody`` found by type, not by place), each a
    dict of its cells (``html.Td``) keyed by the ``header_key`` of ``columns`` in order."""
    from dash import html

    (body,) = (c for c in table.children if isinstance(c, html.Tbody))
    keys = [c.header_key for c in columns]
    return [dict(zip(keys, row.children, strict=True)) for row in body.children]
