"""One failure type per thing the console must tell apart: each carries the driver's ``Reason`` code."""

from __future__ import annotations

from devices.driver import Reason


class OnvifError(Exception):
    """Base of every ONVIF / WS-Discovery failure; ``reason`` for the UI, the message for the log."""

    reason: Reason = Reason.DEVICE_FAULT


class AuthFailed(OnvifError):
    """The device refused our credentials (SOAP ``ter:NotAuthorized`` or HTTP 401)."""

    def __init__(self, detail: str, *, had_password: bool) -> None:
        super().__init__(detail)
        self.reason = Reason.PASSWORD_WRONG if had_password else Reason.PASSWORD_NEEDED


class NoPtz(OnvifError):
    """The camera offers no PTZ service (a fixed camera), or its profile has no PTZ configuration."""

    reason = Reason.UNSUPPORTED


class OnvifTimeout(OnvifError):
    """The device did not answer within the step's timeout."""

    reason = Reason.NO_ANSWER


class Unreachable(OnvifError):
    """Connection refused, no route, or dropped mid-answer."""

    reason = Reason.UNREACHABLE


class Garbled(OnvifError):
    """An answer that is not ONVIF: bad or hostile XML, too large, missing or misplaced elements."""

    reason = Reason.GARBLED


class SoapFault(OnvifError):
    """The device answered with a SOAP fault other than NotAuthorized (``subcode`` e.g. ``ter:NoProfile``)."""

    def __init__(self, detail: str, *, code: str = "", subcode: str = "") -> None:
        super().__init__(detail)
        self.code = code
        self.subcode = subcode
        self.reason = Reason.BAD_VALUE if code.endswith("Sender") else Reason.DEVICE_FAULT
