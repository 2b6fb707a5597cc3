"""CKM's server: the Streamlit app (Home.py), `GET /api/health` for load balancers, and
`GET /api/session/cookie` which sets or clears the login cookie.

Start it with `streamlit run serve.py` (Streamlit finds the `app` below and serves it with all
of `.streamlit/config.toml`). The health route answers from the same process and the same
connection pool as the pages, so a load balancer sees exactly what a user would: 200 while
this server can reach its database at the current schema, 503 otherwise (ckm/health.py).

The login cookie is HttpOnly, so no page script can write it: after a sign-in (or sign-out) the
page shows the browser a one-pixel image whose address carries a signed two-minute ticket, and
this route answers it with the `Set-Cookie` (ckm/services/session_cookie.py). No component
frame is involved, so nothing reruns the page when the cookie arrives.

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
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ckm import health, logs
from ckm.services import session_cookie
from ckm.ui.media_files import lingering_media_files
from ckm.ui.resources import get_settings, get_store


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


def _cookie_answer(ticket: str | None) -> session_cookie.CookieAnswer:
    settings = get_settings()
    return session_cookie.answer(
        ticket,
        store=get_store(),
        cookie_key=settings.cookie_key,
        lifetime_days=settings.cookie_expiry_days,
    )


async def session_cookie_endpoint(request: Request) -> Response:
    """Set (or clear) the login cookie for a one-use ticket; 403/410 and no cookie otherwise."""
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    if not session_cookie.fetched_by_the_page(
        request.headers.get("sec-fetch-site"), request.headers.get("sec-fetch-dest")
    ):
        # Another site's link or page (login CSRF): refused before the ticket is even read,
        # so it stays good for the page that drew it.
        return Response(status_code=403, headers=headers)
    answer = await run_in_threadpool(_cookie_answer, request.query_params.get("ticket"))
    if not answer.sets_cookie:
        return Response(status_code=answer.status, headers=headers)
    response = Response(session_cookie.PIXEL, media_type="image/png", headers=headers)
    response.set_cookie(
        get_settings().cookie_name,
        answer.value,
        max_age=answer.max_age,
        path="/",
        secure=session_cookie.is_https(
            request.url.scheme, request.headers.get("x-forwarded-proto")
        ),
        httponly=True,
        samesite="strict",
    )
    return response


app = st.App(
    "Home.py",
    routes=[
        Route("/api/health", health_endpoint, methods=["GET", "HEAD"]),
        Route(session_cookie.TICKET_PATH, session_cookie_endpoint, methods=["GET"]),
    ],
    lifespan=lingering_media_files,
    on_script_error=logs.page_error,
)
