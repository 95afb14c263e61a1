"""The translating worker processes of a hub: started once, shared by every big file.

A worker costs about 0.3 s of CPU to start (an interpreter, pydantic, the canonical models, the
compiled mapping). A pool per file paid that again for every file, and a file's first chunk
waited for it; a running hub keeps its workers, as Celery or gunicorn keep theirs.

Processes are spawned, not forked: forking a process that has threads (the pool's own, a
database driver's) can hand the child a lock held forever. Each worker ends when the process
that started it is gone (see :func:`hub.chunks.exit_with_parent`), so a SIGKILLed hub leaves
no workers behind.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

from connectors.errors import RecordError
from connectors.formats.limits import read_limits
from hub.chunks import ChunkJob, ChunkResult, prepare_worker, translate_chunk, worker_ready

__all__ = ["WorkerPool"]


class WorkerPool:
    """``size`` translating processes, started on first use or by :meth:`start`.

    ``spec_files`` are the mapping specs each worker compiles as it starts; a job naming
    another spec compiles it in the worker on first use. After a worker dies (killed, out of
    memory) the jobs in flight fail with ``BrokenProcessPool`` and the next job starts a fresh
    set of processes.
    """

    def __init__(self, size: int, spec_files: Sequence[str] = ()) -> None:
        if size < 1:
            raise ValueError(f"a worker pool needs at least one process, not {size}")
        self.size = size
        self.spec_files = tuple(spec_files)
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.size,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=prepare_worker,
                    # the hub's read limits as they are now (set from its settings)
                    initargs=(self.spec_files, os.getpid(), read_limits()),
                )
            return self._pool

    def start(self, *, wait: bool = False, timeout: float = 60.0) -> None:
        """Start every process now, instead of when the first big file arrives.

        With ``wait``, return once each has finished starting (imports, mappings compiled):
        a round of short tasks is repeated until every process has answered one, since a
        process that is up early can take two tasks of a round.
        """
        with _sigint_ignored_by_new_processes():
            pool = self._executor()
            ready = [pool.submit(worker_ready, 0.05) for _ in range(self.size)]
        if not wait:
            return
        deadline = time.monotonic() + timeout
        answered: set[int] = set()
        while True:
            answered.update(f.result(timeout=max(0.0, deadline - time.monotonic())) for f in ready)
            if len(answered) >= self.size:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(answered)} of {self.size} workers started in {timeout} s")
            ready = [pool.submit(worker_ready, 0.05) for _ in range(self.size)]

    def submit(self, job: ChunkJob) -> Future[ChunkResult]:
        """Translate ``job`` in a worker."""
        try:
            return self._executor().submit(translate_chunk, job)
        except BrokenProcessPool:
            # a worker died since the last job: what was in flight has failed already;
            # from here on, fresh processes
            self._release(wait=False)
            return self._executor().submit(translate_chunk, job)

    def in_order(self, jobs: Iterable[ChunkJob]) -> Iterator[tuple[ChunkJob, ChunkResult]]:
        """Each job with its result, in the jobs' order (a file's order), translated here.

        A bounded window of chunks in flight keeps memory flat however big the file is: one a
        process, growing to two while the caller keeps up with the workers (so none waits for
        its next job), back to one once the next result is ready before the caller comes back
        for it. Finished chunks waiting here are a whole chunk's bodies each (5.4 MB for
        10,000 rows of the bulk file), and in-process routing is about ten times slower than
        translating: a window of two a process held five chunks in a routed run (the hub
        process's peak RSS 198 -> 186 MB on 200,000 rows with one). A :class:`RecordError`
        from ``jobs`` (the reader refused the rest of the file: a record over its cap) comes
        after the results of the chunks cut before it, as in one process.
        """
        window: deque[tuple[ChunkJob, Future[ChunkResult]]] = deque()
        limit = self.size
        try:
            try:
                for job in jobs:
                    window.append((job, self.submit(job)))
                    while len(window) > limit:
                        done_job, future = window.popleft()
                        yield done_job, future.result()
                        # back from the caller: was the next result ready before it came?
                        if window and window[0][1].done():
                            limit = max(self.size, limit - 1)  # the caller is the slower side
                        else:
                            limit = min(self.size * 2, limit + 1)
            except RecordError:
                while window:
                    done_job, future = window.popleft()
                    yield done_job, future.result()
                raise
            while window:
                done_job, future = window.popleft()
                yield done_job, future.result()
        finally:
            # a file that stopped early (a refused row, a lost broker, a reader gone) leaves no
            # queued chunks for the shared workers to translate before the next file's
            for _, future in window:
                future.cancel()

    def close(self) -> None:
        """Stop the processes (each finishes the job it has)."""
        self._release(wait=True)

    def _release(self, *, wait: bool) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=True)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def _sigint_ignored_by_new_processes() -> Iterator[None]:
    """Processes started inside begin with SIGINT ignored.

    Ctrl-C reaches the whole process group; a worker still importing (a second or more, before
    :func:`hub.chunks.prepare_worker` ignores SIGINT) died of it printing a traceback. An
    ignored signal stays ignored across exec, so the parent ignores it while it spawns; a
    Ctrl-C in those milliseconds is lost. Only the main thread may change a handler: elsewhere
    this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        if previous is not None:  # None: a handler set outside Python, which cannot be put back
            signal.signal(signal.SIGINT, previous)
