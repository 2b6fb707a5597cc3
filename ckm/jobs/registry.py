"""The registry of background jobs: what each job is called, what it runs, how often.

A job is a plain function `run(store, payload, report)`. It must be idempotent (running it
twice does no harm) and write in short transactions that commit whole or not at all, so a
worker killed half-way leaves nothing half-done and the job can simply run again.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ckm.db import Store

# report(fraction 0..1, stage) — the stage is a short i18n key or plain word shown on the
# Jobs panel. Call it between transactions (on SQLite a report inside an open write
# transaction would wait for that very transaction).
Reporter = Callable[[float, str], None]
JobFunc = Callable[[Store, dict[str, Any], Reporter], object]

EXTRA_MODULES_ENV = "CKM_JOB_MODULES"


@dataclass(frozen=True)
class JobSpec:
    """One kind of job."""

    name: str
    run: JobFunc
    # Cron expression (UTC; an optional sixth field for seconds) for periodic jobs.
    cron: str | None = None
    # Total tries, the first run included, before the job is marked failed.
    max_attempts: int = 3
    # The first retry waits about this long, later ones exponentially longer.
    backoff_seconds: int = 10


_REGISTRY: dict[str, JobSpec] = {}


def register(spec: JobSpec) -> JobSpec:
    """Add (or replace) a job kind; returns the spec so it can be used as a value."""
    _REGISTRY[spec.name] = spec
    return spec


def get(name: str) -> JobSpec | None:
    """The job kind called `name`, if registered."""
    load()
    return _REGISTRY.get(name)


def all_specs() -> list[JobSpec]:
    """Every registered job kind, sorted by name."""
    load()
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def load() -> None:
    """Import the built-in jobs, plus any modules named in CKM_JOB_MODULES (comma-separated;
    used by tests and by installations that add their own jobs)."""
    importlib.import_module("ckm.jobs.builtin")
    for module in filter(None, os.environ.get(EXTRA_MODULES_ENV, "").split(",")):
        importlib.import_module(module.strip())
