"""answerCallbackQuery: once, in time, for a query the bot really received."""

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from tests.emulator.helpers import started_user

TOO_OLD = "^Query is too old and response timeout expired or query id is invalid$"


async def press_yes(emulator, bot):
    user = await started_user(emulator)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Sì", callback_data="yes")]])
    await bot.send_message(user.id, "Confermi?", reply_markup=markup)
    return user, await emulator.driver.press_button(user, label="Sì")


async def test_an_answer_is_recorded_for_the_driver(emulator, emulator_bot):
    user, press = await press_yes(emulator, emulator_bot)
    updates = await emulator_bot.get_updates()
    query = updates[-1].callback_query
    assert (query.id, query.data, query.from_user.id) == (press.id, "yes", user.id)
    assert query.message.text == "Confermi?"
    assert await emulator_bot.answer_callback_query(query.id, text="Fatto", show_alert=True)
    answered = await emulator.driver.wait_for_answer(press.id)
    assert answered.answer["text"] == "Fatto" and answered.answer["show_alert"] is True


async def test_unknown_duplicate_and_late_answers_are_refused(emulator, emulator_bot, fake_clock):
    with pytest.raises(BadRequest, match=TOO_OLD):
        await emulator_bot.answer_callback_query("123")
    _, press = await press_yes(emulator, emulator_bot)
    await emulator_bot.answer_callback_query(press.id)
    with pytest.raises(BadRequest, match=TOO_OLD):
        await emulator_bot.answer_callback_query(press.id)

    _, late = await press_yes(emulator, emulator_bot)
    fake_clock.advance(seconds=16)
    with pytest.raises(BadRequest, match=TOO_OLD):
        await emulator_bot.answer_callback_query(late.id)
    emulator.check_callbacks = False  # the late one stays unanswered on purpose


async def test_unanswered_callbacks_fail_the_check(emulator, emulator_bot):
    await press_yes(emulator, emulator_bot)
    with pytest.raises(AssertionError, match=r"left unanswered"):
        await emulator.driver.assert_callbacks_answered(timeout=0.1)
    emulator.check_callbacks = False


async def test_buttons_can_be_pressed_by_data_or_label_on_a_given_message(emulator, emulator_bot):
    user = await started_user(emulator)
    first = await emulator_bot.send_message(
        user.id,
        "a",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Uno", callback_data="1")]]),
    )
    await emulator_bot.send_message(
        user.id,
        "b",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Uno", callback_data="2")]]),
    )
    assert (await emulator.driver.press_button(user, label="Uno")).data == "2"
    assert (
        await emulator.driver.press_button(user, label="Uno", message_id=first.message_id)
    ).data == "1"
    for query in await emulator.driver.callbacks():
        await emulator_bot.answer_callback_query(query.id)
