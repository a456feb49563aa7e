"""Student notebooks rendered as HTML (formgrader, feedback) carry no student script.

A hostile notebook with every vector we know is sanitized, rendered with
nbconvert's HTML exporter (lab, classic and nbgrader's feedback template),
and the HTML is parsed: only the template's own scripts, no event handlers,
no script URLs, no frames, objects, forms, styles or meta elements from the
student; the student's harmless prose, maths, table and image are still there.
No browser, no network.
"""

import base64
import copy
import html
import os
import re
import socket
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt
from nbconvert import HTMLExporter
from traitlets.config import Config

import course.feedback
from course.sanitize import (SanitizeStudentContent, WORD_JOINER, sanitize_html, sanitize_markdown,
                             sanitize_notebook)

REPO = Path(__file__).resolve().parent.parent
PNG = base64.b64encode(
    bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                  "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()
SVG = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
FORMULA = r"\sum_{i=1}^{n} x_i^2"

# Markdown an attacker may write; each must render as inert text or a harmless link.
MARKDOWN_VECTORS = [
    "<script>alert('md')</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)//",
    "<svg onload=alert(1)>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    "<iframe src=javascript:alert(1)></iframe>",
    "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
    "<object data=javascript:alert(1)></object><embed src=javascript:alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
    "<form action=javascript:alert(1)><button formaction=javascript:alert(1)>go</button></form>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<details open ontoggle=alert(1)>x</details>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--><img src=x onerror=alert(1)>-->",
    "<!-- --!><script>alert(1)</script>-->",
    "<?xml-stylesheet href=javascript:alert(1)?>",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](jav&#x61;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#x3A;alert(1))",
    "[x](javascript\\:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "[ref2]\n\n[ref2]:\n  data:text/html,<script>alert(1)</script>",
    "<javascript:alert(1)>",
    "# <img src=x onerror=alert(1)> heading",
    "| a | <script>alert(1)</script> |\n|---|---|\n| <img src=x onerror=alert(1)> | 2 |",
    "```mermaid\ngraph TD\nA[<img src=x onerror=alert(1)>]\n```",
    "$<script>alert(1)</script>$ and $$\\href{javascript:alert(1)}{x}$$",
    "`` ` ``<img src=x onerror=alert(1)>` and $`$<img src=x onerror=alert(1)>`",
]
HARMLESS_MARKDOWN = f"So a < b, x<3 and the **bold** claim ${FORMULA}$ hold.\n\n* a list\n* `x<y` in code"
# no "<" right before a letter: a clean text, which sanitizing leaves as it is
CLEAN_MARKDOWN = HARMLESS_MARKDOWN.replace("`x<y`", "`x < y`")
HARMLESS_HTML = '<table><tr><th>neuron</th><td class="x">harmless-table-cell</td></tr></table>'
BAD_BASE64 = 'x" onerror="alert(1)'


def hostile_notebook():
    """Every vector we know, in every place a student controls."""
    cells = [
        {"cell_type": "markdown", "id": "answer1", "source": "\n\n".join(MARKDOWN_VECTORS),
         "metadata": {"nbgrader": {"grade": True, "solution": True, "locked": False, "points": 1,
                                   "grade_id": "think_1", "schema_version": 3}}},
        {"cell_type": "markdown", "id": "harmless", "source": HARMLESS_MARKDOWN, "metadata": {}},
        {"cell_type": "markdown", "id": "labelled", "source": "answer",
         "metadata": {"nbgrader": {"grade": True, "solution": True, "locked": False, "points": 1,
                                   "grade_id": '"><img src=x onerror=alert(1)>', "schema_version": 3}}},
        {"cell_type": "markdown", "id": "attached",
         "source": ("![a](attachment:ok.png) ![b](attachment:evil.svg) ![c](attachment:bad.png) "
                    "![d](attachment:nope.png)"),
         "metadata": {},
         "attachments": {"ok.png": {"image/png": PNG}, "evil.svg": {"image/svg+xml": SVG},
                         "bad.png": {"image/png": BAD_BASE64}}},
        {"cell_type": "raw", "id": "raw-html", "source": "<script>alert('raw')</script><img src=x onerror=alert(1)>",
         "metadata": {"raw_mimetype": "text/html", "format": "text/html"}},
        {"cell_type": "raw", "id": "raw-plain", "source": "<svg onload=alert(1)>", "metadata": {}},
        {"cell_type": "code", "id": "outputs", "source": "print('hi')", "execution_count": "<script>alert(1)</script>",
         "metadata": {"tags": ['x" onclick="alert(1)', "skip-when-grading"], "magics_language": "html",
                      "jupyter": {"source_hidden": False, "evil": "<script>"}, "collapsed": "<b>"},
         "outputs": [
             {"output_type": "display_data", "metadata": {},
              "data": {"text/html": [HARMLESS_HTML, "<script>alert('html')</script><img src=x onerror=alert(1)>",
                                     "<a href='javascript:alert(1)'>j</a><svg><animate onbegin=alert(1)>",
                                     "<style>@import 'javascript:alert(1)'</style><iframe src=x></iframe>",
                                     "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"],
                       "text/plain": "<DataFrame>"}},
             {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": MARKDOWN_VECTORS[:5]}},
             {"output_type": "display_data", "metadata": {}, "data": {"image/svg+xml": SVG}},
             {"output_type": "display_data", "metadata": {}, "data": {"application/javascript": "alert('js')"}},
             {"output_type": "display_data", "metadata": {}, "data": {"text/javascript": "alert('tjs')"}},
             {"output_type": "display_data", "metadata": {}, "data": {"application/x-evil": "<script>alert(1)</script>",
                                                                      "application/xhtml+xml": SVG}},
             {"output_type": "display_data", "metadata": {}, "data": {"text/vnd.mermaid": "graph TD\nA-->B"}},
             {"output_type": "display_data", "data": {"image/png": BAD_BASE64},
              "metadata": {"image/png": {"width": "1 onerror=alert(1)"}}},
             {"output_type": "display_data", "data": {"image/png": PNG},
              "metadata": {"image/png": {"width": 20, "height": "2 onmouseover=alert(1)"},
                           "filenames": {"image/png": "javascript:alert(1)"}, "needs_background": "<b>"}},
             {"output_type": "display_data", "metadata": {},
              "data": {"text/latex": r"$\href{javascript:alert(1)}{x}$ </div><script>alert(1)</script>"}},
             {"output_type": "display_data", "metadata": {},
              "data": {"application/vnd.jupyter.widget-view+json":
                       {"model_id": "</script><script>alert(1)</script>", "version_major": 2},
                       "text/plain": "IntSlider(value=3)"}},
             {"output_type": "execute_result", "execution_count": 1, "metadata": {},
              "data": {"text/plain": "<script>alert(1)</script>"}},
             {"output_type": "stream", "name": "stdout", "text": "<script>alert('stream')</script>"},
             {"output_type": "error", "ename": "<script>alert(1)</script>", "evalue": 42,
              "traceback": ["<img src=x onerror=alert(1)>", 7]},
         ]},
        {"cell_type": "markdown", "id": 'x"><img src=x onerror=alert(1)>', "source": "bad id", "metadata": {}},
        {"cell_type": "markdown", "id": "answer1", "source": "duplicate id", "metadata": {}},
    ]
    return nbformat.from_dict({
        "nbformat": 4, "nbformat_minor": 5, "cells": cells,
        "metadata": {
            "title": "</title><script>alert('title')</script>",
            "widgets": {"application/vnd.jupyter.widget-state+json": {
                "state": {"x": {"model_name": "</script><script>alert('widget')</script>"}},
                "version_major": 2, "version_minor": 0}},
            "kernelspec": {"name": "python3", "display_name": "<script>alert(1)</script>", "language": "python"},
            "language_info": {"name": "python", "pygments_lexer": "html\"><script>", "codemirror_mode": {"x": 1}},
            "jupytext": {"formats": "<script>"},
        }})


def clean_notebook():
    return nbformat.from_dict({
        "nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                         "language": "python"}},
        "cells": [{"cell_type": "markdown", "id": "m", "metadata": {}, "source": CLEAN_MARKDOWN},
                  {"cell_type": "code", "id": "c", "metadata": {}, "source": "x = 1", "execution_count": 1,
                   "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"image/png": PNG}}]}]})


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Rendering must not fetch anything (no CDN, no remote templates)."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access during rendering: {args!r}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def render(nb, template):
    """HTML of ``nb`` with one of nbconvert's templates, or nbgrader's feedback template."""
    if template == "feedback":
        import nbgrader
        formgrader = os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader")
        # as nbgrader's GenerateFeedback configures it
        exporter = HTMLExporter(template_name="feedback", extra_template_basedirs=[f"{formgrader}/templates"],
                                extra_template_paths=[f"{formgrader}/static/node_modules/bootstrap/dist/css"])
        resources = {"nbgrader": {"notebook": "hw", "score": 1, "max_score": 2, "late_penalty": 0}}
        nb = copy.deepcopy(nb)
        for cell in nb.cells:  # what nbgrader's GetGrades adds from the gradebook
            if "nbgrader" in cell.metadata:
                cell.metadata.nbgrader.update(score=0.5, points=1, comment="TA says: *see* <b>me</b>")
    else:
        exporter, resources = HTMLExporter(template_name=template), {}
    html, _ = exporter.from_notebook_node(copy.deepcopy(nb), resources=resources)
    return html


def url_is_dangerous(value):
    """A browser's view of a URL attribute: controls and spaces stripped, tabs and newlines removed."""
    url = re.sub(r"[\t\n\r]", "", value.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                               "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "
                                               "\t\n\r")).lower()
    if url.startswith("data:"):
        return re.match(r"data:image/(png|jpeg|gif);base64,", url) is None
    return url.startswith(("javascript:", "vbscript:"))


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
                  "srcdoc", "codebase", "cite", "dynsrc", "lowsrc"}
FORBIDDEN_TAGS = {"script", "iframe", "frame", "object", "embed", "applet", "svg", "math", "meta", "base",
                  "form", "button", "style", "link", "template", "animate", "set", "video", "audio", "source",
                  "details", "noscript", "textarea", "select"}


def scripts(soup):
    return sorted((str(s.get("type")), str(s.get("src")), s.get_text()) for s in soup.find_all("script"))


def tag_counts(soup, names):
    return {name: len(soup.find_all(name)) for name in names}


def browser_parse(html):
    """(tag, attributes) of every element as an HTML5 (browser) parser sees them.

    Uses the html5lib that bleach vendors; html.parser alone is more lenient
    than browsers about where tags start and end.
    """
    from bleach._vendor import html5lib

    tree = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    return [(e.tag.split("}")[-1], dict(e.attrib)) for e in tree.iter() if isinstance(e.tag, str)]


def assert_inert(html, clean_html):
    """No student script survives in ``html``; the template's own elements are as in ``clean_html``."""
    soup, clean = BeautifulSoup(html, "html.parser"), BeautifulSoup(clean_html, "html.parser")
    assert scripts(soup) == scripts(clean)
    assert tag_counts(soup, FORBIDDEN_TAGS) == tag_counts(clean, FORBIDDEN_TAGS)
    elements = [(e.name, e.attrs) for e in soup.find_all(True)] + browser_parse(html)
    for tag, attributes in elements:
        for name, value in attributes.items():
            assert not name.lower().startswith("on"), (tag, name, value)
            values = value if isinstance(value, list) else [value]
            if name.lower() in URL_ATTRIBUTES:
                assert not any(url_is_dangerous(v) for v in values), (tag, name, value)
    browser_tags = [tag for tag, _ in browser_parse(html)]
    clean_tags = [tag for tag, _ in browser_parse(clean_html)]
    assert {t: browser_tags.count(t) for t in FORBIDDEN_TAGS} == {t: clean_tags.count(t) for t in FORBIDDEN_TAGS}
    # the page text still shows the student's attempts, as text
    assert "onerror=alert(1)" in soup.get_text()


@pytest.fixture(scope="module")
def sanitized():
    nb = hostile_notebook()
    notes = sanitize_notebook(nb)
    return nb, notes


@pytest.mark.parametrize("template", ["lab", "classic", "feedback"])
def test_hostile_notebook_renders_without_student_script(sanitized, template):
    nb, _ = sanitized
    assert_inert(render(nb, template), render(clean_notebook(), template))


def test_unsanitized_hostile_notebook_is_caught_by_these_checks():
    """The checks above are not vacuous: without sanitizing they fail."""
    hostile = hostile_notebook()
    markdown = nbformat.v4.new_markdown_cell(hostile.cells[0].source)
    outputs = nbformat.v4.new_code_cell(outputs=hostile.cells[6].outputs[:7])  # the schema-valid ones
    for cell in (markdown, outputs):
        nb = clean_notebook()
        nb.cells.append(cell)
        nb = nbformat.reads(nbformat.writes(nb), as_version=4)  # joins multiline strings, as reading a file does
        with pytest.raises(AssertionError):
            assert_inert(render(nb, "lab"), render(clean_notebook(), "lab"))


@pytest.mark.parametrize("template", ["lab", "classic"])
def test_harmless_student_content_survives(sanitized, template):
    nb, _ = sanitized
    soup = BeautifulSoup(render(nb, template), "html.parser")
    text = soup.get_text().replace(WORD_JOINER, "")
    assert "So a < b, x<3 and the" in text
    assert f"${FORMULA}$" in text
    assert any(code.get_text().replace(WORD_JOINER, "") == "x<y" for code in soup.find_all("code"))
    assert soup.find("td", string="harmless-table-cell") is not None
    assert soup.find("strong", string="bold") is not None
    sources = [img.get("src", "") for img in soup.find_all("img")]
    assert sources.count(f"data:image/png;base64,{PNG}") == 2  # the png output and the png attachment
    assert "IntSlider(value=3)" in text  # no widget state: the text fallback shows


def test_notes_say_what_was_removed(sanitized):
    _, notes = sanitized
    text = "\n".join(notes)
    for expected in ["image/svg+xml", "application/javascript", "text/javascript", "application/x-evil",
                     "notebook metadata: removed jupytext, title, widgets", "raw cell shown as plain text",
                     "removed attachment 'evil.svg'", "removed attachment 'bad.png'"]:
        assert expected in text


def test_outputs_are_allowlisted(sanitized):
    nb, _ = sanitized
    outputs = nb.cells[6].outputs
    assert outputs[2].data == {"text/plain": "[output removed by the grader: image/svg+xml]"}
    assert outputs[3].data == {"text/plain": "[output removed by the grader: application/javascript]"}
    assert outputs[7].data == {"text/plain": "[output removed by the grader: image/png]"}  # not base64
    assert outputs[7].metadata == {}
    assert outputs[8].metadata == {"image/png": {"width": 20}}
    assert outputs[11].execution_count == 1 and nb.cells[6].execution_count is None
    assert outputs[13].evalue == "42" and outputs[13].traceback == ["<img src=x onerror=alert(1)>", "7"]
    assert nb.cells[6].metadata == {"tags": ["skip-when-grading"], "jupyter": {"source_hidden": False}}


def test_metadata_is_checked_or_trusted():
    nb = hostile_notebook()
    sanitize_notebook(nb)
    assert nb.metadata == {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                          "language": "python"},
                           "language_info": {"name": "python"}}
    assert "nbgrader" not in nb.cells[2].metadata  # unsafe grade_id
    assert nb.cells[0].metadata.nbgrader["grade_id"] == "think_1"
    assert not nb.cells[4].metadata  # raw_mimetype and format gone

    trusted = {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}}
    nb = hostile_notebook()
    sanitize_notebook(nb, trusted_metadata=trusted)
    assert nb.metadata == trusted


def test_sanitized_notebook_validates(sanitized):
    nb, _ = sanitized
    nbformat.validate(nb)
    nbformat.validate(nbformat.reads(nbformat.writes(nb), as_version=4))


def test_sanitizing_is_idempotent(sanitized):
    nb, _ = sanitized
    again = copy.deepcopy(nb)
    assert sanitize_notebook(again) == []
    assert again == nb


def test_clean_notebooks_keep_their_sources():
    notebooks = [clean_notebook()] + [nbformat.read(p, as_version=4) for p in sorted(REPO.glob("release/*/*.ipynb"))]
    assert len(notebooks) > 1
    for nb in notebooks:
        before = [(c.cell_type, c.source) for c in nb.cells]
        sanitize_notebook(nb)
        assert [(c.cell_type, c.source) for c in nb.cells] == before


@pytest.mark.parametrize("vector", MARKDOWN_VECTORS)
def test_markdown_vectors_are_inert_for_a_commonmark_renderer(vector):
    """JupyterLab renders markdown with a CommonMark parser: no raw HTML, no script link there either."""
    clean = sanitize_markdown(vector)
    assert re.search(r"<[A-Za-z/!?]", clean) is None
    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    md.validateLink = lambda url: True  # let every link through, to see what the destination is
    soup = BeautifulSoup(md.render(clean), "html.parser")
    assert {e.name for e in soup.find_all(True)} <= {"p", "a", "img", "code", "pre", "h1", "table", "thead",
                                                     "tbody", "tr", "th", "td"}
    for element in soup.find_all(["a", "img"]):
        url = element.get("href", element.get("src", ""))
        assert not url_is_dangerous(url.replace("%09", "\t")), url


@pytest.mark.parametrize("text", [
    "Plain prose with a < b, x<3, x <= 4 and 5 > 2.",
    "*emphasis*, **strong**, `code`, ~~strike~~\n\n1. one\n2. two",
    f"$${FORMULA}$$ and $a_1 < b_2$",
    "[a link](https://example.org/x?a=1&b=2) and ![img](data:image/png;base64,AAAA)",
    "The data: spikes, rates and javascripts without colons.",
    "```python\nfor i in range(3):\n    print(i)\n```",
])
def test_ordinary_markdown_is_unchanged(text):
    assert sanitize_markdown(text) == text


def test_cell_ids_are_safe_and_unique(sanitized):
    nb, _ = sanitized
    ids = [cell.id for cell in nb.cells]
    assert ids[:2] == ["answer1", "harmless"] and len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", i) for i in ids)


def test_hostile_markdown_is_sanitized_in_linear_time():
    """Unclosed code spans, maths and fences must not make the scan quadratic (it stalls grading)."""
    texts = ["".join("`" * k + "a<b" for k in range(1, 300)) * 3, ("$" + "<a" * 1100) * 50,
             "\\begin{x} <a" * 5000, "".join(("`" if k % 2 else "~") * (3 + k % 50) + "\n<a\n" for k in range(20000)),
             ("`x $y \\\\[ <a " * 10000), "&#106;" * 30000, ("j" + " " * 5000) * 20]
    start = time.perf_counter()
    for text in texts:
        sanitize_markdown(text)
    assert time.perf_counter() - start < 15


def test_huge_html_output_falls_back_to_text():
    nb = clean_notebook()
    rows = "<tr><td>1</td></tr>" * 20000
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", data={"text/html": f"<table>{rows}</table>",
                                                                         "text/plain": "big table"})]
    start = time.perf_counter()
    notes = sanitize_notebook(nb)
    assert time.perf_counter() - start < 5
    assert nb.cells[1].outputs[0].data == {"text/plain": "big table"}
    assert notes == ["cell 1 output 0: removed text/html"]


def test_maths_keeps_less_than_as_tex():
    assert sanitize_markdown("$a<b$ and $$x</y$$") == r"$a\lt b$ and $$x\lt /y$$"


def test_html_output_keeps_tables_links_and_images():
    html = ('<table border="1"><tr><td colspan="2">v</td></tr></table><a href="https://example.org">e</a>'
            f'<img src="data:image/png;base64,{PNG}" width="10"><img src="data:image/svg+xml;base64,AAAA">')
    assert sanitize_html(html) == (
        '<table><tbody><tr><td colspan="2">v</td></tr></tbody></table><a href="https://example.org">e</a>'
        f'<img src="data:image/png;base64,{PNG}" width="10"><img>')


def test_preprocessor_uses_the_released_metadata(tmp_path):
    release = tmp_path / "release" / "hw1"
    release.mkdir(parents=True)
    released = clean_notebook()
    released.metadata["language_info"] = {"name": "python", "version": "3.11"}
    nbformat.write(released, str(release / "hw1.ipynb"))
    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    resources = {"nbgrader": {"assignment": "hw1", "notebook": "hw1", "student": "s1"}}

    nb, _ = SanitizeStudentContent(config=config).preprocess(hostile_notebook(), resources)
    assert nb.metadata == released.metadata
    nb, _ = SanitizeStudentContent(config=config).preprocess(hostile_notebook(), {})
    assert set(nb.metadata) == {"kernelspec", "language_info"}


def test_feedback_pipeline_sanitizes_before_hiding_tests(tmp_path, monkeypatch):
    monkeypatch.setattr(course.feedback, "run_nbgrader", lambda *args, **kwargs: None)
    # No gradebook here: no written answer waits for a TA.
    monkeypatch.setattr(course.feedback, "_pending_by_student", lambda *args, **kwargs: {})
    fake = SimpleNamespace(work=tmp_path / "work", root=tmp_path, feedback=tmp_path / "feedback",
                           autograded=tmp_path / "autograded", submitted=tmp_path / "submitted")
    course.feedback.generate_feedback(fake, "hw1")
    config = (tmp_path / "work" / "hw1" / "config_feedback.py").read_text()
    order = [config.index(name) for name in ("GetGrades", "course.sanitize.SanitizeStudentContent",
                                             "course.nbgrader_ext.HideHiddenTests")]
    assert order == sorted(order)


MATH_PAYLOADS = [
    r"$\text{<img src=x onerror=alert(1)>}$",
    r"$x$<img src=x onerror=alert(1)>$y$",
    r"$$\href{javascript:alert(1)}{x}$$",
    r"$\style{background:url(javascript:alert(1))}{x}$",
    r'$\class{x" onmouseover="alert(1)}{x}$',
    r"$\mathrm{</math><img src=x onerror=alert(1)>}$",
    r"$\unicode{60}script\unicode{62}alert(1)$",
    r"\(<script>alert(1)</script>\)",
    r"$\text{&lt;img src=x onerror=alert(1)&gt;}$",
    r"$\begin{array}{c}<svg onload=alert(1)>\end{array}$",
]


@pytest.mark.parametrize("sanitize_first", [True, False], ids=["pipeline", "mathml-alone"])
@pytest.mark.parametrize("payload", MATH_PAYLOADS)
def test_student_maths_turned_into_mathml_stays_inert(payload, sanitize_first):
    # The feedback pipeline: sanitize the student's content, then turn the maths into MathML
    # (course.mathml), then nbgrader's feedback template. The MathML step must be safe on its
    # own too: only the formulas are checked here, so the surrounding raw HTML is left out.
    from course.mathml import MATHML_ELEMENTS, MathToMathML

    nb = clean_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(f"My answer: {payload} and $\\vec{{x}}_t$ done.",
                                                  metadata={"nbgrader": {"grade": True, "solution": True,
                                                                         "grade_id": "think", "points": 1,
                                                                         "schema_version": 3}}))
    if sanitize_first:
        sanitize_notebook(nb)
    elif re.search(r"<(?!/?math)[a-z]", re.sub(r"\$[^$]*\$|\\\(.*?\\\)", "", payload)):
        pytest.skip("raw HTML outside the formulas: only the sanitizer handles that")
    nb, _ = MathToMathML().preprocess(nb, {})
    html = render(nb, "feedback")
    clean_html = render(MathToMathML().preprocess(clean_notebook(), {})[0], "feedback")
    soup = BeautifulSoup(html, "html.parser")
    assert scripts(soup) == scripts(BeautifulSoup(clean_html, "html.parser"))
    for tag, attributes in browser_parse(html) + [(e.name, e.attrs) for e in soup.find_all(True)]:
        for name, value in attributes.items():
            assert not name.lower().startswith("on"), (payload, tag, name)
            values = value if isinstance(value, list) else [value]
            assert not (name.lower() in URL_ATTRIBUTES and any(url_is_dangerous(v) for v in values)), (payload, tag)
    for math in soup.find_all("math"):
        assert {e.name for e in math.find_all(True)} <= MATHML_ELEMENTS, payload
    forbidden = FORBIDDEN_TAGS - {"math", "style", "link", "meta"}     # the template's own head has these
    browser_tags = [tag for tag, _ in browser_parse(html)]
    clean_tags = [tag for tag, _ in browser_parse(clean_html)]
    assert {t: browser_tags.count(t) for t in forbidden} == {t: clean_tags.count(t) for t in forbidden}, payload
    assert "<math" in html                                                # the harmless formula is still drawn


@pytest.mark.parametrize("markdown", [
    "see ![beacon](https://tracker.example/b.png?who=ta)",
    "![reference style][1]\n\n[1]: http://tracker.example/b.png",
    "![shortcut]\n\n[shortcut]: https://tracker.example/b.png",
    "![alt text over\ntwo lines](https://tracker.example/b.png)",            # red team, round 2
    "![multi\nline][r]\n\n[r]: https://tracker.example/b.png",
    "![a [b](attachment:x.png) c](https://tracker.example/b.png)",
])
def test_remote_images_in_written_answers_become_links(markdown):
    # an image fetched from the student's server when a TA opens the page would tell them when it is read
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    cleaned = sanitize_markdown(markdown)
    html = markdown2html_mistune(cleaned)
    assert "<img" not in html and "tracker.example" in cleaned


def test_local_images_stay_images_and_remote_html_images_lose_their_source():
    assert sanitize_markdown("![fig](attachment:fig.png)", attachments=("fig.png",)) == "![fig](attachment:fig.png)"
    assert sanitize_markdown("![d](data:image/png;base64,iVBORw0KGgo=)") == "![d](data:image/png;base64,iVBORw0KGgo=)"
    cleaned = sanitize_html('<img src="https://tracker.example/b.png" alt="x"><img src="data:image/png;base64,AAAA">')
    assert "tracker.example" not in cleaned and 'src="data:image/png;base64,AAAA"' in cleaned


@pytest.mark.parametrize("tex", [
    r"$\style{cursor: url(https://tracker.example/c.png), auto}{\hat w}$",     # red team, round 3
    r"$\href{https://tracker.example/}{x}$", r"$$\class{a}{b} \cssId{c}{d} \require{html}$$",
    r"$\bbox[background: url(https://tracker.example/b.png)]{x}$", r"$\unicode[Evil]{x41}$",
    # red team, round 6: fcolorbox pastes its colour into a style string (JupyterLab fetched these)
    r"$\fcolorbox{red; cursor: url(http://127.0.0.1:8765/f.png), auto}{white}{hover me}$",
    r"$\definecolor{evil}{named}{blue; cursor: url(http://127.0.0.1:8765/d.png), pointer}\fcolorbox{evil}{y}{x}$",
    r"$\color{red}x \textcolor{blue}{y} \colorbox{red}{z}$", r"$\enclose{box}[mathcolor=red]{x}$",
    r"$\setOptions[tagformat]{number={x}}$",
])
def test_mathjax_commands_that_set_css_links_or_load_extensions_are_broken(tex):
    from course.sanitize import TEX_COMMANDS, _clean_data

    commands = set(re.findall(r"\\([A-Za-z]+)", tex)) - {"hat", "auto"}
    for cleaned in (sanitize_markdown(tex), _clean_data("text/latex", tex),
                    sanitize_html("<p>" + html.escape(tex) + "</p>")):
        assert not TEX_COMMANDS.search(html.unescape(cleaned)), cleaned
        for command in commands:     # independently of the list: no such command is left for MathJax
            assert "\\" + command not in html.unescape(cleaned), (command, cleaned)
    ordinary = r"$\hat{w} = \arg\max_w \log p(c \mid s, w)$, $\vec{x}_t$, $\stylish$"
    assert sanitize_markdown(ordinary) == ordinary


@pytest.mark.parametrize("text", [
    r"&#36;&#92;style{cursor: url(//tracker.example/c.png), auto}{\hat{w}}&#36;",    # red team, round 4
    r"$\&#115;tyle{cursor: url(//tracker.example/c.png)}{x}$", r"$&bsol;href{//tracker.example}{x}$",
])
def test_mathjax_commands_spelled_with_character_references_are_broken_too(text):
    import html

    from course.sanitize import TEX_COMMANDS

    assert not TEX_COMMANDS.search(html.unescape(sanitize_markdown(text)))


def test_mathjax_commands_in_html_outputs_are_broken():
    # JupyterLab typesets maths in HTML outputs, untrusted ones included
    import html

    from course.sanitize import TEX_COMMANDS

    cleaned = sanitize_html(r"<p>$\style{cursor: url(http://tracker.example/x.png), auto}{R}$ &#92;class{a}{b}</p>")
    assert not TEX_COMMANDS.search(html.unescape(cleaned)) and "<p>" in cleaned


def test_breaking_mathjax_commands_never_decodes_escaped_html():
    # red team, round 5: decoding every character reference to find a command turned escaped
    # "&lt;script&gt;" back into a live script; only letters, digits and backslashes are touched now
    one, two = "&lt;script&gt;fetch(1)&lt;/script&gt;", "&amp;lt;script&amp;gt;fetch(2)&amp;lt;/script&amp;gt;"
    cleaned = sanitize_html("<p>" + one + two + " &amp;#92;style{x} and \\style{y}.</p>")
    assert "<script" not in cleaned and "&lt;script&gt;" in cleaned
    link = sanitize_markdown("[notes](javascript&amp;#58;fetch&amp;#40;1&amp;#41;) and \\style")
    assert "&amp;#58;" in link and link.endswith("\\" + WORD_JOINER + "style")
    twice = sanitize_markdown("&amp;#36;&amp;#92;style{cursor: url(//t.example/c.png)}{w}&amp;#36; \\style")
    assert "&amp;#92;style" in twice            # shows as the text "&#92;style": no command for MathJax


def test_a_huge_markdown_cell_is_cut_before_the_regular_expressions_see_it():
    import time

    from course.sanitize import MAX_MARKDOWN_CHARS, sanitize_cell

    notes = []
    start = time.monotonic()
    cell = sanitize_cell(nbformat.v4.new_markdown_cell("<a " + "\\[" * 1_000_000), notes, "cell 1")
    assert time.monotonic() - start < 20
    assert len(cell.source) < MAX_MARKDOWN_CHARS + 1000 and any("cut" in note for note in notes)


def test_a_notebook_that_takes_too_long_to_sanitize_is_shown_as_plain_text_after_the_budget():
    # red team, round 7: misnested HTML makes the HTML parser quadratic (1.8 s per 19 kB output);
    # a hundred such outputs held the batch's nbgrader thread for five minutes. Slow but not
    # flagged by too_costly_to_parse: many nested tables.
    slow_html = "<table><tr><td>" * 600 + "x" + "</td></tr></table>" * 600
    cells = [nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": slow_html, "text/plain": f"plain {i}"})]) for i in range(20)]
    cells.append(nbformat.v4.new_markdown_cell("An answer with <img src=x onerror=alert(1)> and "
                                               "$\\fcolorbox{red; cursor: url(http://x.example/a.png)}{w}{x}$ ```"))
    nb = nbformat.v4.new_notebook(cells=cells)
    started = time.monotonic()
    notes = sanitize_notebook(nb, seconds=0.5)
    took = time.monotonic() - started
    assert took < 0.5 + 6.0, took          # the budget, plus at most one output started before it ran out
    assert any("plain text" in note for note in notes)
    rich = [o for c in nb.cells[:-1] for o in c.outputs if "text/html" in o.data]
    assert len(rich) < 20 and all("text/plain" in o.data for c in nb.cells[:-1] for o in c.outputs)
    answer = nb.cells[-1].source
    assert answer.startswith("````text\n") and answer.endswith("\n````")       # longer than the ``` inside
    assert "\\fcolorbox" not in answer and "onerror" in answer               # shown, as text
    html = HTMLExporter(template_name="lab").from_notebook_node(nb)[0]
    assert "<img src=x" not in html and "<img src=\"x\"" not in html


def test_the_budget_changes_nothing_for_an_ordinary_notebook():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("Some $x^2$ and <b>bold</b>."),
                                         nbformat.v4.new_code_cell("1", outputs=[nbformat.v4.new_output(
                                             "execute_result", data={"text/html": "<table><tr><td>1</td></tr></table>",
                                                                     "text/plain": "1"}, execution_count=1)])])
    notes = sanitize_notebook(nb)
    assert not any("plain text" in note for note in notes)
    assert "text/html" in nb.cells[1].outputs[0].data and not nb.cells[0].source.startswith("```")


def test_html_that_would_make_the_parser_quadratic_is_shown_as_text_quickly():
    # red team, round 8: 1,100 distinct unclosed <b> and 2,800 <p> in 12 kB cost a minute and 1 GB
    hostile = "<p>" + "".join(f"<b x{i}>" for i in range(1100)) + "<p>x" * 1400 + "<img src=x onerror=alert(1)>"
    started = time.monotonic()
    cleaned = sanitize_html(hostile)
    assert time.monotonic() - started < 1.0
    assert cleaned.startswith("<pre>") and "<img" not in cleaned and "&lt;img" in cleaned
    # ordinary rich output (a pandas table, some bold text and links) is still HTML
    table = "<table>" + "".join(f"<tr><td><b>{i}</b></td><td><a href='https://x.example/{i}'>l</a></td></tr>"
                                for i in range(30)) + "</table>"
    assert sanitize_html(table).startswith("<table>")


def test_a_long_raw_cell_is_cut_and_escaped():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_raw_cell("<x " + "\\(" * 200_000)])
    started = time.monotonic()
    notes = sanitize_notebook(nb)
    assert time.monotonic() - started < 10
    assert any("raw cell" in note and "cut" in note for note in notes)
    assert len(nb.cells[0].source) < 110_000 and "<x" not in nb.cells[0].source
