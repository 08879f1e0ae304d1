"""What a notebook shows: forms, live tables and charts, choices, the guide, and parameter handling.

ipywidgets forms (:mod:`~iivkit.ui.forms`) that save through the store, views that refresh
when a save touches what they show (:mod:`~iivkit.ui.live`), pandas tables and matplotlib
charts, and a notebook's parameters: how each is read (:mod:`~iivkit.ui.params`) and the
records they choose (:mod:`~iivkit.ui.support`). Shipped notebooks reach all of it through
:mod:`iivkit.nb`.
"""
