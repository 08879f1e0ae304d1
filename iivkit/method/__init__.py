"""The method: what the informational-interview method does with a workbook's records.

The question bank and the planner, what findings add up to (synthesis), the follow-up rules,
the letters (templates, the sandboxed template worker, the letter check, drafts and calendar
files), and the workbook check. Pure functions over a :class:`~iivkit.workbook.store.Workbook`:
no widgets, no kernels, no HTML pages.
"""
