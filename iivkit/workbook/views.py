"""pandas views of a workbook: one per record type, and the cross-interview pictures.

Everything here is computed in SQL or with vectorised pandas, never record by record, so the
views stay quick on a workbook with thousands of findings.
"""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from iivkit.workbook.models import (
    ContactStatus,
    HowFound,
    InsightKind,
    InterviewStatus,
    Outcome,
    Record,
    Tiara,
    held_sql,
)
from iivkit.workbook.rows import growth_records
from iivkit.workbook.store import Workbook

if TYPE_CHECKING:
    import pandas as pd
else:

    class _Pandas:
        """pandas, imported on first use: the plain row reads below (what ``iivkit report``
        fingerprints) serve a run that may never make a frame."""

        def __getattr__(self, name: str) -> Any:
            return getattr(importlib.import_module("pandas"), name)

    pd = _Pandas()

PIPELINE_ORDER = [s.value for s in ContactStatus]
EVIDENCE_STATUSES = ["confirmed", "refuted", "mixed", "single-source", "untested"]


def table(wb: Workbook, model: type[Record]) -> pd.DataFrame:
    """All records of one type, indexed by id, list fields as lists."""
    return wb.frame(model)


def pipeline(wb: Workbook) -> pd.DataFrame:
    """Contacts by pipeline status, with their organisation and interview progress.

    One row per contact, ordered identified → invited → confirmed → interviewed → thanked,
    then declined and no reply.
    """
    df = pd.read_sql_query(
        f"""
        SELECT c.id AS contact_id, c.status, c.name, c.role, o.name AS organisation,
               c.seniority, c.focus_area, c.how_found,
               COUNT(i.id) AS interviews,
               SUM(CASE WHEN {held_sql("i.status")} THEN 1 ELSE 0 END) AS interviews_done,
               MAX(i.scheduled_at) AS last_scheduled
        FROM contacts c
        LEFT JOIN organisations o ON o.id = c.organisation_id
        LEFT JOIN interviews i ON i.contact_id = c.id
        GROUP BY c.id
        """,
        wb.conn,
    )
    df["status"] = pd.Categorical(df["status"], categories=PIPELINE_ORDER, ordered=True)
    df["interviews_done"] = df["interviews_done"].fillna(0).astype(int)
    return df.sort_values(["status", "contact_id"]).reset_index(drop=True)


def pipeline_counts(wb: Workbook) -> pd.Series:
    """How many contacts are at each pipeline status, every status listed."""
    df = pipeline(wb)
    return df["status"].value_counts(sort=False).reindex(PIPELINE_ORDER, fill_value=0).rename("contacts")


_SPOKEN = tuple(o.value for o in Outcome if o is not Outcome.not_discussed)
"""The outcomes that count as evidence: an interview that did not discuss a finding gave none."""


def evidence_status(wb: Workbook, findings: Sequence[int] | None = None) -> pd.DataFrame:
    """The findings to test, and any finding an interview spoke to, by id: a derived status,
    the claim, topic, organisation, confidence, to_test, and how many interviews confirmed,
    refuted or found it mixed (``n_confirmed``, ``n_refuted``, ``n_mixed``).

    Status: ``untested`` (no interview gave evidence), ``single-source`` (one interview did),
    ``confirmed`` / ``refuted`` (two or more, all agreeing) or ``mixed``. One pass over the
    outcomes, however many interviews there are.

    :param findings: only these findings (those of them listed at all); all when None.
    """
    confirmed, refuted, mixed = _SPOKEN
    params = {"confirmed": confirmed, "refuted": refuted, "mixed": mixed}
    chosen = ""
    if findings is not None:
        chosen, params["ids"] = "AND f.id IN (SELECT value FROM json_each(:ids))", _json_ids(findings)
    out = pd.read_sql_query(
        f"""
        WITH tally AS (
            SELECT finding_id,
                   SUM(outcome = :confirmed AND interview_id IS NOT NULL) AS n_confirmed,
                   SUM(outcome = :refuted AND interview_id IS NOT NULL) AS n_refuted,
                   SUM(outcome = :mixed AND interview_id IS NOT NULL) AS n_mixed
            FROM finding_outcomes GROUP BY finding_id
        )
        SELECT f.id AS finding_id, f.claim, f.topic, o.name AS organisation, f.confidence, f.to_test,
               COALESCE(t.n_confirmed, 0) AS n_confirmed, COALESCE(t.n_refuted, 0) AS n_refuted,
               COALESCE(t.n_mixed, 0) AS n_mixed
        FROM findings f
        LEFT JOIN organisations o ON o.id = f.organisation_id
        LEFT JOIN tally t ON t.finding_id = f.id
        WHERE (f.to_test = 1 OR t.finding_id IS NOT NULL) {chosen}
        ORDER BY f.id
        """,
        wb.conn,
        params=params,
        index_col="finding_id",
    )
    for col in ("n_confirmed", "n_refuted", "n_mixed"):
        out[col] = out[col].fillna(0).astype(int)
    total = out["n_confirmed"] + out["n_refuted"] + out["n_mixed"]
    status = pd.Series("mixed", index=out.index, dtype="object")
    status[(out["n_confirmed"] == total) & (total >= 2)] = "confirmed"
    status[(out["n_refuted"] == total) & (total >= 2)] = "refuted"
    status[total == 1] = "single-source"
    status[total == 0] = "untested"
    out.insert(0, "status", pd.Series(pd.Categorical(status, categories=EVIDENCE_STATUSES), index=out.index))
    out["to_test"] = out["to_test"].astype(bool)
    return out


def evidence_outcomes(wb: Workbook, findings: Sequence[int] | None = None) -> pd.DataFrame:
    """The evidence in long form: one row per finding and interview that has an outcome, with
    ``finding_id``, ``interview_id``, the interview's ``label`` (``I3 Sipho Dlamini``) and the
    ``outcome``, by interview then finding.

    :param findings: only the outcomes of these findings; all of them when None.
    """
    where, params = "", tuple[str, ...]()
    if findings is not None:
        where, params = "WHERE fo.finding_id IN (SELECT value FROM json_each(?))", (_json_ids(findings),)
    return pd.read_sql_query(
        f"""
        SELECT fo.finding_id, fo.interview_id, 'I' || i.id || ' ' || c.name AS label, fo.outcome
        FROM finding_outcomes fo
        JOIN interviews i ON i.id = fo.interview_id JOIN contacts c ON c.id = i.contact_id
        {where}
        ORDER BY fo.interview_id, fo.finding_id
        """,
        wb.conn,
        params=params,
    )


def _json_ids(ids: Sequence[int]) -> str:
    return "[" + ",".join(str(int(i)) for i in ids) + "]"


def evidence(
    wb: Workbook, *, findings: Sequence[int] | None = None, limit: int | None = None
) -> pd.DataFrame:
    """Findings × interviews: the outcome in each cell, beside :func:`evidence_status`.

    Rows are the findings marked to test plus any finding an interview spoke to; the columns
    after the status ones are the interviews with an outcome for a finding shown, in id order.
    The matrix is built only for the rows returned, so ask for what will be shown:

    :param findings: only these findings (those of them that :func:`evidence_status` lists).
    :param limit: only the first *limit* rows.
    """
    out = evidence_status(wb, findings)
    if limit is not None:
        out = out.head(limit)
    return evidence_grid(wb, out, whole=findings is None and limit is None)


def evidence_grid(wb: Workbook, rows: pd.DataFrame, *, whole: bool = False) -> pd.DataFrame:
    """*rows* (some or all of :func:`evidence_status`) with one column per interview that has
    an outcome for one of them, in interview id order, holding that outcome (NaN for none).

    :param whole: *rows* are all of :func:`evidence_status`: read every outcome, unfiltered.
    """
    outcomes = evidence_outcomes(wb, None if whole else list(rows.index))
    if outcomes.empty:
        return rows
    grid = outcomes.pivot(index="finding_id", columns="label", values="outcome")
    return rows.join(grid[list(dict.fromkeys(outcomes["label"]))], how="left")


def evidence_counts(wb: Workbook) -> pd.Series:
    """How many findings have each evidence status."""
    return evidence_status(wb)["status"].value_counts(sort=False).reindex(EVIDENCE_STATUSES, fill_value=0)


def open_questions(wb: Workbook, *, include_closed: bool = False) -> pd.DataFrame:
    """The open-question backlog: each question, where it came up, and who or what could answer it."""
    where = "" if include_closed else "WHERE q.status = 'open'"
    return pd.read_sql_query(
        f"""
        SELECT q.id AS open_question_id, q.text AS question, q.how_to_answer,
               s.name AS suggested_contact, q.suggested_contact_id,
               q.interview_id AS raised_in_interview, rc.name AS raised_with, q.status
        FROM open_questions q
        LEFT JOIN contacts s ON s.id = q.suggested_contact_id
        LEFT JOIN interviews i ON i.id = q.interview_id
        LEFT JOIN contacts rc ON rc.id = i.contact_id
        {where}
        ORDER BY q.id
        """,
        wb.conn,
    ).set_index("open_question_id")


# -- one interview, as its debrief report reads it ----------------------------------------------


def first_held_interview(wb: Workbook) -> int | None:
    """The first debriefed interview's id; failing that, the first one held; None if none was."""
    row = wb.conn.execute(
        f"SELECT id FROM interviews WHERE {held_sql()} ORDER BY status <> 'debriefed', id LIMIT 1"
    ).fetchone()
    return int(row[0]) if row else None


def interview_details(wb: Workbook, interview: int) -> dict[str, Any] | None:
    """One interview's columns, with its contact's name (``contact``), role, seniority and focus
    area and their organisation's name (``organisation``); None if there is no such interview."""
    row = wb.conn.execute(
        """
        SELECT i.*, c.name AS contact, c.role, c.seniority, c.focus_area, o.name AS organisation
        FROM interviews i JOIN contacts c ON c.id = i.contact_id
        LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE i.id = ?
        """,
        (interview,),
    ).fetchone()
    return dict(row) if row is not None else None


def _blanked(sql: str, wb: Workbook, params: tuple[Any, ...]) -> pd.DataFrame:
    """A query's frame with every column as objects and missing values as empty strings."""
    df = pd.read_sql_query(sql, wb.conn, params=params)
    return df.astype(object).where(df.notna(), "")


def interview_plan(wb: Workbook, interview: int) -> pd.DataFrame:
    """One interview's planned questions in order: category, question, the finding shared
    (blank if none) and the answer noted. Missing values are empty strings."""
    return _blanked(
        """
        SELECT p.category, p.text AS question, COALESCE(f.claim, '') AS finding_shared, p.answer
        FROM planned_questions p LEFT JOIN findings f ON f.id = p.finding_id
        WHERE p.interview_id = ? ORDER BY p.position, p.id
        """,
        wb,
        (interview,),
    )


def interview_outcomes(wb: Workbook, interview: int) -> pd.DataFrame:
    """The findings one interview tested, by finding id: its claim, source title, the outcome
    there and what was said (``note``). Missing values are empty strings."""
    return _blanked(
        """
        SELECT fo.finding_id, f.claim, f.source_title, fo.outcome, fo.note
        FROM finding_outcomes fo JOIN findings f ON f.id = fo.finding_id
        WHERE fo.interview_id = ? ORDER BY fo.finding_id
        """,
        wb,
        (interview,),
    )


def interview_insights(wb: Workbook, interview: int) -> pd.DataFrame:
    """One interview's insights in the order recorded: TIARA tag (blank if untagged), kind, text."""
    return _blanked(
        """
        SELECT COALESCE(tiara, '') AS tiara, kind, text
        FROM insights WHERE interview_id = ? ORDER BY id
        """,
        wb,
        (interview,),
    )


def interview_open_questions(wb: Workbook, interview: int) -> pd.DataFrame:
    """The questions one interview left open, whatever their status: how to answer each, whom
    the user chose to ask (``ask_next``: name and role, blank if nobody), status and answer."""
    return _blanked(
        """
        SELECT q.id AS open_question_id, q.text AS question, q.how_to_answer,
               TRIM(COALESCE(s.name, '') ||
                    CASE WHEN s.role <> '' THEN ' (' || s.role || ')' ELSE '' END) AS ask_next,
               q.status, q.answer
        FROM open_questions q LEFT JOIN contacts s ON s.id = q.suggested_contact_id
        WHERE q.interview_id = ? ORDER BY q.id
        """,
        wb,
        (interview,),
    )


def referrals(wb: Workbook, interview: int) -> pd.DataFrame:
    """The contacts an interviewee suggested in one interview: name, role, organisation, status, notes."""
    return _blanked(
        """
        SELECT c.name, c.role, COALESCE(o.name, '') AS organisation, c.status, c.notes
        FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE c.referred_in_interview_id = ? ORDER BY c.id
        """,
        wb,
        (interview,),
    )


# -- forms and method reads -------------------------------------------------------------------

_LABEL_SQL = {
    "organisations": "SELECT id, name FROM organisations ORDER BY name COLLATE NOCASE, id",
    "contacts": """
        SELECT c.id, c.name || CASE WHEN o.name IS NULL THEN '' ELSE ' (' || o.name || ')' END
        FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
        ORDER BY c.name COLLATE NOCASE, c.id""",
    "interviews": """
        SELECT i.id, c.name || ' · ' || COALESCE(substr(i.scheduled_at, 1, 10), 'no date yet')
               || ' · ' || i.status
        FROM interviews i JOIN contacts c ON c.id = i.contact_id
        ORDER BY i.id""",
    "findings": "SELECT id, claim FROM findings ORDER BY id",
    "questions": "SELECT id, text FROM questions ORDER BY id",
    "open_questions": "SELECT id, text FROM open_questions ORDER BY id",
    "insights": "SELECT id, text FROM insights ORDER BY id",
    "planned_questions": "SELECT id, text FROM planned_questions ORDER BY interview_id, position, id",
    "profile": "SELECT id, name FROM profile",
}


def record_labels(wb: Workbook, table: str) -> list[tuple[Any, Any]]:
    """``(id, text)`` for every record of *table*, in the order a dropdown lists them; the text
    is what a person knows the record by (a contact's name and organisation, a finding's claim),
    None for a table without such a text."""
    sql = _LABEL_SQL.get(table)
    if sql is None:
        return [(r[0], None) for r in wb.conn.execute(f"SELECT id FROM {table} ORDER BY id")]
    return [(r[0], r[1]) for r in wb.conn.execute(sql)]


def stored_rows(wb: Workbook, table: str) -> list[sqlite3.Row]:
    """Every row of *table* as stored, in id order, not checked against its model."""
    return wb.conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def meta_with_prefix(wb: Workbook, prefix: str) -> list[tuple[str, str]]:
    """``(key, value)`` of every workbook setting whose key starts with *prefix*, by key."""
    rows = wb.conn.execute(
        "SELECT key, value FROM meta WHERE substr(key, 1, ?) = ? ORDER BY key", (len(prefix), prefix)
    ).fetchall()
    return [(key, value) for key, value in rows]


def debrief_finding_ids(wb: Workbook, interview: int) -> list[int]:
    """The findings a debrief of *interview* reports on, by id: those marked to test, those its
    plan uses and those it already scored."""
    rows = wb.conn.execute(
        """
        SELECT id FROM findings WHERE to_test = 1
        UNION SELECT finding_id FROM planned_questions WHERE interview_id = ? AND finding_id IS NOT NULL
        UNION SELECT finding_id FROM finding_outcomes WHERE interview_id = ?
        """,
        (interview, interview),
    )
    return sorted({r[0] for r in rows})


def organisations_by_findings(wb: Workbook) -> list[int]:
    """Every organisation's id, the one with the most findings first (the lowest id on a tie)."""
    rows = wb.conn.execute(
        "SELECT o.id FROM organisations o LEFT JOIN findings f ON f.organisation_id = o.id "
        "GROUP BY o.id ORDER BY COUNT(f.id) DESC, o.id"
    ).fetchall()
    return [r[0] for r in rows]


def findings_with_sources(wb: Workbook) -> pd.DataFrame:
    """The findings by id: claim, topic, organisation, source (title — author (date)),
    confidence, and to_test (1 or 0)."""
    return pd.read_sql_query(
        """
        SELECT f.id, f.claim, f.topic, o.name AS organisation,
               TRIM(COALESCE(f.source_title, '') ||
                    CASE WHEN f.source_author <> '' THEN ' — ' || f.source_author ELSE '' END ||
                    CASE WHEN f.source_date IS NOT NULL THEN ' (' || f.source_date || ')' ELSE '' END)
                   AS source,
               f.confidence, f.to_test
        FROM findings f LEFT JOIN organisations o ON o.id = f.organisation_id
        ORDER BY f.id
        """,
        wb.conn,
        index_col="id",
    )


def plan_with_findings(wb: Workbook, interview: int) -> pd.DataFrame:
    """One interview's planned questions in order: number (from 1), category, question, and the
    claim of the finding it shares (empty if none)."""
    return pd.read_sql_query(
        """
        SELECT p.position + 1 AS number, p.category, p.text AS question,
               COALESCE(f.claim, '') AS finding
        FROM planned_questions p LEFT JOIN findings f ON f.id = p.finding_id
        WHERE p.interview_id = ? ORDER BY p.position, p.id
        """,
        wb.conn,
        params=(interview,),
    )


def salary_remark_rows(wb: Workbook) -> pd.DataFrame:
    """Every salary remark: an interview's salary notes and each salary insight, oldest first.

    Columns: date, interview_id, contact, organisation, role, seniority, source, remark.
    """
    base = """
        FROM interviews i JOIN contacts c ON c.id = i.contact_id
        LEFT JOIN organisations o ON o.id = c.organisation_id
    """
    cols = """date(i.scheduled_at) AS date, i.id AS interview_id, c.name AS contact,
              o.name AS organisation, c.role, c.seniority"""
    return pd.read_sql_query(
        f"""
        SELECT {cols}, 'salary notes' AS source, trim(i.salary_info) AS remark {base}
        WHERE trim(i.salary_info) <> ''
        UNION ALL
        SELECT {cols}, 'insight' AS source, n.text AS remark {base}
        JOIN insights n ON n.interview_id = i.id
        WHERE n.kind = :kind
        ORDER BY date, interview_id, source DESC
        """,
        wb.conn,
        params={"kind": InsightKind.salary.value},
    )


def hiring_signal_rows(wb: Workbook) -> pd.DataFrame:
    """Insights of kind ``hiring_signal``, by organisation (the contact's), then date.

    Columns: organisation, date, contact, role, signal.
    """
    return pd.read_sql_query(
        """
        SELECT coalesce(o.name, '(no organisation)') AS organisation, date(i.scheduled_at) AS date,
               c.name AS contact, c.role, n.text AS signal
        FROM insights n JOIN interviews i ON i.id = n.interview_id JOIN contacts c ON c.id = i.contact_id
        LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE n.kind = :kind
        ORDER BY organisation, date, n.id
        """,
        wb.conn,
        params={"kind": InsightKind.hiring_signal.value},
    )


def advice_rows(wb: Workbook) -> pd.DataFrame:
    """Insights of kind ``advice`` or tagged TIARA ``advice``, by id: insight_id, text, contact."""
    return pd.read_sql_query(
        """
        SELECT n.id AS insight_id, n.text, c.name AS contact
        FROM insights n JOIN interviews i ON i.id = n.interview_id JOIN contacts c ON c.id = i.contact_id
        WHERE n.kind = :kind OR n.tiara = :tiara
        ORDER BY n.id
        """,
        wb.conn,
        params={"kind": InsightKind.advice.value, "tiara": Tiara.advice.value},
    )


GROWTH_COLUMNS = ["insight_id", "interview_id", "kind", "text", "advice", "contact_id", "contact", "day"]


def growth_rows(wb: Workbook) -> pd.DataFrame:
    """Every strength and area to develop that someone named, in the order they were heard.

    Columns: insight_id, interview_id, kind (``strength`` or ``development``), text, advice,
    contact_id, contact, day (``YYYY-MM-DD``, blank when the interview has no date). Ordered by
    the interview's date, undated last, then by id. A value that is not text counts as blank.
    """
    return pd.DataFrame(growth_records(wb.conn), columns=GROWTH_COLUMNS)


# -- a student's progress, as the class run counts it -----------------------------------------


def progress_counts(wb: Workbook) -> dict[str, int]:
    """Interviews held, and distinct findings tested (confirmed, refuted or mixed) and confirmed."""
    tested = ", ".join(f"'{o.value}'" for o in (Outcome.confirmed, Outcome.refuted, Outcome.mixed))
    row = wb.conn.execute(
        f"""
        SELECT (SELECT COUNT(*) FROM interviews WHERE {held_sql()}),
               (SELECT COUNT(DISTINCT finding_id) FROM finding_outcomes WHERE outcome IN ({tested})),
               (SELECT COUNT(DISTINCT finding_id) FROM finding_outcomes WHERE outcome = :confirmed)
        """,
        {"confirmed": Outcome.confirmed.value},
    ).fetchone()
    return {"interviews_held": int(row[0]), "findings_tested": int(row[1]), "findings_confirmed": int(row[2])}


def open_question_texts(wb: Workbook) -> list[str]:
    """The text of every open question still open, by id."""
    return [
        str(r[0])
        for r in wb.conn.execute("SELECT text FROM open_questions WHERE status = 'open' ORDER BY id")
    ]


# -- the target list, the funnel, and the report and course runs ------------------------------


def _named(prefix: str, values: Sequence[str]) -> tuple[str, dict[str, str]]:
    """``:prefix_0, :prefix_1, ...`` for an ``IN (...)`` list, and the parameters they name."""
    params = {f"{prefix}_{n}": value for n, value in enumerate(values)}
    return ", ".join(f":{key}" for key in params) or "NULL", params


def organisation_ties(wb: Workbook, *, known_through: Sequence[str]) -> pd.DataFrame:
    """Every organisation's ties, indexed by organisation id, in id order: how many of its
    contacts were ``met`` (an interview with them held), ``referred`` (by a contact, in an
    interview, or found as a referral), found as ``alumni``, or ``known`` (found in one of the
    ways *known_through*). A contact who declined counts only as met."""
    known, params = _named("known", known_through)
    return pd.read_sql_query(
        f"""
        SELECT o.id AS organisation_id,
               COUNT(DISTINCT CASE WHEN EXISTS (
                   SELECT 1 FROM interviews i WHERE i.contact_id = c.id AND {held_sql("i.status")})
                   THEN c.id END) AS met,
               COUNT(DISTINCT CASE WHEN c.status != :declined AND (
                   c.referred_by_id IS NOT NULL OR c.referred_in_interview_id IS NOT NULL
                   OR c.how_found = :referral)
                   THEN c.id END) AS referred,
               COUNT(DISTINCT CASE WHEN c.status != :declined AND c.how_found = :alumni
                   THEN c.id END) AS alumni,
               COUNT(DISTINCT CASE WHEN c.status != :declined AND c.how_found IN ({known})
                   THEN c.id END) AS known
        FROM organisations o
        LEFT JOIN contacts c ON c.organisation_id = o.id
        GROUP BY o.id
        ORDER BY o.id
        """,
        wb.conn,
        params={
            "declined": ContactStatus.declined.value,
            "referral": HowFound.referral.value,
            "alumni": HowFound.alumni.value,
            **params,
        },
    ).set_index("organisation_id")


def organisation_steps(wb: Workbook, statuses: Sequence[str]) -> list[tuple[Any, ...]]:
    """The contacts at an organisation with each of their interviews, where the contact's or
    the interview's status is one of *statuses*, by organisation, contact and interview id.

    Each row: organisation id, contact id, name and status, interview id and status (None
    without an interview), and the interview's scheduled_at, invitation_sent,
    confirmation_sent and nudge_sent.
    """
    listed, params = _named("status", statuses)
    rows = wb.conn.execute(
        f"""
        SELECT c.organisation_id, c.id, c.name, c.status, i.id, i.status,
               i.scheduled_at, i.invitation_sent, i.confirmation_sent, i.nudge_sent
        FROM contacts c LEFT JOIN interviews i ON i.contact_id = c.id
        WHERE c.organisation_id IS NOT NULL AND (i.status IN ({listed}) OR c.status IN ({listed}))
        ORDER BY c.organisation_id, c.id, i.id
        """,
        params,
    ).fetchall()
    return [tuple(row) for row in rows]


def organisations_to_rank(wb: Workbook) -> pd.DataFrame:
    """Every organisation in id order: organisation_id, organisation (its name), motivation, posting."""
    return pd.read_sql_query(
        "SELECT id AS organisation_id, name AS organisation, motivation, posting "
        "FROM organisations ORDER BY id",
        wb.conn,
    )


def contact_stages(
    wb: Workbook, *, replied: Sequence[str], met: Sequence[str], no_organisation: str
) -> pd.DataFrame:
    """One row per contact, by id: contact_id, contact (the name), organisation_id, organisation
    (*no_organisation* for none) and 1 or 0 for each stage the records show on their own:

    - ``invited``: the contact is past ``identified``, or an interview with them is past
      ``planned`` or has an invitation date;
    - ``replied``: their status is one of *replied*, or an interview with them was confirmed or held;
    - ``met``: their status is one of *met*, or an interview with them was held;
    - ``referred``: another contact names them under "referred by", or was suggested in an
      interview with them.
    """
    replied_in, replied_params = _named("replied", replied)
    met_in, met_params = _named("met", met)
    held = held_sql("i.status")
    return pd.read_sql_query(
        f"""
        SELECT c.id AS contact_id, c.name AS contact, c.organisation_id,
               COALESCE(o.name, :no_organisation) AS organisation,
               (c.status != :identified OR EXISTS (
                   SELECT 1 FROM interviews i WHERE i.contact_id = c.id
                   AND (i.status NOT IN (:planned) OR i.invitation_sent IS NOT NULL))) AS invited,
               (c.status IN ({replied_in}) OR EXISTS (
                   SELECT 1 FROM interviews i WHERE i.contact_id = c.id
                   AND (i.status = :confirmed OR {held}))) AS replied,
               (c.status IN ({met_in}) OR EXISTS (
                   SELECT 1 FROM interviews i WHERE i.contact_id = c.id AND {held})) AS met,
               EXISTS (
                   SELECT 1 FROM contacts r
                   LEFT JOIN interviews ri ON ri.id = r.referred_in_interview_id
                   WHERE r.id != c.id AND (r.referred_by_id = c.id OR ri.contact_id = c.id)) AS referred
        FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
        ORDER BY c.id
        """,
        wb.conn,
        params={
            "no_organisation": no_organisation,
            "identified": ContactStatus.identified.value,
            "planned": InterviewStatus.planned.value,
            "confirmed": InterviewStatus.confirmed.value,
            **replied_params,
            **met_params,
        },
    )


def work_records(wb: Workbook) -> dict[str, pd.DataFrame]:
    """Every profile, organisation, finding, contact and interview a student entered, by table
    name, each frame indexed by id with list fields as lists, and the names it refers to beside
    the ids: a finding's and a contact's ``organisation``; a contact's ``referred_by`` (a
    contact) and ``referred_in`` (the interviewee of the interview that suggested them); an
    interview's ``contact`` and ``organisation``. A name is None when there is none."""
    from iivkit.workbook.models import Contact, Finding, Interview, Organisation, Profile

    organisations = table(wb, Organisation)
    contacts = table(wb, Contact)
    interviews = table(wb, Interview)
    findings = table(wb, Finding)
    org_names = organisations["name"]
    contact_names = contacts["name"]

    def named(ids: pd.Series, names: pd.Series) -> pd.Series:
        return ids.map(lambda i: None if pd.isna(i) else names.get(int(i))).astype(object)

    findings["organisation"] = named(findings["organisation_id"], org_names)
    contacts["organisation"] = named(contacts["organisation_id"], org_names)
    contacts["referred_by"] = named(contacts["referred_by_id"], contact_names)
    interviewees = named(interviews["contact_id"], contact_names)
    contacts["referred_in"] = named(contacts["referred_in_interview_id"], interviewees)
    interviews["contact"] = interviewees
    interviews["organisation"] = named(
        named(interviews["contact_id"], contacts["organisation_id"]), org_names
    )
    return {
        "profile": table(wb, Profile),
        "organisations": organisations,
        "findings": findings,
        "contacts": contacts,
        "interviews": interviews,
    }


def open_questions_entered(wb: Workbook) -> pd.DataFrame:
    """Every open question in id order, whatever its status: the question, with whom it came up
    (``raised_with``: the interviewee, blank if no interview), how to answer it, whom to ask
    (blank if nobody), status and answer. Missing values are empty strings."""
    return _blanked(
        """
        SELECT q.id AS open_question_id, q.text AS question, COALESCE(rc.name, '') AS raised_with,
               q.how_to_answer, COALESCE(s.name, '') AS ask, q.status, q.answer
        FROM open_questions q
        LEFT JOIN contacts s ON s.id = q.suggested_contact_id
        LEFT JOIN interviews i ON i.id = q.interview_id
        LEFT JOIN contacts rc ON rc.id = i.contact_id
        ORDER BY q.id
        """,
        wb,
        (),
    )
