"""The duplicate detection job: a thin adapter over the duplicates service."""

from __future__ import annotations

from typing import Any

from ckm.db import Store
from ckm.jobs.registry import JobSpec, Reporter, register
from ckm.services.duplicates.detect import DETECTION_JOB


def duplicate_detection(store: Store, _payload: dict[str, Any], report: Reporter) -> object:
    """Score every likely duplicate pair of live customers and store the candidates."""
    from ckm.services.duplicates.detect import run_detection

    summary = run_detection(store, progress=report)
    return {"customers": summary.customers, "candidates": summary.candidates}


# Nightly, plus whenever queued (after imports: `queue_duplicate_detection`).
register(JobSpec(DETECTION_JOB, duplicate_detection, cron="10 3 * * *"))
