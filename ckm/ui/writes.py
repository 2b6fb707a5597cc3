"""One service call in one short write session, with its error shown as a message."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from ckm import jobs
from ckm.services.errors import CKMError
from ckm.ui.i18n import show_error
from ckm.ui.privacy import record_refusal
from ckm.ui.resources import get_store


def write(action: Callable[[Session], object], *, rescore: bool = False) -> bool:
    """Run `action` in a write session; True when it committed, False (with the error shown
    and nothing saved) when the service refused.

    `rescore`: the write changed what scores are computed from (customers, orders,
    touchpoints), so one background score refresh is queued after the commit; no page waits
    for it.
    """
    store = get_store()
    try:
        with store.write() as session:
            action(session)
    except CKMError as problem:
        record_refusal(problem)
        show_error(problem)
        return False
    if rescore:
        jobs.request_score_refresh(store)
    return True
