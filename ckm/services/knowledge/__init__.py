"""Knowledge health: coverage per customer with reasons, who holds each customer's
knowledge (degree of authorship, truck factor), monthly snapshots, handover.

`rules` holds every rule and parameter; `refresh` computes and stores (background job
`knowledge_refresh`); `read` is what pages read.
"""

from ckm.services.knowledge.read import (
    CustomerKnowledge,
    Knower,
    Overview,
    PersonRisk,
    SoleCustomer,
    customer_knowledge,
    overview,
    people_at_risk,
    require_manager,
    run_info,
    snapshots,
    sole_known_count,
    sole_known_customers,
)
from ckm.services.knowledge.refresh import (
    RefreshSummary,
    needs_refresh,
    queue_knowledge_refresh,
    run_knowledge_refresh,
)


def request_knowledge_refresh(store: object) -> int:
    """Queue a knowledge refresh now (one waiting run serves every request made before it)."""
    from ckm import jobs
    from ckm.db import Store
    from ckm.jobs.builtin import KNOWLEDGE_REFRESH

    assert isinstance(store, Store)  # noqa: S101 - typed loosely to keep imports lazy
    return jobs.enqueue(store, KNOWLEDGE_REFRESH, {"force": True}, dedupe_key=KNOWLEDGE_REFRESH)


__all__ = [
    "CustomerKnowledge",
    "Knower",
    "Overview",
    "PersonRisk",
    "RefreshSummary",
    "SoleCustomer",
    "customer_knowledge",
    "needs_refresh",
    "overview",
    "people_at_risk",
    "queue_knowledge_refresh",
    "request_knowledge_refresh",
    "require_manager",
    "run_info",
    "run_knowledge_refresh",
    "snapshots",
    "sole_known_count",
    "sole_known_customers",
]
