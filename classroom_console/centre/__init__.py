"""The centre's receiving service: room tokens, session and file uploads, and the aggregated usage API."""

from .app import build_app
from .backends import open_centre_db
from .db import CentreDB, Identity
from .server import CentreServer
from .tokens import issue_token, token_hash

__all__ = ["CentreDB", "CentreServer", "Identity", "build_app", "issue_token", "open_centre_db", "token_hash"]
