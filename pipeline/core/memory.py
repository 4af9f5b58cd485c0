"""Giving freed memory back to the system between stages.

glibc keeps what Python frees in its arenas, so a process's resident size stays at its high-water mark: the
parent held 235 MB through the scenes after narrating and planning needed it, and a scene worker kept each
scene's peak into the next. ``trim`` returns it (glibc's ``malloc_trim``); elsewhere it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc


def trim() -> None:
    """Collect garbage, then hand the free memory of this process's heap back to the system (glibc only)."""
    gc.collect()
    malloc_trim = _malloc_trim()
    if malloc_trim is not None:
        malloc_trim(0)


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, musl without it, Windows)
        return None
