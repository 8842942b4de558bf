"""Test helpers for Dash component trees."""

from __future__ import annotations


def text_of(component) -> str:
    """All text inside a Dash component tree (strings and numbers, space-joined)."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text_of(c) for c in component)
    return text_of(getattr(component, "children", None))
