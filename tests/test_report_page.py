"""The HTML grade report and the text table, on hand-made results (no grading needed)."""

import matplotlib
import matplotlib.pyplot as plt
from bs4 import BeautifulSoup

from course.report import StudentResult, format_table, write_html


def _results():
    graded = StudentResult("ada", "hw", scores={"test_f": 3.0, "think_why": None},
                           max_scores={"test_f": 3.0, "think_why": 1.0}, pending=["think_why"], status="ok")
    done = StudentResult("bob", "hw", scores={"test_f": 0.0, "think_why": 1.0},
                         max_scores={"test_f": 3.0, "think_why": 1.0}, status="timeout",
                         reason="the notebook did not finish")
    return [graded, done]


def test_pending_written_answers_are_counted_and_explained(tmp_path):
    page = BeautifulSoup(write_html(_results(), tmp_path / "r.html").read_text(), "html.parser")
    text = page.get_text(" ")
    assert "1 written answer(s) of 1 student(s) wait for manual grading" in text
    assert "bob" in page.find("tr", class_="bad").get_text()          # the timeout needs attention
    assert "manual: a written answer waiting for a TA" in page.find("p", class_="legend").get_text()
    row = next(tr for tr in page.find_all("tr") if tr.td and tr.td.get_text() == "ada")
    assert [td.get_text() for td in row.find_all("td")] == ["ada", "3", "manual", "3/4 (1 pending)"]


def test_wide_tables_scroll_and_headers_are_short(tmp_path):
    page = BeautifulSoup(write_html(_results(), tmp_path / "r.html").read_text(), "html.parser")
    scores = page.find_all("table")[-1]
    assert scores.parent.get("class") == ["scroll"]
    headers = {th.get_text(): th.get("title") for th in scores.find_all("th")}
    assert headers["f"] == "test_f" and headers["why"] == "think_why"


def test_the_report_leaves_matplotlib_as_it_was(tmp_path):
    backend, figures = matplotlib.get_backend(), plt.get_fignums()
    write_html(_results(), tmp_path / "r.html")
    assert matplotlib.get_backend() == backend and plt.get_fignums() == figures


def test_text_table_shows_pending_points_apart_from_lost_ones():
    table = format_table(_results())
    ada = next(line for line in table.splitlines() if line.startswith("ada"))
    bob = next(line for line in table.splitlines() if line.startswith("bob"))
    assert "3/4 (1 pending)" in ada and "manual" in ada
    assert "1/4" in bob and "pending" not in bob


def test_feedback_says_not_graded_yet_instead_of_zero_for_pending_written_answers():
    from course.feedback import mark_pending

    # the shape of nbgrader 0.9's feedback template (table of contents, then the cell's heading)
    page = ('<li><a href="#think_why">Written response</a> (Score: 0.0 / 1.0)</li>\n'
            '<li><a href="#test_f">Test cell</a> (Score: 0.0 / 3.0)</li>\n'
            '<a name="think_why"></a><div class="panel-heading"><span>Student\'s answer</span>\n'
            '  <span class="pull-right">\n      Score: 0.0 / 1.0 <a href="#top">(Top)</a>\n'
            '<a name="test_f"></a><div class="panel-heading">\n      Score: 0.0 / 3.0 <a href="#top">(Top)</a>')
    marked = mark_pending(page, ["think_why"])
    assert marked.count("not graded yet / 1.0") == 2
    assert marked.count("Score: 0.0 / 3.0") == 2        # a failed test keeps its 0
    assert mark_pending(page, []) == page


def test_feedback_folders_keep_pages_and_exchange_files_only(tmp_path):
    from types import SimpleNamespace

    from course.feedback import EXCHANGE_FILES, _drop_data_copies

    folder = tmp_path / "feedback" / "ada" / "hw"
    folder.mkdir(parents=True)
    for name in ("hw.html", "cnn_weights.pt", "data.mat", *EXCHANGE_FILES):
        (folder / name).write_text("x")
    _drop_data_copies(SimpleNamespace(feedback=tmp_path / "feedback"), "hw")
    assert sorted(p.name for p in folder.iterdir()) == sorted(["hw.html", *EXCHANGE_FILES])
