"""User names, file names and cell values must reach the screen as text.

Streamlit renders Markdown in st.markdown, st.caption, headings, alerts,
metric help and widget labels, where an uploaded owner name such as
``![x](http://127.0.0.1:9/t.png)`` would load an image and ``$$x$$`` would
become a formula. These tests upload such values and check that every one of
those elements shows them escaped, and that the values themselves sit in
st.dataframe or st.text.
"""

from __future__ import annotations

import hashlib
import re

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import (
    AlertBase,
    Dataframe,
    HeadingBase,
    Markdown,
    Metric,
    Text,
    Widget,
)

from pages.ui.markdown_escape import escape_markdown
from tests.pages.conftest import APP

IMAGE = "![x](http://127.0.0.1:9/t.png)"
HOSTILE = f"<b>Eve</b> {IMAGE} $$x$$"
# Each of these in a Markdown body would become HTML, an image, a formula
# or a link.
RAW_MARKUP = re.compile(r"(?<!\\)<b>|!\[x\]\(|\$\$x\$\$|https?://")
ESCAPED = "\\<b>Eve\\</b> !\\[x\\](http\u2060://127.0.0.1:9/t.png) \\$\\$x\\$\\$"


def _deals_csv(owner: str, close_dates: tuple[str, str] = ("2025-02-01",) * 2) -> bytes:
    rows = [
        "Record ID,Deal Stage,Create Date,Close Date,Amount,Deal owner,"
        "Associated Company",
        f'1,Closed won,2025-01-05,{close_dates[0]},1000,"{owner}","{owner}"',
        f'2,Closed lost,2025-01-06,{close_dates[1]},2000,"{owner}",Acme',
        "3,Closed won,2025-01-07,not a date,500,Anna,Acme",
    ]
    return ("\n".join(rows) + "\n").encode()


def _upload(at: AppTest, name: str, data: bytes) -> str:
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([(name, data, "text/csv")]).run()
    return hashlib.sha256(data).hexdigest()[:16]


def _rendered_as_markdown(at: AppTest) -> list[str]:
    """Return every string the app sends to an element that renders Markdown."""
    texts: list[str] = []
    for node in at._tree:
        if isinstance(node, Markdown | HeadingBase | AlertBase):
            texts.append(node.value)
        if isinstance(node, Metric | Widget):
            texts += [node.proto.label, getattr(node.proto, "help", "")]
        if node.type == "radio":
            texts += list(node.proto.options)
    return texts


def _shown_as_text(at: AppTest) -> list[str]:
    """Return the cells of every st.dataframe and the body of every st.text."""
    texts: list[str] = []
    for node in at._tree:
        if isinstance(node, Dataframe):
            frame = pl.from_pandas(node.value.astype(str))
            texts += [value for column in frame.iter_columns() for value in column]
        elif isinstance(node, Text):
            texts.append(node.value)
    return texts


def _assert_no_raw_markup(at: AppTest) -> None:
    for text in _rendered_as_markdown(at):
        assert not RAW_MARKUP.search(text), text


def test_escape_markdown_hostile_name():
    assert escape_markdown(HOSTILE) == ESCAPED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sales_pipeline", "sales_pipeline"),
        ("_x_ and __init__", r"\_x\_ and \_\_init\_\_"),
        ("a*b*c", r"a\*b\*c"),
        ("`code`", r"\`code\`"),
        ("- item", r"\- item"),
        ("12. item", r"12\. item"),
        ("# title", r"\# title"),
        ("first\n\n# second", r"first  \# second"),
        ("a &lt; b & c", r"a \&lt; b & c"),
        (":red[alarm] a:b", r"\:red\[alarm\] a\:b"),
        (":smile: :+1: :100:", ":\u2060smile: :\u2060+1: :\u2060100:"),
        (":material/home:", r"\:material\/home:"),
        ("> quote > x", r"\> quote > x"),
        ("09:00-17:00, 'Close Date'", "09:00-17:00, 'Close Date'"),
        ("C:\\x", "C:\\\\x"),
        ("see https://example.org", "see https\u2060://example.org"),
        ("HTTP://EXAMPLE.ORG/a_b", "HTTP\u2060://EXAMPLE.ORG/a_b"),
        ("www.example.org", "www\u2060.example.org"),
        ("eve@example.org", "eve@\u2060example.org"),
    ],
    ids=[
        "underscore in word",
        "underscores at edges",
        "asterisks",
        "backticks",
        "list item",
        "numbered item",
        "heading",
        "heading after line break",
        "entity",
        "colour directive",
        "emoji shortcodes",
        "material icon",
        "quote",
        "plain message",
        "backslash",
        "url",
        "upper-case url",
        "www address",
        "email address",
    ],
)
def test_escape_markdown_cases(text, expected):
    assert escape_markdown(text) == expected


@given(st.text(max_size=40))
def test_escape_markdown_leaves_no_markup(text):
    escaped = escape_markdown(text)
    # Dropping every escape and word joiner gives back the text, with line
    # breaks as spaces.
    unescaped = "".join(
        part[1:] if part.startswith("\\") else part for part in _escape_tokens(escaped)
    )
    flat = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ")
    assert unescaped.replace("\u2060", "") == flat.replace("\u2060", "")
    for character in "`*[]<$|~#\\":
        assert _unescaped_count(escaped, character) == 0, (text, escaped)


def _escape_tokens(text: str) -> list[str]:
    tokens, at = [], 0
    while at < len(text):
        size = 2 if text[at] == "\\" and at + 1 < len(text) else 1
        tokens.append(text[at : at + size])
        at += size
    return tokens


def _unescaped_count(text: str, character: str) -> int:
    return sum(token == character for token in _escape_tokens(text))


def test_hostile_upload_data_page_text(fresh_workspace):
    data = _deals_csv(HOSTILE)
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, f"{HOSTILE}.csv", data)
    assert not at.exception
    assert at.subheader[0].value == ESCAPED + ".csv"
    at.text_input(key=f"{key}:name").set_value(HOSTILE).run()
    at.button(key=f"{key}:import").click().run()
    assert not at.exception

    # Line 4's close date "not a date" is read as empty, so its row counts.
    assert at.success[0].value == f"Imported 3 rows as '{ESCAPED}'."
    _assert_no_raw_markup(at)
    shown = _shown_as_text(at)
    # The upload preview and the stored-tables list show the values as typed.
    assert HOSTILE in shown
    assert f"{HOSTILE}.csv" in shown


def test_hostile_bad_value_warning_escaped():
    bad = "![y](http://127.0.0.1:9/bad.png)"
    data = _deals_csv("Anna", close_dates=(bad, "2025-02-01"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    _upload(at, "deals.csv", data)
    assert not at.exception
    warning = next(w.value for w in at.warning if "'Close Date'" in w.value)
    assert "'!\\[y\\](http\u2060://127.0.0.1:9/bad.png)'" in warning
    _assert_no_raw_markup(at)
    assert "![y](" not in warning


def test_hostile_column_label_escaped():
    header = "Closed $$x$$ <b>"
    data = (
        "Record ID,Deal Stage,Create Date,Amount,"
        f'"{header}"\n'
        "1,Closed won,2025-01-05,100,01/02/2025\n"
        "2,Closed won,2025-01-06,100,03/04/2025\n"
    ).encode()
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, "deals.csv", data)
    at.selectbox(key=f"{key}:deals:closed_at").set_value(header).run()
    assert not at.exception
    [radio] = [r for r in at.radio if r.key == f"{key}:order:closed_at"]
    assert (
        radio.label
        == r"Every date in 'Closed \$\$x\$\$ \<b>' fits both orders. Which is it?"
    )
    _assert_no_raw_markup(at)


def test_hostile_owner_sales_page_text():
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, "deals.csv", _deals_csv(HOSTILE))
    at.text_input(key=f"{key}:name").set_value(HOSTILE).run()
    at.button(key=f"{key}:import").click().run()
    at.switch_page("pages/sales.py").run()
    assert not at.exception

    captions = [c.value for c in at.caption]
    assert any(c.startswith(f"Deals from {ESCAPED} (3 rows)") for c in captions)
    _assert_no_raw_markup(at)
    # The owner breakdown lists the owner in a dataframe, as typed.
    assert at.selectbox(key="segment").value == "owner"
    assert HOSTILE in _shown_as_text(at)


def test_traversal_file_name_stays_in_workspace(fresh_workspace):
    name = "../../../outside/evil.csv"
    at = AppTest.from_file(APP, default_timeout=60).run()
    key = _upload(at, name, _deals_csv("Anna"))
    at.button(key=f"{key}:import").click().run()
    assert not at.exception
    assert at.success[0].value == "Imported 3 rows as 'evil'."

    outside = fresh_workspace.parent
    escaped = [
        path
        for path in outside.rglob("*")
        if not path.is_relative_to(fresh_workspace) and path != fresh_workspace
    ]
    assert escaped == []
    tables = sorted(p.suffix for p in (fresh_workspace / "tables").iterdir())
    assert set(tables) == {".parquet"}
    assert f"{name}" in _shown_as_text(at)
