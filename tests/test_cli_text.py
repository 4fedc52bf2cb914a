"""The command line in the user's language (issue 12 item 26): --lang ru or a Russian locale, correct plurals."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from classroom_console import cli_text, cli_text_ru
from tests.cli_helpers import finish

ROOT = Path(__file__).resolve().parent.parent
# The modules whose words go through cli_text; another command joins by wrapping its strings and listing it here.
TRANSLATED = [ROOT / "classroom_console" / "cli.py", ROOT / "classroom_console" / "usage_export.py",
              ROOT / "classroom_console" / "cli_reasons.py", ROOT / "classroom_console" / "cli_store.py",
              ROOT / "classroom_console" / "media" / "stats.py",
              ROOT / "classroom_console" / "media" / "chapters.py"] + [
    ROOT / "classroom_console" / "commands" / f"{name}.py"
    for name in ("discover", "device", "sim", "record", "stream", "stream_words", "sync", "sync_words", "set_aside",
                 "usage", "argtypes", "class_", "centre", "centre_library", "chapters", "token_option")
]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    return subprocess.run([sys.executable, "-m", "classroom_console", *args], capture_output=True, text=True,
                          timeout=120, env={**base, **(env or {})}, check=False)


def test_lang_ru_translates_a_commands_help() -> None:
    done = cli("--lang", "ru", "discover", "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("использование: classroom-console discover")
    assert "найти устройства аудитории" in done.stdout  # the command's description
    assert "сколько секунд искать (по умолчанию 5)" in done.stdout  # an option's help
    assert "показать эту справку и выйти" in done.stdout  # argparse's own words
    assert "how long to look" not in done.stdout


def test_english_by_default() -> None:
    done = cli("discover", "--help")
    assert done.stdout.startswith("usage: classroom-console discover") and "how long to look" in done.stdout


@pytest.mark.parametrize(("env", "russian"), [
    ({"LANG": "ru_RU.UTF-8"}, True),
    ({"LANG": "en_GB.UTF-8", "LC_MESSAGES": "ru_RU.UTF-8"}, True),
    ({"LANG": "ru_RU.UTF-8", "LC_ALL": "C"}, False),  # LC_ALL outranks LANG, as POSIX has it
    ({"LANG": "de_DE.UTF-8"}, False),  # no German: English
    ({"LANG": "en_GB.UTF-8", "LANGUAGE": "de:ru"}, True),  # gettext's list outranks the locale: its first of ours
    ({"LANG": "C.UTF-8", "LANGUAGE": "ru"}, True),
    ({"LANG": "ru_RU.UTF-8", "LANGUAGE": "en"}, False),
    ({"LC_ALL": "C", "LANGUAGE": "ru"}, False),  # the C locale ignores LANGUAGE, as gettext does
])
def test_the_locale_picks_the_language(env: dict[str, str], russian: bool) -> None:
    done = cli("--help", env=env)
    assert done.returncode == 0
    assert ("Управление умной аудиторией" in done.stdout) is russian


def test_lang_en_overrides_a_russian_locale() -> None:
    assert "Run a smart classroom" in cli("--lang", "en", "--help", env={"LANG": "ru_RU.UTF-8"}).stdout


def test_a_usage_mistake_is_one_russian_line() -> None:
    done = cli("record", "out.mp4", "--crf", "99", env={"LANG": "ru_RU.UTF-8"})
    assert done.returncode == 2
    assert done.stderr == ("classroom-console record: аргумент --crf: 99: нужно от 0 до 51 "
                           "(см. classroom-console record --help)\n")


@pytest.mark.parametrize(("n", "english", "russian"), [
    (1, "1 session", "1 занятие"),
    (2, "2 sessions", "2 занятия"),
    (5, "5 sessions", "5 занятий"),
    (11, "11 sessions", "11 занятий"),
    (21, "21 sessions", "21 занятие"),
    (22, "22 sessions", "22 занятия"),
    (0, "0 sessions", "0 занятий"),
    (112, "112 sessions", "112 занятий"),
])
def test_counts_take_each_languages_plural(n: int, english: str, russian: str) -> None:
    with cli_text.speaking("en"):
        assert cli_text.ntr("{n} session", "{n} sessions", n) == english
    with cli_text.speaking("ru"):
        assert cli_text.ntr("{n} session", "{n} sessions", n) == russian
    assert cli_text.language() == "en"  # restored


def test_usage_report_counts_sessions_in_words(tmp_path: Path) -> None:
    """The report's summary line said "1 sessions"; in Russian it declines."""
    from classroom_console.store import open_store

    store = open_store(tmp_path)
    try:
        store.upsert_room("room:A", "A")
        store.end_session(store.start_session(room_id="room:A", lecturer="Aliya", course="Physics"))
    finally:
        store.close()
    english = cli("--data-dir", str(tmp_path), "usage").stdout
    russian = cli("--lang", "ru", "--data-dir", str(tmp_path), "usage").stdout
    assert "\n1 session, " in english, english
    assert "\n1 занятие, " in russian, russian
    assert "1 аудитория" in russian


def _translated_literals() -> tuple[list[str], list[str]]:
    messages, plurals = [], []
    for path in TRANSLATED:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                if node.func.id == "tr":
                    messages.append(first.value)
                elif node.func.id == "ntr":
                    plurals.append(first.value)
    return messages, plurals


def _fields(text: str) -> list[str]:
    return sorted(re.findall(r"\{[^}]*\}|%\(?\w*\)?[sdrf]|%\(default\)\.\df", text))


def test_every_translated_message_has_its_russian_with_the_same_fields() -> None:
    messages, plurals = _translated_literals()
    assert len(messages) > 100 and plurals
    missing = [m for m in messages if m not in cli_text_ru.MESSAGES]
    assert not missing, f"no Russian in cli_text_ru.MESSAGES for: {missing}"
    assert not [p for p in plurals if p not in cli_text_ru.PLURALS], "a count has no Russian forms"
    for english, russian in cli_text_ru.MESSAGES.items():
        assert _fields(english) == _fields(russian), (english, russian)
    for english, forms in cli_text_ru.PLURALS.items():
        assert len(forms) == 3 and all(_fields(form) == _fields(english) for form in forms), english


def test_every_store_problem_has_its_russian() -> None:
    from classroom_console.cli_store import store_sentences

    assert not [e for e in store_sentences().values() if e not in cli_text_ru.MESSAGES]


def test_every_reason_chapters_can_give_for_a_file_has_its_russian() -> None:
    """`chapters` words media.chapters_detect.NotAVideo by its English text: each one raised there has Russian."""
    source = (ROOT / "classroom_console" / "media" / "chapters_detect.py").read_text(encoding="utf-8")
    raised = [node.args[0].value for node in ast.walk(ast.parse(source))
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "NotAVideo"
              and node.args and isinstance(node.args[0], ast.Constant)]
    assert len(raised) >= 4 and not [r for r in raised if r not in cli_text_ru.MESSAGES]


def test_class_speaks_russian_with_its_plurals(tmp_path: Path) -> None:
    """The class command: help, its lines and its counts in Russian (it printed "tablet(s)" in English only)."""
    from classroom_console.commands.class_ import result_lines

    done = cli("--lang", "ru", "class", "--help")
    assert "занятие с планшетами студентов" in done.stdout
    assert "правильный вариант: опрос становится тестом" in done.stdout
    poll = {"question": "Готовы?", "results": {"Да": 1, "Нет": 0}, "correct": ["Да"]}
    for n, english, russian in ((1, "1 tablet joined", "подключился 1 планшет"),
                                (3, "3 tablets joined", "подключились 3 планшета"),
                                (11, "11 tablets joined", "подключились 11 планшетов"),
                                (21, "21 tablets joined", "подключился 21 планшет")):
        with cli_text.speaking("en"):
            assert result_lines({"seats": n}) == [english]
            assert result_lines({**poll, "seats": n, "responders": 1})[-2:] == [
                f"answered: 1 of {n} {'tablet' if n == 1 else 'tablets'}", "correct: Да"]
        with cli_text.speaking("ru"):
            assert result_lines({"seats": n}) == [russian]
            assert result_lines({**poll, "seats": n, "responders": 1})[-2] == (
                f"ответили: 1 из {n} {'планшета' if n % 10 == 1 and n != 11 else 'планшетов'}")
    done = cli("--lang", "ru", "--data-dir", str(tmp_path), "class", "--host", "127.0.0.1", "--course", "Физика",
               "--title", "Оптика", "--duration", "0.5")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Вход: http://127.0.0.1:") and "код: " in lines[0]
    assert lines[-1] == "подключились 0 планшетов"
    bad = cli("--lang", "ru", "--data-dir", str(tmp_path), "class", "--course", " ", "--title", "T")
    assert bad.returncode == 2 and bad.stderr == "classroom-console class: --course и --title не могут быть пустыми\n"


def start(*args: str) -> subprocess.Popen[str]:
    """As cli(), started now and read with finish(): commands that do not depend on each other run side by side
    (each centre command imports the web service first, a second or two)."""
    base = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    return subprocess.Popen([sys.executable, "-m", "classroom_console", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=base)


def test_centre_speaks_russian(tmp_path: Path) -> None:
    """centre's actions (and the library's) with their help, lines and errors in Russian."""
    data = tmp_path / "centre"
    helps = [start("--lang", "ru", "centre", "--help"), start("--lang", "ru", "centre", "add-room", "--help"),
             start("--lang", "ru", "centre", "serve", "--data", str(data), "--port", "x")]
    done = cli("--lang", "ru", "centre", "add-room", "Аудитория 101", "--data", str(data))
    assert done.returncode == 0, done.stderr
    assert "аудитория 'Аудитория 101' добавлена в центр" in done.stdout
    out = tmp_path / "backup"
    after = [start("--lang", "ru", "centre", *args, "--data", str(data)) for args in (
        ("tokens",), ("recordings",), ("revoke", "нет-такой"), ("backup", str(out)))]
    done, add_help, bad = (finish(proc) for proc in helps)
    assert "служба приёма данных центра" in done.stdout and "показать запись в библиотеке" in done.stdout
    assert "issue a token" not in done.stdout and "the library" not in done.stdout
    assert "папка данных центра" in add_help.stdout
    assert bad.returncode == 2 and "'x' — не номер порта" in bad.stderr
    listed, recordings, gone, done = (finish(proc) for proc in after)
    assert listed.stdout.startswith("имя") and "никогда" in listed.stdout
    assert recordings.stdout == "в центре пока нет записей\n"
    assert gone.returncode == 1 and gone.stderr.startswith(
        "classroom-console centre: нет действующего токена или аудитории 'нет-такой'")
    assert done.returncode == 0, done.stderr
    assert " файлов (" in done.stdout or " файл (" in done.stdout or " файла (" in done.stdout, done.stdout
