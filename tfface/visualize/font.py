"""Text measuring and fitting with Pillow's built-in default font.

`ImageFont.load_default()` returns Pillow's bundled font (a small FreeType font when
FreeType is available, otherwise the classic bitmap font); both are deterministic and need
no font files on disk.
"""

from __future__ import annotations

from functools import lru_cache

from PIL import ImageFont

Font = ImageFont.ImageFont | ImageFont.FreeTypeFont

ELLIPSIS = "..."

__all__ = ["ELLIPSIS", "Font", "default_font", "line_height", "text_width", "truncate", "wrap"]


@lru_cache(maxsize=1)
def default_font() -> Font:
    """Pillow's built-in default font (cached)."""
    return ImageFont.load_default()


def text_width(text: str, font: Font) -> int:
    """Width in pixels of a single line of `text` drawn at x = 0."""
    if not text:
        return 0
    return int(font.getbbox(text)[2])


def line_height(font: Font) -> int:
    """Vertical distance in pixels between consecutive lines of text."""
    return int(font.getbbox("Ag|jpqy")[3]) + 2


def truncate(text: str, max_width: int, font: Font) -> str:
    """`text` if it fits in `max_width`, otherwise its longest prefix + "..." that fits.

    Returns "" when not even the ellipsis fits.
    """
    if text_width(text, font) <= max_width:
        return text
    return _shorten_with_ellipsis(text[:-1], max_width, font)


def _shorten_with_ellipsis(text: str, max_width: int, font: Font) -> str:
    """Longest prefix of `text` followed by "..." that fits in `max_width`, or ""."""
    for end in range(len(text), -1, -1):
        candidate = text[:end].rstrip() + ELLIPSIS
        if text_width(candidate, font) <= max_width:
            return candidate
    return ""


def _break_word(word: str, max_width: int, font: Font) -> list[str]:
    """Split a word wider than `max_width` into pieces that fit (at least one char each)."""
    pieces: list[str] = []
    current = ""
    for character in word:
        if current and text_width(current + character, font) > max_width:
            pieces.append(current)
            current = character
        else:
            current += character
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, max_width: int, font: Font, max_lines: int) -> list[str]:
    """Greedy word-wrap `text` into at most `max_lines` lines of at most `max_width` pixels.

    Explicit newlines start a new line; words wider than a line are broken by character.
    If the text needs more than `max_lines` lines, the last kept line ends in "...".
    """
    max_lines = max(1, max_lines)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if text_width(candidate, font) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current)
            pieces = _break_word(word, max_width, font)
            lines.extend(pieces[:-1])
            current = pieces[-1]
        lines.append(current)
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    if len(lines) > max_lines:
        last = _shorten_with_ellipsis(lines[max_lines - 1], max_width, font)
        lines = lines[: max_lines - 1] + [last]
    return [truncate(line, max_width, font) for line in lines]
