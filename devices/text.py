"""Words a device gives about itself (names, makers, models, input names) as they may be shown and printed.

A device on the LAN is untrusted like a student's tablet (``tablets/codes.clean_text``): a format character
(Unicode Cf: a right-to-left override, a zero-width joiner) reorders or hides what the card and a terminal's
``discover`` line show (E3: an input named ``\\u202eIMDH`` read as "HDMI", the rest of the line reversed), and a
C1 control (U+0080-U+009F) is a terminal's escape. Every family passes a device's text through here where it
leaves the protocol, so nothing above ``devices/`` sees them.
"""

from __future__ import annotations

import unicodedata


def device_text(text: str) -> str:
    """``text`` without format and control characters (a control that is white space becomes a space)."""
    if text.isascii() and text.isprintable():  # nearly every reply: no walk, no copy
        return text
    return "".join(" " if c.isspace() else c for c in text
                   if c.isspace() or unicodedata.category(c) not in ("Cf", "Cc"))
