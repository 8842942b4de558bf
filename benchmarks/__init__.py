"""Benchmarks of NTM Atlas: ``uv run python -m benchmarks`` (see README.md beside this file).

Modules: :mod:`benchmarks.naive_app` (the baseline app), :mod:`benchmarks.server` (either app
behind a byte- and CPU-counting WSGI wrapper), :mod:`benchmarks.browser` (the page driver),
:mod:`benchmarks.load` (the load test); ``dashboard_browser.py``, ``exports.py`` and
``import_projects.py`` are older single-purpose scripts.
"""
