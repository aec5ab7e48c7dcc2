"""Message text and entities: Telegram's HTML parse mode, UTF-16 offsets and bot command detection.

The HTML parser follows TDLib's rules (the Bot API server is built on it): only a fixed set of tags,
`&lt; &gt; &amp; &quot;` and numeric character references, an unknown `&...` kept as it is, and
errors worded like Telegram's, with byte offsets into the UTF-8 text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from adsbot.sandbox.emulator.errors import ApiError, bad_request

Entity = dict[str, Any]

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")


def utf16_len(text: str) -> int:
    """Length as Telegram counts offsets: in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _fail(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


@dataclass
class _Open:
    tag: str
    begin_pos: int
    offset: int
    attrs: dict[str, str] = field(default_factory=dict)


class _HtmlParser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.i = 0
        self.out: list[str] = []
        self.pos16 = 0
        self.stack: list[_Open] = []
        self.entities: list[Entity] = []

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8"))

    def at(self, index: int) -> str:
        return self.src[index] if index < len(self.src) else ""

    def emit(self, chars: str) -> None:
        self.out.append(chars)
        self.pos16 += utf16_len(chars)

    def parse(self) -> tuple[str, list[Entity]]:
        while self.i < len(self.src):
            ch = self.src[self.i]
            if ch == "&":
                self.emit(self.char_ref())
            elif ch == "<":
                if self.at(self.i + 1) == "/":
                    self.end_tag()
                else:
                    self.start_tag()
            else:
                self.emit(ch)
                self.i += 1
        if self.stack:
            raise _fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"')
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def char_ref(self) -> str:
        match = re.match(r"&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});", self.src[self.i :])
        if match is None:
            self.i += 1
            return "&"
        name = match.group(1)
        if name.startswith("#"):
            code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
            if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
                self.i += match.end()
                return chr(code)
        elif name in _NAMED_REFS:
            self.i += match.end()
            return _NAMED_REFS[name]
        self.i += 1
        return "&"

    def start_tag(self) -> None:
        begin = self.i
        self.i += 1
        name_start = self.i
        while self.at(self.i) not in ("", ">") and not self.at(self.i).isspace():
            self.i += 1
        if self.at(self.i) == "":
            raise _fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        tag = self.src[name_start : self.i].lower()
        if tag not in _SIMPLE_TAGS:
            raise _fail(f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(begin)}')
        attrs = self.attributes(tag, begin)
        self.i += 1  # the closing ">"
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise _fail(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        self.stack.append(_Open(tag, begin, self.pos16, attrs))

    def attributes(self, tag: str, begin: int) -> dict[str, str]:
        attrs: dict[str, str] = {}
        unclosed = _fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        while True:
            while self.at(self.i).isspace():
                self.i += 1
            if self.at(self.i) == "":
                raise unclosed
            if self.at(self.i) == ">":
                return attrs
            name_start = self.i
            while self.at(self.i) not in ("", "=", ">") and not self.at(self.i).isspace():
                self.i += 1
            name = self.src[name_start : self.i].lower()
            while self.at(self.i).isspace():
                self.i += 1
            if self.at(self.i) != "=":
                if name == "expandable":  # <blockquote expandable> has no value
                    attrs[name] = ""
                    continue
                raise _fail(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {self.byte_offset(begin)}'
                )
            self.i += 1
            while self.at(self.i).isspace():
                self.i += 1
            attrs[name] = self.attribute_value(begin)

    def attribute_value(self, begin: int) -> str:
        quote = self.at(self.i)
        if quote == "":
            raise _fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        if quote not in "'\"":
            token_start = self.i
            while self.at(self.i).isalnum() or self.at(self.i) in ".-":
                self.i += 1
            if not (self.at(self.i).isspace() or self.at(self.i) == ">"):
                raise _fail(
                    f"Unexpected end of name token at byte offset {self.byte_offset(token_start)}"
                )
            return self.src[token_start : self.i].lower()
        self.i += 1
        value: list[str] = []
        while self.at(self.i) not in ("", quote):
            if self.at(self.i) == "&":
                value.append(self.char_ref())
            else:
                value.append(self.src[self.i])
                self.i += 1
        if self.at(self.i) == "":
            raise _fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        self.i += 1
        return "".join(value)

    def end_tag(self) -> None:
        begin = self.i
        if not self.stack:
            raise _fail(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        end = self.src.find(">", self.i)
        if end < 0:
            raise _fail(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        name = self.src[self.i + 2 : end].strip().lower()
        opened = self.stack[-1]
        if name and name != opened.tag:
            raise _fail(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{opened.tag}>", found "</{name}>"'
            )
        self.i = end + 1
        self.stack.pop()
        self.close(opened)

    def close(self, opened: _Open) -> None:
        length = self.pos16 - opened.offset
        if length == 0:
            return
        kind = _SIMPLE_TAGS[opened.tag]
        entity: Entity = {"type": kind, "offset": opened.offset, "length": length}
        attrs = opened.attrs
        if kind == "text_link":
            if not attrs.get("href"):
                return
            entity["url"] = attrs["href"]
        elif kind == "custom_emoji":
            entity["custom_emoji_id"] = attrs.get("emoji-id", "0")
        elif kind == "blockquote" and "expandable" in attrs:
            entity["type"] = "expandable_blockquote"
        elif kind == "code" and attrs.get("class", "").startswith("language-"):
            parent = self.stack[-1] if self.stack else None
            if parent is not None and parent.tag == "pre" and parent.offset == opened.offset:
                parent.attrs["language"] = attrs["class"].removeprefix("language-")
                return
        elif kind == "pre" and attrs.get("language"):
            entity["language"] = attrs["language"]
        self.entities.append(entity)


def parse_html(source: str) -> tuple[str, list[Entity]]:
    """Turn HTML parse-mode text into plain text and entities, or raise Telegram's parse error."""
    return _HtmlParser(source).parse()


_ENTITY_KEYS = {"type", "offset", "length", "url", "user", "language", "custom_emoji_id"}


def clean_entities(text: str, entities: list[Any]) -> list[Entity]:
    """Keep explicit entities that fit the text, with only the fields Telegram returns."""
    size = utf16_len(text)
    kept: list[Entity] = []
    for raw in entities:
        if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
            raise bad_request("can't parse entities: entity type is not specified")
        offset, length = raw.get("offset"), raw.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise bad_request("can't parse entities: entity offset or length is invalid")
        if length > 0 and offset >= 0 and offset + length <= size:
            kept.append({key: value for key, value in raw.items() if key in _ENTITY_KEYS})
    kept.sort(key=lambda e: (e["offset"], -e["length"]))
    return kept


def command_entities(text: str) -> list[Entity]:
    """The `bot_command` entities Telegram attaches to what a user types."""
    found: list[Entity] = []
    for match in _COMMAND_RE.finditer(text):
        offset = utf16_len(text[: match.start()])
        found.append({"type": "bot_command", "offset": offset, "length": utf16_len(match[0])})
    return found
