"""course collect: folders and zips, exchange layout and one file per student."""

import zipfile

import pytest

from conftest import copy_course
from course.collect import collect, student_id


@pytest.fixture
def course(tmp_path):
    return copy_course(tmp_path / "course", ["correlations"])


def test_exchange_layout_from_a_folder(course, tmp_path):
    inbox = tmp_path / "inbox"
    for student in ("ada", "alan"):
        folder = inbox / student / "correlations"
        folder.mkdir(parents=True)
        (folder / "correlations.ipynb").write_text("{}")
        (folder / "extra.csv").write_text("1")
    assert collect(course, inbox, "correlations") == ["ada", "alan"]
    assert (course.submitted / "ada" / "correlations" / "extra.csv").exists()


def test_one_file_per_student_from_a_zip_with_lms_names(course, tmp_path):
    archive = tmp_path / "downloads.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("export/grace_hopper_correlations.ipynb", "{}")
        handle.writestr("export/linus.ipynb", "{}")
    students = collect(course, archive, "correlations")
    assert students == ["grace", "linus"]
    assert (course.submitted / "linus" / "correlations" / "correlations.ipynb").read_text() == "{}"


def test_collecting_again_replaces_the_previous_copy(course, tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "ada" / "correlations").mkdir(parents=True)
    (inbox / "ada" / "correlations" / "correlations.ipynb").write_text("first")
    collect(course, inbox, "correlations")
    (inbox / "ada" / "correlations" / "correlations.ipynb").write_text("second")
    collect(course, inbox, "correlations")
    assert (course.submitted / "ada" / "correlations" / "correlations.ipynb").read_text() == "second"


def test_zip_entries_outside_the_archive_are_refused(course, tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("../../escape.ipynb", "{}")
    with pytest.raises(SystemExit, match="outside"):
        collect(course, archive, "correlations")


def test_unknown_assignment_and_empty_source_are_reported(course, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit, match="unknown assignment"):
        collect(course, tmp_path / "empty", "nope")
    with pytest.raises(SystemExit, match="no submissions"):
        collect(course, tmp_path / "empty", "correlations")


def test_student_ids_are_made_safe():
    assert student_id("Jane Doe (2)") == "Jane_Doe_2"
    with pytest.raises(ValueError):
        student_id("///")
