"""CKM's server: the Streamlit app (Home.py) plus `GET /api/health` for load balancers.

Start it with `streamlit run serve.py` (Streamlit finds the `app` below and serves it with all
of `.streamlit/config.toml`). The health route answers from the same process and the same
connection pool as the pages, so a load balancer sees exactly what a user would: 200 while
this server can reach its database at the current schema, 503 otherwise (ckm/health.py).

A page run's uncaught exception is logged as one JSON line with the run's request, session
and user ids (ckm/logs.py), besides being shown on the page as before. The lifespan keeps
download files for a few minutes after the page run that made them ends
(ckm/ui/media_files.py): stock Streamlit deletes a file made on click as soon as two page runs
end in other sessions, often before the browser has fetched it.
"""

from __future__ import annotations

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ckm import health, logs
from ckm.ui.media_files import lingering_media_files
from ckm.ui.resources import get_store


def _check() -> dict[str, object]:
    try:
        store = get_store()
    except Exception as problem:  # noqa: BLE001 - any failure to open the store is "not serving"
        return {
            "ok": False,
            "serving": False,
            "database": {"ok": False, "error": type(problem).__name__},
        }
    return health.check_engine(store.engine)


async def health_endpoint(_request: Request) -> JSONResponse:
    """The health of this app server as JSON; the status code is what a load balancer reads."""
    result = await run_in_threadpool(_check)
    return JSONResponse(
        result, status_code=health.http_status(result), headers={"Cache-Control": "no-store"}
    )


app = st.App(
    "Home.py",
    routes=[Route("/api/health", health_endpoint, methods=["GET", "HEAD"])],
    lifespan=lingering_media_files,
    on_script_error=logs.page_error,
)
