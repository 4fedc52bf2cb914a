"""``classroom-console class`` from a terminal: the join URL and code first, a poll that simulated tablets
answer over WebSocket, the results last, and the session in the store like any other."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from classroom_console.cli import main
from classroom_console.store import open_store
from classroom_console.tablets.sim import SimTablet, client_for

BOUND_S = 60.0


async def run_class(tmp_path: Path, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "classroom_console", "--data-dir", str(tmp_path), "class", "--host", "127.0.0.1",
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def vote(tmp_path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The class command with a poll; three tablets vote Yes, Yes, No; its first and other lines."""
    proc = await run_class(tmp_path, "--course", "Physics", "--title", "Optics", "--poll", "Ready?",
                           "--option", "Yes", "--option", "No", "--duration", "4", "--json")
    assert proc.stdout is not None and proc.stderr is not None
    async with asyncio.timeout(BOUND_S):
        first = json.loads(await proc.stdout.readline())
        assert first["join_url"].startswith("http://127.0.0.1:")
        assert first["join_url"].endswith("?code=" + first["code"])
        async with client_for("127.0.0.1") as http:
            tablets = [SimTablet(http, first["join_url"], first["code"], name) for name in ("Ann", "Bob", "Cy")]
            for t in tablets:
                welcome = await t.join()
                assert welcome["t"] == "welcome" and welcome["activity"]["question"] == "Ready?"
            for t, choice in zip(tablets, (0, 0, 1), strict=True):
                await t.answer(welcome["activity"]["id"], choice)
                await t.wait_for(lambda m: m["t"] == "answered")
            await tablets[0].wait_for(lambda m: m["t"] == "ended")
            for t in tablets:
                await t.close()
        rest = (await proc.stdout.read()).decode().splitlines()
        err = (await proc.stderr.read()).decode()
        assert await proc.wait() == 0, err
    return first, [json.loads(line) for line in rest]  # every line is one JSON object


def test_class_json_runs_the_poll_for_its_duration_and_prints_the_votes(tmp_path: Path) -> None:
    first, lines = asyncio.run(vote(tmp_path))
    final = lines[-1]
    assert final["results"] == {"Yes": 2, "No": 1} and final["responders"] == 3 and final["seats"] == 3
    assert sum(1 for line in lines if line.get("event") == "joined") == 3
    store = open_store(tmp_path)
    try:
        session = store.session(first["session"])
        assert session is not None and session["course"] == "Physics" and session["ended_at"]
        events = store.events(first["session"])
    finally:
        store.close()
    kinds = [e["kind"] for e in events]
    assert kinds.count("participant_joined") == 3 and "activity_started" in kinds and "activity_ended" in kinds
    assert sorted(e["payload"]["answer"] for e in events if e["kind"] == "answer") == ["No", "Yes", "Yes"]
    assert "session_info" in kinds


def test_class_without_a_poll_prints_the_join_line_then_ends(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--data-dir", str(tmp_path), "class", "--host", "127.0.0.1", "--course", "Physics",
                 "--title", "Optics", "--duration", "0.5"])
    out = capsys.readouterr()
    assert code == 0, out.err
    lines = out.out.splitlines()
    assert lines[0].startswith("Join: http://127.0.0.1:") and "code: " in lines[0]
    assert lines[-1] == "0 tablets joined"


def test_bad_class_arguments_are_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args, says in ((["--option", "A"], "belong to a --poll"),
                       (["--poll", "Q?", "--option", "A"], "at least two options"),
                       (["--poll", "Q?", "--option", "A", "--option", "A"], "same text"),
                       (["--poll", "Q?", "--option", "A", "--option", "B", "--correct", "C"], "not one of the options"),
                       (["--course", " "], "must not be empty"),
                       (["--scene", "Disco"], "no scene called 'Disco'; this room has: Lecture"),
                       (["--duration", "-1"], "--duration"),
                       (["--port", "70000"], "--port")):
        try:
            code = main(["--data-dir", str(tmp_path), "class", "--course", "C", "--title", "T", *args])
        except SystemExit as exc:  # argparse's own refusals
            code = int(exc.code or 0)
        lines = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(lines) == 1 and says in lines[0], (args, lines)
    assert not any(e["kind"] == "session_info" for e in _all_events(tmp_path)), "no session opened for bad input"


def _all_events(folder: Path) -> list[dict[str, Any]]:
    if not (folder / "console.db").exists():
        return []
    store = open_store(folder)
    try:
        return [dict(r) for r in store.db.query("SELECT kind FROM session_events")]
    finally:
        store.close()
