"""Installed package versions, part of every engine's identity (a new version may sound different)."""

from __future__ import annotations

from importlib import metadata


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"
