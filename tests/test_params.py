"""Notebook parameters are read one way everywhere: blank, an id, a workbook path, a date, a flag.

papermill passes a parameter as given or as text, and a person may type anything in the
parameters cell. Each reading is tested on its own (iivkit.ui.params) and through the public
functions the notebooks call, which must agree.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from iivkit.course import data as course_data
from iivkit.errors import RecordNotFound, ValidationFailed, WorkbookMissingError
from iivkit.reports import data as report_data
from iivkit.ui import support
from iivkit.ui.params import as_date, as_flag, as_id, as_id_or_name, as_path, is_blank, workbook_path
from iivkit.workbook.models import Contact
from iivkit.workbook.store import Workbook


def _refused(error: pytest.ExceptionInfo[ValidationFailed], name: str) -> str:
    """The message of a refused parameter, after checking that it names the parameter."""
    assert error.value.record == "parameter"
    assert error.value.field == name
    assert f"parameter field '{name}':" in str(error.value)
    return error.value.message


# -- blank ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   ", "None", " None "])
def test_a_parameter_left_out_is_blank(value: object) -> None:
    assert is_blank(value)


@pytest.mark.parametrize("value", [0, False, "none", "0", "Ann", Path("x.iiv")])
def test_a_parameter_given_is_not_blank(value: object) -> None:
    assert not is_blank(value)


# -- ids --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "number"), [(2, 2), ("2", 2), (" 12 ", 12), (3.0, 3)])
def test_an_id_is_an_int_a_whole_float_or_digits(value: object, number: int) -> None:
    assert as_id(value, "interview") == number


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("first", "must be an interview id (a whole number), not 'first'"),
        ("²", "must be an interview id (a whole number), not '²'"),  # a digit, but not a number
        ("None ", None),  # blank is the caller's default, not an id
        ("-1", "must be an interview id (a whole number), not '-1'"),
        (2.5, "must be an interview id (a whole number), not 2.5"),
        (True, "must be an interview id, not true/false"),
        (0, "must be 1 or more, not 0"),
        (None, "must be an interview id (a whole number), not None"),
    ],
)
def test_a_bad_id_is_refused_naming_the_parameter(value: object, message: str | None) -> None:
    with pytest.raises(ValidationFailed) as error:
        as_id(value, "interview")
    text = _refused(error, "interview")
    if message is not None:
        assert text == message


def test_an_id_or_a_name() -> None:
    assert as_id_or_name("3", "contact") == 3
    assert as_id_or_name(3.0, "contact") == 3
    assert as_id_or_name("  Ann Evaluator ", "contact") == "Ann Evaluator"
    with pytest.raises(ValidationFailed) as error:
        as_id_or_name(False, "contact")
    assert _refused(error, "contact") == "must be a contact id or name, not true/false"
    with pytest.raises(ValidationFailed) as error:
        as_id_or_name(2.5, "contact")
    assert _refused(error, "contact") == "must be a contact id or name, not 2.5"


# -- paths ------------------------------------------------------------------------------------


def test_a_path_is_text_or_a_path_with_home_expanded(tmp_path: Path) -> None:
    assert as_path(str(tmp_path / "w.iiv"), "workbook") == tmp_path / "w.iiv"
    assert as_path(tmp_path, "workbook") == tmp_path
    assert as_path("~/w.iiv", "workbook") == Path.home() / "w.iiv"
    assert as_path("None", "workbook") is None
    assert as_path(None, "workbook") is None
    with pytest.raises(ValidationFailed) as error:
        as_path(3, "workbook", what="a workbook")
    assert _refused(error, "workbook") == "must be the path of a workbook, not int"


def test_the_workbook_is_the_one_given_else_the_environments(
    rich_workbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert workbook_path(str(rich_workbook)) == rich_workbook
    monkeypatch.setenv("IIVKIT_WORKBOOK", str(rich_workbook))
    assert workbook_path(None) == rich_workbook
    assert workbook_path("None") == rich_workbook
    with pytest.raises(WorkbookMissingError, match="no such workbook") as missing:
        workbook_path(tmp_path / "nope.iiv")
    assert missing.value.file == str(tmp_path / "nope.iiv")


# -- dates and flags --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2026-03-01", dt.date(2026, 3, 1)),
        (" 2026-03-01 ", dt.date(2026, 3, 1)),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 1)),
        (dt.datetime(2026, 3, 1, 9, 30), dt.date(2026, 3, 1)),
    ],
)
def test_a_date_is_a_date_or_iso_text(value: object, day: dt.date) -> None:
    assert as_date(value) == day


@pytest.mark.parametrize("value", [None, "", "None"])
def test_a_blank_date_is_today(value: object) -> None:
    assert as_date(value) == dt.date.today()


@pytest.mark.parametrize("value", ["next week", "01/03/2026", 20260301, True])
def test_a_bad_date_is_refused(value: object) -> None:
    with pytest.raises(ValidationFailed) as error:
        as_date(value, "as_of")
    assert _refused(error, "as_of") == f"must be a date like 2026-03-01, not {value!r}"


@pytest.mark.parametrize("value", [True, "true", "True", " yes ", "1", 1])
def test_a_flag_that_is_on(value: object) -> None:
    assert as_flag(value, "anonymise") is True


@pytest.mark.parametrize("value", [False, None, "", "None", "none", "false", "no", "0", 0])
def test_a_flag_that_is_off(value: object) -> None:
    assert as_flag(value, "anonymise") is False


@pytest.mark.parametrize("value", ["maybe", 2, 1.0])
def test_a_bad_flag_is_refused(value: object) -> None:
    with pytest.raises(ValidationFailed) as error:
        as_flag(value, "anonymise")
    assert _refused(error, "anonymise") == f"must be True or False, not {value!r}"


# -- through the functions the notebooks call -------------------------------------------------


def test_the_report_and_the_workflow_notebooks_read_an_interview_alike(rich_workbook: Path) -> None:
    with Workbook.open(rich_workbook) as wb:
        for given in ("1", 1, 1.0, " 1 "):
            assert support.choose_interview(wb, given).id == 1
            assert report_data.resolve_parameters(str(rich_workbook), given) == (rich_workbook, 1)
        for bad in ("first", True, 0, 2.5):
            with pytest.raises(ValidationFailed) as in_workflow:
                support.choose_interview(wb, bad)
            with pytest.raises(ValidationFailed) as in_report:
                report_data.resolve_parameters(rich_workbook, bad)
            assert _refused(in_workflow, "interview") == _refused(in_report, "interview")
        with pytest.raises(RecordNotFound, match="there is no interview 99"):
            support.choose_interview(wb, "99")


def test_the_report_and_the_workflow_notebooks_read_a_workbook_alike(tmp_path: Path) -> None:
    for bad, error in ((3, ValidationFailed), (tmp_path / "nope.iiv", WorkbookMissingError)):
        with pytest.raises(error) as in_workflow:
            support.open_workbook(bad)
        with pytest.raises(error) as in_report:
            report_data.resolve_parameters(bad, 1)
        assert str(in_workflow.value) == str(in_report.value)


def test_a_contact_is_an_id_or_a_name(rich_workbook: Path) -> None:
    with Workbook.open(rich_workbook) as wb:
        first = wb.all(Contact)[0]
        assert support.choose_contact(wb, str(first.id)).id == first.id
        assert support.choose_contact(wb, f" {first.name.upper()} ").id == first.id
        with pytest.raises(ValidationFailed) as error:
            support.choose_contact(wb, True)
        assert _refused(error, "contact") == "must be a contact id or name, not true/false"
        with pytest.raises(RecordNotFound, match="no contact is called 'Nobody'"):
            support.choose_contact(wb, "Nobody")


def test_the_course_pages_read_their_flag_and_date_the_same_way(rich_workbook: Path) -> None:
    page = course_data.student_page(str(rich_workbook), student="Ada", anonymise="yes")
    assert page.student == "Ada"
    with pytest.raises(ValidationFailed) as error:
        course_data.student_page(str(rich_workbook), anonymise="maybe")
    assert _refused(error, "anonymise") == "must be True or False, not 'maybe'"
    with pytest.raises(ValidationFailed) as error:
        course_data.class_summary(rich_workbook.parent, today="next week")
    assert _refused(error, "today") == "must be a date like 2026-03-01, not 'next week'"
    assert support.as_date("2026-03-01") == dt.date(2026, 3, 1)
