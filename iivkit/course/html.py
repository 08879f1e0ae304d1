"""The class run's pages as HTML: feedback, the class summary, and notes for students without one.

Everything goes through the shared Jinja2 environment of :mod:`iivkit.ui.presentation`, with
autoescaping on, so a student's text holding ``<script>`` shows as text. Pages load nothing
from elsewhere: no scripts, no fonts, no images.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from iivkit.course.data import OK_STATE, ClassSummary, StudentReport
from iivkit.course.feedback import COMPLETE, IN_PROGRESS, MARKS, NOT_STARTED, ExerciseFeedback
from iivkit.course.rubric import MET, NOT_MET, RUBRIC, TITLES
from iivkit.ui import presentation

STYLE = presentation.STYLESHEET
"""The stylesheet every page starts with (the one of :mod:`iivkit.ui.presentation`)."""


def _status_class(status: str | None) -> str:
    if status in (COMPLETE, IN_PROGRESS):
        return presentation.css_class(status)
    return presentation.css_class(NOT_STARTED if status else "problem")


_FEEDBACK = presentation.template(
    """\
<div class="iiv-exercise{% if fb.status == 'complete' %} iiv-done{% endif %}">
<h3>Exercise {{ fb.number }} · {{ fb.title }}</h3>
<p><span class="{{ css }}">&nbsp;{{ fb.status }}&nbsp;</span> {{ fb.progress }}
{%- if fb.subject %} · looked at {{ fb.subject }}{% endif %}</p>
<p>{{ fb.opening() }}</p>
<ol class="iiv-points">
{%- for p in fb.points %}
<li><span class="{{ p.state | status_class }}">&nbsp;{{ p.mark }} {{ p.state }}&nbsp;</span>
<b>{{ p.title }}</b>: {{ p.message }}
{%- if p.state != 'met' and p.where %}<span class="iiv-where">Where: {{ p.where }}</span>{% endif %}
{%- if p.hint %}<span class="iiv-hint">Hint: {{ p.hint }}</span>{% endif %}
{%- if p.notes %}<ul class="iiv-notes">{% for n in p.notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}</li>
{%- endfor %}
</ol>
</div>"""
)


def feedback_html(fb: ExerciseFeedback) -> str:
    """One exercise's feedback: its status, then each part of its rubric as a checklist with its verdict."""
    return _FEEDBACK.render(fb=fb, css=_status_class(fb.status))


_STUDENT = presentation.template(
    """\
<h2>{{ r.name or r.student }}</h2>
{%- if r.reason %}
<p class="iiv-problem">This feedback {{ r.reason }}.</p>
{%- endif %}
<table class="iiv-table">
<caption>Your work so far</caption>
<tr><th scope="row">Student</th><td>{{ r.student }}</td></tr>
{%- for label, value in numbers %}
<tr><th scope="row">{{ label }}</th><td>{{ value }}</td></tr>
{%- endfor %}
</table>
<table class="iiv-table">
<caption>Each exercise's status</caption>
<thead><tr>
{%- for fb in r.feedback %}<th scope="col">Exercise {{ fb.number }}</th>{% endfor %}</tr></thead>
<tbody><tr>
{%- for fb in r.feedback %}
<td class="{{ css(fb.status) }}">{{ fb.status }} ({{ fb.progress }})</td>
{%- endfor %}
</tr></tbody></table>
<p>Page made {{ today }}.</p>"""
)


def student_header_html(report: StudentReport, *, today: dt.date | None = None) -> str:
    """The top of a student's page: who, the numbers so far, and each exercise's status."""
    numbers = [
        ("Interviews done", report.interviews_done),
        ("Findings tested in interviews", report.findings_tested),
        ("Findings confirmed", report.findings_confirmed),
        ("Open questions", len(report.open_questions)),
    ]
    html = _STUDENT.render(r=report, numbers=numbers, css=_status_class, today=(today or dt.date.today()))
    return STYLE + "\n" + html


def exercises_html(report: StudentReport) -> str:
    """Every exercise's feedback, in order."""
    return "\n".join(feedback_html(fb) for fb in report.feedback)


_LIST = presentation.template(
    """{% if items %}<ul>{% for i in items %}<li>{{ i }}</li>{% endfor %}</ul>
{%- else %}<p class="iiv-empty">{{ empty }}</p>{% endif %}"""
)


def open_questions_html(report: StudentReport) -> str:
    """The student's open questions, as a list."""
    return _LIST.render(items=report.open_questions, empty="No open questions.")


# -- the class summary -----------------------------------------------------------------------

_SUMMARY_HEAD = presentation.template(
    """\
<p><b>{{ n }} students</b> in {{ s.class_dir }} (layout <code>{{ s.layout }}</code>){% if problems %};
<b>{{ problems }}</b> without a readable workbook{% endif %}. Follow-ups counted as of {{ s.today }}.
{%- if s.anonymised %} Contacts' names, emails and phone numbers are pseudonymised.{% endif %}</p>"""
)

_STUDENTS = presentation.template(
    """\
<table class="iiv-table">
<caption>Every student: each exercise's status, interviews, findings and follow-ups</caption>
<thead><tr><th scope="col">Student</th><th scope="col">Name</th>
{%- for n, t in titles %}<th scope="col" title="{{ t }}">Ex {{ n }}</th>{% endfor %}
<th scope="col">Interviews done</th><th scope="col">Findings tested</th>
<th scope="col">Findings confirmed</th><th scope="col">Overdue follow-ups</th>
<th scope="col">Open questions</th>
<th scope="col" title="people invited → replied → met → gave a referral">Funnel</th></tr></thead>
<tbody>
{%- for r in rows %}
<tr><td>{% if r.link %}<a href="{{ r.link }}">{{ r.student }}</a>{% else %}{{ r.student }}{% endif %}
{%- if r.record %}<br><a href="{{ r.record }}">what they entered</a>{% endif %}
{%- if r.page_problem %}<br><span class="iiv-problem">{{ r.page_problem }}</span>{% endif %}
{%- if r.ok and r.reason %}<br><span class="iiv-problem">{{ r.reason }}</span>{% endif %}</td>
<td>{{ r.name }}</td>
{%- if r.ok %}
{%- for cell in r.exercises %}<td class="{{ cell.css }}">{{ cell.text }}</td>{% endfor %}
{%- for v in r.numbers %}<td>{{ v }}</td>{% endfor %}<td>{{ r.funnel }}</td>
{%- else %}
<td class="iiv-problem" colspan="{{ width }}">{{ r.state }}: {{ r.reason }}</td>
{%- endif %}
</tr>
{%- endfor %}
</tbody></table>"""
)


def summary_header_html(summary: ClassSummary) -> str:
    """The summary's opening line: how many students, and how many without a readable workbook."""
    problems = sum(r.state != OK_STATE for r in summary.students)
    return STYLE + "\n" + _SUMMARY_HEAD.render(s=summary, n=len(summary.students), problems=problems)


def students_html(summary: ClassSummary) -> str:
    """One row per student: each exercise's status, the numbers, and a link to their page."""
    rows = []
    for r in summary.students:
        page = summary.pages.get(r.student, {})
        by_number = {f.number: f for f in r.feedback}
        failed = page.get("status") == "failed"
        rows.append(
            {
                "student": r.student,
                "name": r.name,
                "ok": r.state == OK_STATE,
                "state": r.state,
                "reason": r.reason,
                "exercises": [
                    {
                        "css": _status_class(by_number[n].status if n in by_number else None),
                        "text": f"{by_number[n].status} ({by_number[n].progress})" if n in by_number else "",
                    }
                    for n in TITLES
                ],
                "numbers": [
                    _blank(v)
                    for v in (
                        r.interviews_done,
                        r.findings_tested,
                        r.findings_confirmed,
                        r.overdue_follow_ups,
                    )
                ]
                + [len(r.open_questions)],
                "funnel": r.funnel,
                "file": page.get("file", ""),
                "link": quote(page["file"]) if page.get("file") else "",
                "record": quote(page["record"]) if page.get("record") else "",
                "page_problem": f"feedback page failed: {page.get('reason', '')}" if failed else "",
            }
        )
    return _STUDENTS.render(rows=rows, titles=list(TITLES.items()), width=len(TITLES) + 6)


def _blank(value: Any) -> Any:
    return "" if value is None else value


def completion_html(summary: ClassSummary) -> str:
    """Per exercise, how many students are complete, in progress or not started."""
    df = summary.completion().reset_index()
    return presentation.table_html(df, empty="No students.", caption="Students per exercise, by status")


_PARTS = presentation.template(
    """\
<table class="iiv-table">
<caption>Exercise {{ n }} · {{ title }}: each part, by student</caption>
<thead><tr><th scope="col">Student</th>
{%- for p in parts %}<th scope="col" title="{{ p.asks }}">{{ p.title }}</th>{% endfor %}</tr></thead>
<tbody>
{%- for student, verdicts in rows %}
<tr><th scope="row">{{ student }}</th>
{%- for v in verdicts %}<td class="{{ v | status_class }}">{{ marks[v] }} {{ v }}</td>{% endfor %}</tr>
{%- endfor %}
</tbody>
<tfoot><tr><th scope="row">Students who met it</th>
{%- for c in counts %}<td>{{ c.met }} of {{ c.met + c.not_met }}
{%- if c.stronger %} ({{ c.stronger }} could be stronger){% endif %}</td>{% endfor %}</tr></tfoot>
</table>"""
)


def parts_html(summary: ClassSummary) -> str:
    """Per exercise, a table with a column per part of its rubric: each student's verdict, and
    how many students met it (a part that could be stronger is met)."""
    counts = summary.part_counts()
    tables = []
    for n, parts in RUBRIC.items():
        verdicts = summary.parts(n)
        if verdicts.empty:
            continue
        mine = counts[counts["exercise"] == n]
        tables.append(
            _PARTS.render(
                n=n,
                title=TITLES[n],
                parts=parts,
                rows=[(s, list(row)) for s, row in verdicts.iterrows()],
                marks=MARKS,
                counts=[
                    {"met": c[MET], "not_met": c[NOT_MET], "stronger": c["could be stronger"]}
                    for c in mine.to_dict("records")
                ],
            )
        )
    return "\n".join(tables) or '<p class="iiv-empty">No students with a readable workbook.</p>'


def common_questions_html(summary: ClassSummary, *, top: int = 10) -> str:
    """The open questions most students share."""
    df = summary.common_questions(top)
    return presentation.rows_html(
        ["Open question", "Students", "Times asked"],
        df.values.tolist(),
        empty="No open questions.",
        caption="Open questions several students share",
    )


# -- pages without a notebook ----------------------------------------------------------------

_PAGE = presentation.template(
    """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>{{ style }}</head>
<body>
<main>
<h1>{{ title }}</h1>
{%- for p in paragraphs %}
<p>{{ p }}</p>
{%- endfor %}
{{ table }}
</main>
</body></html>
"""
)


def note_page(student: str, reason: str, *, failed: bool = False) -> str:
    """A student's page when there is no feedback to show: what went wrong and what to do."""
    if failed:
        paragraphs = [
            "Your workbook was found, but the feedback could not be made:",
            reason,
            "Check it with 'iivkit check' and ask your instructor to run the class report again.",
        ]
    else:
        paragraphs = [
            "There is no feedback yet, because no usable workbook was found:",
            reason,
            "Hand in your workbook (one .iiv file), and the next class report will include it.",
        ]
    return _PAGE.render(
        title=f"Feedback: {student}", paragraphs=paragraphs, style=presentation.markup(STYLE), table=""
    )


def fallback_index(rows: Iterable[Any], error: str) -> str:
    """``index.html`` when the class summary itself failed: every student and their page, and why."""
    table = presentation.rows_html(
        ["Student", "Feedback page", "Status", "Reason"],
        [
            [
                r.student,
                Markup('<a href="{}">{}</a>').format(quote(r.page_file), r.page_file),
                r.status,
                r.reason,
            ]
            for r in rows
        ],
        empty="No students found.",
        caption="Feedback pages",
    )
    paragraphs = [f"The class summary could not be made: {error}", "Each student's page is listed below."]
    return _PAGE.render(
        title="Class report",
        paragraphs=paragraphs,
        style=presentation.markup(STYLE),
        table=presentation.markup(table),
    )
