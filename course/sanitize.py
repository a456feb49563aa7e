"""Neutralise student-controlled HTML and script before a notebook is rendered.

Everything in a submitted notebook is written by the student. TAs look at
autograded notebooks in nbgrader's formgrader, which is served from the
Jupyter server's own origin (a script there acts with the TA's session), and
students and TAs open the feedback HTML of ``nbgrader generate_feedback``.
Both are nbconvert HTML, and nbconvert passes raw HTML in markdown, HTML
outputs, JavaScript outputs and ``javascript:`` links straight through.

:func:`sanitize_notebook` rewrites a notebook so that nothing the student
wrote can become a tag, an event handler or a script URL in the rendered page:

* markdown (cells and ``text/markdown`` outputs): every ``<`` that could open
  a tag, comment or autolink is escaped, so no raw HTML reaches *any*
  markdown renderer; link destinations with a script scheme are broken;
* raw cells: plain text;
* outputs: an allowlist of mimetypes, HTML cleaned by ``bleach``, images
  must be real base64;
* metadata: allowlisted keys with checked types (templates print some of it
  unescaped).

:class:`SanitizeStudentContent` runs it as an nbgrader preprocessor.
"""

import base64
import binascii
import copy
import math
import re
import time
import uuid
from pathlib import Path

import bleach
import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

# WORD JOINER: invisible, yet neither a tag-name nor a URL-scheme character, so
# "<\u2060b>" is text to every HTML parser and "javascript\u2060:" is a relative URL.
WORD_JOINER = "\u2060"

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")
TEXT_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex")
JSON_TYPES = ("application/json", "application/vnd.jupyter.widget-view+json")
# bleach needs seconds per 100 kB of table (more than linear): larger HTML outputs are
# dropped (their text/plain stays) rather than stalling the grader. pandas' default
# display (60 rows, 20 columns) is about 30 kB.
MAX_HTML_CHARS = 100_000
MAX_MARKDOWN_CHARS = 100_000
# Seconds of sanitizing one notebook may take before the rest is shown as plain text. Real notebooks
# need milliseconds; misnested HTML makes the HTML parser quadratic (red team, round 7: 100 outputs
# of '<a><b><i><u><s>' * 1250, 1.8 s each, held the batch's one nbgrader thread for 5 minutes).
SANITIZE_SECONDS = 10.0

SAFE_METADATA_VALUE = re.compile(r"[A-Za-z0-9 ._+/()-]{0,64}")
SAFE_TAG = re.compile(r"[A-Za-z0-9_.:=+-]{1,100}")
MAX_TAGS = 50
SAFE_GRADE_ID = re.compile(r"[A-Za-z0-9_.-]{1,128}")
SAFE_CELL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
SAFE_ATTACHMENT_NAME = re.compile(r"[A-Za-z0-9._~-]+")
DEFAULT_KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
DEFAULT_LANGUAGE_INFO = {"name": "python"}
LANGUAGE_INFO_KEYS = ("name", "version", "mimetype", "file_extension", "pygments_lexer", "nbconvert_exporter")

# ---------------------------------------------------------------- markdown

# A "<" that an HTML parser or a markdown renderer can read as the start of a
# tag, end tag, comment, declaration, processing instruction or autolink.
TAG_START = re.compile(r"<(?=[A-Za-z/!?])")

# Code and maths, found roughly the way nbconvert's markdown parser finds them
# (leftmost first). Getting this wrong only changes how an escaped "<" looks,
# as every replacement below is inert in any context; so spans are bounded in
# length, which keeps the scan linear on hostile input.
FENCE = re.compile(r"[ \t>]*(`{3,}|~{3,})")
INLINE_SEGMENTS = re.compile(r"""
    (?P<code>(?<!`)(?P<ticks>(?>`+)).{1,1000}?(?<!`)(?P=ticks)(?!`))  # code span
  | (?P<math>
        (?<!\\)\$\$.{1,2000}?(?<!\\)\$\$                  # $$ display $$
      | (?<![$\\])\$.{1,2000}?(?<![$\\])\$                 # $ inline $
      | \\\\\[.{0,2000}?\\\\\] | \\\\\(.{0,2000}?\\\\\)   # \\[ \\] and \\( \\)
      | \\begin\{(?P<env>[a-z]{0,20}\*?)\}.{0,2000}?\\end\{(?P=env)\}  # \begin{env} \end{env}
    )
""", re.S | re.X)


def _fenced_blocks(text):
    """(start, end) of every fenced code block, found line by line."""
    blocks, opener, start, pos = [], None, 0, 0
    for line in text.splitlines(keepends=True):
        m = FENCE.match(line)
        if m and opener is None:
            opener, start = m.group(1), pos
        elif m and opener and m.group(1).startswith(opener) and not line[m.end():].strip():
            blocks.append((start, pos + len(line)))
            opener = None
        pos += len(line)
    if opener is not None:
        blocks.append((start, len(text)))
    return blocks


# What browsers and markdown renderers ignore or decode inside a URL scheme:
# whitespace, control characters, backslash escapes and character references.
GAP = r"(?:[\s\x00-\x1f\x7f\\]|&(?:tab|newline);|&#0*(?:9|10|13)(?![0-9]);?|&#x0*[9ad](?![0-9a-f]);?)*"
COLON = r"(?::|&colon;|&#0*58(?![0-9]);?|&#x0*3a(?![0-9a-f]);?)"


def _spelled(word):
    """Regex for ``word`` written with any case and character references between gaps."""
    units = [rf"(?:{ch}|&#0*(?:{ord(ch)}|{ord(ch.upper())})(?![0-9]);?"
             rf"|&#x0*(?:{ord(ch):x}|{ord(ch.upper()):x})(?![0-9a-f]);?)" for ch in word]
    return GAP.join(units)


SCRIPT_SCHEME = re.compile(rf"(?<![a-z0-9])(?:{_spelled('javascript')}|{_spelled('vbscript')})(?={GAP}{COLON})", re.I)
# "data:" is common prose ("the data: ..."): only where a link destination can
# start, i.e. after "(", "<" or a reference definition's ":"; images stay.
DATA_SCHEME = re.compile(
    rf"(?<=[(<:]){GAP}{_spelled('data')}(?={GAP}{COLON}(?!image/(?:png|jpeg|gif);base64,))", re.I)
ATTACHMENT_REF = re.compile(
    rf"(?<![a-z0-9]){_spelled('attachment')}(?P<colon>{GAP}{COLON})(?P<name>[^\s()<>\[\]\"'\\]*)", re.I)


def _escape_tags(text, in_code="&lt;", in_math="&lt;"):
    """Replace every tag-opening ``<``: ``&lt;`` in prose, ``in_code``/``in_math`` elsewhere."""
    def escape(part, replacement):
        return TAG_START.sub(lambda m: replacement, part)

    def escape_inline(part):
        out, pos = [], 0
        for m in INLINE_SEGMENTS.finditer(part):
            out += [escape(part[pos:m.start()], "&lt;"), escape(m.group(), in_code if m.group("code") else in_math)]
            pos = m.end()
        return "".join(out) + escape(part[pos:], "&lt;")

    if not TAG_START.search(text):
        return text
    out, pos = [], 0
    for start, end in _fenced_blocks(text):
        out += [escape_inline(text[pos:start]), escape(text[start:end], in_code)]
        pos = end
    return "".join(out) + escape_inline(text[pos:])


def neutralise_urls(text):
    """Break ``javascript:``, ``vbscript:`` and non-image ``data:`` schemes in ``text``.

    A WORD JOINER goes between the scheme and its colon: invisible in prose,
    and a URL that starts with it has no scheme (a harmless relative link).
    """
    text = SCRIPT_SCHEME.sub(lambda m: m.group() + WORD_JOINER, text)
    return DATA_SCHEME.sub(lambda m: m.group() + WORD_JOINER, text)


IMAGE_START = re.compile(r"!\[")
LOCAL_IMAGE = re.compile(r"!\[[^\[\]\n]*\]\((attachment:[^\s()<>\[\]]+|data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=]*)\)",
                         re.I)


# MathJax commands that set CSS, classes, ids, attributes or links, load extensions or change their
# options: with them, maths in a TA's JupyterLab fetches a URL (``\style{cursor: url(...)}``;
# ``\fcolorbox{red; cursor: url(...)}`` builds its border style from the colour's text, and
# MathJax's safe mode lets ``cursor`` through). Every colour command goes too: a colour is pasted
# into a style. A WORD JOINER after the backslash makes each an unknown control symbol, shown as
# an error instead.
TEX_COMMANDS = re.compile(r"\\(?=(style|class|cssId|href|url|require|data|unicode|mmlToken|bbox|html"
                          r"|color|textcolor|colorbox|fcolorbox|definecolor|enclose|setOptions)(?![A-Za-z]))")


# A character reference for an ASCII letter or digit (never needed), and one for a backslash.
ALNUM_REFERENCE = re.compile(r"&#(?:0*(\d{1,7})|[xX]0*([0-9a-fA-F]{1,6}));?")
BACKSLASH_REFERENCE = re.compile(r"&(?:#0*92|#[xX]0*5[cC]|bsol)(?:;|(?![0-9A-Za-z]))")


def _letter_or_digit(m):
    code = int(m.group(1)) if m.group(1) else int(m.group(2), 16)
    char = chr(code) if code < 0x110000 else ""
    return char if char.isascii() and char.isalnum() else m.group()


def neutralise_tex_commands(text):
    """Break the MathJax commands of :data:`TEX_COMMANDS` in ``text`` (prose and maths alike).

    A renderer decodes character references before MathJax reads the page
    (``&#92;&#115;tyle`` is ``\\style`` to MathJax). Nothing else is decoded
    (that would undo the escaping of ``<`` and ``&``): references for letters
    and digits become the characters, a reference for a backslash becomes a
    backslash and a WORD JOINER, and so does a backslash before a reference.
    """
    text = ALNUM_REFERENCE.sub(_letter_or_digit, text)
    text = BACKSLASH_REFERENCE.sub(lambda m: "\\" + WORD_JOINER, text)
    text = text.replace("\\&", "\\" + WORD_JOINER + "&")
    return TEX_COMMANDS.sub("\\" + WORD_JOINER, text)


def sanitize_markdown(text, attachments=()):
    """Markdown that renders with no raw HTML, no script URL and no missing attachment.

    Parameters
    ----------
    text : str
        Markdown source.
    attachments : collection of str
        Names of the cell's (cleaned) attachments. nbconvert raises on an image
        that names a missing attachment, so other ``attachment:`` references
        are broken.

    Returns
    -------
    str
        The same text if it had nothing to neutralise.
    """
    text = neutralise_tex_commands(neutralise_urls(text))

    def attachment(m):
        name = m.group("name")
        if m.group() == "attachment:" + name and name in attachments and SAFE_ATTACHMENT_NAME.fullmatch(name):
            return m.group()
        return m.group()[:m.start("colon") - m.start()] + WORD_JOINER + m.group()[m.start("colon") - m.start():]

    text = ATTACHMENT_REF.sub(attachment, text)
    # A remote image would be fetched when a TA or the student opens the page (a beacon that
    # tells the student when it is read): "!" + WORD JOINER + "[" makes it a plain link.
    # Only the plainest local image stays one: "![alt](attachment:...)" or a data: image, with no
    # bracket or line break in its alt text; every other "![" (a remote, reference-style or nested
    # image, whatever its alt text spans) loses its image syntax.
    text = IMAGE_START.sub(lambda m: m.group() if LOCAL_IMAGE.match(text, m.start())
                           else "!" + WORD_JOINER + "[", text)
    # in code "<" + WORD JOINER reads as "<" ("&lt;" would show literally);
    # in maths "\lt " is valid TeX
    return _escape_tags(text, in_code="<" + WORD_JOINER, in_math=r"\lt ")


# ------------------------------------------------------------------- HTML

HTML_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "div", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s",
    "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "u", "ul", "var",
}
# only images carried in the notebook: a remote one would be fetched when the page is opened
SAFE_IMAGE_SRC = re.compile(r"data:image/(png|jpeg|gif);base64,[a-z0-9+/=]*$")
# Elements whose text would show as junk once bleach strips the tag (pandas' <style>).
DROP_WITH_CONTENT = re.compile(r"<(script|style|template|title|textarea|noscript|xmp)\b", re.I)


def _drop_with_content(html):
    """``html`` without those elements and their text (cosmetic: bleach is what makes it safe).

    A plain loop rather than one regex: an unclosed tag must not make it quadratic.
    """
    lower, out, pos, unclosed = html.lower(), [], 0, set()
    for m in DROP_WITH_CONTENT.finditer(html):
        tag = m.group(1).lower()
        if m.start() < pos or tag in unclosed:
            continue
        close = lower.find("</" + tag, m.end())
        if close < 0:
            unclosed.add(tag)
            continue
        out.append(html[pos:m.start()])
        pos = lower.find(">", close) + 1 or len(html)
    return "".join(out) + html[pos:]


def _url(value):
    """A URL as a browser compares its scheme: no whitespace or controls, lower case."""
    return re.sub(r"[\x00-\x20\x7f-\xa0\s]+", "", value).lower()


def _allowed_attribute(tag, name, value):
    """bleach attribute filter: no event handlers, no style, only safe URLs."""
    if name in ("title", "alt") or (tag in ("td", "th") and name in ("colspan", "rowspan", "align")):
        return True
    if tag == "img" and name in ("width", "height"):
        return re.fullmatch(r"\d{1,5}%?", value.strip()) is not None
    if tag == "ol" and name == "start":
        return value.strip().isdigit()
    if tag == "a" and name == "href":
        return _url(value).startswith(("http://", "https://", "mailto:", "#"))
    if tag == "img" and name == "src":
        return SAFE_IMAGE_SRC.match(_url(value)) is not None
    return False


def _bleach(html):
    return bleach.clean(html, tags=HTML_TAGS, attributes=_allowed_attribute,
                        protocols={"http", "https", "mailto", "data"}, strip=True, strip_comments=True)


# HTML parsers re-open every unclosed formatting element (<a>, <b>, <i>, ...) after each block and
# text boundary: for K such tags among T tags that is up to K x T elements, quadratic in time and
# memory (red team, round 8: 1,100 distinct <b> and 2,800 <p> in 12 kB took a minute and 1 GB).
FORMATTING_START = re.compile(r"<(?:a|b|big|code|em|font|i|nobr|s|small|strike|strong|tt|u)(?=[\s/>])", re.I)
MAX_FORMATTING_WORK = 20_000


def too_costly_to_parse(html):
    """True if ``html`` could make the HTML parser build far more elements than it has tags."""
    formatting = len(FORMATTING_START.findall(html))
    return formatting * len(TAG_START.findall(html)) > MAX_FORMATTING_WORK


def sanitize_html(html):
    """HTML output reduced to tables, text formatting, safe links and images.

    HTML that would be too costly to parse (:func:`too_costly_to_parse`) is shown as escaped text.
    """
    if too_costly_to_parse(html):
        escaped = html.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return "<pre>" + neutralise_tex_commands(neutralise_urls(escaped)) + "</pre>"
    cleaned = _bleach(_drop_with_content(html))
    if _bleach(cleaned) != cleaned:
        # not a fixed point: a parser differential (mutation XSS) may be at work; show text only
        return "<pre>" + bleach.clean(html, tags=set(), strip=True) + "</pre>"
    # e.g. MathJax's \href{javascript:...} in the text; JupyterLab typesets maths in HTML outputs too
    return neutralise_tex_commands(neutralise_urls(cleaned))


# ---------------------------------------------------------------- outputs

def _text(value):
    """nbformat multiline strings may be lists of lines."""
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return str(value)


def _is_size(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def _base64(value):
    """``value`` without whitespace if it is non-empty, valid base64; else None."""
    compact = re.sub(r"\s+", "", _text(value))
    try:
        base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None
    return compact or None


def _clean_data(mime, value):
    """The cleaned value of one mimebundle entry, or None to drop it."""
    if mime in IMAGE_TYPES:
        return _base64(value)
    if mime in JSON_TYPES:
        return copy.deepcopy(value) if isinstance(value, (dict, list)) or mime == "application/json" else None
    if mime not in TEXT_TYPES:
        return None
    text = _text(value)
    if mime == "text/html":
        return sanitize_html(text) if len(text) <= MAX_HTML_CHARS else None
    if mime == "text/markdown":
        return sanitize_markdown(text)
    if mime == "text/latex":
        return neutralise_tex_commands(neutralise_urls(text))
    return text


def _image_size_metadata(meta):
    """Only numeric width/height survive: templates print them as unquoted attributes."""
    if not isinstance(meta, dict):
        return {}
    sizes = {k: meta[k] for k in ("width", "height") if _is_size(meta.get(k))}
    for mime in IMAGE_TYPES:
        sub = meta.get(mime)
        if isinstance(sub, dict):
            dims = {k: sub[k] for k in ("width", "height") if _is_size(sub.get(k))}
            if dims:
                sizes[mime] = dims
    return sizes


def _count(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class Budget:
    """Time left for sanitizing one notebook (:data:`SANITIZE_SECONDS`)."""

    def __init__(self, seconds=SANITIZE_SECONDS):
        self.deadline = time.monotonic() + seconds
        self.noted = False

    def spent(self, notes):
        """True once the time is up (noted once)."""
        if time.monotonic() < self.deadline:
            return False
        if not self.noted:
            notes.append(f"sanitizing took over {SANITIZE_SECONDS:g} s: the rest of the notebook is shown "
                         "as plain text (markdown cells as code blocks, outputs without HTML, markdown or LaTeX)")
            self.noted = True
        return True


RICH_TEXT_TYPES = ("text/html", "text/markdown", "text/latex")


def as_plain_text(text):
    """Markdown that shows ``text`` literally: a fenced code block (no HTML, links or maths)."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def sanitize_output(output, notes, where, budget=None):
    """A rebuilt, allowlisted copy of one output, or None to drop it.

    With a spent ``budget``, HTML, markdown and LaTeX are left out (text, images stay).
    """
    kind = output.get("output_type")
    if kind == "stream":
        name = output.get("name") if output.get("name") in ("stdout", "stderr") else "stdout"
        return nbformat.v4.new_output("stream", name=name, text=_text(output.get("text", "")))
    if kind == "error":
        traceback = output.get("traceback")
        return nbformat.v4.new_output("error", ename=_text(output.get("ename", "")),
                                      evalue=_text(output.get("evalue", "")),
                                      traceback=[_text(t) for t in traceback] if isinstance(traceback, list) else [])
    if kind not in ("display_data", "execute_result"):
        notes.append(f"{where}: removed an output of type {kind!r}")
        return None
    data, removed = {}, []
    bundle = output.get("data") if isinstance(output.get("data"), dict) else {}
    if budget is not None and budget.spent(notes):
        bundle = {mime: value for mime, value in bundle.items() if mime not in RICH_TEXT_TYPES}
    for mime, value in bundle.items():
        clean = _clean_data(mime, value)
        if clean is None:
            removed.append(mime)
        else:
            if mime in ("text/html", "text/markdown", "text/latex") and clean != _text(value):
                notes.append(f"{where}: cleaned {mime}")
            data[mime] = clean
    if removed:
        notes.append(f"{where}: removed {', '.join(removed)}")
    if not data:
        data = {"text/plain": f"[output removed by the grader: {', '.join(removed) or 'empty'}]"}
    new = nbformat.v4.new_output(kind, data=data, metadata=_image_size_metadata(output.get("metadata")))
    if kind == "execute_result":
        new.execution_count = _count(output.get("execution_count"))
    return new


# --------------------------------------------------------------- metadata

NBGRADER_TYPES = {
    "grade": bool, "solution": bool, "locked": bool, "task": bool, "schema_version": int,
    "points": (int, float), "score": (int, float, type(None)), "grade_id": str, "checksum": str,
    "cell_type": str, "comment": (str, type(None)),
}


def _nbgrader_metadata(meta):
    """nbgrader's cell metadata with checked types; None if the grade_id is unsafe.

    Templates print ``grade_id`` unescaped (feedback table of contents,
    formgrader); the grader restores real cells' metadata from the release.
    """
    if not isinstance(meta, dict):
        return None
    if "grade_id" in meta and not (isinstance(meta["grade_id"], str) and SAFE_GRADE_ID.fullmatch(meta["grade_id"])):
        return None
    clean = {k: v for k, v in meta.items() if k in NBGRADER_TYPES and isinstance(v, NBGRADER_TYPES[k])}
    if clean.get("cell_type") not in (None, "code", "markdown"):
        del clean["cell_type"]
    if "checksum" in clean and not re.fullmatch(r"[0-9a-f]{0,128}", clean["checksum"]):
        del clean["checksum"]
    if clean.get("comment"):
        clean["comment"] = sanitize_markdown(clean["comment"])
    return clean


def sanitize_cell_metadata(meta):
    """Keep ``nbgrader``, ``tags``, ``deletable``, ``editable``, ``collapsed``, ``jupyter``."""
    meta = meta if isinstance(meta, dict) else {}
    clean = {k: meta[k] for k in ("deletable", "editable", "collapsed") if isinstance(meta.get(k), bool)}
    if isinstance(meta.get("jupyter"), dict):
        hidden = {k: v for k, v in meta["jupyter"].items() if k in ("source_hidden", "outputs_hidden")
                  and isinstance(v, bool)}
        if hidden:
            clean["jupyter"] = hidden
    if isinstance(meta.get("tags"), list):
        tags = [t for t in meta["tags"][:MAX_TAGS] if isinstance(t, str) and SAFE_TAG.fullmatch(t)]
        if tags:
            clean["tags"] = tags
    nbgrader = _nbgrader_metadata(meta.get("nbgrader"))
    if nbgrader is not None:
        clean["nbgrader"] = nbgrader
    return clean


def sanitize_notebook_metadata(meta):
    """Only ``kernelspec`` and ``language_info``, with plain string values."""
    meta = meta if isinstance(meta, dict) else {}

    def plain(section, keys, default):
        given = meta.get(section) if isinstance(meta.get(section), dict) else {}
        kept = {k: v for k, v in given.items() if k in keys and isinstance(v, str) and SAFE_METADATA_VALUE.fullmatch(v)}
        return {**default, **kept} if all(kept.get(k, "") for k in default) else dict(default)

    return {"kernelspec": plain("kernelspec", DEFAULT_KERNELSPEC, DEFAULT_KERNELSPEC),
            "language_info": plain("language_info", LANGUAGE_INFO_KEYS, DEFAULT_LANGUAGE_INFO)}


# --------------------------------------------------------------- notebook

def _attachments(cell, notes, where):
    """Only png/jpeg/gif attachments with valid base64."""
    kept = {}
    given = cell.get("attachments") if isinstance(cell.get("attachments"), dict) else {}
    for name, bundle in given.items():
        bundle = bundle if isinstance(bundle, dict) else {}
        images = {mime: _base64(bundle[mime]) for mime in IMAGE_TYPES if mime in bundle}
        images = {mime: value for mime, value in images.items() if value}
        if set(images) != set(bundle):
            notes.append(f"{where}: removed attachment {name!r} ({', '.join(sorted(set(bundle) - set(images)))})")
        if images:
            kept[str(name)] = images
    return kept


def _cut(source, notes, where, kind):
    """``source`` cut to :data:`MAX_MARKDOWN_CHARS`: the regular expressions need not see megabytes."""
    if len(source) <= MAX_MARKDOWN_CHARS:
        return source
    notes.append(f"{where}: a {kind} cell of {len(source)} characters cut to {MAX_MARKDOWN_CHARS}")
    return source[:MAX_MARKDOWN_CHARS] + "\n\n[cut: the rest of this cell was too long to show]"


def sanitize_cell(cell, notes, where, budget=None):
    """A rebuilt, allowlisted copy of one cell, or None to drop it (``budget``: see :class:`Budget`)."""
    kind = cell.get("cell_type")
    source = _text(cell.get("source", ""))
    meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
    if kind == "code":
        new = nbformat.v4.new_code_cell(source, execution_count=_count(cell.get("execution_count")))
        outputs = cell.get("outputs") if isinstance(cell.get("outputs"), list) else []
        for i, output in enumerate(outputs):
            clean = sanitize_output(output if isinstance(output, dict) else {}, notes, f"{where} output {i}",
                                    budget)
            if clean is not None:
                new.outputs.append(clean)
    elif kind == "markdown":
        attachments = _attachments(cell, notes, where)
        source = _cut(source, notes, where, kind)
        if budget is not None and budget.spent(notes):
            # cheap, linear clean-ups only; a code block shows the rest as text (JupyterLab typesets no
            # maths in code blocks, and the MathJax commands that could fetch are broken anyway)
            new = nbformat.v4.new_markdown_cell(as_plain_text(neutralise_tex_commands(neutralise_urls(source))))
        else:
            new = nbformat.v4.new_markdown_cell(sanitize_markdown(source, attachments))
        if attachments:
            new.attachments = attachments
    elif kind == "raw":
        # no raw_mimetype/format metadata: nbconvert shows the cell as text; escaped in case it is HTML
        source = _cut(source, notes, where, kind)
        if budget is not None and budget.spent(notes):
            new = nbformat.v4.new_raw_cell(source.replace("&", "&amp;").replace("<", "&lt;"))
        else:
            new = nbformat.v4.new_raw_cell(_escape_tags(source))
        if "raw_mimetype" in meta or "format" in meta:
            notes.append(f"{where}: raw cell shown as plain text")
    else:
        notes.append(f"{where}: removed a cell of type {kind!r}")
        return None
    if new.source != source:
        notes.append(f"{where}: neutralised HTML or script links in the {kind} source")
    new.metadata = nbformat.from_dict(sanitize_cell_metadata(meta))
    new.pop("id", None)  # sanitize_notebook gives ids back: the student's if safe, else new ones
    return new


def _give_ids(cells, originals):
    """Safe, unique cell ids (templates print them): the student's where possible."""
    seen = set()
    for cell, original in zip(cells, originals):
        cell_id = original.get("id")
        if not (isinstance(cell_id, str) and SAFE_CELL_ID.fullmatch(cell_id)) or cell_id in seen:
            cell_id = uuid.uuid4().hex[:8]
        cell.id = cell_id
        seen.add(cell_id)


def sanitize_notebook(nb, trusted_metadata=None, seconds=SANITIZE_SECONDS):
    """Make a student's notebook safe to render as HTML, in place.

    After this, nbconvert's HTML exporter (lab, classic and nbgrader's
    feedback/formgrade templates) and JupyterLab's markdown renderer produce
    no student-controlled script, event handler, script URL, frame, object,
    form, style or meta element. Prose, maths, code, tables and images stay.
    Running it twice changes nothing more.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A version 4 notebook; modified in place.
    trusted_metadata : dict, optional
        Notebook metadata to use instead of the student's (the released
        notebook's). Without it only a checked ``kernelspec`` and
        ``language_info`` are kept.
    seconds : float
        Time for the whole notebook; what comes after is shown as plain text
        (:class:`Budget`), so that no notebook holds up a batch.

    Returns
    -------
    list of str
        What was removed or neutralised, for the grader's log.
    """
    notes = []
    if trusted_metadata is not None:
        metadata = copy.deepcopy(dict(trusted_metadata))
    else:
        metadata = sanitize_notebook_metadata(nb.get("metadata"))
        dropped = sorted(set(nb.get("metadata", {})) - {"kernelspec", "language_info"})
        if dropped:
            notes.append(f"notebook metadata: removed {', '.join(dropped)}")
        for key in ("kernelspec", "language_info"):
            if key in nb.get("metadata", {}) and nb.metadata[key] != metadata[key]:
                notes.append(f"notebook metadata: {key} reset")
    nb.metadata = nbformat.from_dict(metadata)
    cells, originals = [], []
    budget = Budget(seconds)
    for index, cell in enumerate(nb.get("cells", [])):
        cell = cell if isinstance(cell, dict) else {}
        clean = sanitize_cell(cell, notes, f"cell {index}", budget)
        if clean is not None:
            cells.append(clean)
            originals.append(cell)
    if nb.get("nbformat_minor", 0) >= 5 or any("id" in c for c in originals):
        _give_ids(cells, originals)  # nbformat 4.5 wants an id on every cell
        nb.nbformat_minor = max(nb.get("nbformat_minor", 5), 5)
    nb.cells = cells
    return notes


# ----------------------------------------------------------- preprocessor

class SanitizeStudentContent(NbGraderPreprocessor):
    """nbgrader preprocessor: :func:`sanitize_notebook` on every notebook.

    Uses the released notebook's metadata as trusted metadata when the
    course directory and ``resources['nbgrader']`` say where it is.
    """

    def released_metadata(self, resources):
        """The released notebook's metadata, or None if it cannot be found."""
        try:
            from nbgrader.coursedir import CourseDirectory

            info = resources["nbgrader"]
            coursedir = CourseDirectory(config=self.config)
            folder = coursedir.format_path(coursedir.release_directory, ".", info["assignment"])
            path = Path(folder) / f"{info['notebook']}.ipynb"
            return dict(nbformat.read(str(path), as_version=4).metadata)
        except Exception:  # no course directory, no release, unreadable: check the student's metadata instead
            return None

    def preprocess(self, nb, resources):
        notes = sanitize_notebook(nb, self.released_metadata(resources))
        label = "/".join(str(resources.get("nbgrader", {}).get(k, "?")) for k in ("student", "notebook"))
        for note in notes:
            # info, not warning: pandas' HTML tables alone are "cleaned" in most notebooks
            self.log.info("sanitized %s: %s", label, note)
        return nb, resources
