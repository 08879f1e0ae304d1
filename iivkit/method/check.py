"""``iivkit check``: is this workbook sound, and is every record valid?

Problems (exit status 1) are things that lose or corrupt data: a damaged file, a reference to
a missing record, a record that no longer passes validation. Warnings are gaps in the method a
user may want to fix (a finding to test with no source), and do not fail the check.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from iivkit.errors import ValidationFailed
from iivkit.method.letters import template_problems, unused_templates
from iivkit.workbook import views
from iivkit.workbook.models import HELD_STATUSES, RECORD_TYPES, Contact, Finding, Interview, InterviewStatus
from iivkit.workbook.schema import from_row
from iivkit.workbook.store import Workbook


@dataclass
class CheckReport:
    """What a check found in one workbook."""

    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there are no problems (warnings allowed)."""
        return not self.problems

    def lines(self) -> list[str]:
        """The report as lines for a terminal."""
        summary = ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in self.counts.items() if n)
        head = f"{self.path}: {'ok' if self.ok else 'PROBLEMS'}" + (f" ({summary})" if summary else "")
        return (
            [head] + [f"  problem: {p}" for p in self.problems] + [f"  warning: {w}" for w in self.warnings]
        )


def _records(wb: Workbook, report: CheckReport) -> None:
    """Every stored value that does not fit its model, one problem per column."""
    for model in RECORD_TYPES:
        rows = views.stored_rows(wb, model.table)
        report.counts[model.table] = len(rows)
        for row in rows:
            where = f"{wb.path}: {model.label} {row['id']} (table {model.table})"
            try:
                model.model_validate(from_row(model, dict(row)))
            except ValidationFailed as exc:
                report.problems.append(f"{where} column '{exc.field}': {exc.message}")
            except ValidationError as exc:
                for error in exc.errors():
                    loc = [str(p) for p in error["loc"]]
                    column = f" column '{loc[0]}'" if loc else ""
                    item = f" (item {'.'.join(loc[1:])})" if len(loc) > 1 else ""
                    message = error["msg"].removeprefix("Value error, ")
                    report.problems.append(f"{where}{column}{item}: {message}")


def _method(wb: Workbook, report: CheckReport) -> None:
    scheduled = {InterviewStatus.confirmed, *HELD_STATUSES}
    for interview in wb.all(Interview):
        if interview.status in scheduled and interview.scheduled_at is None:
            report.warnings.append(
                f"{interview.describe()} is {interview.status.value} but has no date and time"
            )
    for contact in wb.all(Contact):
        if contact.referred_by_id == contact.id:
            report.warnings.append(f"{contact.describe()} is marked as referred by themselves")
    for finding in wb.all(Finding, to_test=True):
        if not (finding.source_title or finding.source_link or finding.source_author):
            report.warnings.append(f"{finding.describe()} is marked to test but has no source")


def check(path: Path) -> CheckReport:
    """Check one workbook. Raises :class:`~iivkit.errors.WorkbookError` if it cannot be opened."""
    report = CheckReport(path=path)
    with Workbook.read(path) as wb:
        try:
            report.problems.extend(wb.integrity_problems())
            _records(wb, report)
            # A workbook's own letter template is code from whoever made the workbook.
            report.problems.extend(template_problems(wb))
            report.warnings.extend(unused_templates(wb))
            if report.ok:
                _method(wb, report)
        except sqlite3.DatabaseError as exc:
            report.problems.append(f"the file is damaged: {exc}")
    return report
