import pytest

from adsbot.sandbox.emulator.entities import command_entities, parse_html, utf16_len
from adsbot.sandbox.emulator.errors import ApiError
from adsbot.sandbox.emulator.render import render_html


def test_html_becomes_text_with_utf16_offsets():
    text, entities = parse_html(
        '😀 <b>ciao <i>bella</i></b> <a href="https://x.it/?a=1&amp;b">x</a>'
    )
    assert text == "😀 ciao bella x"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 10},
        {"type": "italic", "offset": 8, "length": 5},
        {"type": "text_link", "offset": 14, "length": 1, "url": "https://x.it/?a=1&b"},
    ]


def test_character_references_and_a_lone_ampersand():
    assert parse_html("a &lt;b&gt; &amp; &quot; &#33; &#x21; & c")[0] == 'a <b> & " ! ! & c'


def test_pre_with_language_and_spoilers():
    text, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre><span class="tg-spoiler">s</span>'
    )
    assert text == "x = 1s"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "spoiler", "offset": 5, "length": 1},
    ]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("è<br>", 'Unsupported start tag "br" at byte offset 2'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x', "Unclosed start tag at byte offset 0"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ],
)
def test_invalid_html_is_refused_with_telegrams_words(source, reason):
    with pytest.raises(ApiError) as caught:
        parse_html(source)
    assert caught.value.code == 400
    assert caught.value.description == f"Bad Request: can't parse entities: {reason}"


def test_commands_are_found_where_telegram_finds_them():
    assert command_entities("/start ciao /help@adsbot_test_bot e/no") == [
        {"type": "bot_command", "offset": 0, "length": 6},
        {"type": "bot_command", "offset": 12, "length": 21},
    ]


def test_render_round_trips():
    source = "<b>ciao</b> 😀 <i>a&lt;b</i>"
    assert render_html(*parse_html(source)) == source
    assert utf16_len("😀a") == 3
