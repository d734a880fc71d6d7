"""Escaping of user text for Streamlit's Markdown, so names, file names and
cell values show as typed."""

from __future__ import annotations

import re

# Characters that would start emphasis, code, links, images, line breaks,
# maths, headings, tables, strike-through or HTML. "&" is escaped only where
# it starts an entity such as "&lt;", and ":" only before a letter, where it
# starts a colour directive such as ":red[". The "/" of ":material/home:" is
# escaped because a backslash before ":" does not stop Streamlit's icons.
# ">" is left alone, because "\>" shows its backslash inside an autolink,
# and it only matters at the start of a line.
_MARKDOWN_SYNTAX = re.compile(r"[\\`*_\[\]<$|~#:]|&(?=#?\w+;)|(?<=:material)/")
# Emoji shortcodes such as ":smile:", ":+1:" and ":100:". Streamlit replaces
# them after the escapes are resolved, so a backslash does not stop them. An
# invisible word joiner after the first colon does.
_SHORTCODE = re.compile(r":(?:[\w-]*[A-Za-z][\w-]*|\+1|-1|100|1234):")
_WORD_JOINER = "\u2060"
# Starts of GFM autolinks: "http://", "https://", "www." and the "@" of an
# e-mail address, in any letter case. Streamlit links them after the escapes
# are resolved, so a backslash does not stop them and even shows inside the
# link. An invisible word joiner after "https", "www" or "@" does, checked in
# Chromium with streamlit 1.67.
_AUTOLINK_START = re.compile(r"https?(?=://)|www(?=\.)|@", re.IGNORECASE)
_LIST_OR_RULE = re.compile(r"^(\s*)([-+=>])")
_NUMBERED_ITEM = re.compile(r"^(\s*)(\d+)([.)])")


def escape_markdown(text: str) -> str:
    """Escape user text (names, file names, cell values, error messages that
    quote them) for st.markdown, st.caption, alerts and widget labels, so it
    shows as typed and never becomes an image, HTML, a formula or formatting.

    Line breaks become spaces because the callers show one-line text. An "_"
    between two letters or digits stays as it is, because it cannot start
    emphasis there, so "sales_pipeline" is unchanged.
    """
    # NOTE: a URL or e-mail address copied from the page keeps its word
    # joiner, which some programs do not ignore when the text is pasted.
    flat = re.sub(r"\r\n|\r|\n", " ", text)
    flat = _AUTOLINK_START.sub(_break_autolink, flat)
    shortcodes = {match.start() for match in _SHORTCODE.finditer(flat)}
    escaped = _MARKDOWN_SYNTAX.sub(
        lambda match: _escaped(flat, match, shortcodes), flat
    )
    escaped = _LIST_OR_RULE.sub(r"\1\\\2", escaped)
    return _NUMBERED_ITEM.sub(r"\1\2\\\3", escaped)


def _break_autolink(match: re.Match[str]) -> str:
    return match.group(0) + _WORD_JOINER


def _escaped(text: str, match: re.Match[str], shortcodes: set[int]) -> str:
    at, found = match.start(), match.group(0)
    if found == ":" and at in shortcodes:
        return ":" + _WORD_JOINER
    if found == ":" and not text[at + 1 : at + 2].isalpha():
        return found
    inside_word = 0 < at < len(text) - 1 and (
        text[at - 1].isalnum() and text[at + 1].isalnum()
    )
    if found == "_" and inside_word:
        return found
    return "\\" + found
