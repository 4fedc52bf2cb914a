"""Going live without recording: the program's encoder feeding live outputs only.

The counterpart of ``Recorder`` for a stream nobody needs kept (a rehearsal, an overflow room); with a recording,
``Recorder(outputs=...)`` sends the same packets live, and this is not needed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from .encoder import Encoder, EncoderSettings, StopReason
from .offload import wait_thread
from .output import EventLog, Output, OutputStats, end_outputs, log_stream
from .program import Program

LIVE_GRACE_S = 5.0  # after the last packet is encoded, how long outputs get to send what they hold


class Broadcast:
    def __init__(self, program: Program, outputs: Sequence[Output], *, settings: EncoderSettings | None = None,
                 duration_s: float | None = None, room: EventLog | None = None) -> None:
        """``room``: where ``stream-started`` / ``stream-stopped`` are logged (a Room with a session)."""
        if not outputs:
            raise ValueError("a broadcast needs at least one output")
        self.program = program
        self.outputs = tuple(outputs)
        self.settings = settings or EncoderSettings()
        self.duration_s = duration_s
        self.room = room
        self.encoder: Encoder | None = None
        self._ended: asyncio.Future[None] | None = None
        self._finished: asyncio.Task[str] | None = None

    async def start(self) -> None:
        if self.encoder is not None:
            raise RuntimeError("this broadcast has already been started")
        loop = asyncio.get_running_loop()
        ended: asyncio.Future[None] = loop.create_future()
        self._ended = ended

        def mark_ended() -> None:
            if not ended.done():
                ended.set_result(None)

        def done() -> None:
            try:
                loop.call_soon_threadsafe(mark_ended)
            except RuntimeError:  # the loop is gone: nobody is waiting
                pass

        encoder = Encoder(self.program.size, self.program.fps, self.settings, duration_s=self.duration_s,
                          name="broadcast")
        for output in self.outputs:
            encoder.add_output(output)
        encoder.on_done(done)
        encoder.start()
        self.program.attach(encoder)
        self.encoder = encoder
        for output in self.outputs:
            log_stream(self.room, "stream-started", output)

    async def stop(self) -> str:
        """Ends at the next frame; the outputs send what they hold and close their streams."""
        if self.encoder is None:
            raise RuntimeError("the broadcast was never started")
        self.encoder.finish(self.program.clock.now())
        return await self.wait()

    async def wait(self) -> str:
        """The stop reason, once every output has finished (or was stopped after its grace)."""
        if self._ended is None:
            raise RuntimeError("the broadcast was never started")
        await asyncio.shield(self._ended)
        if self._finished is None:
            self._finished = asyncio.ensure_future(self._finish())
        return await asyncio.shield(self._finished)

    async def _finish(self) -> str:
        encoder = self.encoder
        assert encoder is not None
        self.program.detach(encoder)
        await wait_thread(lambda: encoder.alive)
        await end_outputs(self.outputs, LIVE_GRACE_S)
        for output in self.outputs:
            log_stream(self.room, "stream-stopped", output)
        return encoder.stop_reason or StopReason.STOPPED

    @property
    def elapsed_s(self) -> float:
        return self.encoder.counters.frames / self.program.fps if self.encoder is not None else 0.0

    def output_stats(self) -> list[OutputStats]:
        return [output.stats() for output in self.outputs]
