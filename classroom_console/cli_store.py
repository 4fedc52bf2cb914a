"""The session log's problems (``store.problem``) in the command line's words, by reason code and folder.

The store's own English lines stay in the log and follow "Details:" with --verbose; a Russian run reads Russian.
"""

from __future__ import annotations

from pathlib import Path

from classroom_console.cli_reasons import with_detail
from classroom_console.cli_text import ntr, tr
from classroom_console.store.errors import StoreError
from classroom_console.store.paths import database_path
from classroom_console.store.problem import StoreProblem, StoreReason, problem_of

_SENTENCES = {
    StoreReason.READ_ONLY: "the data folder {folder} is read-only: the session log cannot be written there; make it "
                           "writable or choose another folder with --data-dir",
    StoreReason.DISK_FULL: "the disk holding {folder} is full: the session log cannot be written; free some space "
                           "(old recordings?) and try again",
    StoreReason.IO_ERROR: "the disk holding {folder} failed to read or write the session log",
    StoreReason.CANNOT_OPEN: "the session log in {folder} cannot be opened",
    StoreReason.TOO_NEW: "the session log in {folder} has schema version {version}, written by a newer Classroom "
                         "Console: update this one to open it (the file was left untouched)",
    StoreReason.UNKNOWN: "the session log in {folder} cannot be written",
    StoreReason.DAMAGED: "the session log in {folder} was damaged: it was moved to {moved} and kept, and a new "
                         "one started; nothing was deleted",
    StoreReason.NOT_A_FOLDER: "the data folder {folder} is a file, not a folder: the session log cannot be kept "
                              "there; choose another folder with --data-dir",
    StoreReason.NOT_ALLOWED: "this user may not write to the data folder {folder}: the session log cannot be kept "
                             "there; change its permissions or choose another folder with --data-dir",
}
# The same where the part of the path that is wrong is not the data folder itself: the folder is not there yet and
# a folder above it is on a read-only disk or closed to this user, a file stands in the path, the log itself is not
# writable (``StoreProblem.part``; "the disk ... failed" said of a file in the path, R12)
_PART_SENTENCES = {
    StoreReason.READ_ONLY: "{part} is read-only: the data folder {folder} cannot be made there; make it writable "
                           "or choose another folder with --data-dir",
    StoreReason.NOT_A_FOLDER: "{part} is a file, not a folder: the data folder {folder} cannot be made in it; "
                              "choose another folder with --data-dir",
    StoreReason.NOT_ALLOWED: "this user may not write to {part}: the session log cannot be kept in {folder}; "
                             "change its permissions or choose another folder with --data-dir",
}


def store_line(problem: StoreProblem, verbose: bool = False) -> str:
    """One line: what is wrong with the log and where; the store's English only with --verbose."""
    part = problem.part
    if part is not None and part != problem.folder and problem.reason in _PART_SENTENCES:
        template = _PART_SENTENCES[problem.reason]
    else:
        template = _SENTENCES.get(problem.reason, _SENTENCES[StoreReason.IO_ERROR])
    sentence = tr(template).format(folder=problem.folder, moved=problem.moved_to, version=problem.version,
                                   part=part)
    if problem.reason == StoreReason.DAMAGED:
        sentence += "; " + ntr("{n} session was saved from it", "{n} sessions were saved from it",
                               problem.saved_sessions)
        if problem.lost_sessions:
            sentence += "; " + ntr("{n} could not be read", "{n} could not be read", problem.lost_sessions)
    return with_detail(sentence, problem.detail if problem.reason != StoreReason.DAMAGED else "", verbose)


def store_error_line(exc: StoreError, data_dir: Path | None, verbose: bool = False) -> str:
    """A store exception in words where it is about the disk or the file's version; its own line otherwise.
    ``data_dir`` is --data-dir (None: the default folder)."""
    problem = problem_of(exc, database_path(data_dir))
    return store_line(problem, verbose) if problem is not None else str(exc)


def store_sentences() -> dict[str, str]:
    return {**_SENTENCES, **{f"{reason}/part": sentence for reason, sentence in _PART_SENTENCES.items()}}
