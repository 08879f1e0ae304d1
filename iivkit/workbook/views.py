"""pandas views of a workbook: one per record type, and the cross-interview pictures.

Everything here is computed in SQL or with vectorised pandas, never record by record, so the
views stay quick on a workbook with thousands of findings.
"""

from __future__ import annotations

import pandas as pd

from iivkit.workbook.models import ContactStatus, Outcome, Record
from iivkit.workbook.store import Workbook

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
        """
        SELECT c.id AS contact_id, c.status, c.name, c.role, o.name AS organisation,
               c.seniority, c.focus_area, c.how_found,
               COUNT(i.id) AS interviews,
               SUM(CASE WHEN i.status IN ('done', 'debriefed') THEN 1 ELSE 0 END) AS interviews_done,
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


def _interview_labels(wb: Workbook) -> pd.DataFrame:
    return pd.read_sql_query(
        """
        SELECT i.id AS interview_id,
               'I' || i.id || ' ' || c.name AS label
        FROM interviews i JOIN contacts c ON c.id = i.contact_id
        ORDER BY i.id
        """,
        wb.conn,
    )


def evidence(wb: Workbook) -> pd.DataFrame:
    """Findings × interviews: the outcome in each cell, and a derived status per finding.

    Rows are the findings marked to test plus any finding an interview spoke to. Status:
    ``untested`` (no interview gave evidence), ``single-source`` (one interview did),
    ``confirmed`` / ``refuted`` (two or more, all agreeing) or ``mixed``.
    """
    findings = pd.read_sql_query(
        """
        SELECT f.id AS finding_id, f.claim, f.topic, o.name AS organisation, f.confidence, f.to_test
        FROM findings f LEFT JOIN organisations o ON o.id = f.organisation_id
        WHERE f.to_test = 1 OR f.id IN (SELECT finding_id FROM finding_outcomes)
        ORDER BY f.id
        """,
        wb.conn,
    )
    outcomes = pd.read_sql_query("SELECT finding_id, interview_id, outcome FROM finding_outcomes", wb.conn)
    labels = _interview_labels(wb)
    spoken = outcomes[outcomes["outcome"] != Outcome.not_discussed.value]
    counts = (
        spoken.pivot_table(index="finding_id", columns="outcome", values="interview_id", aggfunc="count")
        .reindex(columns=[o.value for o in Outcome if o is not Outcome.not_discussed], fill_value=0)
        .fillna(0)
        .astype(int)
    )
    out = findings.set_index("finding_id").join(counts, how="left")
    for col in ("confirmed", "refuted", "mixed"):
        out[col] = out[col].fillna(0).astype(int)
    total = out["confirmed"] + out["refuted"] + out["mixed"]
    status = pd.Series("mixed", index=out.index, dtype="object")
    status[(out["confirmed"] == total) & (total >= 2)] = "confirmed"
    status[(out["refuted"] == total) & (total >= 2)] = "refuted"
    status[total == 1] = "single-source"
    status[total == 0] = "untested"
    out.insert(0, "status", pd.Categorical(status, categories=EVIDENCE_STATUSES))
    out = out.rename(columns={"confirmed": "n_confirmed", "refuted": "n_refuted", "mixed": "n_mixed"})
    out["to_test"] = out["to_test"].astype(bool)
    if not outcomes.empty:
        merged = outcomes.merge(labels, on="interview_id")
        grid = merged.pivot(index="finding_id", columns="label", values="outcome")
        ordered = [lab for lab in labels["label"] if lab in grid.columns]
        out = out.join(grid[ordered], how="left")
    return out


def evidence_counts(wb: Workbook) -> pd.Series:
    """How many findings have each evidence status."""
    return evidence(wb)["status"].value_counts(sort=False).reindex(EVIDENCE_STATUSES, fill_value=0)


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
