"""What a notebook shows: forms, live tables and charts, choices, the guide, and parameter handling.

ipywidgets forms (:mod:`~iivkit.ui.forms`) that save through the store, views that refresh
when a save touches what they show (:mod:`~iivkit.ui.live`), pandas tables and matplotlib
charts, and the checks on a notebook's parameters (:mod:`~iivkit.ui.support`). Shipped
notebooks reach all of it through :mod:`iivkit.nb`.
"""
