"""English left in the Russian command line (review 2026-12-02, #4, #5, #7, #11): each refusal, line and count a
Russian user met in English, run as the real command under LANG=ru_RU.UTF-8, and its English under C.UTF-8."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from classroom_console.store import Event, open_store
from tests.cli_helpers import finish
from tests.test_sync_support import fill_room

ROOT = Path(__file__).resolve().parent.parent
LANGS = {"ru": "ru_RU.UTF-8", "en": "C.UTF-8"}


def start(*args: str, lang: str = "ru") -> subprocess.Popen[str]:
    """The real command in its own process, in ``lang`` by the locale alone, discovery kept on loopback."""
    base = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    env = {**base, "LANG": LANGS[lang], "PYTHONPATH": str(ROOT), "CLASSROOM_CONSOLE_SCOPE": "loopback",
           "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-m", "classroom_console", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def cli(*args: str, lang: str = "ru") -> subprocess.CompletedProcess[str]:
    return finish(start(*args, lang=lang))


def english_in(text: str) -> list[str]:
    """Runs of three or more English words: a sentence left untranslated (paths, options, and names such as
    'centre backup' or 'manifest.json' are one or two words)."""
    return re.findall(r"[A-Za-z]{2,}(?:[ ,'][A-Za-z]{2,}){2,}", text)


def russian_line(done: subprocess.CompletedProcess[str], prog: str, says: str, code: int) -> None:
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert done.stderr == f"classroom-console {prog}: {says}\n", done.stderr
    assert not english_in(says), says


def test_every_code_the_cli_words_has_its_russian_with_the_same_fields() -> None:
    """The sentences looked up by a code (not a literal tr() call, which tests/test_cli_text.py checks)."""
    from classroom_console import cli_text_ru
    from classroom_console.centre import backup
    from classroom_console.commands import centre_library, device, sync_words

    fields = re.compile(r"\{[^}]*\}")
    english = [*backup.MESSAGES.values(), *centre_library._NAME_PROBLEMS.values(), sync_words.CENTRE_ERROR,
               *sync_words.REASONS.values()]
    missing = [e for e in english if e not in cli_text_ru.MESSAGES]
    assert not missing, missing
    assert not [e for e in english if sorted(fields.findall(e)) != sorted(fields.findall(cli_text_ru.MESSAGES[e]))]
    assert not [w for w in device._FIELDS.values() if f"field\x04{w}" not in cli_text_ru.MESSAGES]
    assert {"role\x04room", "role\x04staff"} <= set(cli_text_ru.MESSAGES)
    assert len(backup.MESSAGES) == 26


def test_backup_and_restore_refusals_are_worded_in_both_languages(tmp_path: Path) -> None:
    """centre/backup.py's 26 refusals reached a Russian user in English: each now has a code, worded by the CLI."""
    data, other = tmp_path / "centre", tmp_path / "other"
    assert cli("centre", "add-room", "A", "--data", str(data)).returncode == 0
    full = tmp_path / "full"
    full.mkdir()
    (full / "x").write_text("x")
    done = cli("centre", "backup", str(tmp_path / "good"), "--data", str(data))
    assert done.returncode == 0, done.stderr
    runs = {lang: [start("centre", "backup", str(full), "--data", str(data), lang=lang),
                   start("centre", "restore", str(tmp_path / "good"), "--data", str(data), lang=lang),
                   start("centre", "restore", str(full), "--data", str(other), lang=lang)] for lang in LANGS}
    into_full, into_centre, not_a_backup = (finish(p) for p in runs["ru"])
    russian_line(into_full, "centre", f"{full} уже существует и это не пустая папка: укажите для резервной копии "
                                      "новую папку", 1)
    russian_line(into_centre, "centre", f"в {data} уже есть центр: восстанавливайте в новую папку данных", 1)
    russian_line(not_a_backup, "centre", f"{full} — не завершённая резервная копия центра (нет manifest.json)", 1)
    into_full, into_centre, not_a_backup = (finish(p) for p in runs["en"])  # the English as it always was
    assert into_full.stderr == (f"classroom-console centre: {full} already exists and is not an empty folder: give a "
                                "new folder for the backup\n")
    assert into_centre.stderr == (f"classroom-console centre: {data} already holds a centre: restore into a new data "
                                  "folder\n")
    assert not_a_backup.stderr == (f"classroom-console centre: {full} is not a finished centre backup (no "
                                   "manifest.json)\n")
    assert not other.exists()


def test_a_bad_name_is_refused_in_russian(tmp_path: Path) -> None:
    """add-room "" said "the name: must not be empty"; an over-long or two-line name likewise."""
    data = tmp_path / "centre"
    assert cli("centre", "add-room", "A", "--data", str(data)).returncode == 0
    cases = (("add-room", "", "имя не может быть пустым", "the name must not be empty"),
             ("add-staff", "x" * 101, "имя длиннее 100 символов", "the name is longer than 100 characters"),
             ("add-room", "a\nb", "имя должно быть одной строкой без управляющих символов",
              "the name must be one line without control characters"),
             ("add-reader", "a\x07b", "имя должно быть одной строкой без управляющих символов",
              "the name must be one line without control characters"))
    runs = [(start("centre", action, name, "--data", str(data)),
             start("centre", action, name, "--data", str(data), lang="en"), ru, en) for action, name, ru, en in cases]
    for ru_run, en_run, ru, en in runs:
        russian_line(finish(ru_run), "centre", ru, 2)
        assert finish(en_run).stderr == f"classroom-console centre: {en}\n"


def test_token_roles_are_worded(tmp_path: Path) -> None:
    """`centre tokens` showed the roles as stored: room, staff."""
    data = tmp_path / "centre"
    assert cli("centre", "add-room", "A101", "--data", str(data)).returncode == 0
    assert cli("centre", "add-staff", "Иванова", "--data", str(data)).returncode == 0
    ru, en = cli("centre", "tokens", "--data", str(data)), cli("centre", "tokens", "--data", str(data), lang="en")
    rows = {line.split()[0]: line.split()[1] for line in ru.stdout.splitlines()[1:3]}
    assert rows == {"A101": "аудитория", "Иванова": "сотрудник"}, ru.stdout
    assert {line.split()[0]: line.split()[1] for line in en.stdout.splitlines()[1:3]} == {
        "A101": "room", "Иванова": "staff"}, en.stdout


def test_sweep_refusals_are_russian() -> None:
    runs = [(spec, start("discover", "--timeout", "1", "--sweep", spec), start(
        "discover", "--timeout", "1", "--sweep", spec, lang="en")) for spec in ("10.0.0.0/8", "300.1.1.1")]
    (_, big, big_en), (_, bad, bad_en) = ((s, finish(r), finish(e)) for s, r, e in runs)
    see = " (см. classroom-console discover --help)"
    russian_line(big, "discover", "аргумент --sweep: 10.0.0.0/8 — диапазон из 16777214 адресов; в одном диапазоне "
                                  "не больше 1024 (для IPv4 — /22): разделите или сузьте его" + see, 2)
    russian_line(bad, "discover", "аргумент --sweep: '300.1.1.1' — не адрес: укажите IP-адрес, IP:ПОРТ или диапазон "
                                  "вида 10.0.5.0/24" + see, 2)
    assert big_en.returncode == 2 and "10.0.0.0/8 is a range of 16777214 addresses; at most 1024 per range" in (
        big_en.stderr)
    assert bad_en.returncode == 2 and "'300.1.1.1' is not an address" in bad_en.stderr


def test_simulated_room_refusals_are_russian() -> None:
    cases = (
        (["--projectors", "99"], "запрошено имитируемых устройств: 100 (планшеты считаются за одно, каждая "
                                 "неисправность — за проектор); в 127.0.80.0/26 помещается не больше 62"),
        (["--faults", "slow,bogus"], "--faults: нет режима неисправности bogus; есть режимы: slow, garbage, drop, "
                                     "silent, wrong_password, one_per_packet"),
        (["--boards", "-1"], "--boards -1: количество не может быть отрицательным"),
        (["--tablets", "501"], "--tablets 501: имитируется не больше 500 планшетов"),
    )
    runs = [(start("sim", "room", "--no-dnssd", *args), says) for args, says in cases]
    english = finish(start("sim", "room", "--no-dnssd", "--faults", "bogus", lang="en"))
    for run, says in runs:
        russian_line(finish(run), "sim", says, 2)
    assert english.returncode == 2 and english.stderr.startswith("classroom-console sim: --faults: no fault mode bogus")


def test_device_status_words_its_fields_and_leaves_out_an_empty_line(tmp_path: Path) -> None:
    """«недоступно: freeze, input, input_resolution, mute» and an empty «неисправности:» line."""
    from tests.test_cli_status_fast import projector

    with projector() as sim:  # in standby: freeze, input, its resolution and mute answer "not now"
        target = f"127.0.0.1:{sim.tcp_port}"
        ru = cli("--data-dir", str(tmp_path), "device", target, "status", "--timeout", "5")
        en = cli("--data-dir", str(tmp_path), "device", target, "status", "--timeout", "5", lang="en")
    assert ru.returncode == 0, ru.stderr
    lines = ru.stdout.splitlines()
    assert "  недоступно: стоп-кадр, вход, разрешение входа, заглушение" in lines, ru.stdout
    assert not [line for line in lines if line.rstrip().endswith(":")], ru.stdout
    labels = [line.split(": ")[0].strip() for line in lines[1:]]  # the values are the device's own words
    assert not [label for label in labels if re.search("[A-Za-z_]", label.replace("PJLink", ""))], labels
    assert en.returncode == 0 and "  unavailable: freeze, input, input resolution, mute" in en.stdout.splitlines()
    assert "  errors:" not in en.stdout


def _damaged_log(folder: Path) -> None:
    """A log whose integrity check gives one row of a hundred lines, as the reviewer's dd made it."""
    store = open_store(folder)
    try:
        for n in range(150):
            sid = store.start_session(lecturer=f"L{n}", course=f"C{n}")
            store.add_events([Event(sid, None, "state", {"n": i, "pad": "x" * 200}) for i in range(10)])
            store.end_session(sid)
    finally:
        store.close()
    with (folder / "console.db").open("r+b") as f:
        f.seek(3 * 4096)
        f.write(os.urandom(20 * 4096))


def test_a_damaged_log_is_one_russian_line_not_sqlites_hundred(tmp_path: Path) -> None:
    """~100 lines of "Page N: btreeInitPage() returns error code 11" came before the Russian line."""
    _damaged_log(tmp_path)
    done = cli("--data-dir", str(tmp_path), "usage")
    assert done.returncode == 0, done.stderr
    told = [line for line in done.stderr.splitlines() if line.startswith("classroom-console usage: ")]
    assert len(told) == 1 and "журнал занятий в" in told[0] and "был повреждён" in told[0], done.stderr
    assert "Page " not in done.stderr and "integrity" not in done.stderr, done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr  # the line alone: salvage's own words are the log's
    [moved] = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    from classroom_console.store._open import CHECK_LINES, first_lines

    rows = ["*** in database main ***\n" + "\n".join(f"Page {n}: btreeInitPage() returns error code 11"
                                                     for n in range(100))]
    shown = first_lines(rows)
    assert shown.count("Page ") == CHECK_LINES and shown.endswith("; and 97 more") and "\n" not in shown
    assert moved.exists()


def test_usage_counts_zanyatiya_as_the_window_does(tmp_path: Path) -> None:
    """«сеансов» under «Занятия по…», where the window says «занятий»."""
    store = open_store(tmp_path)
    try:
        store.upsert_room("room:A", "A")
        for _ in range(5):
            store.end_session(store.start_session(room_id="room:A", lecturer="Алия", course="Физика"))
    finally:
        store.close()
    done = cli("--data-dir", str(tmp_path), "usage")
    assert done.returncode == 0, done.stderr
    assert "сеанс" not in done.stdout, done.stdout
    assert "5 занятий, " in done.stdout and "Участие с планшетов: занятий 0" in done.stdout, done.stdout


class _BrokenCentre(BaseHTTPRequestHandler):
    """A centre that fails every request: 500 with a proxy's HTML page, or 200 with JSON cut short."""

    mode = "500"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body, status, kind = ((b"<html><body>Internal Server Error</body></html>", 500, "text/html")
                              if self.mode == "500" else (b'{"ok": tru', 200, "application/json"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_HEAD = do_PATCH = _answer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@contextmanager
def broken_centre(mode: str) -> Iterator[str]:
    handler = type("Handler", (_BrokenCentre,), {"mode": mode})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="broken-centre")
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(30)


def test_a_centre_error_is_not_called_offline_or_refused(tmp_path: Path) -> None:
    """A 500 during sync read «нет связи: …»; usage against a broken centre said «повторим позже» though it does
    not try again."""
    store = open_store(tmp_path / "room")
    try:
        fill_room(store, tmp_path, sessions=1, events=2)
    finally:
        store.close()
    (tmp_path / "token").write_text("t" * 43)
    token = ["--token-file", str(tmp_path / "token")]
    with broken_centre("500") as url:
        once = cli("--data-dir", str(tmp_path / "room"), "sync", "--once", "--centre", url, *token)
        usage = cli("--data-dir", str(tmp_path / "room"), "usage", "--centre", url, *token)
    with broken_centre("json") as url:
        nonsense = cli("--data-dir", str(tmp_path / "room"), "usage", "--centre", url, *token)
    said = once.stdout + once.stderr
    assert once.returncode != 0 and "в центре произошла ошибка; подробности в журнале центра" in said, said
    assert "нет связи" not in said and "отказался" not in said and "в пульте" not in said, said
    assert usage.returncode == 1 and usage.stderr == ("classroom-console usage: не удалось получить показатели из "
                                                      "центра: в центре произошла ошибка; подробности в журнале "
                                                      "центра\n"), usage.stderr
    assert nonsense.returncode == 1, nonsense.stderr
    assert nonsense.stderr == ("classroom-console usage: не удалось получить показатели из центра: ответ центра не "
                               "имеет смысла\n"), nonsense.stderr


def test_the_centre_configurations_refusals_are_russian(tmp_path: Path) -> None:
    """centre.toml's refusals (a contradicting --database-url, a password in the URL, a bad scheme) were English in a
    Russian run."""
    made = cli("centre", "add-room", "Room 1", "--data", str(tmp_path), )
    assert made.returncode == 0, made.stderr
    runs = {
        "противоречит": ("centre", "tokens", "--data", str(tmp_path), "--database-url",
                         "postgresql://centre@127.0.0.1:1/centre"),
        "не поддерживается": ("centre", "tokens", "--data", str(tmp_path / "new"), "--database-url",
                              "mysql://centre@127.0.0.1/centre"),
        "любой пользователь": ("centre", "tokens", "--data", str(tmp_path / "new"), "--database-url",
                               "postgresql://centre:secret@127.0.0.1/centre"),
    }
    for words, args in runs.items():
        done = cli(*args, )
        assert done.returncode != 0 and words in done.stderr, done.stderr
        assert "contradicts" not in done.stderr and "unsupported" not in done.stderr, done.stderr


def test_a_bound_is_written_as_a_person_writes_it() -> None:
    """--lamp-rated-hours -3 said «нужно от 1 до 1e+06»."""
    done = cli("usage", "--lamp-rated-hours", "-3")
    assert done.returncode == 2 and "от 1 до 1000000" in done.stderr and "e+" not in done.stderr, done.stderr
