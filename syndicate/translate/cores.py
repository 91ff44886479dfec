"""How many cores translation uses, and the one pool every engine's batches run in.

The rule (shared by ``syndicate worker`` and the in-process worker, which both build their
engines through the service container): ``threads`` batches run at once in a process, from
``SYNDICATE_TRANSLATE_THREADS`` or, by default, the physical cores this process may use (its CPU
affinity, its cgroup's CPU quota, and one per core where the machine has hyper-threads).
CTranslate2 gets ``inter_threads = threads`` (that many batches in flight on a loaded model, its
weights shared) and ``intra_threads = cores // threads`` (at least 1), so ``inter × intra`` never
exceeds the cores. Every engine's batches, Argos chunks and Apertium processes of every
language pair, go through one pool of ``threads`` workers, so several pairs translating at once
share the cores instead of each taking all of them.

Measured on a 2-core machine (transformer-base test package, beam 2, 1,000 sentences): 38
sentences/s at inter 1 / intra 1, 43 at inter 1 / intra 2, 72 at inter 2 / intra 1.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
SYS_CPU = Path("/sys/devices/system/cpu")
CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


@dataclass(frozen=True)
class Plan:
    """How a process translates: batches at once, and threads per batch."""

    cores: int  # physical cores this process may use
    threads: int  # batches in flight (CTranslate2 inter_threads; Apertium processes)
    intra: int  # threads per batch (CTranslate2 intra_threads)


def plan(threads: int | None, cores: int) -> Plan:
    """Return the rule's plan: ``threads`` (None: one per core) batches, each with an equal
    share of the cores; inter × intra stays within the cores."""
    cores = max(1, cores)
    inter = max(1, threads if threads is not None else cores)
    return Plan(cores, inter, max(1, cores // inter))


def physical_cores() -> int:
    """Return the physical cores this process may use: its affinity, counted one per core
    (hyper-threads share one), and no more than its cgroup's CPU quota allows."""
    try:
        allowed = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        allowed = list(range(os.cpu_count() or 1))
    cores = {_core_of(cpu) for cpu in allowed}
    count = len(cores) if cores else len(allowed)
    quota = _cgroup_quota()
    return max(1, min(count, quota) if quota is not None else count)


def _core_of(cpu: int) -> tuple[str, str] | int:
    """Return the (package, core) a logical CPU sits on, or the CPU itself if unknown."""
    topology = SYS_CPU / f"cpu{cpu}" / "topology"
    try:
        return ((topology / "physical_package_id").read_text().strip(),
                (topology / "core_id").read_text().strip())
    except OSError:
        return cpu


def _cgroup_quota() -> int | None:
    """Return the CPUs a cgroup v2 quota allows (rounded up), or None when unlimited."""
    try:
        quota, period = CGROUP_CPU_MAX.read_text().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    try:
        return max(1, -(-int(quota) // int(period)))
    except (ValueError, ZeroDivisionError):
        return None


class Pool:
    """The process's translation workers: at most ``threads`` engine batches run at once."""

    def __init__(self, translation_plan: Plan) -> None:
        self.plan = translation_plan
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    def map(self, func: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """Run ``func`` over items in the pool; return results in order (the first error is
        raised once every item has finished, so no batch is left running)."""
        work = list(items)
        if len(work) <= 1 or self.plan.threads == 1:
            return [func(item) for item in work]
        futures = [self._pool().submit(func, item) for item in work]
        return _results(futures)

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.plan.threads,
                                                    thread_name_prefix="translate")
            return self._executor

    def close(self) -> None:
        """Stop the workers (after the batches under way)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)


def _results(futures: list[Future[R]]) -> list[R]:
    """Return every result in order; raise the first error once all have finished."""
    error: BaseException | None = None
    out: list[R] = []
    for future in futures:
        try:
            out.append(future.result())
        except BaseException as exc:  # re-raised below, once the others have finished
            error = error or exc
    if error is not None:
        raise error
    return out


def chunks(items: list[T], size: int, parts: int) -> list[list[T]]:
    """Split items (in order) into runs of at most ``size``, and into at least ``parts`` runs
    when there are enough items, so a small batch still uses every worker."""
    if not items:
        return []
    size = max(1, min(size, -(-len(items) // max(1, parts))))
    return [items[i:i + size] for i in range(0, len(items), size)]
