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
#: ``--executor`` values naming a place rather than a name: scheme -> a factory taking the address.
CLUSTERS: dict[str, Callable[[str], Executor]] = {
    "dask": lambda address: _dask(address),
}


def executor_for(spec: str, workers: int = 0) -> Executor:
    """The executor ``--executor`` names: 'local' (default), 'serial', or 'dask://HOST:PORT'."""
    from pipeline.errors import UsageError

    scheme, sep, address = spec.partition("://")
    if sep:
        host, _, port = address.rpartition(":")
        if scheme not in CLUSTERS or not host or not port.isdigit():
            raise UsageError(f"--executor {spec}: expected dask://HOST:PORT, e.g. dask://127.0.0.1:8786")
        return CLUSTERS[scheme](address)
    if spec not in EXECUTORS:
        raise UsageError(f"--executor {spec}: executors are {', '.join(EXECUTORS)}, or dask://HOST:PORT")
    return EXECUTORS[spec](workers)


def _dask(address: str) -> Executor:
    from pipeline.executors.cluster import DaskCluster

    return DaskCluster.connect(f"tcp://{address}")


__all__ = [
    "CLUSTERS", "EXECUTORS", "Cancel", "Event", "Executor", "FramesDone", "LocalPool", "SceneDone", "Serial",
    "executor_for",
]  # fmt: skip
