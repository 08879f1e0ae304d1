"""Debrief reports: what a report shows (:mod:`~iivkit.reports.data`, :mod:`~iivkit.reports.html`)
and ``iivkit report``, which makes one per interview in batch (:mod:`~iivkit.reports.run`).
"""
