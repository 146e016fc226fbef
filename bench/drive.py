"""Load patterns: closed loop (N connections, each sends when its last answer came) and
open loop (requests scheduled by the clock at a fixed rate, latency measured from the
scheduled time, so a slow server cannot hide its queue: no coordinated omission).

Both stop by themselves, after a number of requests or a time limit, whichever is first.
"""
import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

#: Open-loop sender threads: more than the server can hold at once, so the schedule is kept.
OPEN_LOOP_THREADS = 64


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)  # seconds, successful or not
    errors: Counter = field(default_factory=Counter)  # "status 500", "TimeoutError", "not sent in time"
    completed: int = 0
    elapsed: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, latency: float, error: str | None) -> None:
        with self._lock:
            self.completed += 1
            self.latencies.append(latency)
            if error:
                self.errors[error] += 1

    def drop(self) -> None:
        with self._lock:
            self.errors["not sent in time"] += 1

    @property
    def rate(self) -> float:
        return self.completed / self.elapsed if self.elapsed else 0.0


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0–100) of ``values``; 0.0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(n * p / 100), at least 1
    return ordered[int(rank) - 1]


def _send(action, index: int, run: Run, started: float) -> None:
    try:
        status = action(index)
        error = None if 200 <= status < 300 else f"status {status}"
    except Exception as exc:  # a benchmark counts failures, it does not stop on them
        error = type(exc).__name__
    run.record(time.perf_counter() - started, error)


def closed_loop(action, *, connections: int, seconds: float, max_requests: int) -> Run:
    """``connections`` threads each send ``action(i)`` back to back until the limits."""
    run, counter = Run(), itertools.count()
    start = time.perf_counter()
    stop_at = start + seconds

    def connection():
        while time.perf_counter() < stop_at:
            index = next(counter)
            if index >= max_requests:
                return
            _send(action, index, run, time.perf_counter())

    _join([threading.Thread(target=connection) for _ in range(connections)])
    run.elapsed = time.perf_counter() - start
    return run


def open_loop(action, *, rate: float, seconds: float, max_requests: int) -> Run:
    """``action(i)`` is due at ``start + i / rate``; latency counts from that moment.

    A request still unsent a further ``seconds`` after the schedule ended is dropped and
    counted as an error ("not sent in time"), so an overloaded run ends too.
    """
    total = min(max_requests, int(rate * seconds))
    run, counter = Run(), itertools.count()
    start = time.perf_counter() + 0.05
    give_up = start + 2 * seconds

    def sender():
        while (index := next(counter)) < total:
            due = start + index / rate
            now = time.perf_counter()
            if due > now:
                time.sleep(due - now)
            elif now > give_up:
                run.drop()
                continue
            _send(action, index, run, due)

    _join([threading.Thread(target=sender) for _ in range(OPEN_LOOP_THREADS)])
    run.elapsed = max(time.perf_counter() - start, seconds)
    return run


def _join(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
