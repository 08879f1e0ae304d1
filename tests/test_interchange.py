"""The JSON interchange document: faithful round-trips, clear refusals, and a schema that cannot drift."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iivkit import Contact, Interview, Organisation, Profile, Workbook
from iivkit.errors import InputFileError, ValidationFailed
from iivkit.workbook.interchange import (
    export_json,
    import_document,
    import_file,
    json_schema,
    parse_document,
    shipped_schema,
    to_document,
)
from iivkit.workbook.models import RECORD_TYPES

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "interchange.md"
SCHEMA_FILE = ROOT / "iivkit" / "data" / "workbook.schema.json"


def reimport(text: str, path: Path) -> str:
    """Import interchange JSON into a new workbook at *path* and export it again."""
    with Workbook.create(path) as wb:
        import_document(wb, parse_document(text))
        return export_json(wb)


# -- round trips ---------------------------------------------------------------------------


def test_export_import_export_gives_an_identical_document(rich_workbook: Path, tmp_path: Path) -> None:
    with Workbook.open(rich_workbook) as wb:
        first = export_json(wb)
    second = reimport(first, tmp_path / "copy.iiv")
    assert second == first
    third = reimport(second, tmp_path / "copy-of-copy.iiv")
    assert third == first


def test_the_rich_workbook_has_every_record_type(rich_workbook: Path, counts) -> None:
    # Guards the round-trip test above: it only proves something for types that are present.
    assert all(n >= 1 for n in counts(rich_workbook).values()), counts(rich_workbook)


def test_the_demo_workbook_survives_export_import_export(tmp_path: Path) -> None:
    from iivkit.workbook.demo import build_demo

    with build_demo(tmp_path / "demo.iiv") as wb:
        first = export_json(wb)
    assert reimport(first, tmp_path / "copy.iiv") == first
    assert json.loads(first)["interviews"], "the demo should have interviews"


def test_import_keeps_ids_versions_and_references(rich_workbook: Path, tmp_path: Path) -> None:
    with Workbook.open(rich_workbook) as wb:
        original = to_document(wb)
    with Workbook.create(tmp_path / "copy.iiv") as wb:
        import_document(wb, original)
        johan = next(c for c in wb.all(Contact) if c.referred_by_id is not None)
        assert johan == next(c for c in original.contacts if c.id == johan.id)
        assert wb.get(Contact, johan.referred_by_id).name == "Sipho Dlamini"
        assert wb.get(Interview, johan.referred_in_interview_id).contact_id == johan.referred_by_id


def test_the_exported_document_is_valid_under_the_shipped_json_schema(rich_workbook: Path) -> None:
    with Workbook.open(rich_workbook) as wb:
        document = json.loads(export_json(wb))
    jsonschema.validate(document, shipped_schema())


def test_the_json_schema_rejects_an_unknown_field() -> None:
    document = {"contacts": [{"id": 1, "name": "Sipho Dlamini", "nickname": "Sips"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, shipped_schema())


@pytest.mark.parametrize("model", RECORD_TYPES, ids=lambda m: m.__name__)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_every_record_type_survives_the_interchange_json(model, data, record_strategy, with_parents) -> None:
    record = data.draw(record_strategy(model), label=model.__name__)
    with tempfile.TemporaryDirectory() as folder:
        with Workbook.create(Path(folder) / "a.iiv") as wb:
            with_parents(wb)
            added = wb.add(record)
            text = export_json(wb)
        document = parse_document(text)
        with Workbook.create(Path(folder) / "b.iiv") as wb:
            import_document(wb, document)
            assert wb.get(model, added.id) == added
            assert export_json(wb) == text


def test_emoji_rtl_and_cjk_survive_the_interchange_json(tmp_path: Path) -> None:
    name = "陳美玲 🙂"
    notes = "שלום — مرحبا — 👩🏽‍🔬 — e\u0301"
    with Workbook.create(tmp_path / "a.iiv") as wb:
        wb.add(Contact(name=name, notes=notes))
        text = export_json(wb)
    assert name in text, "the export should keep text readable, not \\u-escaped"
    with Workbook.create(tmp_path / "b.iiv") as wb:
        import_document(wb, parse_document(text))
        (contact,) = wb.all(Contact)
    assert (contact.name, contact.notes) == (name, notes)


# -- refusals ------------------------------------------------------------------------------


CASES = sorted(
    json.loads((ROOT / "tests" / "fixtures" / "bad_input.json").read_text(encoding="utf-8"))["cases"]
)


def test_the_good_document_used_for_refusals_is_accepted(tmp_path: Path, counts, good_document) -> None:
    path = tmp_path / "wb.iiv"
    with Workbook.create(path) as wb:
        import_document(wb, parse_document(json.dumps(good_document())))
    assert counts(path)["contacts"] == 2


@pytest.mark.parametrize("case", CASES)
def test_a_bad_document_is_refused_naming_record_and_field_and_nothing_is_written(
    case: str, tmp_path: Path, counts, bad_document
) -> None:
    document, spec = bad_document(case)
    table, index, field, record_id = spec["table"], spec["index"], spec["field"], spec["id"]
    source = tmp_path / "input.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    path = tmp_path / "wb.iiv"
    Workbook.create(path).close()
    with pytest.raises(ValidationFailed) as caught, Workbook.open(path) as wb:
        import_file(wb, source)
    error = caught.value
    assert error.record == f"{table}[{index}] (id {record_id})"
    assert error.field == field
    assert str(source) in str(error)
    assert f"{table}[{index}] (id {record_id}) field '{field}'" in str(error)
    assert len(str(error)) < 400, "the message should be one readable line, not the whole value"
    assert sum(counts(path).values()) == 0


def test_a_reference_to_a_record_missing_from_the_document_writes_nothing(
    tmp_path: Path, counts, good_document
) -> None:
    document = good_document()
    document["contacts"][1]["referred_by_id"] = 99
    path = tmp_path / "wb.iiv"
    with Workbook.create(path) as wb, pytest.raises(ValidationFailed) as caught:
        import_document(wb, parse_document(json.dumps(document)))
    assert caught.value.field == "referred_by_id"
    # The error names the record by its place in the document.
    assert "contacts[1] (id 2)" in str(caught.value)
    assert "99" in str(caught.value)
    # The organisation, the profile and the first contact were added before the check failed.
    assert sum(counts(path).values()) == 0


def test_importing_records_whose_ids_are_taken_is_refused_and_changes_nothing(
    rich_workbook: Path, tmp_path: Path
) -> None:
    with Workbook.open(rich_workbook) as wb:
        text = export_json(wb)
        edited = json.loads(text)
        edited["profile"]["name"] = "Changed Name"
        with pytest.raises(ValidationFailed) as caught:
            import_document(wb, parse_document(json.dumps(edited)))
        assert caught.value.field == "id"
        assert "already taken" in str(caught.value)
        assert export_json(wb) == text


def test_importing_into_a_workbook_with_other_records_adds_to_them(tmp_path: Path, good_document) -> None:
    with Workbook.create(tmp_path / "wb.iiv") as wb:
        wb.add(Organisation(id=50, name="Human Sciences Research Council"))
        import_document(wb, parse_document(json.dumps(good_document())))
        assert sorted(o.id for o in wb.all(Organisation)) == [1, 50]
        assert wb.profile() is not None and wb.profile().name == "Thandiwe Nkosi"


def test_importing_a_profile_over_an_existing_one_is_refused_and_writes_nothing(
    tmp_path: Path, good_document, counts
) -> None:
    path = tmp_path / "wb.iiv"
    with Workbook.create(path) as wb:
        wb.add(Profile(name="Old Name", careers_of_interest=["nursing"]))
        with pytest.raises(ValidationFailed) as caught:
            import_document(wb, parse_document(json.dumps(good_document())))
        profile = wb.profile()
    assert caught.value.record == "profile" and "--replace-profile" in str(caught.value)
    assert profile is not None and profile.name == "Old Name"
    assert sum(counts(path).values()) == 1


def test_importing_a_profile_with_replace_profile_replaces_the_workbooks_profile(
    tmp_path: Path, good_document
) -> None:
    with Workbook.create(tmp_path / "wb.iiv") as wb:
        wb.add(Profile(name="Old Name", careers_of_interest=["nursing"]))
        import_document(wb, parse_document(json.dumps(good_document())), replace_profile=True)
        profile = wb.profile()
    assert profile is not None
    assert profile.name == "Thandiwe Nkosi"
    assert profile.careers_of_interest == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2, 3]", "top level must be a JSON object"),
        (b"\xff\xfe\x00garbage", "cannot read"),
    ],
    ids=["broken JSON", "a list", "not UTF-8"],
)
def test_an_unreadable_input_file_is_refused_naming_the_file(
    content: str | bytes, message: str, tmp_path: Path, counts
) -> None:
    source = tmp_path / "input.json"
    if isinstance(content, bytes):
        source.write_bytes(content)
    else:
        source.write_text(content)
    path = tmp_path / "wb.iiv"
    with Workbook.create(path) as wb, pytest.raises(InputFileError) as caught:
        import_file(wb, source)
    assert message in str(caught.value)
    assert str(source) in str(caught.value)
    assert sum(counts(path).values()) == 0


def test_a_document_of_another_format_is_refused() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_document(json.dumps({"format": "someone-elses-format"}))
    assert caught.value.field == "format"


# -- the schema and its documentation ------------------------------------------------------


def test_the_shipped_json_schema_is_the_one_generated_from_the_models() -> None:
    assert shipped_schema() == json_schema(), (
        f"{SCHEMA_FILE.relative_to(ROOT)} is out of date with the models; regenerate it with\n"
        '  python -c "from pathlib import Path; from iivkit.workbook.interchange import write_schema; '
        "write_schema(Path('iivkit/data/workbook.schema.json'))\""
    )


def test_the_interchange_documentation_describes_every_field_of_every_record_type() -> None:
    text = DOC.read_text(encoding="utf-8")
    for model in RECORD_TYPES:
        heading = re.search(rf"^### .*`{model.table}`.*$", text, flags=re.MULTILINE)
        assert heading, f"docs/interchange.md has no '### ... `{model.table}`' section"
        section = text[heading.end() :].split("\n### ", 1)[0]
        for name in model.model_fields:
            assert f"| `{name}` |" in section, f"docs/interchange.md: `{model.table}` lacks field `{name}`"


def test_the_example_in_the_documentation_imports(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    example = re.search(r"```json\n(.*?)```", text, flags=re.DOTALL)
    assert example, "docs/interchange.md should show an example document"
    with Workbook.create(tmp_path / "wb.iiv") as wb:
        imported = import_document(wb, parse_document(example.group(1)))
    assert imported["contacts"] == 1 and imported["finding_outcomes"] == 1


def test_the_interchange_documentation_names_the_schema_file() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "iivkit/data/workbook.schema.json" in text
