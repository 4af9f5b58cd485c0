"""Executors that run scene jobs, keyed by name. A new one is one module with a class that has
``run(jobs, on_event, cancel)`` (see base.Executor), plus one line here."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

from pipeline.rendering.executors.base import Cancel, Event, Executor, FramesDone, SceneDone
from pipeline.rendering.executors.local import LocalPool
from pipeline.rendering.executors.serial import Serial


def _serial(workers: int) -> Executor:
    """Every scene in this process, one after another."""
    return Serial()


def _dask(address: str) -> Executor:
    """Scene jobs (and narration) on the workers of the Dask scheduler at HOST:PORT."""
    from pipeline.rendering.executors.cluster import DaskCluster

    return DaskCluster.connect(f"tcp://{address}")


#: Name -> a factory taking the number of workers asked for (``--jobs``; 0: one per core). The first line of the
#: factory's docstring (a class's own) describes it in ``--executor``'s help.
EXECUTORS: dict[str, Callable[[int], Executor]] = {
    "local": LocalPool,
    "serial": _serial,
}
#: ``--executor`` values naming a place rather than a name: scheme -> a factory taking the address (HOST:PORT).
CLUSTERS: dict[str, Callable[[str], Executor]] = {
    "dask": _dask,
}


def executor_for(spec: str, workers: int = 0) -> Executor:
    """The executor ``--executor`` names: 'local' (default), 'serial', or 'dask://HOST:PORT'."""
    from pipeline.core.errors import UsageError

    scheme, sep, address = spec.partition("://")
    if sep:
        if scheme not in CLUSTERS:
            raise UsageError(f"--executor {spec}: expected dask://HOST:PORT, e.g. dask://127.0.0.1:8786")
        return CLUSTERS[scheme](host_port(spec, address))
    if spec not in EXECUTORS:
        raise UsageError(f"--executor {spec}: executors are {', '.join(EXECUTORS)}, or dask://HOST:PORT")
    return EXECUTORS[spec](workers)


def host_port(spec: str, address: str) -> str:
    """``address`` (HOST:PORT, an IPv6 host in brackets) checked: the port a number from 1 to 65535."""
    from pipeline.core.errors import UsageError

    match = re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[^\s:\[\]/]+):([0-9]+)", address)
    if match is None:
        bare = address.count(":") > 1 and "[" not in address
        hint = "; an IPv6 address goes in brackets, e.g. dask://[::1]:8786" if bare else ", e.g. dask://127.0.0.1:8786"
        raise UsageError(f"--executor {spec}: expected dask://HOST:PORT{hint}")
    host, port = match[1], int(match[2])
    if not 1 <= port <= 65535:
        raise UsageError(f"--executor {spec}: port {match[2]} is invalid: a port is a number from 1 to 65535")
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise UsageError(f"--executor {spec}: {host} is not an IPv6 address") from None
    return f"{host}:{port}"


__all__ = [
    "CLUSTERS", "EXECUTORS", "Cancel", "Event", "Executor", "FramesDone", "LocalPool", "SceneDone", "Serial",
    "executor_for",
]  # fmt: skip
