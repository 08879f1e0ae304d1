"""Export a workbook as interchange JSON, a zip of CSV tables, or an Excel file; its contacts as vCard.

All four start from the interchange :class:`~iivkit.workbook.interchange.Document`, so an anonymised
export is anonymised the same way in every format.

A workbook is untrusted input, and a spreadsheet treats a cell that starts with ``=``, ``+``,
``-`` or ``@`` as a formula. Following OWASP's CSV-injection guidance, the CSV and xlsx exports
prefix such a text cell with a single quote (:func:`neutralise`) and quote every CSV field; the
JSON export keeps the text exactly as stored. A CSV file opened with another separator (a
semicolon or a tab, as some spreadsheets guess) splits cells inside the quotes, so the CSV export
also puts a quote after any separator or line break that comes right before formula text
(:func:`neutralise_csv`).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iivkit.errors import IivkitError
from iivkit.workbook.files import write_private
from iivkit.workbook.models import RECORD_TYPES
from iivkit.workbook.opening import open_in_this_process
from iivkit.workbook.schema import data_fields
from iivkit.workbook.store import Workbook

if TYPE_CHECKING:
    from iivkit.workbook.interchange import Document

FORMATS = ("json", "csv", "xlsx", "vcf")

FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
"""What makes a spreadsheet read a cell as a formula (OWASP's list; fullwidth forms included)."""


def _lead(text: str) -> str:
    """The first character that a spreadsheet sees, past leading spaces and invisible characters."""
    for char in text:
        if char in FORMULA_STARTS:
            return char
        if not (char.isspace() or unicodedata.category(char) == "Cf"):
            return char
    return ""


def neutralise(value: Any) -> Any:
    """A cell value that no spreadsheet runs as a formula.

    Text whose first visible character (after spaces, tabs and invisible format characters) is
    ``=``, ``+``, ``-`` or ``@``, or that starts with a tab or carriage return, gets a leading
    single quote: ``'=HYPERLINK(…)``, ``'+27 82 555 0101``. Other values are returned unchanged.
    """
    if isinstance(value, str) and _lead(value) in FORMULA_STARTS:
        return "'" + value
    return value


_CELL_START_INSIDE = re.compile(
    r"([,;|\t\r\n][\s\u200b-\u200f\u2060\ufeff]*)(?=[=+\-@\uff1d\uff0b\uff0d\uff20])"
)
"""A separator or line break, then spaces, then formula text: where a mis-split cell would start."""


def neutralise_csv(value: Any) -> Any:
    """:func:`neutralise`, and a single quote after each separator or line break inside the text
    that comes before formula text: ``one;=1+1`` → ``one;'=1+1``, whatever separator a
    spreadsheet splits the file on."""
    value = neutralise(value)
    return _CELL_START_INSIDE.sub(r"\1'", value) if isinstance(value, str) else value


def document_for_export(wb: Workbook, *, anonymised: bool = False, salt: str | None = None) -> Document:
    """The workbook as a document, pseudonymised when asked.

    :param salt: the secret that keys pseudonyms; defaults to the workbook's own, so the same
        person gets the same pseudonym in every export of this workbook.
    """
    from iivkit.workbook.anonymise import anonymise
    from iivkit.workbook.interchange import to_document

    doc = to_document(wb)
    if anonymised:
        doc = anonymise(doc, salt or wb.meta("pseudonym_salt") or str(wb.path))
    return doc


def tables(doc: Document) -> dict[str, tuple[list[str], list[dict[str, Any]]]]:
    """Columns and flat rows per record type; lists become JSON text, ``None`` an empty cell.

    The values are as stored; the spreadsheet formats pass each through :func:`neutralise`.
    """
    data = doc.model_dump(mode="json")
    out: dict[str, tuple[list[str], list[dict[str, Any]]]] = {}
    for model in RECORD_TYPES:
        raw = ([data["profile"]] if data["profile"] else []) if model.singleton else data[model.table]
        columns = ["id", "version", *data_fields(model)]
        rows = [
            {c: json.dumps(r[c], ensure_ascii=False) if isinstance(r[c], list) else r[c] for c in columns}
            for r in raw
        ]
        out[model.table] = (columns, rows)
    return out


def csv_zip(doc: Document) -> bytes:
    """A zip with one CSV file per record type, header row included even when empty.

    Every field is quoted, so a separator inside a cell (a comma, or the semicolon or tab some
    spreadsheets split on) never starts a new cell, and formula-like text is neutralised.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for table, (columns, rows) in tables(doc).items():
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n", quoting=csv.QUOTE_ALL)
            writer.writeheader()
            writer.writerows({c: neutralise_csv(v) for c, v in row.items()} for row in rows)
            zf.writestr(f"{table}.csv", text.getvalue())
    return buffer.getvalue()


def xlsx_bytes(doc: Document) -> bytes:
    """An Excel workbook with one sheet per record type.

    Every text cell is stored as text, never as a formula, and formula-like text is
    neutralised as in the CSV export, so a note cannot run anything when the file is opened,
    edited or saved again as CSV.
    """
    from openpyxl import Workbook as XlsxBook

    book = XlsxBook()
    if book.active is not None:
        book.remove(book.active)
    for table, (columns, rows) in tables(doc).items():
        sheet = book.create_sheet(title=table[:31])
        sheet.append(columns)
        for row in rows:
            sheet.append([neutralise(row[c]) for c in columns])
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render(doc: Document, fmt: str) -> bytes:
    """The document in one of :data:`FORMATS`."""
    if fmt == "json":
        from iivkit.workbook.interchange import dump

        return dump(doc).encode("utf-8")
    if fmt == "csv":
        return csv_zip(doc)
    if fmt == "xlsx":
        return xlsx_bytes(doc)
    if fmt == "vcf":  # the contacts only, as vCard 4
        from iivkit.workbook.contacts_out import vcards

        return vcards(doc).encode("utf-8")
    raise IivkitError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def export(wb: Workbook, fmt: str, out: Path, *, anonymised: bool = False, overwrite: bool = False) -> Path:
    """Export the workbook to *out* in *fmt*; the file is private to its owner.

    :param overwrite: replace an existing file at *out*. A workbook is never replaced.
    """
    if fmt not in FORMATS:
        raise IivkitError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not out.parent.exists():
        raise IivkitError("the folder to write into does not exist", file=out.parent)
    if fmt == "csv" and out.suffix.lower() != ".zip":
        raise IivkitError("a CSV export is a zip of one CSV file per table: name it .zip", file=out)
    if out.exists():
        if out.is_dir():
            raise IivkitError("is a folder; give the path of the file to write", file=out)
        if not out.is_file():  # reading a pipe would wait for ever; a device is no export
            raise IivkitError(
                "is not a regular file (a device, pipe or folder); choose another path", file=out
            )
        # A workbook open in this process is never opened outside SQLite: closing that file
        # would drop the process's SQLite locks on it (see iivkit.workbook.store).
        is_database = out.resolve() == wb.path.resolve() or open_in_this_process(out)
        if not is_database:
            with out.open("rb") as fh:
                is_database = fh.read(16) == b"SQLite format 3\x00"
        if is_database:
            raise IivkitError("is a workbook; an export never replaces one. Choose another --out", file=out)
        if not overwrite:
            raise IivkitError("already exists; pass --force to replace it", file=out)
    write_private(out, render(document_for_export(wb, anonymised=anonymised), fmt))
    return out
