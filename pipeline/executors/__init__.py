"""Executors that run scene jobs, keyed by name. A new one is one module with a class that has
``run(jobs, on_event, cancel)`` (see base.Executor), plus one line here."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.executors.base import Cancel, Event, Executor, FramesDone, SceneDone
from pipeline.executors.local import LocalPool
from pipeline.executors.serial import Serial

#: Name -> a factory taking the number of workers asked for (0: one per core).
EXECUTORS: dict[str, Callable[[int], Executor]] = {
    "local": LocalPool,
    "serial": lambda workers: Serial(),
}

__all__ = ["EXECUTORS", "Cancel", "Event", "Executor", "FramesDone", "LocalPool", "SceneDone", "Serial"]
