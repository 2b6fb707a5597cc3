"""CKM's own jobs. Each is a thin adapter over a service function, so the same work can be
run by the worker, the CLI or a test."""

from __future__ import annotations

from typing import Any

from ckm.db import Store
from ckm.jobs.registry import JobSpec, Reporter, register

SCORE_REFRESH = "score_refresh"
INDEX_CATCH_UP = "index_catch_up"
TRASH_PURGE = "trash_purge"
RETENTION = "retention"
JOBS_CLEANUP = "jobs_cleanup"
IMPORT_BATCH = "import_batch"


def score_refresh(store: Store, _payload: dict[str, Any], report: Reporter) -> object:
    """Recompute customer scores and totals if the data or the day changed since the last
    run (cheap when nothing did); computed outside any write lock, written in short batches."""
    from ckm.services import scoring

    def progress(_stage: str, done: int, total: int) -> None:
        report(done / total if total else 0.0, "jobs.stage.scoring")

    report(0.0, "jobs.stage.scoring")
    summary = scoring.run_score_refresh(store, progress=progress)
    report(1.0, "jobs.stage.done")
    return {"recomputed": summary.refreshed, "customers": summary.customers}


def index_catch_up(store: Store, _payload: dict[str, Any], report: Reporter) -> object:
    """Index notes added without the search index (bulk loads)."""
    from ckm.services import notes

    report(0.0, "jobs.stage.indexing")
    indexed = notes.run_index_catch_up(store)
    report(1.0, "jobs.stage.done")
    return {"notes_indexed": indexed}


def trash_purge(store: Store, _payload: dict[str, Any], report: Reporter) -> object:
    """Delete for good the notes that have been in the trash past the retention period."""
    from ckm.services import notes

    report(0.0, "jobs.stage.purging")
    purged = notes.run_trash_purge(store)
    report(1.0, "jobs.stage.done")
    return {"purged": purged}


def retention(store: Store, _payload: dict[str, Any], report: Reporter) -> object:
    """Apply the privacy retention rules (the privacy service owns what they are)."""
    from ckm.services import privacy

    report(0.0, "jobs.stage.retention")
    result = privacy.run_retention(store)
    report(1.0, "jobs.stage.done")
    return result


# Every quarter hour: writes queue a refresh themselves, and a run with nothing changed
# costs two small reads; the first run after midnight moves "recency" on by a day.
register(JobSpec(SCORE_REFRESH, score_refresh, cron="*/15 * * * *"))
register(JobSpec(INDEX_CATCH_UP, index_catch_up, cron="23 * * * *"))
register(JobSpec(TRASH_PURGE, trash_purge, cron="41 * * * *"))
register(JobSpec(RETENTION, retention, cron="30 2 * * *"))


def jobs_cleanup(store: Store, _payload: dict[str, Any], report: Reporter) -> object:
    """Forget finished jobs older than KEEP_FINISHED_DAYS, so the queue tables stay small."""
    from ckm.jobs import cleanup

    report(0.0, "jobs.stage.cleaning")
    removed = cleanup.forget_finished(store, older_than_days=cleanup.KEEP_FINISHED_DAYS)
    report(1.0, "jobs.stage.done")
    return {"removed": removed}


register(JobSpec(JOBS_CLEANUP, jobs_cleanup, cron="50 0 * * *"))


def import_batch(store: Store, payload: dict[str, Any], report: Reporter) -> object:
    """Run an import (or a check) queued with `importing.batches.start_import`.

    After an import, the run itself has queued the score refresh (`refresh_after_import`,
    which every import path calls); data quality and duplicate detection are queued here.
    A check changes nothing, so it queues nothing.
    """
    from ckm.services.importing.batches import run_import_batch

    report(0.0, "jobs.stage.importing")
    result = run_import_batch(store, int(payload["batch_id"]))
    report(1.0, "jobs.stage.done")
    if result is not None and not result.dry_run:
        from ckm.services.duplicates import queue_duplicate_detection
        from ckm.services.quality import request_quality_refresh

        request_quality_refresh(store)
        queue_duplicate_detection(store)
    return {"batch_id": payload["batch_id"], "imported": result is not None}


register(JobSpec(IMPORT_BATCH, import_batch))


QUALITY_REFRESH = "quality_refresh"


def quality_refresh(store: Store, _payload: dict[str, Any], report: Reporter) -> object:
    """Recompute the data-quality figures: the day's first run, and after any change that
    asked for it (`quality.queue_quality_refresh`); otherwise two small reads and done."""
    from ckm.services import quality

    report(0.0, "jobs.stage.quality")
    summary = quality.run_quality_refresh(store)
    report(1.0, "jobs.stage.done")
    return {"refreshed": summary.refreshed, "customers": summary.customers}


register(JobSpec(QUALITY_REFRESH, quality_refresh, cron="*/15 * * * *"))

VOICE_THEMES = "voice_themes"


def voice_themes(store: Store, _payload: dict[str, Any], report: Reporter) -> object:
    """Recompute the Voice page's themes (ckm/services/voice/refresh.py) and store them."""
    from ckm.services import voice

    report(0.0, "jobs.stage.voice_themes")
    result = voice.run_theme_refresh(store)
    report(1.0, "jobs.stage.done")
    return result


# Every three hours: themes move slowly, and a run reads every text from customers once.
register(JobSpec(VOICE_THEMES, voice_themes, cron="7 */3 * * *"))

KNOWLEDGE_REFRESH = "knowledge_refresh"


def knowledge_refresh(store: Store, payload: dict[str, Any], report: Reporter) -> object:
    """Recompute knowledge coverage and key-person risk when the data or the day changed
    (cheap otherwise); `{"force": true}` recomputes regardless."""
    from ckm.services.knowledge.refresh import run_knowledge_refresh

    report(0.0, "jobs.stage.knowledge")
    summary = run_knowledge_refresh(store, force=bool(payload.get("force")), progress=report)
    report(1.0, "jobs.stage.done")
    return {"refreshed": summary.refreshed, "customers": summary.customers}


# Every ten minutes: a run with nothing changed costs a few small reads; the first run of a
# day always recomputes (recency moves on), so the work happens at least daily.
register(JobSpec(KNOWLEDGE_REFRESH, knowledge_refresh, cron="*/10 * * * *"))

import ckm.jobs.duplicates  # noqa: E402, F401  (registers the duplicate detection job)
