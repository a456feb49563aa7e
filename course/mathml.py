"""Maths in feedback pages as MathML, which browsers draw themselves.

nbgrader's feedback template loads MathJax from a CDN, so offline the maths
of the notebooks reads as raw TeX (``$\\vec{x}_t$``). Here the TeX in
markdown cells is turned into MathML before the page is written, and the
MathJax script is taken out of the page: nothing is loaded from outside.

The MathML comes from ``latex2mathml``, which copies ``\\text{...}`` into
the output as it is; since written answers are student content, every
converted formula is checked against a list of MathML elements and
attributes, and a formula that does not pass stays as escaped TeX.
"""

import html
import re
import time
from html.parser import HTMLParser

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

MATHML_NAMESPACE = "http://www.w3.org/1998/Math/MathML"
MATHML_ELEMENTS = {
    "math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "ms", "msub", "msup", "msubsup", "munder", "mover",
    "munderover", "mfrac", "msqrt", "mroot", "mstyle", "mpadded", "mphantom", "menclose", "mtable", "mtr",
    "mtd", "mlabeledtr", "mfenced", "semantics", "annotation", "merror",
}
MATHML_ATTRIBUTES = {
    "xmlns", "display", "stretchy", "accent", "accentunder", "mathvariant", "fence", "separator", "lspace",
    "rspace", "width", "height", "depth", "minsize", "maxsize", "movablelimits", "form", "linethickness",
    "notation", "displaystyle", "scriptlevel", "columnalign", "rowalign", "columnspacing", "rowspacing",
    "columnlines", "rowlines", "frame", "symmetric", "largeop", "mathsize", "separators", "open", "close",
    "align", "bevelled", "numalign", "denomalign", "class",
}

# Code is never maths: fenced blocks and inline code spans are left alone.
CODE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.S)
# $$...$$, \[...\], \(...\), and $...$ (not \$, not "$5 and $6": no space inside the
# delimiters, no digit right after the closing one).
# A formula cannot contain its own opening delimiter and is at most 5,000 characters long: each
# try then stops at the next delimiter, which keeps the scan linear (red team, round 8: 50,000
# unclosed "\(" took 26 s per cell with ".+?").
MATH = re.compile(
    r"\$\$(?P<display>(?:(?!\$\$).){1,5000}?)\$\$"
    r"|\\\[(?P<display2>(?:(?!\\[\[\]]).){1,5000}?)\\\]"
    r"|\\\((?P<inline2>(?:(?!\\[()]).){1,5000}?)\\\)"
    r"|(?<![\\$])\$(?![\s$])(?P<inline>[^$\n]{1,5000}?)(?<![\s\\])\$(?!\d)",
    re.S,
)
MATHJAX_BLOCK = re.compile(r"(<!-- Loading mathjax macro -->\s*)?<!-- Load mathjax -->.*?"
                           r"<!-- End of mathjax configuration -->", re.S)


class _MathMLChecker(HTMLParser):
    """Accepts only MathML elements and plain attributes; anything else marks the formula unsafe."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.safe = True

    def handle_starttag(self, tag, attrs):
        if tag not in MATHML_ELEMENTS:
            self.safe = False
        for name, value in attrs:
            value = value or ""
            if name not in MATHML_ATTRIBUTES or (name == "xmlns" and value != MATHML_NAMESPACE):
                self.safe = False
            elif name != "xmlns" and not re.fullmatch(r"[\w .%#-]*", value):
                self.safe = False

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag not in MATHML_ELEMENTS:
            self.safe = False

    def handle_comment(self, data):
        self.safe = False

    def handle_decl(self, decl):
        self.safe = False

    def handle_pi(self, data):
        self.safe = False

    def unknown_decl(self, data):
        self.safe = False


def is_safe_mathml(markup):
    """True when ``markup`` holds nothing but MathML elements with plain attribute values."""
    checker = _MathMLChecker()
    checker.feed(markup)
    checker.close()
    return checker.safe


# Macros a formula defines for itself are expanded by latex2mathml without a size limit: twenty
# macros, each two copies of the one before, made 38 MB of MathML from 455 characters (red team,
# round 9). Such a formula stays TeX.
MACRO_DEFINITION = re.compile(r"\\(?:[egx]?def|let|(?:re|provide)?newcommand|(?:re)?newenvironment"
                              r"|DeclareMathOperator)(?![A-Za-z])")


def tex_to_mathml(tex, display=False):
    """MathML for one TeX formula, or None when it cannot be converted safely.

    Parameters
    ----------
    tex : str
        The formula without its delimiters, e.g. ``r"\\vec{x}_t"``.
    display : bool
        A display formula (its own line) instead of an inline one.

    Returns
    -------
    str or None
        A single ``<math>`` element, checked by :func:`is_safe_mathml`.
    """
    from latex2mathml.converter import convert

    if not isinstance(tex, str):
        raise TypeError(f"tex must be a string, got {type(tex).__name__}")
    if MACRO_DEFINITION.search(tex):
        return None
    try:
        markup = convert(tex.strip(), display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds of errors on TeX it does not know
        return None
    markup = markup.replace("\n", "")
    return markup if is_safe_mathml(markup) else None


def render_math(markdown):
    """``markdown`` with every formula outside code replaced by MathML (escaped TeX where that fails)."""
    if not isinstance(markdown, str):
        raise TypeError(f"markdown must be a string, got {type(markdown).__name__}")

    def formula(match):
        display = match.group("display") or match.group("display2")
        tex = display if display is not None else (match.group("inline") or match.group("inline2"))
        mathml = tex_to_mathml(tex, display=display is not None)
        if mathml is None:
            return html.escape(match.group(0))
        return f"\n\n{mathml}\n\n" if display is not None else mathml

    parts = CODE.split(markdown)
    # split() with one capturing group: code segments sit at the odd indices
    return "".join(part if index % 2 else MATH.sub(formula, part) for index, part in enumerate(parts))


def drop_mathjax(page):
    """The HTML ``page`` without nbconvert's MathJax loader (a script from a CDN)."""
    return MATHJAX_BLOCK.sub("", page)


# Seconds of converting maths per notebook; later formulas stay TeX (shown as text in feedback).
MATHML_SECONDS = 10.0


class MathToMathML(Preprocessor):
    """nbconvert preprocessor: the maths of every markdown cell as MathML (for :data:`MATHML_SECONDS`)."""

    enabled = Bool(True, help="Turn the maths of markdown cells into MathML.").tag(config=True)

    def preprocess(self, nb, resources):
        self._deadline = time.monotonic() + MATHML_SECONDS
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        in_time = time.monotonic() < getattr(self, "_deadline", float("inf"))
        if cell.cell_type == "markdown" and isinstance(cell.source, str) and in_time:
            cell.source = render_math(cell.source)
        return cell, resources
