"""List fields typed as text: one entry per line, or separated by commas on a single line.

ipywidgets' TagsInput needs a key press that JupyterLab does not pass on, and glued entries
together; a text box works everywhere. Under it the form shows the entries it read.
"""

from __future__ import annotations

import csv
import html


def split_entries(text: str) -> list[str]:
    """The entries of a list field: one per line, or separated by commas on a single line.

    On a single line, an entry in double quotes may hold a comma (``"Cape Town, SA"``).
    Blank entries and repeats are dropped.
    """
    stripped = text.strip()
    if not stripped:
        return []
    if "\n" in stripped or "\r" in stripped:
        items = [line.strip().strip(",").strip() for line in stripped.splitlines()]
    else:
        items = [item.strip() for item in next(csv.reader([stripped], skipinitialspace=True))]
    entries: list[str] = []
    for item in items:
        if item and item not in entries:
            entries.append(item)
    return entries


def join_entries(entries: list[str]) -> str:
    """The text that :func:`split_entries` reads back as *entries*."""
    flat = [" ".join(e.split()) for e in entries]
    if len(flat) == 1 and ("," in flat[0] or flat[0].startswith('"')):
        return '"' + flat[0].replace('"', '""') + '"'
    return "\n".join(flat)


def entries_html(entries: list[str]) -> str:
    """What a list field read: ``3 entries: a · b · c``."""
    if not entries:
        return "<span style='color:#666;font-size:90%'>No entries yet.</span>"
    noun = "entry" if len(entries) == 1 else "entries"
    shown = " · ".join(f"<b>{html.escape(e)}</b>" for e in entries)
    count = f"<span style='color:#1b5e20'>{len(entries)} {noun}:</span>"
    return f"<span style='font-size:90%'>{count} {shown}</span>"
