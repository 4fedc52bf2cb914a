"""The library's part of the centre's app: the pages under ``/library/``, the publishing API, per-source tracks."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from classroom_console.centre.bodies import JsonReader
from classroom_console.centre.db import CentreDB
from classroom_console.centre.files import Uploads
from classroom_console.centre.library import add_library
from classroom_console.centre.publish import add_publishing
from classroom_console.centre.publish_tracks import add_tracks


def install_library(app: web.Application, db: CentreDB, uploads: Uploads, data_dir: Path, reader: JsonReader) -> None:
    add_library(app, db, uploads, data_dir)
    add_publishing(app, reader)
    add_tracks(app, reader)
