"""Text that a spreadsheet would run as a formula, escaped on the way out and read back
on the way in.

A spreadsheet opening a CSV file runs a cell that begins with `=`, `+`, `-` or `@` (and,
in some, a tab or a carriage return) as a formula: `=HYPERLINK(...)`, or worse. OWASP's
advice for CSV injection is to write such a cell with a leading `'`, which a spreadsheet
shows as text. Our CSV export does so (JSON lines stays the exact export); the workbook
importer takes a `'` before `=`, `+`, `-` or `@` off again, so a value exported, edited
and imported keeps its text.
"""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""What a text cell may begin with that a spreadsheet would run (OWASP)."""

UNESCAPED_PREFIXES = ("=", "+", "-", "@")
"""After a leading `'`, what marks the `'` as our escaping, taken off when read."""


def escape_formula(text: str) -> str:
    """`text`, with a leading `'` if a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def unescape_formula(text: str) -> str:
    """`text` without the leading `'` that `escape_formula` adds before `=`, `+`, `-` or `@`."""
    if text.startswith("'") and text[1:2] in UNESCAPED_PREFIXES and text[1:2]:
        return text[1:]
    return text
