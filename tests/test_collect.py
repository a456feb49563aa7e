"""course collect: folders and zips, exchange layout and one file per student.

Submissions are hostile: links, zip tricks, colliding or reserved names
must be skipped with a reason while the other students are collected.
"""

import io
import os
import stat
import zipfile

import pytest

from conftest import copy_course
from course import collect as collect_module
from course.cli import main
from course.collect import CollectResult, collect, student_id
from course.layout import CourseError


@pytest.fixture
def course(tmp_path):
    return copy_course(tmp_path / "course", ["correlations"])


def exchange(inbox, student, files=None):
    """``inbox/<student>/correlations/`` holding ``files`` (name -> text)."""
    folder = inbox / student / "correlations"
    folder.mkdir(parents=True)
    for name, text in (files or {"correlations.ipynb": "{}"}).items():
        (folder / name).write_text(text)
    return folder


def submitted(course, student):
    return course.submitted / student / "correlations"


def reasons(result, entry):
    """The skip reasons given for ``entry``."""
    return [reason for name, reason in result.skipped if name == entry]


def snapshot(folder):
    """Everything observable about a tree, links included (never followed)."""
    state = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        content = os.readlink(path) if path.is_symlink() else (
            path.read_bytes() if path.is_file() else None)
        state[str(path.relative_to(folder))] = (info.st_mode, info.st_mtime_ns, content)
    return state


def zip_with(path, entries):
    """A zip of ``entries``: name -> text, or name -> (text, unix mode)."""
    with zipfile.ZipFile(path, "w") as handle:
        for name, value in entries.items():
            text, mode = value if isinstance(value, tuple) else (value, None)
            if mode is None:
                handle.writestr(name, text)
            else:
                info = zipfile.ZipInfo(name)
                info.create_system = 3  # Unix, so the mode is read
                info.external_attr = mode << 16
                handle.writestr(info, text)
    return path


# -- the layouts -----------------------------------------------------------------

def test_exchange_layout_from_a_folder(course, tmp_path):
    inbox = tmp_path / "inbox"
    for student in ("ada", "alan"):
        exchange(inbox, student, {"correlations.ipynb": "{}", "extra.csv": "1"})
    result = collect(course, inbox, "correlations")
    assert isinstance(result, CollectResult)
    assert result.students == ["ada", "alan"]
    assert result.skipped == []
    assert (submitted(course, "ada") / "extra.csv").read_text() == "1"


def test_one_file_per_student_from_a_zip_with_lms_names(course, tmp_path):
    archive = zip_with(tmp_path / "downloads.zip", {
        "export/grace_hopper_correlations.ipynb": "{}", "export/linus.ipynb": "{}"})
    result = collect(course, archive, "correlations")
    assert result.students == ["grace", "linus"]
    assert (submitted(course, "linus") / "correlations.ipynb").read_text() == "{}"


def test_unknown_assignment_and_empty_source_are_reported(course, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(CourseError, match="unknown assignment"):
        collect(course, tmp_path / "empty", "nope")
    with pytest.raises(CourseError, match="no submissions"):
        collect(course, tmp_path / "empty", "correlations")


def test_nothing_collected_lists_what_was_skipped(course, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "notes.txt").write_text("hi")
    with pytest.raises(CourseError, match=r"no submissions[\s\S]*notes\.txt: not a notebook"):
        collect(course, inbox, "correlations")


# -- re-collecting -----------------------------------------------------------------

def test_collecting_again_replaces_the_previous_copy(course, tmp_path):
    inbox = tmp_path / "inbox"
    folder = exchange(inbox, "ada", {"correlations.ipynb": "first", "old.csv": "1"})
    collect(course, inbox, "correlations")
    (folder / "correlations.ipynb").write_text("second")
    (folder / "old.csv").unlink()
    collect(course, inbox, "correlations")
    assert (submitted(course, "ada") / "correlations.ipynb").read_text() == "second"
    assert not (submitted(course, "ada") / "old.csv").exists()
    # No staging or holding folder is left next to the copy.
    assert sorted(p.name for p in (course.submitted / "ada").iterdir()) == ["correlations"]


def test_a_failed_copy_keeps_the_previous_copy_whole(course, tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    folder = exchange(inbox, "ada", {"a.csv": "old a", "correlations.ipynb": "old"})
    collect(course, inbox, "correlations")
    (folder / "a.csv").write_text("new a")
    (folder / "correlations.ipynb").write_text("new")
    real_write = collect_module._write_limited
    calls = []

    def fail_on_second_file(reader, target, limit, too_big):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_write(reader, target, limit, too_big)

    monkeypatch.setattr(collect_module, "_write_limited", fail_on_second_file)
    exchange(inbox, "alan")  # another student is still collected
    result = collect(course, inbox, "correlations")
    assert len(calls) == 3  # ada's two files (the second fails), then alan's
    assert result.students == ["alan"]
    assert reasons(result, "ada") == ["could not be copied (No space left on device)"]
    # ada's previous copy is untouched: neither half replaced nor removed.
    assert (submitted(course, "ada") / "a.csv").read_text() == "old a"
    assert (submitted(course, "ada") / "correlations.ipynb").read_text() == "old"
    assert sorted(p.name for p in (course.submitted / "ada").iterdir()) == ["correlations"]


def test_a_submission_with_no_regular_file_does_not_replace_the_previous_copy(course, tmp_path):
    inbox = tmp_path / "inbox"
    folder = exchange(inbox, "ada", {"correlations.ipynb": "real work"})
    collect(course, inbox, "correlations")
    (folder / "correlations.ipynb").unlink()
    (folder / "correlations.ipynb").symlink_to(course.source / "correlations" / "correlations.ipynb")
    exchange(inbox, "alan")
    result = collect(course, inbox, "correlations")
    assert result.students == ["alan"]
    assert reasons(result, "ada") == ["no regular file to collect"]
    assert (submitted(course, "ada") / "correlations.ipynb").read_text() == "real work"


# -- symbolic links ----------------------------------------------------------------

def test_a_notebook_linked_to_the_solutions_is_not_collected(course, tmp_path):
    solution = course.source / "correlations" / "correlations.ipynb"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "mallory.ipynb").symlink_to(solution)
    (inbox / "linus.ipynb").write_text("{}")
    result = collect(course, inbox, "correlations")
    assert result.students == ["linus"]
    assert reasons(result, "mallory.ipynb") == ["symbolic link; not followed"]
    assert not (course.submitted / "mallory").exists()


def test_a_linked_file_inside_a_submission_is_skipped(course, tmp_path):
    solution = course.source / "correlations" / "correlations.ipynb"
    inbox = tmp_path / "inbox"
    folder = exchange(inbox, "mallory", {"notes.md": "mine"})
    (folder / "correlations.ipynb").symlink_to(solution)
    (folder / "secrets").symlink_to("/etc/passwd")
    result = collect(course, inbox, "correlations")
    assert result.students == ["mallory"]
    assert reasons(result, "mallory/correlations/correlations.ipynb") == ["symbolic link; not followed"]
    assert reasons(result, "mallory/correlations/secrets") == ["symbolic link; not followed"]
    copy = submitted(course, "mallory")
    assert sorted(p.name for p in copy.iterdir()) == ["notes.md"]


def test_linked_directories_are_not_followed(course, tmp_path):
    inbox = tmp_path / "inbox"
    exchange(inbox, "alice", {"correlations.ipynb": "alice's work"})
    (inbox / "mallory").symlink_to(inbox / "alice")  # a whole student folder
    (inbox / "eve").mkdir()
    (inbox / "eve" / "correlations").symlink_to(inbox / "alice" / "correlations")
    bob = exchange(inbox, "bob")
    (bob / "data").symlink_to(course.source, target_is_directory=True)  # a folder inside
    result = collect(course, inbox, "correlations")
    assert result.students == ["alice", "bob"]
    assert reasons(result, "mallory") == ["symbolic link; not followed"]
    assert reasons(result, "eve") == ["correlations/ is a symbolic link; not followed"]
    assert reasons(result, "bob/correlations/data") == ["symbolic link; not followed"]
    assert not (course.submitted / "mallory").exists()
    assert not (course.submitted / "eve").exists()
    assert not (submitted(course, "bob") / "data").exists()


def test_dangling_links_are_skipped(course, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ghost.ipynb").symlink_to(tmp_path / "nowhere.ipynb")
    (inbox / "linus.ipynb").write_text("{}")
    result = collect(course, inbox, "correlations")
    assert result.students == ["linus"]
    assert reasons(result, "ghost.ipynb") == ["symbolic link; not followed"]
    assert not (tmp_path / "nowhere.ipynb").exists()


def test_dangling_link_inside_a_submission_is_skipped(course, tmp_path):
    inbox = tmp_path / "inbox"
    folder = exchange(inbox, "ada")
    (folder / "broken.csv").symlink_to(tmp_path / "nowhere.csv")
    result = collect(course, inbox, "correlations")
    assert result.students == ["ada"]
    assert reasons(result, "ada/correlations/broken.csv") == ["symbolic link; not followed"]
    assert not os.path.lexists(submitted(course, "ada") / "broken.csv")


def test_a_link_swapped_in_after_the_listing_is_not_followed(course, tmp_path):
    # The copy opens files with O_NOFOLLOW: a race that replaces a checked
    # file by a link still ends in a skip, not a copy of the target.
    inbox = tmp_path / "inbox"
    folder = exchange(inbox, "ada", {"correlations.ipynb": "{}"})
    os.symlink(course.source / "correlations" / "correlations.ipynb", folder / "late.ipynb")
    with pytest.raises(collect_module._Skip, match="symbolic link"):
        collect_module._copy_file(folder / "late.ipynb", tmp_path / "out.ipynb", 10**6)
    assert not (tmp_path / "out.ipynb").exists()


# -- zip files ---------------------------------------------------------------------

def test_zip_entries_outside_the_archive_are_skipped(course, tmp_path):
    archive = zip_with(tmp_path / "evil.zip", {
        "../../escape.ipynb": "{}", "/tmp/absolute_escape.ipynb": "{}",
        "ada/correlations/correlations.ipynb": "{}"})
    result = collect(course, archive, "correlations")
    assert result.students == ["ada"]
    assert reasons(result, "../../escape.ipynb") == ["'..' in the path; not extracted"]
    assert reasons(result, "/tmp/absolute_escape.ipynb") == ["absolute path; not extracted"]
    assert not (tmp_path.parent / "escape.ipynb").exists()
    assert not (course.submitted / "escape").exists()


def test_zip_symlink_entries_are_skipped(course, tmp_path):
    archive = zip_with(tmp_path / "links.zip", {
        "mallory.ipynb": ("../source/correlations/correlations.ipynb", stat.S_IFLNK | 0o777),
        "linus.ipynb": ("{}", stat.S_IFREG | 0o644)})
    result = collect(course, archive, "correlations")
    assert result.students == ["linus"]
    assert reasons(result, "mallory.ipynb") == ["symbolic link in the zip; not extracted"]
    assert not (course.submitted / "mallory").exists()


def test_zip_entries_with_over_long_names_are_skipped(course, tmp_path):
    long_part = "a" * 300 + ".ipynb"
    deep = "/".join(["d" * 200] * 25) + "/x.ipynb"  # short parts, over 4096 in all
    archive = zip_with(tmp_path / "long.zip", {long_part: "{}", deep: "{}", "linus.ipynb": "{}"})
    result = collect(course, archive, "correlations")
    assert result.students == ["linus"]
    # Refused by name, before the file system is asked (not an OSError on the way).
    expected = ["name too long (over 255 bytes a part or 4096 in all)"]
    assert reasons(result, long_part) == expected
    assert reasons(result, deep) == expected


def test_zip_size_limits_skip_big_entries(course, tmp_path):
    archive = zip_with(tmp_path / "big.zip", {
        "huge.ipynb": "x" * 5000, "ada.ipynb": "a" * 600, "bob.ipynb": "b" * 600,
        "cy.ipynb": "c" * 100})
    result = collect(course, archive, "correlations", max_file_bytes=1000, max_total_bytes=1000)
    assert result.students == ["ada", "cy"]
    assert "limit per file" in reasons(result, "huge.ipynb")[0]
    assert "limit for the whole zip" in reasons(result, "bob.ipynb")[0]


def test_a_stream_past_its_limit_is_cut_and_removed(tmp_path):
    # The declared size of a zip member can lie: the bytes are counted as written.
    target = tmp_path / "out.ipynb"
    with pytest.raises(collect_module._Skip, match="too big"):
        collect_module._write_limited(io.BytesIO(b"x" * 5000), target, 1000, "too big")
    assert not target.exists()


def test_zip_member_with_a_false_size_is_skipped(course, tmp_path):
    archive = zip_with(tmp_path / "liar.zip", {"bomb.ipynb": "x" * 50_000, "linus.ipynb": "{}"})
    with zipfile.ZipFile(archive) as handle:
        info = handle.getinfo("bomb.ipynb")
        info.file_size = 10  # as a forged header would declare
        with pytest.raises(collect_module._Skip, match="could not be extracted"):
            collect_module._extract_member(handle, info, tmp_path / "out", 1000, 1000, budget=1000)
    assert not (tmp_path / "out").exists()
    result = collect(course, archive, "correlations", max_file_bytes=1000)
    assert result.students == ["linus"]
    assert "limit per file" in reasons(result, "bomb.ipynb")[0]


def test_a_duplicate_zip_member_does_not_overwrite_the_first(course, tmp_path):
    archive = tmp_path / "dup.zip"
    with zipfile.ZipFile(archive, "w") as handle, pytest.warns(UserWarning, match="Duplicate"):
        handle.writestr("linus.ipynb", "first")
        handle.writestr("linus.ipynb", "second")
    result = collect(course, archive, "correlations")
    assert result.students == ["linus"]
    assert reasons(result, "linus.ipynb") == ["duplicate entry in the zip"]
    assert (submitted(course, "linus") / "correlations.ipynb").read_text() == "first"


# -- student ids -------------------------------------------------------------------

def test_two_notebooks_for_one_student_are_both_refused(course, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (course.submitted / "victim" / "correlations").mkdir(parents=True)
    (submitted(course, "victim") / "correlations.ipynb").write_text("victim's earlier work")
    (inbox / "victim.ipynb").write_text("victim's work")
    (inbox / "victim_late.ipynb").write_text("attacker's work")
    (inbox / "linus.ipynb").write_text("{}")
    result = collect(course, inbox, "correlations")
    assert result.students == ["linus"]
    for entry in ("victim.ipynb", "victim_late.ipynb"):
        [reason] = reasons(result, entry)
        assert "'victim.ipynb'" in reason and "'victim_late.ipynb'" in reason
        assert "victim;" in reason and "none collected" in reason
    assert (submitted(course, "victim") / "correlations.ipynb").read_text() == "victim's earlier work"


def test_two_folders_for_one_student_are_both_refused(course, tmp_path):
    inbox = tmp_path / "inbox"
    exchange(inbox, "Alice Smith", {"correlations.ipynb": "one"})
    exchange(inbox, "Alice_Smith", {"correlations.ipynb": "two"})
    exchange(inbox, "ada")
    exchange(inbox, "ADA")  # one folder on a case-insensitive file system
    exchange(inbox, "bob")
    result = collect(course, inbox, "correlations")
    assert result.students == ["bob"]
    [reason] = reasons(result, "Alice Smith")
    assert "'Alice Smith'" in reason and "'Alice_Smith'" in reason and "Alice_Smith;" in reason
    assert reasons(result, "Alice_Smith") == [reason]
    assert "'ADA'" in reasons(result, "ada")[0] and "'ada'" in reasons(result, "ADA")[0]
    assert sorted(p.name for p in course.submitted.iterdir()) == ["bob"]


@pytest.mark.parametrize("name, problem", [
    ("outcomes.json", "reserved"), ("staged", "reserved"), ("gradebook.db", "reserved"),
    ("STAGED", "reserved"), ("notes.json", "reserved"), ("hack.py", "reserved"),
    ("worker.log", "reserved"), ("x.DB", "reserved"), ("_staged", "reserved"),
    ("s" * 101, "longer than 100"), ("((()))", "cannot make a student id")])
def test_reserved_or_unusable_student_ids_are_skipped(course, tmp_path, name, problem):
    inbox = tmp_path / "inbox"
    exchange(inbox, name)
    exchange(inbox, "ada")
    result = collect(course, inbox, "correlations")
    assert result.students == ["ada"]
    [reason] = reasons(result, name)
    assert problem in reason
    assert sorted(p.name for p in course.submitted.iterdir()) == ["ada"]


def test_reserved_ids_from_one_file_per_student_are_skipped(course, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "outcomes.json.ipynb").write_text("{}")
    (inbox / "staged_late.ipynb").write_text("{}")
    (inbox / "linus.ipynb").write_text("{}")
    result = collect(course, inbox, "correlations")
    assert result.students == ["linus"]
    assert "reserved" in reasons(result, "outcomes.json.ipynb")[0]
    assert "reserved" in reasons(result, "staged_late.ipynb")[0]


def test_hidden_entries_are_skipped_and_os_clutter_ignored(course, tmp_path):
    inbox = tmp_path / "inbox"
    exchange(inbox, ".grading")
    exchange(inbox, "ada")
    (inbox / ".DS_Store").write_text("")
    (inbox / "__MACOSX").mkdir()
    result = collect(course, inbox, "correlations")
    assert result.students == ["ada"]
    assert result.skipped == [(".grading", "hidden file or folder")]


def test_student_ids_are_made_safe():
    assert student_id("Jane Doe (2)") == "Jane_Doe_2"
    assert student_id("_ada_") == "ada"
    for bad in ("///", "outcomes.json", "staged", "gradebook.db", "a.py", "a.log", "z" * 101):
        with pytest.raises(ValueError):
            student_id(bad)
    assert student_id("z" * 100) == "z" * 100


# -- going on after bad entries; sources untouched ------------------------------------

def test_one_bad_entry_does_not_stop_the_others(course, tmp_path):
    inbox = tmp_path / "inbox"
    exchange(inbox, "ada")
    (inbox / "no_assignment" / "other").mkdir(parents=True)
    (inbox / "notes.txt").write_text("not a notebook")
    os.mkfifo(inbox / "pipe.ipynb")
    exchange(inbox, "zoe")
    (inbox / "linus.ipynb").write_text("{}")
    result = collect(course, inbox, "correlations")
    assert result.students == ["ada", "linus", "zoe"]
    assert dict(result.skipped) == {
        "no_assignment": "folder without a correlations/ folder inside",
        "notes.txt": "not a notebook (.ipynb) nor a <student>/correlations/ folder",
        "pipe.ipynb": "not a regular file or folder"}


def test_one_notebook_per_student_needs_a_single_notebook_assignment(tmp_path):
    course = copy_course(tmp_path / "course", ["correlations"])
    (course.source / "correlations" / "second.ipynb").write_text("{}")
    inbox = tmp_path / "inbox"
    exchange(inbox, "ada")
    (inbox / "linus.ipynb").write_text("{}")
    result = collect(course, inbox, "correlations")
    assert result.students == ["ada"]
    assert reasons(result, "linus.ipynb") == ["one notebook per student needs a single-notebook assignment"]


def test_the_source_is_never_modified(course, tmp_path):
    inbox = tmp_path / "inbox"
    folder = exchange(inbox, "ada", {"correlations.ipynb": "{}", "data.csv": "1,2"})
    (folder / "sub").mkdir()
    (folder / "sub" / "more.txt").write_text("more")
    (folder / "link").symlink_to(course.source)
    (inbox / "linus.ipynb").write_text("{}")
    (inbox / "victim.ipynb").write_text("{}")
    (inbox / "victim_2.ipynb").write_text("{}")
    before = snapshot(inbox)
    solutions = snapshot(course.source)
    collect(course, inbox, "correlations")
    collect(course, inbox, "correlations")  # and the swap of a re-collect
    assert snapshot(inbox) == before
    assert snapshot(course.source) == solutions
    assert (submitted(course, "ada") / "sub" / "more.txt").read_text() == "more"
    # The copy keeps the student's modification times.
    assert ((submitted(course, "ada") / "data.csv").stat().st_mtime_ns
            == (folder / "data.csv").stat().st_mtime_ns)


def test_cli_prints_what_was_skipped(course, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    exchange(inbox, "ada")
    (inbox / "mallory.ipynb").symlink_to(course.source / "correlations" / "correlations.ipynb")
    assert main(["--root", str(course.root), "collect", str(inbox), "correlations"]) == 0
    out = capsys.readouterr().out
    assert "collected 1 submission(s): ada" in out
    assert "skipped mallory.ipynb: symbolic link; not followed" in out


def test_cli_reports_nothing_collected_as_an_error(course, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "mallory.ipynb").symlink_to(course.source / "correlations" / "correlations.ipynb")
    assert main(["--root", str(course.root), "collect", str(inbox), "correlations"]) == 2
    err = capsys.readouterr().err
    assert "no submissions for 'correlations'" in err
    assert "skipped mallory.ipynb: symbolic link; not followed" in err
