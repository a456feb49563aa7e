"""Feedback maths as MathML (course.mathml): drawn by the browser, nothing from a CDN, no student markup."""

import pytest

from course.mathml import drop_mathjax, is_safe_mathml, render_math, tex_to_mathml


def test_inline_and_display_formulas_become_mathml():
    text = render_math("rate $\\lambda_t = \\exp(\\vec{k}^\\top \\vec{x}_t)$ and\n$$\\hat\\beta = (X^\\top X)^{-1} X^\\top y$$")
    assert text.count("<math ") == 2
    assert 'display="inline"' in text and 'display="block"' in text
    assert "&#x003BB;" in text          # lambda
    assert "$" not in text


def test_other_delimiters_are_converted_too():
    assert render_math("\\(a+b\\) and \\[c\\]").count("<math ") == 2


@pytest.mark.parametrize("text", ["costs $5 and $6", "an escaped \\$x$ sign", "`$a$` in code",
                                  "```\nx = '$a$'\n```", "a lone $ sign"])
def test_money_escapes_and_code_stay_as_they_are(text):
    assert render_math(text) == text


@pytest.mark.parametrize("tex", ["\\text{<script>alert(1)</script>}", "\\text{<img src=x onerror=alert(1)>}",
                                 "\\text{<!-- x -->}"])
def test_student_markup_inside_a_formula_is_never_passed_on(tex):
    assert tex_to_mathml(tex) is None
    text = render_math(f"answer: ${tex}$")
    assert "<script" not in text and "<img" not in text and "<!--" not in text
    assert "&lt;" in text               # shown as escaped TeX instead


def test_the_checker_allows_mathml_only():
    assert is_safe_mathml('<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>')
    assert not is_safe_mathml('<math><mi onclick="alert(1)">x</mi></math>')
    assert not is_safe_mathml('<math><a href="javascript:alert(1)">x</a></math>')
    assert not is_safe_mathml('<math xmlns="http://evil.example"><mi>x</mi></math>')
    assert not is_safe_mathml('<math><mstyle mathvariant="x:url(javascript:1)"><mi>x</mi></mstyle></math>')


def test_the_mathjax_loader_is_taken_out_of_a_page():
    page = ("<head><!-- Loading mathjax macro -->\n<!-- Load mathjax -->\n<script src='https://cdn/x.js'></script>"
            "<script>init_mathjax()</script>\n<!-- End of mathjax configuration --><style>p{}</style></head>")
    assert drop_mathjax(page) == "<head><style>p{}</style></head>"


def test_bad_input_is_a_type_error():
    with pytest.raises(TypeError, match="markdown must be a string"):
        render_math(None)
    with pytest.raises(TypeError, match="tex must be a string"):
        tex_to_mathml(3)


def test_unclosed_delimiters_keep_the_maths_scan_linear():
    # red team, round 8: 50,000 unclosed "\(" took 26 s per markdown cell with a lazy ".+?"
    import time

    from course.mathml import render_math

    for text in ("\\(" * 50_000, "\\[" * 50_000, "$$ " * 30_000, "$" * 60_000):
        started = time.monotonic()
        render_math(text)
        assert time.monotonic() - started < 2.0, text[:10]
    assert "<math" in render_math("before \\( x^2 \\) and \\[ y \\] and $z$ and $$w$$ after")


def test_a_formula_that_defines_macros_stays_tex():
    # red team, round 9: each macro two copies of the one before; 20 levels gave 38 MB of MathML
    import time

    from course.mathml import render_math, tex_to_mathml

    names = ["z" + chr(ord("a") + i) for i in range(20)]
    bomb = "\\def\\" + names[0] + "{x}" + "".join(
        f"\\def\\{name}{{{{\\{previous}}}{{\\{previous}}}}}" for previous, name in zip(names, names[1:]))
    bomb += "\\" + names[-1]
    for tex in (bomb, bomb.replace("\\def\\", "\\newcommand\\"), "\\let\\a=x \\a", "\\gdef\\b{y}\\b"):
        started = time.monotonic()
        assert tex_to_mathml(tex) is None
        assert time.monotonic() - started < 0.5
    started = time.monotonic()
    page = render_math("An answer: $" + bomb + "$.")
    assert time.monotonic() - started < 0.5 and len(page) < 2_000 and "<math" not in page
    assert tex_to_mathml("x^2 + \\delta") is not None     # ordinary maths still converts
