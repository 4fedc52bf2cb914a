"""The commands speak Russian to a Russian user beyond their help (E2's runs with --lang ru / LANG=ru_RU.UTF-8):
scene names and outcomes of `class`, its poll refusals; reason codes worded as the window words them."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

from classroom_console import cli_reasons, cli_text, cli_text_ru, scenes
from classroom_console.scenes import DEFAULT_NAMES
from classroom_console.scenes_apply import SceneReason
from devices.driver import ID_CONFLICT, Reason


def cli(*args: str, lang: str = "ru") -> subprocess.CompletedProcess[str]:
    """The real command in its own process, in ``lang`` by the locale, discovery kept on this machine."""
    base = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    env = {**base, "LANG": "ru_RU.UTF-8" if lang == "ru" else "en_GB.UTF-8", "CLASSROOM_CONSOLE_SCOPE": "loopback"}
    return subprocess.run([sys.executable, "-m", "classroom_console", *args], capture_output=True, text=True,
                          timeout=120, env=env, check=False)


def test_every_reason_code_has_a_sentence_in_russian() -> None:
    codes = {r.value for r in Reason if r.value} | {
        v for k, v in vars(SceneReason).items() if k.isupper() and isinstance(v, str)} | {ID_CONFLICT}
    assert set(cli_reasons.words_for_codes()) == codes
    english = [*cli_reasons.words_for_codes().values(), *DEFAULT_NAMES, "Something went wrong.",
               *cli_reasons.id_conflict_sentences(),
               *cli_reasons.state_words(), *cli_reasons.state_keys()]
    assert not [e for e in english if e not in cli_text_ru.MESSAGES]


def quiet_room(folder: Path) -> None:
    """This room's Lecture (still the shipped scene) asks only for a recording, and the session's end leaves the
    devices alone: the scene's devices would be whatever simulated rooms others run on this machine's loopback."""
    room = scenes.RoomScenes(turn_off_at_end=False)
    room.scenes[0] = scenes.Scene("Lecture", recording=True, builtin=True)
    scenes.save(folder, f"room:{socket.gethostname()}", room)


def test_class_starts_the_scene_by_its_russian_name_and_words_its_outcome(tmp_path: Path) -> None:
    """`--scene Лекция` was refused in English; the outcome read "recording: шаг recording не удался
    (scene-no-source: no source in the studio and no camera)"."""
    quiet_room(tmp_path)
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
    for expected in ("Часы по аудиториям и неделям", "Занятия по преподавателям", "Занятия по курсам",
                     "Записи: 1, 37 с, 0.00 ГБ", "Устройства", "Неисправности"):
        assert expected in lines, (expected, text)
    assert [line[:2] for line in lines[5:12]] == ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"]
    assert any("Аудитория 101" in line for line in lines) and "room:vm" not in text
    assert any(line.startswith("  (не указан)") and "1 занятие" in line and line.endswith("0.0 ч") for line in lines)
    assert lines[-1].startswith("Участие с планшетов: занятий 0")
    assert not re.search(r"[A-Za-z]{3,}", text.replace("Физика", "")), text  # no English word is left
    csv = cli("--data-dir", str(tmp_path), "usage", "--format", "csv")
    assert csv.stdout.startswith("section,key,detail,value\n") and "room_week_hours,room:vm," in csv.stdout


def test_device_speaks_russian_one_plain_line_per_reason(tmp_path: Path) -> None:
    """A refused input named the inputs in English, a socket error reached the user ("[Errno 111] Connect call
    failed"), the state was a code ("(сейчас warming)"), and `power maybe` asked for a value that was given."""
    from tests.test_cli_status_fast import projector

    with projector() as sim:
        target = f"127.0.0.1:{sim.tcp_port}"
        on = cli("--data-dir", str(tmp_path), "device", target, "power", "on")
        assert on.returncode == 0 and on.stdout.endswith(f"{target}: включение принято (сейчас прогревается)\n"), on
        bad = cli("--data-dir", str(tmp_path), "device", target, "input", "HDMI9")
        maybe = cli("--data-dir", str(tmp_path), "device", target, "power", "maybe")
        status = cli("--data-dir", str(tmp_path), "device", target, "status")
    assert status.returncode == 0 and status.stdout.startswith(f"addr:{target} по адресу {target}\n"), status
    assert "\n  питание: прогревается\n" in status.stdout or "\n  питание: включён\n" in status.stdout, status.stdout
    assert bad.returncode == 1 and bad.stderr.startswith(f"{target}: нет входа 'HDMI9'; у этого устройства есть: ")
    assert maybe.returncode == 1 and maybe.stderr == f"{target}: power: нужно on или off, а не 'maybe'\n"
    with socket.socket() as probe:  # a port nobody listens on: bound, never listening
        probe.bind(("127.0.0.1", 0))
        closed = f"127.0.0.1:{probe.getsockname()[1]}"
        quiet = cli("--data-dir", str(tmp_path), "device", closed, "ptz", "position", "--timeout", "2")
        loud = cli("--data-dir", str(tmp_path), "-v", "device", closed, "ptz", "position", "--timeout", "2")
    plain = f"{closed}: Не удаётся подключиться. Проверьте, что оно включено и находится в этой сети."
    assert quiet.returncode == 1 and quiet.stderr == plain + "\n", quiet.stderr
    assert loud.returncode == 1 and plain + " (" in loud.stderr and "Errno" in loud.stderr  # the detail: asked for


def test_ptz_results_are_worded() -> None:
    from classroom_console.commands import device
    from devices.driver import Command
    from devices.model import DeviceInfo, DeviceKind

    state: dict[str, object] = {"position": {"pan": 0.5, "tilt": -0.2, "zoom": 0.3}}
    camera = DeviceInfo("mac:1", DeviceKind.CAMERA, "Camera 1", "127.0.0.1", 1, "onvif", state=state)
    with cli_text.speaking("ru"):
        assert device._done("mac:1", Command("ptz-goto", (0.5, -0.2, 0.3)), state) == (
            "mac:1: выполнено: навести камеру (теперь поворот +0.50, наклон -0.20, зум 0.30)")
        assert device._done("mac:1", Command("preset-store", 1), state).startswith(
            "mac:1: выполнено: сохранить пресет 1 (")
        assert device._position("mac:1", camera, False) == "поворот +0.500  наклон -0.200  зум 0.300"


def test_discover_speaks_russian(tmp_path: Path) -> None:
    """Its header and state words were English ("online, off, lamp 3190 h"); --json keeps the codes."""
    from tests.test_cli_status_fast import projector

    host = "127.0.93.17"  # the sweep looks at PJLink's own port: an address of this test's own
    with projector(host=host, port=4352):
        sweep = ["--data-dir", str(tmp_path), "discover", "--scope", "loopback", "--timeout", "2", "--sweep", host]
        done = cli(*sweep)
        as_json = cli(*sweep, "--json")
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["ВИД", "ID", "ИМЯ", "АДРЕС", "ПРОТОКОЛ", "КЛАСС", "СОСТОЯНИЕ"], done.stdout
    ours = next((line for line in lines if "127.0.93.17" in line), done.stdout)
    assert ours.startswith("проектор ") and "в сети, выключен" in ours and "лампа " in ours, ours
    assert '"availability": "online"' in as_json.stdout


def test_a_device_that_would_not_turn_off_at_the_end_of_class_is_worded() -> None:
    """class's 'at the end' lines read "127.0.80.32: power off failed: 127.0.80.32 closed the connection
    mid-reply" in a Russian run."""
    from classroom_console.commands.class_ import end_problems
    from classroom_console.room_devices import DeviceCommandError
    from devices.driver import Command

    refused = DeviceCommandError("mac:1", "Проектор 2", Command("power", False), Reason.UNREACHABLE,
                                 "127.0.80.32 closed the connection mid-reply")
    problems = [str(refused), "devices: not all answered within 20 s"]
    with cli_text.speaking("ru"):
        assert end_problems([refused], problems, verbose=False) == [
            "Проектор 2: не удалось выключить. Не удаётся подключиться. Проверьте, что оно включено и находится в "
            "этой сети.", "не все устройства ответили за 20 с: проверьте, что аудитория выключена"]
        assert end_problems([refused], problems, verbose=True)[0].endswith(
            "сети. (127.0.80.32 closed the connection mid-reply)")
