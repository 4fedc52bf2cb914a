"""`stream` in a Russian run reads Russian only (E2): an address it cannot use, a server nobody listens on, a server
that closes the connection at once; each second's health and the last lines too. The reason's code (English) only
with --verbose; the JSON lines keep every code for scripts."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from classroom_console import cli_text, cli_text_ru
from classroom_console.commands import stream_words
from classroom_console.media.output import OutputStats
from tests.test_cli_words import cli

KEY = "s3cret"


def english_left(text: str, *allowed: str) -> list[str]:
    """Latin words a Russian reader would meet, the URLs and the allowed words (units, GOP) aside."""
    for word in allowed:
        text = text.replace(word, " ")
    text = re.sub(r"(rtmp|srt|http)://\S+", " ", text)
    return re.findall(r"[A-Za-z]{2,}", text)


@pytest.mark.parametrize(("url", "says"), [
    (f"http://h/live/{KEY}", "http://h/live/**** — не адрес RTMP или SRT: пишите rtmp://ХОСТ[:ПОРТ]/APP/КЛЮЧ"),
    ("rtmp://h:19352/live", "rtmp://h:19352/live: после /live не хватает ключа трансляции"),
    ("rtmp://h:19352/", "rtmp://h:19352: не хватает приложения и ключа трансляции"),
    ("rtmp:///live/x", "rtmp://… — не адрес RTMP или SRT"),
    ("srt://h/x", "srt://h/x: в адресе SRT нужны сервер и порт"),
    ("srt://h:9000?mode=listener&passphrase=s3cret", "srt://h:9000: пульт сам подключается к серверу SRT"),
])
def test_an_address_it_cannot_use_is_refused_in_russian(url: str, says: str) -> None:
    """These were 'not an RTMP URL (rtmp://HOST[:PORT]/APP/KEY)', 'no stream key after /live …' in a Russian run."""
    done = cli("stream", "--to", url, "--duration", "1")
    assert done.returncode == 2 and done.stdout == "", done
    assert done.stderr.startswith(f"classroom-console stream: {says}") and done.stderr.count("\n") == 1, done.stderr
    assert KEY not in done.stderr


def closing_server() -> tuple[socket.socket, threading.Thread]:
    """A server that takes each connection and closes it at once, before any RTMP handshake."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.5)

    def serve() -> None:
        for _ in range(200):  # bounded: at most 100 s, or until the test closes the socket
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread


@pytest.fixture
def closing() -> Iterator[int]:
    listener, thread = closing_server()
    try:
        yield int(listener.getsockname()[1])
    finally:
        listener.close()
        thread.join(5)


def test_a_refused_connection_and_a_closing_server_read_russian(closing: int) -> None:
    """Was: 'reconnecting (connection-refused), next try in 0.8 s  0 kbit/s  sent 0.00 MB  dropped 33',
    'failed (connection-refused), 0 connection(s), …' and '… (connection-refused)' at the end."""
    with socket.socket() as probe:  # bound, never listening: a refused connection
        probe.bind(("127.0.0.1", 0))
        refused = f"rtmp://127.0.0.1:{probe.getsockname()[1]}/live/{KEY}"
        done = cli("stream", "--size", "320x180", "--to", refused, "--to", f"rtmp://127.0.0.1:{closing}/live/{KEY}",
                   "--duration", "2")
        loud = cli("-v", "stream", "--size", "320x180", "--to", refused, "--duration", "1")
    assert done.returncode == 1, done
    assert KEY not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any("переподключение (по этому адресу и порту никто не принимает соединения)" in line for line in lines)
    assert " кбит/с  отправлено " in lines[0], lines
    assert not english_left(done.stdout, "GOP"), done.stdout
    errors = done.stderr.splitlines()
    assert len(errors) == 2, done.stderr
    assert errors[0].endswith("соединение так и не установлено: по этому адресу и порту никто не принимает соединения")
    assert not english_left(done.stderr.replace("classroom-console stream", "")), done.stderr
    assert "[connection-refused]" in loud.stderr  # the code: asked for


def test_every_state_and_reason_has_its_russian() -> None:
    states, reasons, stops = stream_words.worded()
    assert not [e for e in states.values() if f"destination\x04{e}" not in cli_text_ru.MESSAGES]
    assert not [e for e in [*reasons.values(), *stops.values()] if e not in cli_text_ru.MESSAGES]
    with cli_text.speaking("ru"):
        stats = OutputStats("rtmp://h/live/****", "rtmp", "failed", "unheard-of")
        assert stream_words.failure_line(stats).endswith("что-то пошло не так; подробности в журнале")
        assert stream_words.stop_words("duration") == "время вышло"
        hls = OutputStats("HLS", "hls", "ended", extra={"segments": 3, "served_bytes": 0, "clients_last_minute": 2})
        assert stream_words.final_lines(hls) == [
            "HLS: завершено, сегментов: 3, сделано 0.00 МБ, роздано 0.00 МБ, зрителей за последнюю минуту: 2, "
            "потеряно пакетов: 0 (GOP: 0)"]


def test_a_port_taken_or_an_address_this_pc_lacks_is_said_in_russian() -> None:
    """Was: 'не удалось раздавать HLS на 127.0.0.1:P: error while attempting to bind on address … address already in
    use' (the system's English); the same for the tablets of `class`."""
    from classroom_console import cli_reasons

    assert not [s for s in cli_reasons.bind_sentences() if s not in cli_text_ru.MESSAGES]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        hls = cli("stream", "--hls-port", port, "--hls-host", "127.0.0.1", "--duration", "1")
    assert hls.returncode == 1, hls
    assert hls.stderr == f"classroom-console stream: не удалось раздавать HLS на 127.0.0.1:{port}: этот порт занят " \
                         "другой программой\n"
    tablets = cli("class", "--course", "C", "--title", "T", "--host", "192.0.2.1", "--duration", "0.3")
    assert tablets.returncode == 1, tablets
    assert tablets.stderr == "classroom-console class: не удаётся принимать планшеты на 192.0.2.1:0: у этого ПК нет " \
                             "такого адреса\n"


@pytest.mark.parametrize(("args", "says"), [
    (["--source", "nonsense"], "--source 'nonsense' не подходит: пишите test-pattern[:ШxВ], tone, mic[:УСТРОЙСТВО], "
                               "screen[:ЭКРАН] или camera:URL"),
    (["--size", "12"], "--size: пишите так: 1280x720 (чётные, от 16x16 до 7680x4320), а не '12'"),
    (["--layout", "zz"], "--layout: пишите single, pip[:УГОЛ[:МАСШТАБ]] или side-by-side, а не 'zz'"),
    (["--preset", "zz"], "аргумент --preset: недопустимое значение: 'zz'"),
])
def test_a_source_size_layout_or_preset_it_cannot_use_is_refused_in_russian(args: list[str], says: str) -> None:
    """These read "unknown source 'nonsense' (…)", "size must look like 1280x720", "'zz' is not a valid LayoutKind";
    an unknown preset was taken, the encoder failed to open and the stream 'ended' with exit 0."""
    done = cli("stream", "--to", f"rtmp://127.0.0.1:9/live/{KEY}", "--duration", "1", *args)
    assert done.returncode == 2 and done.stdout == "", done
    assert done.stderr.startswith(f"classroom-console stream: {says}") and done.stderr.count("\n") == 1, done.stderr


def test_a_recording_beside_the_stream_is_refused_or_ended_in_russian(tmp_path: Path) -> None:
    """`stream --record FOLDER` started and ended with "the encoder failed: [Errno 21] Is a directory"; a recording
    a full disk stopped said the file's English message."""
    done = cli("stream", "--hls-port", "1", "--hls-host", "127.0.0.1", "--duration", "1", "--record", str(tmp_path))
    assert done.returncode == 2 and done.stderr.startswith(
        f"classroom-console stream: {tmp_path} — папка: укажите имя файла, например "), done
    with cli_text.speaking("ru"):
        assert stream_words.recording_stopped("disk-full", "No space left on device") == (
            "диск заполнен: запись остановлена; записанное сохранено")
        assert stream_words.recording_stopped("error", "boom", verbose=True) == (
            "запись остановилась из-за ошибки; записанное сохранено (boom)")
