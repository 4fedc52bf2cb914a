"""``classroom-console class``: an active-learning session with student tablets, from a terminal.

It opens a session in the room's store exactly as the console window does (``ConsoleCore``), serves the
tablets' page for it, prints the join URL and code first, runs the poll for ``--duration`` if one is given,
prints the results and ends the session, so it is logged and uploaded like any other. For labs, demos, tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from classroom_console.cli_text import ntr, tr
from classroom_console.commands.argtypes import number_in, positive_seconds
from classroom_console.store.errors import StoreError

if TYPE_CHECKING:
    from classroom_console.console import ConsoleCore
    from classroom_console.events import RoomEvent
    from classroom_console.room_devices import DeviceCommandError

HELP = "an active-learning session with student tablets: print the join URL and code, run a poll, print results"
PROG = "classroom-console class"
EXIT_BAD_INPUT = 2
EXIT_UNLOGGED = 4  # the session log could not be written (read-only folder, full disk): as `record`'s disk exit


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--course", required=True, help=tr("the course, as the usage report groups sessions"))
    parser.add_argument("--title", required=True, help=tr("today's title (e.g. the lecture's topic)"))
    parser.add_argument("--lecturer", default="", help=tr("who teaches (default: nobody named)"))
    parser.add_argument("--scene", metavar="NAME", help=tr("the room's scene to start with (e.g. Lecture)"))
    parser.add_argument("--port", type=number_in(0, 65535, integer=True), default=0, metavar="P",
                        help=tr("the tablets' port (default 0: any free one)"))
    parser.add_argument("--host", default="0.0.0.0", metavar="ADDR",
                        help=tr("the address the tablets' server listens on (default: every interface)"))
    parser.add_argument("--poll", metavar="QUESTION", help=tr("a poll to run on the tablets"))
    parser.add_argument("--option", action="append", default=[], metavar="TEXT",
                        help=tr("one of the poll's options; repeat for each (at least two)"))
    parser.add_argument("--multiple", action="store_true", help=tr("students may choose more than one option"))
    parser.add_argument("--correct", action="append", default=[], metavar="TEXT",
                        help=tr("a correct option: the poll becomes a quiz"))
    parser.add_argument("--duration", type=positive_seconds, metavar="S",
                        help=tr("end after S seconds (default: at Ctrl-C)"))
    parser.add_argument("--json", action="store_true",
                        help=tr("one JSON object a line: first the join URL and code, last the results"))


def check(args: argparse.Namespace) -> str:
    """Why the arguments cannot work, in one line, or ""."""
    if not args.course.strip() or not args.title.strip():
        return tr("--course and --title must not be empty")
    if args.poll is None and (args.option or args.correct or args.multiple):
        return tr("--option, --correct and --multiple belong to a --poll")
    if args.poll is not None:
        from classroom_console.tablets.activities import poll_problem

        problem = poll_problem(args.poll, args.option, multiple=args.multiple, correct=args.correct)
        if problem is not None:
            return tr("--poll: {why}").format(why=poll_words(problem.reason, problem.value))
    return ""


# tablets.activities.PollProblem's codes (the window's words: ui/reasons.poll_problem_text)
_POLL_PROBLEMS = {
    "question-empty": "the question is empty",
    "open-has-options": "an open question has no options",
    "too-few-options": "a poll needs at least two options",
    "too-many-options": "a poll has at most {n} options",
    "option-empty": "an option is empty",
    "same-options": "two options have the same text",
    "correct-not-an-option": "the correct answer {answer!r} is not one of the options",
    "one-correct-only": "a single-choice quiz has one correct option",
}


def poll_words(reason: str, value: str | int = "") -> str:
    """A poll's refusal in the user's words by its code."""
    sentence = _POLL_PROBLEMS.get(reason)
    return tr(sentence).format(n=value, answer=value) if sentence else tr("Something went wrong.")


def poll_problems() -> dict[str, str]:
    return dict(_POLL_PROBLEMS)


class Printer:
    """What the lecturer (or a script) reads while the session runs."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def line(self, record: dict[str, Any], text: str) -> None:
        print(json.dumps(record, ensure_ascii=False) if self.as_json else text, flush=True)

    def event(self, event: RoomEvent) -> None:
        from classroom_console.tablets import events as ev

        if isinstance(event, ev.TabletJoined):
            self.line({"event": "joined", "seat": event.seat_id, "name": event.name, "rejoined": event.rejoined},
                      (tr("rejoined: seat {seat} {name}") if event.rejoined else tr("joined: seat {seat} {name}"))
                      .format(seat=event.seat_id, name=repr(event.name)))
        elif isinstance(event, ev.AnswerReceived):
            self.line({"event": "answer", "seat": event.seat_id, "counts": event.counts,
                       "responders": event.responders},
                      tr("answer from seat {seat}: {counts}").format(
                          seat=event.seat_id, counts=", ".join(f"{k} {v}" for k, v in event.counts.items())))
        elif isinstance(event, ev.HandsChanged):
            self.line({"event": "hands", "queue": [seat for seat, _ in event.queue]},
                      tr("hands up: {count}").format(count=len(event.queue)))


async def report_scene(core: ConsoleCore, name: str, out: Printer) -> None:
    """Once the scene has walked the room: which device failed and why (the session runs either way)."""
    failed = await core.scenes.applied()
    if failed is None:
        return
    from classroom_console.cli_reasons import failure_line, scene_name

    out.line({"event": "scene", "scene": name, "failed": [
        {"device": f.target, "name": f.name, "step": f.step, "reason": f.reason, "detail": f.detail} for f in failed]},
        tr("scene {name}: {outcome}").format(name=scene_name(name), outcome=tr("applied") if not failed else " ".join(
            failure_line(f) for f in failed)))  # the technical detail is in the session log


async def session(args: argparse.Namespace, out: Printer) -> dict[str, Any]:
    from classroom_console.console import ConsoleCore, ConsoleOptions

    # Devices are looked for only when a scene has to walk them; the session itself needs none.
    core = ConsoleCore(ConsoleOptions(data_dir=args.data_dir, discover=bool(args.scene)))
    if args.scene:  # an unknown name is refused before the room is looked for (seconds, and its log lines)
        await core.scenes.load()
        core.scenes.scene(args.scene)
    await core.start()
    try:
        await refuse_unlogged(core, getattr(args, "verbose", False))
    except BaseException:
        await core.stop()
        raise
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    director = core.scenes  # the Lecturer workspace's own: the session is logged as one started there
    director.tablets_host, director.tablets_port = args.host, int(args.port)
    try:
        scene = director.scene(args.scene).name if args.scene else None  # an unknown name: ValueError, nothing opened
        session = await director.start(args.lecturer, args.course.strip(), args.title.strip(), None)
        try:
            await director.open_tablets(True)
        except OSError as exc:
            await director.end(turn_off=False)
            from classroom_console.cli_reasons import bind_problem

            raise OSError(tr("cannot serve the tablets on {host}:{port}: {why}").format(
                host=args.host, port=args.port, why=bind_problem(exc, getattr(args, "verbose", False)))) from exc
        tablets = director.class_session
        assert tablets is not None
        if args.port and tablets.port != args.port:
            print(f"{PROG}: " + tr("port {asked} is taken: the tablets use port {port}").format(
                asked=args.port, port=tablets.port), file=sys.stderr)
        out.line({"join_url": tablets.join_url, "code": tablets.code, "session": session.id},
                 tr("Join: {url}   code: {code}").format(url=tablets.join_url, code=tablets.code))
        unsubscribe = core.room.events.subscribe(out.event)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        scene_report: asyncio.Task[None] | None = None
        try:
            if scene is not None:
                director.tablets = None  # the tablets are this command's: a scene neither opens nor closes them
                await director.switch(scene)
                scene_report = loop.create_task(report_scene(core, scene, out))
            if args.poll is not None:
                await tablets.start_poll(args.poll, args.option, multiple=args.multiple, correct=args.correct)
            try:
                async with asyncio.timeout(args.duration):
                    await stop.wait()
            except TimeoutError:
                pass
            final: dict[str, Any] = {"session": session.id, "seats": len(tablets.seats), "results": {}}
            if tablets.current is not None:
                results = await tablets.close_poll()
                final.update(results.as_dict())
                final.pop("answers", None)
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            if scene_report is not None:
                scene_report.cancel()
            unsubscribe()
            await director.open_tablets(False)  # every tablet told the session ended
            try:
                problems = await director.end()  # the room off if the room is set so, the session record closed
            except StoreError as exc:  # a full disk: the results are still printed, then this line
                final["end_not_logged"] = end_not_logged(core, exc, getattr(args, "verbose", False))
                problems = []
        for problem in end_problems(director.refused_at_end, problems, getattr(args, "verbose", False)):
            print(f"{PROG}: " + tr("at the end: {problem}").format(problem=problem), file=sys.stderr)
        return final
    finally:
        await core.stop()


class Unlogged(Exception):
    """The session could not be logged: said in one line, exit non-zero (nothing is run unlogged)."""


async def refuse_unlogged(core: ConsoleCore, verbose: bool) -> None:
    """A class is logged or not run: a store that could not open refuses before the tablets are served; a damaged
    one moved aside is said, and the class runs on the fresh log."""
    from classroom_console.cli_store import store_line

    if core.store is None:
        from classroom_console.store.problem import diagnose

        problem = await asyncio.to_thread(diagnose, core.db_path, core.store_notice or "")
        raise Unlogged(tr("the class was not started: {why}").format(why=store_line(problem, verbose)))
    if core.store.problem is not None:
        print(f"{PROG}: {store_line(core.store.problem, verbose)}", file=sys.stderr)


def end_not_logged(core: ConsoleCore, exc: StoreError, verbose: bool) -> str:
    """The session's end could not be written (a full disk): what was logged stays, and the next start of a
    console on this folder closes the session as interrupted."""
    from classroom_console.cli_store import store_error_line

    why = store_error_line(exc, core.db_path.parent, verbose)
    return tr("the session's end could not be written: {why}. What was logged is kept; the console closes the "
              "session when it next opens this folder").format(why=why)


def end_problems(refused: Sequence[DeviceCommandError], problems: list[str], verbose: bool) -> list[str]:
    """What did not follow the session's end, each in words by its code (session_end.py); the director's own
    English line only with --verbose."""
    from classroom_console.cli_reasons import end_problem_line
    from classroom_console.session_end import end_problems as coded

    return [end_problem_line(problem, verbose) for problem in coded(refused, problems)]


def result_lines(final: dict[str, Any]) -> list[str]:
    if not final.get("question"):
        return [ntr("{n} tablet joined", "{n} tablets joined", int(final["seats"]))]
    width = max(len(k) for k in final["results"])
    lines = [final["question"]]
    lines += [f"  {option:<{width}}  {count}" for option, count in final["results"].items()]
    lines.append(ntr("answered: {answered} of {n} tablet", "answered: {answered} of {n} tablets", int(final["seats"]))
                 .replace("{answered}", str(final["responders"])))
    if final.get("correct"):
        lines.append(tr("correct: {options}").format(options=", ".join(final["correct"])))
    return lines


def unknown_scene(exc: ValueError) -> str:
    """The refusal of a --scene the room has not, its scenes named as the window shows them."""
    from classroom_console.cli_reasons import scene_name
    from classroom_console.scenes_session import UnknownScene

    if not isinstance(exc, UnknownScene):
        return str(exc)
    return tr("no scene called {name!r}; this room has: {scenes}").format(
        name=exc.name, scenes=", ".join(scene_name(s.name, s.builtin) for s in exc.known))


def run(args: argparse.Namespace) -> int:
    problem = check(args)
    if problem:
        print(f"{PROG}: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not getattr(args, "verbose", False):  # what did not follow the end is said below in words; its English with -v
        logging.getLogger("classroom_console.scenes_session").setLevel(logging.ERROR)
        logging.getLogger("classroom_console.room").setLevel(logging.ERROR)  # a store problem: said below too
    out = Printer(args.json)
    try:
        final = asyncio.run(session(args, out))
    except ValueError as exc:  # an unknown --scene, said with the room's scenes
        print(f"{PROG}: {unknown_scene(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Unlogged as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_UNLOGGED
    except (OSError, RuntimeError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    unlogged_end = final.pop("end_not_logged", "")  # said after the results, which are printed all the same
    if args.json:
        print(json.dumps(final, ensure_ascii=False), flush=True)
    else:
        print("\n".join(result_lines(final)), flush=True)
    if unlogged_end:
        print(f"{PROG}: {unlogged_end}", file=sys.stderr)
        return EXIT_UNLOGGED
    return 0
