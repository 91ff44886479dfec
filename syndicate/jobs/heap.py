"""Give freed heap memory back to the operating system after large batches.

glibc keeps memory that Python and CTranslate2 free in its arenas, so a long-running service's
resident size only ever grows even though nothing leaks (measured here: 180 -> 215 MB over ten
1,000-segment passes; 98 -> 99 MB with a trim after each). ``malloc_trim(0)`` returns it.
Elsewhere (musl, macOS) this is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
from functools import lru_cache
from typing import Any

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def release() -> bool:
    """Collect garbage and return free heap pages to the OS; say whether the OS could take them."""
    gc.collect()
    libc = _libc()
    if libc is None:
        return False
    return bool(libc.malloc_trim(0))
