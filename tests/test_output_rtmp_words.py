"""What a destination's URL and its failure look like to a technician: the key masked and nothing else, and a
destination that never connected told apart from one lost on the way."""

from __future__ import annotations

import pytest

from classroom_console.commands.stream import failure_line
from classroom_console.media.output import OutputStats
from classroom_console.media.output_rtmp import RtmpOutput, mask_url


def test_only_what_follows_the_application_is_masked() -> None:
    assert mask_url("rtmp://h:19352/live") == "rtmp://h:19352/live"
    assert mask_url("rtmp://h:19352/live/") == "rtmp://h:19352/live"
    assert mask_url("rtmp://h/live/s3cret") == "rtmp://h/live/****"
    assert mask_url("rtmp://h/app/inst/s3cret") == "rtmp://h/app/inst/****"


@pytest.mark.parametrize(("url", "said"), [
    ("rtmp://h:19352/live", "no stream key after /live"),
    ("rtmp://h:19352/live/", "no stream key after /live"),
    ("rtmp://h:19352/", "no application and stream key"),
    ("http://h/live/s3cret", "not an RTMP URL"),
])
def test_a_url_without_a_key_says_which_part_is_missing(url: str, said: str) -> None:
    with pytest.raises(ValueError, match=said) as raised:
        RtmpOutput(url)
    assert "s3cret" not in str(raised.value)


def test_never_connected_and_lost_on_the_way_are_different_lines() -> None:
    never = failure_line(OutputStats("rtmp://h/live/****", "rtmp", "failed", "connection-refused"))
    lost = failure_line(OutputStats("rtmp://h/live/****", "rtmp", "failed", "connection-lost", connects=1), True)
    assert never.endswith("never connected: nothing is listening at that address and port")
    assert "did not get the end of the stream: the connection was lost [connection-lost]" in lost  # --verbose
    assert "application or stream key" in failure_line(OutputStats("n", "rtmp", "failed", "rejected"))
