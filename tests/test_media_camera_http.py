"""A camera over HTTP (MJPEG, as many IP cameras and board capture boxes serve it) read through OpenCV."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator

import cv2
import numpy as np
import pytest

from classroom_console.media import MonotonicClock, SourceState
from classroom_console.media.camera import Camera
from classroom_console.media.frames import picture_size

BOUNDARY = "frame"


class MjpegServer:
    """Serves a numbered grey picture 25 times a second until closed; closing is a camera unplugged."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        stopping = self.stopping

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
                self.end_headers()
                index = 0
                while not stopping.is_set():
                    image = np.full((120, 160, 3), (index * 7) % 256, np.uint8)
                    ok, jpeg = cv2.imencode(".jpg", image)
                    assert ok
                    try:
                        self.wfile.write(f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                                         f"Content-Length: {len(jpeg)}\r\n\r\n".encode())
                        self.wfile.write(jpeg.tobytes() + b"\r\n")
                    except (BrokenPipeError, ConnectionResetError):
                        return
                    index += 1
                    stopping.wait(0.04)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = False
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stream.mjpg"
        self.thread = threading.Thread(target=self.server.serve_forever, name="mjpeg-server")
        self.thread.start()

    def close(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def mjpeg() -> Iterator[MjpegServer]:
    server = MjpegServer()
    try:
        yield server
    finally:
        server.close()


def wait_until(predicate: Callable[[], object], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_reads_an_http_mjpeg_camera_and_notices_when_it_goes(mjpeg: MjpegServer) -> None:
    camera = Camera("board-camera", mjpeg.url, fps=25)
    camera.start(MonotonicClock())
    try:
        wait_until(lambda: camera.state is SourceState.LIVE and camera.captured >= 10)
        frame = camera.frame_at(time.monotonic())
        assert frame is not None and picture_size(frame.image) == (160, 120)
        mjpeg.close()
        wait_until(lambda: camera.state in (SourceState.LOST, SourceState.FAILED))
        assert camera.url in camera.message
    finally:
        camera.stop()
        assert camera.join(10)
