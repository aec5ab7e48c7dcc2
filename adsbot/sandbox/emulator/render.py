"""Text with entities rendered back to Telegram HTML (the sandbox page, test assertions)."""

from __future__ import annotations

import html

from adsbot.sandbox.emulator.entities import Entity

_ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_HTML_OPEN = {
    "bold": "<b>",
    "italic": "<i>",
    "underline": "<u>",
    "strikethrough": "<s>",
    "spoiler": "<tg-spoiler>",
    "code": "<code>",
    "pre": "<pre>",
    "blockquote": "<blockquote>",
    "expandable_blockquote": "<blockquote expandable>",
}


def render_html(text: str, entities: list[Entity]) -> str:
    """Render text with entities back to Telegram HTML (for the sandbox page and assertions)."""
    units = text.encode("utf-16-le")
    marks: dict[int, list[str]] = {}
    for entity in sorted(entities, key=lambda e: (e["offset"], -e["length"])):
        kind = entity["type"]
        if kind == "text_link":
            opening = f'<a href="{html.escape(str(entity.get("url", "")))}">'
            closing = "</a>"
        elif kind in _HTML_OPEN:
            opening = _HTML_OPEN[kind]
            closing = "</" + opening[1:].split(" ")[0].rstrip(">") + ">"
        else:
            continue
        marks.setdefault(entity["offset"], []).append(opening)
        marks.setdefault(entity["offset"] + entity["length"], []).insert(0, closing)
    parts: list[str] = []
    count = len(units) // 2
    for unit in range(count + 1):
        parts.extend(marks.get(unit, []))
        if unit < count:
            char = units[unit * 2 : unit * 2 + 2].decode("utf-16-le", "surrogatepass")
            parts.append(_ESCAPES.get(char, char))
    return "".join(parts).encode("utf-16-le", "surrogatepass").decode("utf-16-le")
