"""In Chromium: the page draws with the custom plotly.js and never fetches Dash's full one."""

from __future__ import annotations

import pytest

from dashboard import plotly_bundle as pb

pytestmark = pytest.mark.browser


def test_the_page_uses_the_custom_bundle(store_path, tmp_path, start_server, browser):
    with start_server(store_path, tmp_path) as url:
        context = browser.new_context()
        page = context.new_page()
        urls: list[str] = []
        page.on("request", lambda r: urls.append(r.url))
        page.goto(url + "/")
        page.wait_for_function(
            "() => { const gd = document.querySelector('#map .js-plotly-plot');"
            " return !!(gd && gd._fullLayout && gd._fullLayout.map); }",
            timeout=120_000,
        )
        traces = page.evaluate("() => Object.keys(window.Plotly.PlotSchema.get().traces).sort()")
        version = page.evaluate("() => window.Plotly.version")
        context.close()
    assert traces == sorted(pb.bundle().traces)
    assert version == pb.bundle().version
    assert any(pb.bundle().digest in u for u in urls)
    assert not [u for u in urls if u.endswith("plotly.min.js")]  # Dash's full bundle
