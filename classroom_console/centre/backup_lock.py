"""Whether a backup or a restore is still at work: a lock its process holds, which the kernel drops when it dies.

A backup's ``OUT.partial-PID`` has ``OUT.partial-PID.lock`` beside it, and a restore's part-copies and its mark in the
file store are themselves locked (``flock``), each for as long as its process works on it. The process id in a name
is for the people reading the folder: as a test of life it named a process of this host, in this pid namespace,
since this boot, so a folder on NFS written from two hosts, a backup run in a container, or a pid reused after a
reboot gave the wrong answer (a living backup removed, or a dead one's refused for ever). The kernel lets go of a
``flock`` however its holder ends (kill -9 included); on NFS Linux takes it on the server, for every host to see.

A lock file this user may not open is another user's (root's cron backup, an admin's by hand): whether its process
lives is not ours to judge, nor its folder ours to remove, so it counts as held, and ``owner`` names whose it is for
the message. It made every later backup to the same folder fail with "Permission denied".
"""

from __future__ import annotations

import fcntl
import os
import pwd
from pathlib import Path

_TRIES = 8  # a lock file made again under our feet this many times in a row is someone's, not a race's


class Held:
    """A lock this process holds, on the open file ``path`` names (the kernel drops it if we die first)."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd

    def release(self, remove: bool = True) -> None:
        """Let go of it, first removing the file (``remove``) while it is still ours, so no one takes it for dead."""
        try:
            if remove and _same(self.path, self.fd):
                self.path.unlink()
        finally:
            os.close(self.fd)


def _same(path: Path, fd: int) -> bool:
    """Whether ``path`` still names the file open as ``fd`` (not removed, nor made again by someone else)."""
    try:
        there = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (there.st_dev, there.st_ino) == (mine.st_dev, mine.st_ino)


def take(path: Path, create: bool = True) -> Held | None:
    """The lock of ``path`` (a file made when ``create``), or None when a living process holds it or (not
    ``create``) there is no such file. A file its last holder removed between our open and our lock is not taken:
    the name is opened again."""
    flags = os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW | (os.O_CREAT if create else 0)
    for _ in range(_TRIES):
        try:
            fd = os.open(path, flags, 0o600)
        except FileNotFoundError:
            if create:
                raise  # no folder to make it in: not someone else's lock
            return None
        except PermissionError:
            if create and not os.path.lexists(path):
                raise  # a folder we may not write in: not someone else's lock
            return None  # another user's
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        if _same(path, fd):
            return Held(path, fd)
        os.close(fd)
        if not create:
            return None
    return None


def held(path: Path) -> bool | None:
    """Whether a living process holds the lock of ``path`` (as far as this user may know: another user's is held);
    None when there is no such file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    except PermissionError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # a reader's lock: it never keeps a holder out for long
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def owner(path: Path) -> str | None:
    """The user owning the file ``path`` names when that is not this process's (by name, else by number); None when
    it is ours or there is no such file."""
    try:
        uid = os.stat(path, follow_symlinks=False).st_uid
    except FileNotFoundError:
        return None
    if uid == os.geteuid():
        return None
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)
