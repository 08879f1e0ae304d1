"""The workbook: one person's records in one SQLite file, and everything that reads or writes it whole.

Records (:mod:`~iivkit.workbook.models`), the table layout and its migrations, the store with
its transactions and change signal, the read queries (:mod:`~iivkit.workbook.views`), import
and export, anonymisation, the demo workbook, and private output files. Nothing here knows
about notebooks, letters or batches; every other layer builds on this one.
"""
