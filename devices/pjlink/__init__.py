"""PJLink class 1 and 2: framing, an asyncio client, a poller and the state they report."""

from devices.pjlink.client import PJLinkClient
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
