"""`sync` and `usage --centre` in a Russian run read Russian (the walk through the command line in Russian): they
said "up to date", "offline: cannot reach the centre at …: Cannot connect to host …", "give --centre URL …",
"saved the centre's address; the token is kept in …" and the centre's refusal of a token in English."""

from __future__ import annotations

import re
from pathlib import Path

from classroom_console.store import AsyncStore
from tests.test_stream_rtmp import free_port
from tests.test_sync_faults import cli
from tests.test_sync_support import add_token, fill_room, running_centre

RU = {"LC_ALL": "ru_RU.UTF-8", "LANG": "ru_RU.UTF-8"}


def latin(text: str) -> list[str]:
    """Latin words a Russian reader meets, the program's name, URLs, paths, options and ids aside."""
    text = re.sub(r"classroom-console( \w+)?|\w+://\S+|/\S+|--[\w-]+|\$?CLASSROOM_CONSOLE_TOKEN|'[^']*'", " ", text)
    text = re.sub(r"\b[0-9a-f]{8}\b", " ", text)  # an item's short id
    return re.findall(r"[A-Za-z]{2,}", text)


async def test_sync_speaks_russian_offline_refused_and_sent(tmp_path: Path) -> None:
    store = await AsyncStore.open(tmp_path / "room")
    try:
        await store.call(lambda s: fill_room(s, tmp_path, sessions=1))
    finally:
        await store.close()
    room = ("--data-dir", str(tmp_path / "room"))

    code, out, err, _ = await cli(*room, "sync", "--once", env=RU)
    assert code == 2 and err.startswith("classroom-console sync: укажите --centre URL и токен аудитории"), err

    away = f"http://127.0.0.1:{free_port()}"
    code, out, err, _ = await cli(*room, "sync", "--once", "--centre", away, "--token", "t", "--save", env=RU)
    assert code == 4, (out, err)
    assert out.splitlines()[0].startswith("адрес центра сохранён; токен хранится "), out
    assert "нет связи: нет связи с центром" in out.splitlines(), out
    assert "classroom-console sync: нет связи с центром; очередь сохраняет всё до следующей попытки" in err, err
    assert not latin(out + err), out + err

    async with running_centre(tmp_path / "centre") as centre:
        code, out, err, _ = await cli(*room, "sync", "--once", "--centre", centre.url, "--token", "wrong", env=RU)
        assert code != 0 and "центр не принял токен этой аудитории; попросите у сотрудников центра" in err, err
        assert not latin(out + err), out + err
        token = await add_token(centre, "Room 101")
        code, out, err, _ = await cli(*room, "sync", "--once", "--centre", centre.url, "--token", token, env=RU)
        assert code == 0, (out, err)
        assert any(line.startswith("отправка 1 из 1: Занятие ") for line in out.splitlines()), out
        assert "всё отправлено" in out.splitlines() and not latin(out), out

    code, out, err, _ = await cli(*room, "usage", "--centre", away, "--token", "t", env=RU)
    assert code == 1, err
    assert err == "classroom-console usage: не удалось получить показатели из центра: нет связи с центром\n"
