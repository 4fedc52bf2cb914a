"""A centre token for ``sync`` and ``usage --centre``: --token, --token-file or $CLASSROOM_CONSOLE_TOKEN.

A token on the command line is seen by every user in ``ps``; a file or the environment is not.
"""

from __future__ import annotations

import argparse
import os

from classroom_console.cli_text import tr

TOKEN_ENV = "CLASSROOM_CONSOLE_TOKEN"


def token(args: argparse.Namespace) -> str | None:
    """--token, then --token-file, then the environment; None when none was given. A file read: not on a loop."""
    if args.token:
        return str(args.token).strip()
    if args.token_file is not None:
        try:
            lines = args.token_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or exc
            raise ValueError(tr("cannot read --token-file {file}: {why}").format(
                file=args.token_file, why=why)) from None
        if not lines or not lines[0].strip():
            raise ValueError(tr("--token-file {file} is empty").format(file=args.token_file))
        return lines[0].strip()
    return os.environ.get(TOKEN_ENV, "").strip() or None
