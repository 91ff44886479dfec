"""Lanes: several language pairs translated at once in one process, one lane per pair.

A pass runs up to ``count`` lanes. Each claims a batch of a pair no other lane of this process
is translating (so a pair's articles are still stored oldest first, and numbered so in its
feed), works it, and claims again. A lane that finds nothing while others still work waits for
the translate bell (new work) or a moment, then looks again: breaking news in one language is
taken up while a long batch runs in another. The pass ends when no lane works and none finds
anything.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ..wakeups import Bell

Pair = tuple[str, str]
C = TypeVar("C")  # what a claim returns
R = TypeVar("R")  # what working a claim returns
IDLE_LOOK = 1.0  # seconds an idle lane waits, at most, before looking again


@dataclass
class _State(Generic[R]):
    report: R
    lock: threading.Lock = field(default_factory=threading.Lock)
    pairs: set[Pair] = field(default_factory=set)  # being translated by a lane now
    working: int = 0  # lanes claiming or translating now
    finished: int = 0  # batches finished (an idle lane looks again after each)
    done: bool = False
    error: BaseException | None = None


def run(count: int, bell: Bell | None, claim: Callable[[frozenset[Pair]], tuple[Pair, C] | None],
        work: Callable[[C], R], add: Callable[[R, R], R], zero: R) -> R:
    """Run lanes until none has work; return the sum of what they did (the first error any
    lane met is raised once all have stopped)."""
    state: _State[R] = _State(zero)
    wake = bell or Bell()  # idle lanes wait on it; lanes nudge it when they finish or stop

    def lane() -> None:
        while True:
            seen = wake.rings()
            with state.lock:
                if state.done:
                    return
                state.working += 1
                exclude = frozenset(state.pairs)
            claimed = None
            try:
                claimed = claim(exclude)
                if claimed is not None:
                    _work(state, claimed, work, add)
            except BaseException as exc:  # stop every lane; the pass raises it
                with state.lock:
                    state.error = state.error or exc
                    state.done = True
                return
            finally:
                with state.lock:
                    state.working -= 1
                    state.finished += claimed is not None
                wake.nudge()
            if claimed is not None:
                continue
            with state.lock:
                state.done = stop = state.done or state.working == 0
                finished = state.finished
            if stop:  # nothing here and no lane works: the pass is over, for every lane
                wake.nudge()
                return
            # another lane works: look again when work is queued, a batch ends, or all stop
            wake.wait(seen, IDLE_LOOK, until=functools.partial(_moved, state, finished))

    others = [threading.Thread(target=lane, name=f"translate-lane-{n}", daemon=True)
              for n in range(1, max(1, count))]
    for thread in others:
        thread.start()
    lane()
    for thread in others:
        thread.join()
    if state.error is not None:
        raise state.error
    return state.report


def _moved(state: _State[R], finished: int) -> bool:
    """Say whether an idle lane should look again: the pass ended, or a batch finished."""
    return state.done or state.finished != finished


def _work(state: _State[R], claimed: tuple[Pair, C], work: Callable[[C], R],
          add: Callable[[R, R], R]) -> None:
    pair, batch = claimed
    with state.lock:
        state.pairs.add(pair)
    try:
        result = work(batch)
    finally:
        with state.lock:
            state.pairs.discard(pair)
    with state.lock:
        state.report = add(state.report, result)
