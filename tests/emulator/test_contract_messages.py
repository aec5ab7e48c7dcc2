"""sendMessage, sendPhoto, sendDocument, edits and deletion through a real telegram.Bot."""

from datetime import timedelta

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from tests.emulator.helpers import PNG, started_user


def keyboard(data: str = "yes") -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Sì", callback_data=data)]])


async def test_send_message_renders_html_into_entities(emulator, emulator_bot):
    user = await started_user(emulator)
    sent = await emulator_bot.send_message(
        user.id, "<b>Ciao</b> &amp; benvenuto", parse_mode=ParseMode.HTML, reply_markup=keyboard()
    )
    assert sent.text == "Ciao & benvenuto"
    assert sent.entities[0].type == "bold"
    assert sent.reply_markup == keyboard()
    assert sent.from_user.username == "adsbot_test_bot"
    seen = await emulator.driver.last_message(user.id)
    assert seen.html == "<b>Ciao</b> &amp; benvenuto"
    assert seen.button_labels == ["Sì"]


async def test_explicit_entities_are_kept(emulator, emulator_bot):
    user = await started_user(emulator)
    sent = await emulator_bot.send_message(
        user.id, "ciao", entities=[{"type": "italic", "offset": 0, "length": 4}]
    )
    assert sent.entities[0].type == "italic"


async def test_reply_keyboards_are_shown_to_the_user_not_returned(emulator, emulator_bot):
    user = await started_user(emulator)
    sent = await emulator_bot.send_message(
        user.id, "Scegli", reply_markup=ReplyKeyboardMarkup([["Mercato"]])
    )
    assert sent.reply_markup is None
    seen = await emulator.driver.last_message(user.id)
    assert seen.reply_keyboard["keyboard"] == [[{"text": "Mercato"}]]


@pytest.mark.parametrize(
    ("chat", "text", "kwargs", "error"),
    [
        (404, "x", {}, "Chat not found"),
        (None, "", {}, "Message text is empty"),
        (None, "   ", {}, "Message text is empty"),
        (None, "<b></b>", {"parse_mode": "HTML"}, "Message text is empty"),
        (None, "x" * 4097, {}, "Message is too long"),
        (None, "<p>x</p>", {"parse_mode": "HTML"}, "Can't parse entities: unsupported start tag"),
        (None, "x", {"reply_markup": keyboard("x" * 65)}, "Button_data_invalid"),
    ],
)
async def test_send_message_is_refused_like_telegram(
    emulator, emulator_bot, chat, text, kwargs, error
):
    user = await started_user(emulator)
    with pytest.raises(BadRequest, match=error.replace("(", r"\(")):
        await emulator_bot.send_message(chat or user.id, text, **kwargs)


async def test_length_is_counted_after_parsing(emulator, emulator_bot):
    user = await started_user(emulator)
    sent = await emulator_bot.send_message(user.id, f"<b>{'x' * 4096}</b>", parse_mode="HTML")
    assert len(sent.text) == 4096
    await emulator_bot.send_message(user.id, "x", reply_markup=keyboard("é" * 32))  # 64 bytes


async def test_exact_error_descriptions_on_the_wire(emulator):
    user = await started_user(emulator)
    import httpx

    async with httpx.AsyncClient() as client:
        url = f"{emulator.api_url}{emulator.state.default_bot().token}/sendMessage"
        answer = (await client.post(url, data={"chat_id": user.id, "text": ""})).json()
        assert answer == {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: message text is empty",
        }
        markup = '{"inline_keyboard": [[{"text": "a", "callback_data": "' + "x" * 65 + '"}]]}'
        answer = (
            await client.post(url, data={"chat_id": user.id, "text": "a", "reply_markup": markup})
        ).json()
        assert answer["description"] == "Bad Request: BUTTON_DATA_INVALID"


async def test_users_who_never_started_or_blocked_the_bot_are_forbidden(emulator, emulator_bot):
    stranger = await emulator.driver.create_user("Luca")
    with pytest.raises(Forbidden, match=r"bot can't initiate conversation with a user"):
        await emulator_bot.send_message(stranger.id, "ciao")
    user = await started_user(emulator)
    await emulator.driver.block_bot(user)
    with pytest.raises(Forbidden, match=r"bot was blocked by the user"):
        await emulator_bot.send_message(user.id, "ciao")


async def test_photos_and_documents_are_stored_and_downloadable(emulator, emulator_bot):
    user = await started_user(emulator)
    photo = await emulator_bot.send_photo(user.id, PNG, caption="<i>foto</i>", parse_mode="HTML")
    assert photo.caption == "foto"
    assert (photo.photo[-1].width, photo.photo[-1].height) == (1, 1)
    file = await emulator_bot.get_file(photo.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == PNG
    again = await emulator_bot.send_photo(user.id, photo.photo[-1].file_id)
    assert again.photo[-1].file_id == photo.photo[-1].file_id

    doc = await emulator_bot.send_document(user.id, b"a,b\n1,2\n", filename="report.csv")
    assert doc.document.file_name == "report.csv"
    file = await emulator_bot.get_file(doc.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"a,b\n1,2\n"


async def test_media_errors(emulator, emulator_bot):
    user = await started_user(emulator)
    with pytest.raises(BadRequest, match=r"Message caption is too long"):
        await emulator_bot.send_photo(user.id, PNG, caption="x" * 1025)
    with pytest.raises(BadRequest, match=r"Image_process_failed"):
        await emulator_bot.send_photo(user.id, b"not an image")
    with pytest.raises(BadRequest, match=r"Wrong file identifier/http url specified"):
        await emulator_bot.send_photo(user.id, "no-such-file-id")
    with pytest.raises(BadRequest, match=r"Wrong file identifier"):
        await emulator_bot.get_file("no-such-file-id")


async def test_edits_apply_and_keep_history(emulator, emulator_bot):
    user = await started_user(emulator)
    sent = await emulator_bot.send_message(user.id, "uno", reply_markup=keyboard())
    edited = await emulator_bot.edit_message_text(
        "<b>due</b>", user.id, sent.message_id, parse_mode="HTML", reply_markup=keyboard()
    )
    assert edited.text == "due" and edited.edit_date is not None
    bare = await emulator_bot.edit_message_reply_markup(user.id, sent.message_id)
    assert bare.reply_markup is None
    seen = await emulator.driver.last_message(user.id)
    assert (seen.text, seen.buttons, seen.edited) == ("due", [], True)
    assert [old["text"] for old in seen.history] == ["uno", "due"]

    photo = await emulator_bot.send_photo(user.id, PNG, caption="prima")
    changed = await emulator_bot.edit_message_caption(user.id, photo.message_id, caption="dopo")
    assert changed.caption == "dopo"


async def test_edit_errors(emulator, emulator_bot):
    user = await started_user(emulator)
    sent = await emulator_bot.send_message(user.id, "uno", reply_markup=keyboard())
    with pytest.raises(
        BadRequest, match=r"^Message is not modified: specified new message content"
    ):
        await emulator_bot.edit_message_text(
            "uno", user.id, sent.message_id, reply_markup=keyboard()
        )
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await emulator_bot.edit_message_text("x", user.id, 999)
    with pytest.raises(BadRequest, match=r"^Message can't be edited$"):
        await emulator_bot.edit_message_text("x", user.id, 1)  # the user's /start
    with pytest.raises(BadRequest, match=r"^There is no caption in the message to edit$"):
        await emulator_bot.edit_message_caption(user.id, sent.message_id, caption="x")
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await emulator_bot.edit_message_text("x" * 4097, user.id, sent.message_id)
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await emulator_bot.edit_message_text("x", 42, sent.message_id)


async def test_delete_rules(emulator, emulator_bot, fake_clock):
    user = await started_user(emulator)
    sent = await emulator_bot.send_message(user.id, "uno")
    assert await emulator_bot.delete_message(user.id, sent.message_id) is True
    with pytest.raises(BadRequest, match=r"^Message to delete not found$"):
        await emulator_bot.delete_message(user.id, sent.message_id)
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await emulator_bot.edit_message_text("x", user.id, sent.message_id)
    old = await emulator_bot.send_message(user.id, "vecchio")
    fake_clock.advance(timedelta(hours=48, seconds=1))
    with pytest.raises(BadRequest, match=r"^Message can't be deleted for everyone$"):
        await emulator_bot.delete_message(user.id, old.message_id)
    views = await emulator.driver.messages(user.id, include_deleted=True)
    assert [(v.text, v.deleted) for v in views] == [("uno", True), ("vecchio", False)]
