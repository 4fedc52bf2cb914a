"""What did not follow a session's end, and a poll the lecturer cannot ask, in the reader's language (E2): `class`
printed "at the end: recording: …" and "devices: not all answered within 20 s" in a Russian run; the lecturer's
tooltip showed the director's English lines; a poll's refusal was an English sentence matched by its text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import qasync
from pytestqt.qtbot import QtBot

from classroom_console import cli_text, cli_text_ru
from classroom_console.cli_reasons import end_problem_sentences
from classroom_console.commands.class_ import end_problems, poll_problems, poll_words
from classroom_console.room_devices import DeviceCommandError
from classroom_console.session_end import EndCode
from classroom_console.session_end import end_problems as coded
from classroom_console.tablets.activities import Activity, PollProblem, PollRefused, poll_problem
from devices.driver import Command, Reason
from tests.qt_helpers import run, window_on_a_quiet_core
from tests.test_cli_words import cli
from tests.test_ui_plain_tips import shown
from tests.test_ui_tab_names import language  # noqa: F401  # the fixture: each test in English and in Russian

REFUSED = DeviceCommandError("mac:1", "Проектор 2", Command("power", False), Reason.UNREACHABLE,
                             "127.0.80.32 closed the connection mid-reply")
# SessionDirector.end's lines, as classroom_console/scenes_session.py writes them
LINES = [str(REFUSED), "recording: the encoder did not stop: boom", "tablets: [Errno 9] Bad file descriptor",
         "devices: not all answered within 20 s", "something new"]


def latin(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{2,}", text)


def test_each_line_of_the_end_has_its_code() -> None:
    assert [p.code for p in coded([REFUSED], LINES)] == [
        EndCode.DEVICE_REFUSED, EndCode.RECORDING, EndCode.TABLETS, EndCode.DEVICES_TOO_SLOW, EndCode.OTHER]
    assert coded([REFUSED], LINES)[3].seconds == 20 and coded([REFUSED], LINES)[0].refused is REFUSED


def test_class_says_the_end_in_russian_and_the_details_only_with_verbose() -> None:
    assert not [e for e in end_problem_sentences().values() if e not in cli_text_ru.MESSAGES]
    with cli_text.speaking("ru"):
        quiet = end_problems([REFUSED], LINES, verbose=False)
        loud = end_problems([REFUSED], LINES, verbose=True)
    assert quiet == [
        "Проектор 2: не удалось выключить. Не удаётся подключиться. Проверьте, что оно включено и находится в этой "
        "сети.",
        "запись остановилась с ошибкой; подробности в журнале",
        "не всем планшетам удалось сообщить, что занятие окончено",
        "не все устройства ответили за 20 с: проверьте, что аудитория выключена",
        "что-то завершилось с ошибкой; подробности в журнале"]
    assert not latin(" ".join(quiet))
    assert loud[1].endswith("(recording: the encoder did not stop: boom)") and loud[4].endswith("(something new)")


def test_a_poll_refusal_carries_its_code_and_keeps_its_english_text() -> None:
    for args, code in (
        (("", ["A", "B"]), PollProblem.QUESTION_EMPTY), (("Q", ["A"]), PollProblem.TOO_FEW_OPTIONS),
        (("Q", [str(n) for n in range(13)]), PollProblem.TOO_MANY_OPTIONS),
        (("Q", ["A", " "]), PollProblem.OPTION_EMPTY), (("Q", ["A", "A"]), PollProblem.SAME_OPTIONS),
    ):
        with pytest.raises(PollRefused) as refused:
            Activity.make("x", *args)
        assert refused.value.reason == code and isinstance(refused.value, ValueError)
    with pytest.raises(ValueError, match="a single-choice quiz has one correct option") as quiz:
        Activity.make("x", "Q", ["A", "B"], correct=["A", "B"])
    assert quiz.value.reason == PollProblem.ONE_CORRECT_ONLY  # type: ignore[attr-defined]
    unknown = poll_problem("Q", ["4", "6"], correct=[" 5 "])
    assert unknown is not None and (unknown.reason, unknown.value) == (PollProblem.CORRECT_NOT_AN_OPTION, "5")
    assert str(unknown) == "the correct answer '5' is not one of the options"
    assert poll_problem("Q", ["A"], open_text=True) is not None and poll_problem("Q", open_text=True) is None
    assert Activity.make("x", "Q", ["A", "B"], multiple=True, correct=["A", "B"]).correct == frozenset({0, 1})


def test_every_poll_problem_is_worded_in_russian_on_the_command_line() -> None:
    assert set(poll_problems()) == {str(p) for p in PollProblem}
    assert not [e for e in poll_problems().values() if e not in cli_text_ru.MESSAGES]
    with cli_text.speaking("ru"):
        assert poll_words("too-many-options", 12) == "в опросе не больше 12 вариантов"
        assert poll_words("correct-not-an-option", "5") == "правильного ответа '5' нет среди вариантов"
    done = cli("class", "--course", "C", "--title", "T", "--poll", "Q?", "--option", "A", "--option", "B",
               "--correct", "A", "--correct", "B")
    assert done.returncode == 2
    assert done.stderr == "classroom-console class: --poll: в тесте с одним ответом правильный вариант один\n"


def test_the_window_words_poll_problems_and_the_end_in_russian(
    qtbot: QtBot, qloop: qasync.QEventLoop, language: str, tmp_path: Path  # noqa: F811
) -> None:
    """The end-of-session tooltip read "Проектор 2: power off failed: 127.0.80.32 closed the connection mid-reply"
    and "devices: not all answered within 20 s"; the English detail now stands only after "Details:"."""
    from ui.reasons import poll_problem_text

    async def scenario() -> None:
        async with window_on_a_quiet_core(qtbot, tmp_path) as (core, window):
            lecturer = window.lecturer
            core.scenes.refused_at_end = (REFUSED,)
            lecturer._ended(LINES)
            tip = shown(lecturer.elapsed_label.toolTip()).splitlines()
            *worded, details = tip
            assert len(worded) == len(LINES) and "127.0.80.32 closed the connection mid-reply" in details
            if language == "ru":
                assert lecturer.elapsed_label.text() == "Занятие сохранено; некоторые устройства не выключились."
                assert details.startswith("Подробности: ")
                assert not latin(" ".join(worded)), worded
                assert worded[3] == "Не все устройства ответили за 20 с: проверьте, что аудитория выключена."
            lecturer._ended(["recording: the encoder did not stop: boom"])  # no device: not "did not turn off"
            said = {"en": ("The session was saved; not everything ended cleanly.",
                           "The recording did not stop cleanly; the details are in the log."),
                    "ru": ("Занятие сохранено; не всё завершилось без ошибок.",
                           "Запись остановилась с ошибкой; подробности в журнале.")}[language]
            assert (lecturer.elapsed_label.text(), shown(lecturer.elapsed_label.toolTip()).splitlines()[0]) == said
            polls = [poll_problem_text(str(p), 12) for p in PollProblem]
            assert len(set(polls)) == len(polls)
            if language == "ru":
                assert not [p for p in polls if latin(p)], polls

    run(qloop, scenario())
