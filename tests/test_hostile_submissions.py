"""Broken and hostile submissions: graded (or marked ungradable) without harm.

The whole corpus (tests/hostile/corpus.py) is graded in one batch, in
parallel, next to a correct submission; then the batch is graded again and
must give the same result.
"""

import base64
import json
import os
import re
import shutil
import signal
import socket
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import REPO, copy_course, max_scores, scores_by_student, shared
from course import notebooks as nbtools
from course.grading import Limits, grade
from course.release import release
from course.skipping import SKIPPED_NOTE
from hostile.corpus import CASES, FULL, HIDDEN, SURVIVOR

bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap (apt-get install bubblewrap)")
pytestmark = pytest.mark.xdist_group("hostile")
REGRADED = ["syntax_error", "infinite_loop", "kernel_crash", "invalid_json", "deleted_test_cell",
            "monkeypatched_numpy", "duplicated_test_cells", "hook_prints_every_cell", "ast_transformer_swallows_errors"]
LIMITS = Limits(cell_timeout=8, notebook_timeout=45, memory_mb=1536, isolation="auto")


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    # graded once per test run, whichever xdist worker gets here first
    return shared(tmp_path_factory, "hostile", lambda: grade_hostile_batch(tmp_path_factory))


def grade_hostile_batch(tmp_path_factory):
    course = copy_course(tmp_path_factory.mktemp("hostile") / "course", ["correlations"])
    release(course, "correlations")
    release_nb = nbtools.read(course.release / "correlations" / "correlations.ipynb")
    answers = nbtools.reference_answers(nbtools.read(course.source / "correlations" / "correlations.ipynb"))
    # a server on the grading machine that student code must not reach (like a PostgreSQL gradebook)
    server = socket.create_server(("127.0.0.1", 0))
    secrets = {"course": str(course.root), "repo": str(REPO),
               "gradebook": course.db_url.replace("sqlite:///", ""), "port": server.getsockname()[1]}
    for name, case in CASES.items():
        case.build(course.submitted / name / "correlations", release_nb, answers, secrets)
    honest = course.submitted / "honest" / "correlations"
    honest.mkdir(parents=True)
    nbtools.write(nbtools.fill_answers(release_nb, answers), honest / "correlations.ipynb")

    # a secret in the grader's environment (like a PostgreSQL password in COURSE_DB_URL)
    os.environ["COURSE_TEST_SECRET"] = "s3cret-grader-token"
    try:
        first = {o.student: o for o in grade(course, "correlations", workers=2, limits=LIMITS, progress=False)}
        first_scores = scores_by_student(course, "correlations")
        # Regrading a sample (not the whole batch, to keep the suite fast): same grades, same reasons.
        again = ["honest", *[name for name in REGRADED if name in CASES]]
        second = {o.student: o for o in grade(course, "correlations", students=again, workers=2, limits=LIMITS,
                                              progress=False)}
        second_scores = scores_by_student(course, "correlations")
    finally:
        del os.environ["COURSE_TEST_SECRET"]
        server.close()
    return course, first, first_scores, second, second_scores


def autograded_notebook(course, student):
    path = course.autograded / student / "correlations" / "correlations.ipynb"
    return nbtools.read(path) if path.exists() else None


def executed_text(course, student, kernel_only=False):
    """The outputs of the autograded notebook as text (``kernel_only``: not those of test cells)."""
    notebook = autograded_notebook(course, student)
    if notebook is None:
        return ""
    return json.dumps([c.get("outputs", []) for c in notebook.cells if not (kernel_only and nbtools.is_test(c))])


def as_tuple(value):
    return (value,) if isinstance(value, str) else tuple(value)


def base64_forms(secret):
    """``secret``, and what it looks like inside any base64 text whatever its alignment."""
    data, forms = secret.encode(), [secret]
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode()
        # leave out the characters that also depend on the neighbouring bytes
        forms.append(encoded[(0, 2, 3)[offset]:len(encoded) - (4 if (offset + len(data)) % 3 else 0)])
    return forms


def leaked(text, secrets):
    return [secret for secret in secrets if any(form in text for form in base64_forms(secret))]


def hidden_test_lines(course):
    """Lines of the hidden tests, long enough to be unmistakable, that the released notebook lacks."""
    released = {line.strip() for cell in nbtools.read(course.release / "correlations" / "correlations.ipynb").cells
                for line in cell.source.splitlines()}
    lines, hiding = set(), False
    for cell in nbtools.read(course.source / "correlations" / "correlations.ipynb").cells:
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                hiding = True
            elif "END HIDDEN TESTS" in line:
                hiding = False
            elif hiding and len(line.strip()) >= 30 and line.strip() not in released:
                lines.add(line.strip())
    return sorted(lines)


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "srcset"}
SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}


# MathJax commands whose arguments end up in a style or an attribute (a cursor URL is fetched at once)
MATHJAX_STYLE = re.compile(r"\\(style|class|cssId|bbox|color|textcolor|colorbox|fcolorbox|definecolor|enclose"
                           r"|mmlToken|unicode|require|setOptions)(?![A-Za-z])")


def unsafe_html(html):
    """Elements, attributes and MathJax links of a rendered page that could run a student's script.

    The corpus' payloads all call ``alert``; the templates' own scripts do not.
    """
    found = []

    class Finder(HTMLParser):
        script = None

        def handle_starttag(self, tag, attrs):
            if tag in ("iframe", "frame", "object", "embed", "base", "form"):
                found.append(f"<{tag}>")
            for name, value in attrs:
                compact = re.sub(r"[\s\x00-\x1f]+", "", value or "").lower()
                if name.startswith("on") or name == "srcdoc":
                    found.append(f"<{tag} {name}>")
                elif name in URL_ATTRIBUTES and compact.startswith(("javascript:", "vbscript:", "data:text/html")):
                    found.append(f"<{tag} {name}={compact[:40]}>")
            if tag == "script":
                attributes = dict(attrs)
                self.script = (attributes.get("type") or "").lower()
                if "evil" in (attributes.get("src") or "") or "alert" in (attributes.get("src") or ""):
                    found.append(f"<script src={attributes['src']}>")

        def handle_endtag(self, tag):
            if tag == "script":
                self.script = None

        def handle_data(self, data):
            if self.script is not None:
                if self.script in SCRIPT_TYPES and "alert" in data:
                    found.append(f"<script>{data.strip()[:60]}")
            elif re.search(r"\\href\s*\{\s*(javascript|vbscript)\s*:", re.sub(r"\s+", "", data).lower()):
                found.append(f"MathJax link {data.strip()[:60]}")
            elif MATHJAX_STYLE.search(data):
                found.append(f"MathJax style {MATHJAX_STYLE.search(data).group()}")

    Finder(convert_charrefs=True).feed(html)
    return found


def rendered(notebook):
    """The notebook as nbconvert renders it for the formgrader and feedback (lab and classic templates)."""
    from nbconvert import HTMLExporter

    return [HTMLExporter(template_name=name).from_notebook_node(notebook)[0] for name in ("lab", "classic")]


@bwrap
@pytest.mark.grading
@pytest.mark.parametrize("student", sorted(CASES))
def test_each_hostile_submission_gets_the_expected_outcome(hostile_batch, student):
    course, outcomes, scores, _, _ = hostile_batch
    case = CASES[student]
    outcome = outcomes[student]
    full = max_scores(course, "correlations")
    assert outcome.status == case.status, f"{case.description}: {outcome.status} ({outcome.message})"
    for test_cell, expected in case.scores.items():
        if expected is None:
            continue
        wanted = full[test_cell] if expected == FULL else expected
        assert scores[student][test_cell] == wanted, f"{case.description}: {test_cell}"
    if case.note:
        assert case.note in " ".join([outcome.message, *outcome.notes, *outcome.review]), outcome
    if case.output:
        assert case.output in executed_text(course, student)
    if case.absent:
        assert not leaked(executed_text(course, student), as_tuple(case.absent)), case.description
    if case.html_safe:
        notebook = autograded_notebook(course, student)
        assert notebook is not None
        assert not [found for html in rendered(notebook) for found in unsafe_html(html)], case.description


@bwrap
@pytest.mark.grading
def test_the_honest_student_in_the_same_batch_is_unaffected(hostile_batch):
    course, outcomes, scores, _, _ = hostile_batch
    full = max_scores(course, "correlations")
    assert outcomes["honest"].status == "ok"
    assert SKIPPED_NOTE.strip() in executed_text(course, "honest")   # the demo cells were left out
    assert {k: v for k, v in scores["honest"].items() if k.startswith("test_")} == \
        {k: v for k, v in full.items() if k.startswith("test_")}


@bwrap
@pytest.mark.grading
def test_student_code_cannot_write_grades_or_other_folders(hostile_batch):
    course, _, scores, _, _ = hostile_batch
    assert not list(course.root.rglob("pwned.txt"))
    full = max_scores(course, "correlations")
    for student, cells in scores.items():
        # the gradebook holds the released cells only, each within its points
        assert set(cells) == set(full), student
        assert all(score is None or 0 <= score <= full[cell] for cell, score in cells.items()), (student, cells)


@bwrap
@pytest.mark.grading
def test_a_second_run_gives_the_same_grades_and_outcomes(hostile_batch):
    _, first, first_scores, second, second_scores = hostile_batch
    assert len(second) > 5
    assert second_scores == first_scores   # the students not regraded keep their grades too
    assert {s: (o.status, o.message) for s, o in second.items()} == \
        {s: (first[s].status, first[s].message) for s in second}


@bwrap
@pytest.mark.grading
def test_suspicious_submissions_are_flagged_for_review(hostile_batch):
    from nbgrader.api import Gradebook

    course, outcomes, _, _, _ = hostile_batch
    assert outcomes["kernel_crash"].review  # imports ctypes
    with Gradebook(course.db_url) as gradebook:
        flagged = {s.student_id for s in gradebook.assignment_submissions("correlations")
                   if any(nb.flagged for nb in s.notebooks)}
    assert {"os_exit", "monkeypatched_numpy", "obfuscated_monkeypatch", "invalid_json"} <= flagged
    assert "honest" not in flagged


@bwrap
@pytest.mark.grading
def test_feedback_never_shows_hidden_tests_even_when_printed_by_the_student(hostile_batch):
    from course.feedback import generate_feedback

    course = hostile_batch[0]
    paths = generate_feedback(course, "correlations")
    by_student = {p.parts[-3]: p.read_text() for p in paths}
    assert "prints_hidden_tests" in by_student and "honest" in by_student
    for student, html in by_student.items():
        assert not leaked(html, HIDDEN), student
    assert "get_coarse_corr" in by_student["prints_hidden_tests"]   # its own history is shown
    for student, case in CASES.items():
        if case.html_safe:
            assert not unsafe_html(by_student[student]), student


@bwrap
@pytest.mark.grading
def test_no_kernel_output_shows_hidden_tests(hostile_batch):
    # Whatever a submission does in its kernel, its own cells' outputs hold no hidden test, plain
    # or base64 (test cells' outputs are the grader's, and feedback cuts them to one line).
    course = hostile_batch[0]
    secrets = list(HIDDEN) + hidden_test_lines(course)
    for student in [*CASES, "honest"]:
        assert not leaked(executed_text(course, student, kernel_only=True), secrets), student


@bwrap
@pytest.mark.grading
def test_no_process_of_a_submission_outlives_grading(hostile_batch):
    survivors = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if SURVIVOR.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                survivors.append(int(pid))
        except OSError:
            continue
    for pid in survivors:   # started by this batch: clean up before failing
        os.kill(pid, signal.SIGKILL)
    assert not survivors
