"""In a real browser: JupyterLab, the demos' widgets, feedback, the grade report and formgrader.

Chromium (Debian's ``chromium`` package) driven by Playwright. JupyterLab runs
on 127.0.0.1 with a token, started with ``expose_app_in_browser`` so the tests
can run JupyterLab's own commands (Run All, run a cell) and read the notebook
model, as a student's clicks would. Requests that leave the machine are
blocked and recorded: the pages must need none.

Screenshots go to ``$COURSE_SCREENSHOTS`` (default: ``course-screenshots`` in
the temporary folder); the test run prints the folder at the end.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import pytest

from conftest import REPO, copy_course, student_with
from course import notebooks as nbtools

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("COURSE_SCREENSHOTS", Path(os.environ.get("TMPDIR", "/tmp")) / "course-screenshots"))

try:
    import playwright.sync_api  # noqa: F401
    HAVE_PLAYWRIGHT = True
except ImportError:
    HAVE_PLAYWRIGHT = False

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not CHROMIUM.exists() or not HAVE_PLAYWRIGHT,
                       reason="browser tests need Debian's chromium (apt-get install chromium) and playwright "
                              "(pip); ./run test installs both when run as root"),
]

# Assignments whose notebooks run past unsolved exercises (helpers.exercises.needs_exercise).
NOTEBOOKS = ["correlations", "lnp", "correlated_regressors", "mei_vs_gabor"]
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "file://", "data:", "blob:", "about:")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    """A JupyterLab server on 127.0.0.1 serving ``root``."""

    def __init__(self, root, home):
        self.root, self.token, self.port = Path(root), "course-browser-test", free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
               "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "ws"),
               "MPLBACKEND": "module://matplotlib_inline.backend_inline", "OMP_NUM_THREADS": "1"}
        # All cells in the page (no windowing: the tests look for every demo), no news prompt.
        for plugin, values in {"notebook-extension/tracker": {"windowingMode": "none"},
                               "apputils-extension/notification": {"fetchNews": "false"}}.items():
            settings = home / "settings" / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
            settings.parent.mkdir(parents=True, exist_ok=True)
            settings.write_text(json.dumps(values))
        self.log_path = home / "lab.log"
        self.log = self.log_path.open("w")
        command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
                   f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
                   "--LabApp.expose_app_in_browser=True", "--ServerApp.disable_check_xsrf=False"]
        if os.geteuid() == 0:
            command.append("--allow-root")
        self.process = subprocess.Popen(command, cwd=self.root, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urlopen(f"{self.url}/api/status?token={self.token}", timeout=2).read()
                return
            except OSError:
                assert self.process.poll() is None, (home / "lab.log").read_text()[-3000:]
                time.sleep(0.5)
        raise AssertionError("JupyterLab did not start within 120 s")

    def page_url(self, path):
        return f"{self.url}/{path}?token={self.token}"

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="module")
def shots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page; every request that would leave the machine is blocked and recorded in ``page.outside``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.outside = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(LOCAL):
            request_route.continue_()
        else:
            page.outside.append(url)
            request_route.abort()

    context.route("**/*", route)
    yield page
    context.close()


@pytest.fixture(scope="module")
def student_lab(tmp_path_factory):
    """JupyterLab on a student's copy of the released notebooks."""
    home = tmp_path_factory.mktemp("student-lab")
    for assignment in NOTEBOOKS:
        shutil.copytree(REPO / "release" / assignment, home / "notebooks" / assignment)
    lab = Lab(home / "notebooks", home)
    yield lab
    lab.stop()


# ---- JupyterLab, driven through its own commands -------------------------------------------

CURRENT = "window.jupyterapp.shell.currentWidget"


def open_notebook(page, lab, path):
    page.goto(lab.page_url(f"lab/tree/{path}"))
    page.wait_for_function(f"""() => {{ const w = window.jupyterapp && {CURRENT};
        return w && w.context && w.context.path === {str(path)!r} && w.sessionContext.session
            && w.sessionContext.session.kernel && w.sessionContext.session.kernel.status === 'idle'; }}""",
                           timeout=180_000)


def wait_until_idle(page, timeout=600_000):
    page.wait_for_timeout(1000)
    page.wait_for_function(f"""() => {{ const w = {CURRENT};
        const busy = [...w.content.node.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('*'));
        return !busy && w.sessionContext.session.kernel.status === 'idle'; }}""", timeout=timeout, polling=500)


LAST_COUNT = f"""() => {{ const code = {CURRENT}.content.widgets.filter(w => w.model.type === 'code');
    return code.length ? (code[code.length - 1].model.executionCount || 0) : 0; }}"""


def run_all(page, timeout=900_000):
    """Run All, and wait until the last code cell has run again and the kernel is idle."""
    before = page.evaluate(LAST_COUNT)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(f"([before]) => ({LAST_COUNT})() > before", arg=[before], timeout=timeout, polling=500)
    wait_until_idle(page)


def cells(page):
    """grade_id, type, tags, execution count, outputs (type, error name, text) of every cell."""
    return page.evaluate(f"""() => {CURRENT}.content.widgets.map((w, index) => ({{
        index, type: w.model.type, id: (w.model.getMetadata('nbgrader') || {{}}).grade_id,
        tags: w.model.getMetadata('tags') || [], count: w.model.type === 'code' ? w.model.executionCount : null,
        outputs: w.model.type === 'code' ? w.model.outputs.toJSON().map(o => ({{
            type: o.output_type, ename: o.ename || '', text: [].concat(o.text || '').join('') }})) : [] }}))""")


def set_and_run(page, index, source):
    page.evaluate(f"""([index, source]) => {{ const nb = {CURRENT}.content;
        nb.widgets[index].model.sharedModel.setSource(source); nb.activeCellIndex = index; }}""", [index, source])
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-cell')")
    wait_until_idle(page)


def run_cell(page, index):
    page.evaluate(f"([index]) => {{ {CURRENT}.content.activeCellIndex = index; }}", [index])
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-cell')")
    wait_until_idle(page)


def errors(cell):
    return [o["ename"] for o in cell["outputs"] if o["type"] == "error"]


def text(cell):
    return "".join(o["text"] for o in cell["outputs"])


def is_check(cell, source_flags):
    flags = source_flags.get(cell["id"], {})
    return bool(flags.get("grade")) and not flags.get("solution")


def demos(page):
    """Each demo (a top-level widget box with a figure output), numbered in a data attribute: its controls and figure."""
    return page.evaluate("""() => [...document.querySelectorAll('.jp-OutputArea-output .widget-vbox')]
        .filter(box => box.querySelector('.widget-output') && !box.parentElement.closest('.widget-vbox'))
        .map((box, index) => { box.dataset.demo = index; const img = box.querySelector('.widget-output img');
            return {sliders: box.querySelectorAll('.widget-slider').length,
                    dropdowns: box.querySelectorAll('.widget-dropdown select').length,
                    image: img ? img.src : null}; })""")


def move_slider(page, demo, slider):
    """Press the right arrow on slider number ``slider`` of demo number ``demo``, as a student would."""
    handle = page.locator(f'[data-demo="{demo}"] .widget-slider').nth(slider) \
        .locator(".noUi-handle, input[type=range]").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    page.keyboard.press("ArrowRight")


def change_dropdown(page, demo, dropdown):
    """Choose the next option (or the first, from the last) of a demo's dropdown."""
    select = page.locator(f'[data-demo="{demo}"] .widget-dropdown select').nth(dropdown)
    count = select.locator("option").count()
    current = select.evaluate("element => element.selectedIndex")
    select.select_option(index=(current + 1) % count)


def wait_for_new_figure(page, demo, before, timeout=120_000):
    page.wait_for_function("""([demo, before]) => {
        const img = document.querySelector(`[data-demo="${demo}"] .widget-output img`);
        return img && img.src !== before; }""", arg=[demo, before], timeout=timeout, polling=500)


@pytest.mark.parametrize("assignment", NOTEBOOKS)
def test_a_student_runs_the_notebook_solves_it_and_moves_every_control(student_lab, page, shots, assignment):
    source = nbtools.read(REPO / "source" / assignment / f"{assignment}.ipynb")
    flags = {nbtools.grade_id(c): c.metadata.get("nbgrader", {}) for c in source.cells}
    answers = nbtools.reference_answers(source)
    open_notebook(page, student_lab, f"{assignment}/{assignment}.ipynb")

    # 1. Run All on the blank notebook reaches the end; only the checks fail.
    run_all(page)
    blank = cells(page)
    page.screenshot(path=str(shots / f"{assignment}-1-run-all-blank.png"))
    code = [c for c in blank if c["type"] == "code"]
    assert all(c["count"] for c in code), [c["id"] for c in code if not c["count"]]
    assert not [c["id"] for c in code if errors(c) and not is_check(c, flags)]
    assert all(errors(c) and "raises-exception" in c["tags"] for c in code if is_check(c, flags))
    assert any("not done yet" in text(c) for c in code)

    # 2. Exercise 1 with the reference answer: its visible check passes.
    first = next(c for c in blank if c["id"] in answers)
    set_and_run(page, first["index"], answers[first["id"]])
    check = next(c for c in blank if c["index"] > first["index"] and is_check(c, flags))
    run_cell(page, check["index"])
    after = cells(page)[check["index"]]
    page.screenshot(path=str(shots / f"{assignment}-2-exercise-1-checked.png"))
    assert errors(after) == [] and "Visible checks passed." in text(after)

    # 3. Every answer filled in, Run All again: no error anywhere, then every slider redraws its figure.
    page.evaluate(f"""(answers) => {{ for (const w of {CURRENT}.content.widgets) {{
        const id = (w.model.getMetadata('nbgrader') || {{}}).grade_id;
        if (id in answers) w.model.sharedModel.setSource(answers[id]); }} }}""", answers)
    run_all(page)
    solved = cells(page)
    assert not [(c["id"], errors(c)) for c in solved if errors(c)]
    found = demos(page)
    expected = [nbtools.grade_id(c) for c in source.cells
                if c.cell_type == "code" and re.fullmatch(r"demo(_\w+)?", nbtools.grade_id(c) or "")]
    assert len(found) == len(expected) and all(d["image"] for d in found), (expected, found)
    for demo, info in enumerate(found):
        page.locator(f'[data-demo="{demo}"]').scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(shots / f"{assignment}-3-demo{demo}-before.png"))
        moves = [(move_slider, i) for i in range(info["sliders"])] + \
                [(change_dropdown, i) for i in range(info["dropdowns"])]
        assert moves, f"demo {demo} has no control"
        for move, number in moves:
            before = demos(page)[demo]["image"]
            move(page, demo, number)
            wait_for_new_figure(page, demo, before)
        page.screenshot(path=str(shots / f"{assignment}-3-demo{demo}-after.png"))
    assert page.outside == []


# ---- what TAs and students see after grading ---------------------------------------------

@pytest.fixture(scope="module")
def graded_copy(graded_class, tmp_path_factory):
    """A private copy of the graded correlations class (feedback and report are written into it)."""
    from course.layout import Course

    shared_course, _, _, members = graded_class("correlations")
    course = Course(shutil.copytree(shared_course.root, tmp_path_factory.mktemp("graded") / "course"))
    return course, members


@pytest.mark.grading
def test_feedback_page_renders_its_maths_offline(graded_copy, page, shots):
    from course.feedback import generate_feedback

    course, members = graded_copy
    student = student_with(members, "covariance")      # a wrong Exercise 1: a failed check in the feedback
    path = next(p for p in generate_feedback(course, "correlations", student=student) if p.parts[-3] == student)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    widths = page.evaluate("() => [...document.querySelectorAll('math')].map(m => m.getBoundingClientRect().width)")
    assert len(widths) > 20 and min(widths) > 0, "the maths is drawn (MathML with a size on the page)"
    body = page.inner_text("body")
    assert "\\vec" not in body and "$" not in body.replace("$5", "")
    assert "not graded yet" in body                     # written answers no TA has graded
    page.locator("math").first.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "feedback-maths.png"))
    page.get_by_text("neuron 1 copies neuron 0 one step later").first.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "feedback-failed-check.png"))
    assert page.outside == []


@pytest.mark.grading
def test_grade_report_fits_the_page_and_lists_what_needs_attention(graded_copy, page, shots, tmp_path):
    from course.report import report

    course, _ = graded_copy
    report(course, ["correlations"], tmp_path / "grades.csv", tmp_path / "report.html")
    page.goto((tmp_path / "report.html").as_uri())
    page.wait_for_load_state("load")
    attention = page.get_by_text("Needs attention").first
    assert attention.is_visible()
    assert "manual" in page.inner_text("body").lower()
    # wide tables scroll inside their own box: the page itself never scrolls sideways
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("() => [...document.images].every(img => img.complete && img.naturalWidth > 0)")
    page.screenshot(path=str(shots / "report.png"), full_page=True)
    assert page.outside == []


@pytest.mark.grading
def test_formgrader_lists_the_submissions_that_need_manual_grading(graded_copy, page, shots, tmp_path_factory):
    course, members = graded_copy
    lab = Lab(course.root, tmp_path_factory.mktemp("instructor-lab"))
    try:
        # formgrader's own requests carry no token: send it as a header, as a logged-in browser's cookie would
        page.set_extra_http_headers({"Authorization": f"token {lab.token}"})
        page.goto(lab.page_url("formgrader/gradebook/correlations/correlations"))
        try:
            page.wait_for_function("() => document.body.innerText.includes('Needs Manual Grade')"
                                   " && !document.body.innerText.includes('Loading, please wait')", timeout=120_000)
        except Exception as error:
            page.screenshot(path=str(shots / "formgrader-submissions.png"), full_page=True)
            lab.log.flush()
            raise AssertionError(f"formgrader did not list the submissions; blocked requests {page.outside}; "
                                 f"server log:\n{lab.log_path.read_text()[-4000:]}") from error
        page.screenshot(path=str(shots / "formgrader-submissions.png"), full_page=True)
        rows = page.locator("table tbody tr")
        assert rows.count() == len(members) + 1          # and tests/oracle_keeper.py's student
        page.get_by_text("Show All Names").click()
        page.wait_for_timeout(500)
        body = page.inner_text("table")
        assert all(student in body for student in members), body
        # the "Needs Manual Grade?" column: the written answers wait for a TA
        column = page.evaluate("""() => [...document.querySelectorAll('table thead th')]
            .findIndex(th => th.innerText.includes('Needs Manual Grade'))""")
        marks = page.evaluate("""(column) => [...document.querySelectorAll('table tbody tr')]
            .filter(tr => tr.children[column] && tr.children[column].querySelector('.glyphicon, .fa, i, span'))
            .length""", column)
        assert column >= 0 and marks >= len(members) // 2
        # formgrader's landing page: no warning that the exchange is missing (nbgrader_config.py)
        page.goto(lab.page_url("formgrader/manage_assignments"))
        page.wait_for_function("() => document.body.innerText.includes('correlations')", timeout=60_000)
        page.screenshot(path=str(shots / "formgrader-manage-assignments.png"), full_page=True)
        assert page.locator("#warning-exchange").count() == 0, page.inner_text("body")[:2000]
        assert page.outside == []
    finally:
        lab.stop()
