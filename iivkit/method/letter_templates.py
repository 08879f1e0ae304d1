"""Letter templates: the shipped ones, a workbook's own, and how each is filled in safely.

Each letter is a Jinja2 template whose first line is ``Subject: …``. iivkit ships one per
letter in ``iivkit/templates``; a workbook may replace any of them with its own text, stored in
the workbook setting ``template:<name>``.

Workbooks are handed in and passed around, so a workbook's template is untrusted code. Every
template renders in the restricted environment of :mod:`iivkit.method.template_worker` (only the
letter's data in scope, no methods, bounded sizes), and a workbook's own template renders in a
separate short-lived process with memory and CPU limits. A template that reaches outside the
letter's data, never ends or grows without bound fails its letter with a message; it never
runs code and never stops the command.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import pickle
import subprocess
import sys
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from iivkit.errors import ValidationFailed
from iivkit.method import template_worker
from iivkit.workbook import views
from iivkit.workbook.store import Workbook

LETTER_NAMES: tuple[str, ...] = ("invitation", "confirmation", "thank_you", "nudge")
"""Every letter, in the order they are sent."""

OVERRIDE_PREFIX = "template:"


def known(name: str) -> None:
    """Refuse a letter name iivkit does not know."""
    if name not in LETTER_NAMES:
        raise ValidationFailed(
            f"unknown letter {name!r}; choose one of {', '.join(LETTER_NAMES)}", record="letter template"
        )


def override_key(name: str) -> str:
    """The workbook setting that holds a workbook's own template for letter *name*."""
    return f"{OVERRIDE_PREFIX}{name}"


def shipped_template(name: str) -> str:
    """The template text iivkit ships for letter *name*."""
    known(name)
    return resources.files("iivkit.templates").joinpath(f"{name}.j2").read_text(encoding="utf-8")


def template_override(wb: Workbook, name: str) -> str | None:
    """The workbook's own template for letter *name*, or None when it uses the shipped one."""
    known(name)
    return wb.meta(override_key(name)) or None


def stored_templates(wb: Workbook) -> dict[str, str]:
    """Every ``template:…`` setting in the workbook, by the name after the prefix."""
    rows = views.meta_with_prefix(wb, OVERRIDE_PREFIX)
    return {str(key)[len(OVERRIDE_PREFIX) :]: str(value) for key, value in rows if value}


def set_template_override(wb: Workbook, name: str, text: str) -> None:
    """Use *text* (Jinja2, first line ``Subject: …``) for letter *name* in this workbook.

    A syntax error, or a template longer than the limit, is refused and nothing is saved.
    Anything else is only found when the letter is filled in: a name the letter's data lacks,
    or a template that reaches outside that data, makes the letter not ready, saying why, and
    ``iivkit check`` reports it (:func:`iivkit.method.letters.template_problems`).
    """
    known(name)
    record = f"letter template '{name}'"
    if len(text) > template_worker.MAX_TEMPLATE_CHARS:
        raise ValidationFailed(
            f"is longer than {template_worker.MAX_TEMPLATE_CHARS:,} characters", file=wb.path, record=record
        )
    _syntax_check(text, record, file=str(wb.path))
    wb.set_meta(override_key(name), text)


def clear_template_override(wb: Workbook, name: str) -> None:
    """Go back to the shipped template for letter *name*."""
    known(name)
    with wb.transaction() as conn:
        conn.execute("DELETE FROM meta WHERE key = ?", (override_key(name),))


def _syntax_check(text: str, record: str, *, file: str) -> None:
    """Parse (never compile or run) *text* here; the worker compiles it."""
    try:
        template_worker.letter_environment().parse(text)
    except jinja2.TemplateSyntaxError as exc:
        raise ValidationFailed(f"line {exc.lineno}: {exc.message}", file=file, record=record) from None
    except RecursionError:
        raise ValidationFailed("nests too deeply to read", file=file, record=record) from None


# -- filling templates in -----------------------------------------------------------------------


def render_shipped(source: str, values: Mapping[str, Any]) -> tuple[str, str | None]:
    """Fill a template iivkit ships in, in this process: the text and an error or None."""
    return template_worker.render(source, values)


_BOOT = "import runpy, sys; sys.path.extend(sys.argv[2:]); runpy.run_path(sys.argv[1], run_name='__main__')"
_CACHE: OrderedDict[bytes, tuple[str, str | None]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 256

Job = tuple[str, str, Mapping[str, Any] | None]
"""``(group, source, values)``; after one job of a group fails, the rest of the group is skipped."""


def _worker_command() -> list[str]:
    # -I: no environment variables, user site or current folder can change what the worker
    # imports; it gets exactly the folders Jinja2 and its MarkupSafe live in.
    found = (importlib.util.find_spec(name) for name in ("jinja2", "markupsafe"))
    roots = dict.fromkeys(str(Path(str(spec.origin)).resolve().parent.parent) for spec in found if spec)
    return [sys.executable, "-I", "-c", _BOOT, str(Path(template_worker.__file__).resolve()), *roots]


def _failed(jobs: Sequence[Job], message: str) -> list[tuple[str, str | None] | None]:
    return [("", message) for _ in jobs]


def _run_worker(jobs: Sequence[Job]) -> list[tuple[str, str | None] | None]:
    payload = pickle.dumps(
        [(group, source, dict(values) if values is not None else None) for group, source, values in jobs]
    )
    timeout = 30 + 4 * len(jobs)
    if not sys.executable:  # an embedded interpreter with no program to start
        return _failed(jobs, "there is no Python program to fill the template in with")
    try:
        proc = subprocess.run(
            _worker_command(), input=payload, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return _failed(jobs, f"the template takes too long (stopped after {timeout} s)")
    except OSError as exc:
        return _failed(jobs, f"cannot start Python to fill the template in ({exc.strerror})")
    if proc.returncode != 0:
        reason = "takes too long or needs too much memory" if proc.returncode < 0 else "stopped the renderer"
        return _failed(jobs, f"the template {reason} (exit status {proc.returncode})")
    try:
        answers = json.loads(proc.stdout)
    except ValueError:
        return _failed(jobs, "the template renderer gave no answer")
    if not isinstance(answers, list) or len(answers) != len(jobs):
        return _failed(jobs, "the template renderer gave a wrong answer")
    out: list[tuple[str, str | None] | None] = []
    for answer in answers:
        if answer is None:
            out.append(None)
        elif isinstance(answer, dict) and isinstance(answer.get("text"), str):
            error = answer.get("error")
            out.append((answer["text"], error if isinstance(error, str) else None))
        else:
            out.append(("", "the template renderer gave a wrong answer"))
    return out


def render_untrusted(jobs: Sequence[Job]) -> list[tuple[str, str | None] | None]:
    """Fill in templates that came from a workbook, in a separate limited process.

    :param jobs: ``(group, source, values)``; *values* None only compiles the template.
    :returns: per job ``(text, error or None)``, or None for a job skipped because an earlier
        job of its group failed.
    """
    too_long = f"the template is longer than {template_worker.MAX_TEMPLATE_CHARS:,} characters"
    if any(len(source) > template_worker.MAX_TEMPLATE_CHARS for _, source, _ in jobs):
        short = [(g, s, v) for g, s, v in jobs if len(s) <= template_worker.MAX_TEMPLATE_CHARS]
        answers = iter(render_untrusted(short))
        return [
            ("", too_long) if len(s) > template_worker.MAX_TEMPLATE_CHARS else next(answers)
            for _, s, _ in jobs
        ]
    keys = [hashlib.sha256(pickle.dumps((s, v))).digest() for _, s, v in jobs]
    with _CACHE_LOCK:
        cached = {k: _CACHE[k] for k in keys if k in _CACHE}
    todo = [job for job, key in zip(jobs, keys, strict=True) if key not in cached]
    fresh = iter(_run_worker(todo) if todo else [])
    out: list[tuple[str, str | None] | None] = []
    for key in keys:
        if key in cached:
            out.append(cached[key])
            continue
        result = next(fresh)
        out.append(result)
        if result is not None and not result[1]:  # only clean renders are remembered
            with _CACHE_LOCK:
                _CACHE[key] = result
                while len(_CACHE) > _CACHE_SIZE:
                    _CACHE.popitem(last=False)
    return out


def render_workbook_template(source: str, values: Mapping[str, Any]) -> tuple[str, str | None]:
    """Fill in one template that came from a workbook: the text and an error or None."""
    (result,) = render_untrusted([("letter", source, values)])
    return result if result is not None else ("", "the template was not filled in")


# -- example data ---------------------------------------------------------------------------------


def sample_values() -> dict[str, Any]:
    """Example data with every name a letter template may use, all filled in.

    It has the shape of :func:`iivkit.method.letters.letter_context` (a test keeps them in step), so
    a template can be tried before any interview exists.
    """
    when = dt.datetime(2026, 3, 10, 10, 0)
    return {
        "style": "full",
        "greeting": "Dear Alex",
        "connection": "Jo Example suggested I get in touch.",
        "profile": {
            "name": "Sam Example",
            "email": "sam@example.org",
            "phone": "+27 82 555 0100",
            "current_qualification": "BSc Psychology (final year)",
            "previous_qualifications": ["National Senior Certificate"],
            "qualifications": "I am in the final year of a BSc Psychology. Before that I completed "
            "a National "
            "Senior Certificate.",
            "current_sentence": "I am in the final year of a BSc Psychology.",
            "who": "Sam Example, in the final year of a BSc Psychology",
            "career_vision": "Run community health programmes.",
            "why_interested": "I want to work in community health.",
            "careers_of_interest": ["Health research"],
            "careers": "careers in health research",
            "signature": "Sam Example\nsam@example.org",
        },
        "contact": {
            "name": "Alex Person",
            "first_name": "Alex",
            "title": "Dr",
            "surname": "Person",
            "role": "Research Manager",
            "role_phrase": " as a Research Manager",
            "email": "alex@example.org",
            "own_work": "",
        },
        "referral": {
            "by": "Jo Example",
            "by_first_name": "Jo",
            "made": "Sam Other",
            "made_first_names": "Sam",
        },
        "organisation": {
            "name": "Example Trust",
            "in_text": "Example Trust",
            "main_business": "Community health.",
            "about": "Example Trust works on community health.",
            "sector": "NGO",
        },
        "findings": [
            {
                "claim": "The Trust is growing its research unit.",
                "sentence": "The Trust is growing its research unit.",
                "line": "One thing I found in my research: The Trust is growing its research unit. "
                "I would love to check it with you.",
                "item": "The Trust is growing its research unit (Annual report, 2025)",
                "source": "Annual report, 2025",
            }
        ],
        "insight": {
            "text": "Volunteer before applying.",
            "sentence": "Your advice has stayed with me: volunteer before applying.",
        },
        "debrief": ["Volunteer before applying."],
        "interview": {
            "id": 1,
            "scheduled_at": when,
            "invitation_sent_date": dt.date(2026, 3, 1),
            "has_date": True,
            "date": "Tuesday 10 March 2026",
            "iso_date": "2026-03-10",
            "time": "10:00",
            "timezone": "UTC",
            "zone_label": "UTC",
            "duration_minutes": 30,
            "medium": "video",
            "medium_phrase": "by video call",
            "place": "https://meet.example.org/abc",
            "place_label": "Video link",
            "keywords": ["careers"],
            "invitation_sent": "Sunday 1 March 2026",
            "shared_research": True,
        },
    }
