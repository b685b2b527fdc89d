"""Where CPU-heavy requests run: what-if sweeps, codec comparisons, the security lab's byte views, in worker
processes of their own.

A sweep is a second or so of simulation, a comparison half a second of encoding. On a thread
of the server's process either holds the interpreter's lock for that long, and every lab
session's frame loop on the process waits behind it (frames are drawn from the same event
loop); in another process it uses another core, or at worst the OS shares the core fairly.
The processes are started with ``spawn`` (a fork would copy the server's event loop and
threads) the first time they are needed, and each imports the labs once, when it starts.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any, Callable, TypeVar

T = TypeVar("T")

#: Processes for heavy requests in each server worker: the requests' own slots (app/web/live.py) bound the queue.
PROCESSES = 2


def _warm() -> None:
    """Import what the requests run, so the first one does not pay for it."""
    import app.live.labs.compression  # noqa: F401
    import app.live.labs.security_bytes  # noqa: F401
    import app.live.labs.whatif  # noqa: F401


class CpuPool:
    """An executor for heavy requests: worker processes by default; a test may hand it threads to watch."""

    def __init__(self, executor: Executor | None = None, processes: int = PROCESSES) -> None:
        self._executor = executor
        self._processes = processes

    @property
    def executor(self) -> Executor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(self._processes, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_warm)
        return self._executor

    def warm(self) -> None:
        """Start a process now (at server start), so the first sweep is as quick as the next."""
        self.executor.submit(_warm)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in the pool; ``fn`` and its arguments travel by pickle, so they are module-level and plain."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
