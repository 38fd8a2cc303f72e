"""Server-side batching: concurrent requests to one signature run as one batch.

Requests whose inputs have the same dtypes and the same non-batch shapes are concatenated
along the batch axis (up to `max_batch_size` examples), the signature runs once, and the
outputs are split back. There is no batching thread: a caller that finds a free batch
slot (at most `num_batch_threads` batches run at once, like TF Serving's option) becomes a
batch "leader" and runs the batch in its own thread; the others wait for their slice, and
when a leader is done the oldest waiting request leads the next batch. So a lone request
never waits for a thread hand-off.

Waiting for more requests: callers `announce()` themselves as soon as they know their
signature (before decoding their tensors). A leader waits up to `batch_timeout_micros`
while announced requests are still on their way, or while fewer requests are in its batch
(and in batches running) than were recently in flight at once: concurrent closed-loop
clients get their answers together and send their next requests within a millisecond or
so, often before any of them has been announced, so the recent peak of requests in flight
is the best guess of how many are coming. The peak is kept per input shape (only requests
of one shape share a run), so clients that send other image sizes do not make a batch wait.
A lone client (peak of one) never waits: it gets the latency of an unbatched server. When
clients go away, a wait that times out lowers the peak to the requests that came.

A batch that fails is re-run one request at a time, so one bad request (e.g. garbage image
bytes) fails alone and the others still succeed.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

import numpy as np

Arrays = Mapping[str, np.ndarray]
Runner = Callable[[Arrays], dict[str, np.ndarray]]

MAX_REMEMBERED_SHAPES = 64
"""Input shapes whose recent peak in flight the batcher keeps while none of them is in flight."""


@dataclass(frozen=True)
class BatchingOptions:
    """Batching of one signature.

    Attributes:
        max_batch_size: examples per run (1 disables batching).
        batch_timeout_micros: longest wait for requests that are on their way.
        num_batch_threads: batches that may run at the same time.
    """

    max_batch_size: int = 8
    batch_timeout_micros: int = 2000
    num_batch_threads: int = 1

    def __post_init__(self) -> None:
        if self.max_batch_size < 1:
            raise ValueError(f"max_batch_size must be >= 1, got {self.max_batch_size}")
        if self.batch_timeout_micros < 0:
            raise ValueError(f"batch_timeout_micros must be >= 0, got {self.batch_timeout_micros}")
        if self.num_batch_threads < 1:
            raise ValueError(f"num_batch_threads must be >= 1, got {self.num_batch_threads}")


class Ticket:
    """An announced request that has not reached the queue yet."""

    __slots__ = ("pending",)

    def __init__(self) -> None:
        self.pending = True


class _Task:
    __slots__ = ("arrays", "size", "key", "wake", "finished", "promoted", "outputs", "error")

    def __init__(self, arrays: Arrays) -> None:
        self.arrays = arrays
        self.size = int(next(iter(arrays.values())).shape[0])
        self.key = tuple(
            (name, array.dtype.str, array.shape[1:]) for name, array in sorted(arrays.items())
        )
        self.wake = threading.Event()  # finished, or asked to lead a batch
        self.finished = threading.Event()
        self.promoted = False  # holds a batch slot handed over by a finishing leader
        self.outputs: dict[str, np.ndarray] | None = None
        self.error: BaseException | None = None


def _split(outputs: Mapping[str, np.ndarray], tasks: list[_Task]) -> list[dict[str, np.ndarray]]:
    total = sum(task.size for task in tasks)
    for name, value in outputs.items():
        if np.ndim(value) == 0 or value.shape[0] != total:
            raise ValueError(f"output {name!r} has no batch axis of size {total}")
    bounds = np.cumsum([task.size for task in tasks])[:-1]
    pieces = {name: np.split(value, bounds) for name, value in outputs.items()}
    return [{name: pieces[name][index] for name in outputs} for index in range(len(tasks))]


class Batcher:
    """Batches the calls of one signature (see the module docstring).

    Args:
        run: inputs -> outputs, every input and output with a leading batch axis.
        options: batch size and timeout.
    """

    def __init__(self, run: Runner, options: BatchingOptions) -> None:
        self.run = run
        self.options = options
        self._condition = threading.Condition()
        self._queue: list[_Task] = []
        self._announced = 0
        self._leaders = 0
        self._gathering = 0
        # Per batch key (input names, dtypes, non-batch shapes): only requests of one key can
        # share a run, so a leader waits only for requests of its own key.
        self._in_flight: Counter[Hashable] = Counter()  # submitted, not finished
        self._running: Counter[Hashable] = Counter()  # in batches that are running
        self._expected: dict[Hashable, int] = {}  # recent peak in flight at once (default 1)
        self.batches_run = 0
        self.examples_run = 0

    def announce(self) -> Ticket:
        """Tells the batcher a request for it is being decoded."""
        with self._condition:
            self._announced += 1
        return Ticket()

    def withdraw(self, ticket: Ticket) -> None:
        """The announced request will not be submitted (bad input); idempotent."""
        with self._condition:
            if ticket.pending:
                ticket.pending = False
                self._announced -= 1
                self._condition.notify_all()

    def submit(self, arrays: Arrays, ticket: Ticket | None = None) -> dict[str, np.ndarray]:
        """Runs `arrays` (as part of a batch); returns this request's outputs."""
        task = _Task(arrays)
        with self._condition:
            if ticket is not None and ticket.pending:
                ticket.pending = False
                self._announced -= 1
            self._queue.append(task)
            self._in_flight[task.key] += 1
            self._expected[task.key] = max(
                self._expected.get(task.key, 1), self._in_flight[task.key]
            )
            self._condition.notify_all()
            # While a leader is gathering its batch, newcomers join it instead of leading.
            leader = self._leaders < self.options.num_batch_threads and not self._gathering
            if leader:
                self._leaders += 1
        if not leader:
            task.wake.wait()
            if not task.promoted:
                return self._result(task)
        # This thread holds a batch slot; even if another leader ran the task meanwhile, it
        # must pass the slot on.
        self._lead(task)
        task.finished.wait()
        return self._result(task)

    @staticmethod
    def _result(task: _Task) -> dict[str, np.ndarray]:
        if task.error is not None:
            raise task.error
        assert task.outputs is not None
        return task.outputs

    def _take_compatible(self, batch: list[_Task]) -> None:
        """Moves queued tasks that fit into `batch` (same key, total within the maximum)."""
        total = sum(task.size for task in batch)
        key = batch[0].key
        for task in list(self._queue):
            if task.key == key and total + task.size <= self.options.max_batch_size:
                self._queue.remove(task)
                batch.append(task)
                total += task.size

    def _collect(self, task: _Task) -> list[_Task]:
        """`task` and the queued tasks that join its batch (under the lock); [] if it was taken
        by another leader meanwhile."""
        if task not in self._queue:
            return []
        self._queue.remove(task)
        batch = [task]
        if self.options.max_batch_size <= 1:
            return batch
        self._take_compatible(batch)
        key = task.key
        deadline = time.monotonic() + self.options.batch_timeout_micros / 1e6
        self._gathering += 1
        try:
            while sum(t.size for t in batch) < self.options.max_batch_size and (
                self._announced > 0 or len(batch) + self._running[key] < self._expected.get(key, 1)
            ):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    # the expected requests did not come: expect what did
                    self._expected[key] = max(
                        1, min(self._expected.get(key, 1), len(batch) + self._running[key])
                    )
                    break
                self._condition.wait(remaining)
                self._take_compatible(batch)
        finally:
            self._gathering -= 1
        return batch

    def _lead(self, task: _Task) -> None:
        """Runs the batch of `task`, then hands the batch slot to the oldest waiting request."""
        with self._condition:
            batch = self._collect(task)
            if batch:
                self._running[task.key] += len(batch)
        if batch:
            self._execute(batch)
        with self._condition:
            successor = next((queued for queued in self._queue if not queued.promoted), None)
            if successor is not None:
                successor.promoted = True  # it leads next, in this slot
                successor.wake.set()
            else:
                self._leaders -= 1

    def _execute(self, batch: list[_Task]) -> None:
        try:
            if len(batch) == 1:
                batch[0].outputs = self.run(batch[0].arrays)
            else:
                names = list(batch[0].arrays)
                merged = {
                    name: np.concatenate([task.arrays[name] for task in batch]) for name in names
                }
                for task, outputs in zip(batch, _split(self.run(merged), batch), strict=True):
                    task.outputs = outputs
            self.batches_run += 1
            self.examples_run += sum(task.size for task in batch)
        except Exception as error:  # isolate the failing request
            if len(batch) == 1:
                batch[0].error = error
            else:
                for task in batch:
                    try:
                        task.outputs = self.run(task.arrays)
                    except Exception as single_error:
                        task.error = single_error
        with self._condition:  # before the callers can send their next requests
            key = batch[0].key
            self._running[key] -= len(batch)
            self._in_flight[key] -= len(batch)
            if not self._in_flight[key]:
                del self._in_flight[key], self._running[key]
                if len(self._expected) > MAX_REMEMBERED_SHAPES:
                    del self._expected[key]
        for task in batch:
            task.finished.set()
            task.wake.set()
