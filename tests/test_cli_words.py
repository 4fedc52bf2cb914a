"""The commands speak Russian to a Russian user beyond their help (E2's runs with --lang ru / LANG=ru_RU.UTF-8):
scene names and outcomes of `class`, its poll refusals; reason codes worded as the window words them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from classroom_console import cli_reasons, cli_text, cli_text_ru
from classroom_console.scenes import DEFAULT_NAMES
from classroom_console.scenes_apply import SceneReason
from devices.driver import Reason


def cli(*args: str, lang: str = "ru") -> subprocess.CompletedProcess[str]:
    """The real command in its own process, in ``lang`` by the locale, discovery kept on this machine."""
    base = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    env = {**base, "LANG": "ru_RU.UTF-8" if lang == "ru" else "en_GB.UTF-8", "CLASSROOM_CONSOLE_SCOPE": "loopback"}
    return subprocess.run([sys.executable, "-m", "classroom_console", *args], capture_output=True, text=True,
                          timeout=120, env=env, check=False)


def test_every_reason_code_has_a_sentence_in_russian() -> None:
    codes = {r.value for r in Reason if r.value} | {
        v for k, v in vars(SceneReason).items() if k.isupper() and isinstance(v, str)}
    assert set(cli_reasons.words_for_codes()) == codes
    english = [*cli_reasons.words_for_codes().values(), *DEFAULT_NAMES, "Something went wrong."]
    assert not [e for e in english if e not in cli_text_ru.MESSAGES]


def test_class_starts_the_scene_by_its_russian_name_and_words_its_outcome(tmp_path: Path) -> None:
    """`--scene Лекция` was refused in English; the outcome read "recording: шаг recording не удался
    (scene-no-source: no source in the studio and no camera)"."""
    done = cli("--data-dir", str(tmp_path), "class", "--host", "127.0.0.1", "--course", "Физика", "--title", "Оптика",
               "--scene", "Лекция", "--duration", "0.5")
    assert done.returncode == 0, done.stderr
    assert ("сцена Лекция: Запись: Ошибка. Нечего записывать: добавьте источник в Студии или подключите камеру."
            in done.stdout.splitlines()), done.stdout
    assert "scene-no-source" not in done.stdout and "recording" not in done.stdout
    english = cli("--data-dir", str(tmp_path), "class", "--host", "127.0.0.1", "--course", "C", "--title", "T",
                  "--scene", "лекция", "--duration", "0.5", lang="en")  # the Russian name in an English run too
    assert english.returncode == 0, english.stderr
    assert "scene Lecture: Recording: Failed. Nothing to record" in english.stdout


def test_class_refusals_are_russian(tmp_path: Path) -> None:
    for args, says in (
        (["--scene", "Диско"], "нет сцены 'Диско'; в этой аудитории есть: Лекция, Обсуждение, Работа в группах, "
                               "Только запись"),
        (["--poll", "Q?", "--option", "A"], "--poll: в опросе нужно хотя бы два варианта"),
        (["--poll", "Q?", "--option", "4", "--option", "6", "--correct", " 5 "],
         "--poll: правильного ответа '5' нет среди вариантов"),
        (["--poll", "Q?", *[f"--option={n}" for n in range(13)]], "--poll: в опросе не больше 12 вариантов"),
    ):
        done = cli("--data-dir", str(tmp_path), "class", "--course", "C", "--title", "T", *args)
        assert done.returncode == 2 and done.stderr == f"classroom-console class: {says}\n", (args, done.stderr)


def test_a_lecturers_own_scene_keeps_its_name() -> None:
    with cli_text.speaking("ru"):
        assert cli_reasons.scene_name("Lecture") == "Лекция"
        assert cli_reasons.scene_name("Lecture", builtin=False) == "Lecture"
        assert cli_reasons.reason_text("no-such-code") == "Что-то пошло не так."


def test_usage_reads_in_russian_with_the_rooms_name(tmp_path: Path) -> None:
    """Its header, sections, weekdays, units and "(not given)" were English, and it showed "room:vm" for the room;
    the CSV keeps its column names for scripts."""
    from classroom_console.store import open_store

    store = open_store(tmp_path)
    try:
        store.upsert_room("room:vm", "Аудитория 101")
        store.end_session(store.start_session(room_id="room:vm", lecturer="", course="Физика 1"))
        store.finish_recording(store.add_recording(None, "/nowhere/short.mp4"), duration_s=37.0, size_bytes=10,
                               sha256="2" * 64)
    finally:
        store.close()
    done = cli("--data-dir", str(tmp_path), "usage")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    lines = text.splitlines()
    assert lines[0] == "Использование с начала по сегодня; аудитория: все; преподаватель: все"
    for expected in ("Часы по аудиториям и неделям", "Сеансы по преподавателям", "Сеансы по курсам",
                     "Записи: 1, 37 с, 0.00 ГБ", "Устройства", "Неисправности"):
        assert expected in lines, (expected, text)
    assert [line[:2] for line in lines[5:12]] == ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"]
    assert any("Аудитория 101" in line for line in lines) and "room:vm" not in text
    assert any(line.startswith("  (не указан)") and "1 сеанс" in line and line.endswith("0.0 ч") for line in lines)
    assert lines[-1].startswith("Участие с планшетов: сеансов 0")
    assert not re.search(r"[A-Za-z]{3,}", text.replace("Физика", "")), text  # no English word is left
    csv = cli("--data-dir", str(tmp_path), "usage", "--format", "csv")
    assert csv.stdout.startswith("section,key,detail,value\n") and "room_week_hours,room:vm," in csv.stdout
