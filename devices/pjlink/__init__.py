"""PJLink class 1 and 2: framing, an asyncio client, a poller and the state they report.

``PJLinkClient`` is imported on first use (PEP 562): the framing, the values and the blocking read that
`classroom-console device ADDRESS status` uses must not load asyncio.
"""

from typing import TYPE_CHECKING, Any

from devices.pjlink.errors import (
    ErrorCode,
    PJLinkAuthError,
    PJLinkBadValue,
    PJLinkCommandError,
    PJLinkConnectionError,
    PJLinkError,
    PJLinkParamError,
    PJLinkProtocolError,
    PJLinkTimeout,
)
from devices.pjlink.protocol import (
    PORT,
    Greeting,
    Reply,
    auth_digest,
    build_command,
    parse_greeting,
    parse_reply,
)
from devices.pjlink.state import ProjectorState
from devices.pjlink.values import (
    ErrorLevel,
    ErrorStatus,
    Input,
    InputType,
    Lamp,
    Mute,
    PowerState,
    parse_input,
)

if TYPE_CHECKING:
    from devices.pjlink.client import PJLinkClient


def __getattr__(name: str) -> Any:
    if name != "PJLinkClient":
        raise AttributeError(f"module 'devices.pjlink' has no attribute {name!r}")
    from devices.pjlink.client import PJLinkClient

    globals()[name] = PJLinkClient
    return PJLinkClient


__all__ = [
    "PORT",
    "ErrorCode",
    "ErrorLevel",
    "ErrorStatus",
    "Greeting",
    "Input",
    "InputType",
    "Lamp",
    "Mute",
    "PJLinkAuthError",
    "PJLinkBadValue",
    "PJLinkClient",
    "PJLinkCommandError",
    "PJLinkConnectionError",
    "PJLinkError",
    "PJLinkParamError",
    "PJLinkProtocolError",
    "PJLinkTimeout",
    "PowerState",
    "ProjectorState",
    "Reply",
    "auth_digest",
    "build_command",
    "parse_greeting",
    "parse_input",
    "parse_reply",
]
