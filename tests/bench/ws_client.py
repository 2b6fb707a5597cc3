"""A Streamlit client without a browser: Streamlit's own websocket protocol, for load tests.

A browser tab talks to a Streamlit server over one websocket (`/_stcore/stream`): it sends
`BackMsg`s (mostly `rerun_script`, carrying the page, the query string and every widget's
value) and receives `ForwardMsg`s (`new_session`, the page's elements as `delta`s addressed by a
path in the element tree, `page_info_changed`, `script_finished`, …). This module does the same
with the protobuf classes shipped in the installed streamlit package, so hundreds of sessions
cost the load generator almost nothing, where as many Chromium tabs would measure Chromium.

    client = StreamlitClient("https://127.0.0.1:8443")
    await client.open()                                   # GET /, websocket, first run
    client.fill("Username", "sara"); client.fill("Password", "…")
    await client.click("Sign in")                         # a form submit: values + trigger
    await client.type("Search", "rahimi")                 # text input + Enter
    await client.open_link("Rahimi Trading")              # st.page_link (page + query string)
    data = await client.download("Download CSV")          # st.download_button, deferred or not
    await client.close()

Every action returns a `Run`: the seconds from sending to the run's final `script_finished`,
and the problems the page showed (an exception element, or an error message). What it does not
do: run JavaScript (custom components only get the values a test sets with
`set_component_value`), fetch the front end's static files, or keep Streamlit's message cache.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urljoin, urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

# Bidirectional isolates and marks that CKM (and others) put around labels.
_INVISIBLE = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069\u200e\u200f\u202a\u202b\u202c"))
# Alert.Format.ERROR in streamlit/proto/Alert.proto
_ALERT_ERROR = 1
_FINAL = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}
_TEXT_WIDGETS = ("text_input", "text_area")


def clean(text: str) -> str:
    """`text` without bidirectional isolates/marks, stripped: what a person reads."""
    return text.translate(_INVISIBLE).strip()


class ClientError(RuntimeError):
    """The server closed the connection, a run did not finish in time, or a widget is missing."""


class PageError(ClientError):
    """A run finished with an exception element or an error message on the page."""


@dataclass(frozen=True)
class Node:
    """One element or block of the page: its place in the tree, its type and its message."""

    path: tuple[int, ...]
    kind: str  # an Element type ("text_input", "button", "markdown", …) or "block.<type>"
    proto: Any  # the typed message, e.g. streamlit.proto.TextInput_pb2.TextInput

    @property
    def label(self) -> str:
        return clean(str(getattr(self.proto, "label", "")))

    @property
    def widget_id(self) -> str:
        return str(getattr(self.proto, "id", ""))

    @property
    def text(self) -> str:
        """The readable text of a text element (markdown, headings, alerts, captions)."""
        for name in ("body", "label", "message"):
            value = getattr(self.proto, name, None)
            if isinstance(value, str) and value:
                return clean(value)
        return ""


@dataclass
class Run:
    """One finished script run as the client saw it."""

    seconds: float
    status: int
    problems: list[str] = field(default_factory=list)


def problems_in(nodes: Iterable[Node]) -> list[str]:
    """What a page shows as gone wrong: exception elements and error alerts, as text."""
    found = []
    for node in nodes:
        if node.kind == "exception":
            found.append(f"exception {node.proto.type}: {clean(node.proto.message)[:200]}")
        elif node.kind == "alert" and node.proto.format == _ALERT_ERROR:
            found.append(f"error message: {clean(node.proto.body)[:200]}")
    return found


class ElementTree:
    """The page as the front end would hold it: deltas applied at their paths."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[int, ...], Node] = {}

    def clear(self) -> None:
        self.nodes.clear()

    def apply(self, message: ForwardMsg) -> None:
        delta = message.delta
        path = tuple(message.metadata.delta_path)
        kind = delta.WhichOneof("type")
        if kind == "new_element":
            element = delta.new_element
            element_kind = element.WhichOneof("type") or "empty"
            self._replace(path, Node(path, element_kind, getattr(element, element_kind)))
        elif kind == "add_block":
            block = delta.add_block
            block_kind = block.WhichOneof("type") or "vertical"
            self._replace(
                path, Node(path, f"block.{block_kind}", getattr(block, block_kind, block))
            )

    def _replace(self, path: tuple[int, ...], node: Node) -> None:
        # A new element or block at a path replaces whatever was there, children included.
        for stale in [p for p in self.nodes if p[: len(path)] == path and p != path]:
            del self.nodes[stale]
        self.nodes[path] = node

    def in_order(self) -> list[Node]:
        """Every node in page order (main area first, then the sidebar)."""
        return [self.nodes[path] for path in sorted(self.nodes)]

    def find_all(self, kinds: str | tuple[str, ...], label: str | None = None) -> list[Node]:
        """Nodes of these kinds whose label equals `label` (isolates ignored), in page order."""
        wanted = (kinds,) if isinstance(kinds, str) else kinds
        return [
            node
            for node in self.in_order()
            if node.kind in wanted and (label is None or node.label == clean(label))
        ]

    def widget_ids(self) -> set[str]:
        return {node.widget_id for node in self.nodes.values() if node.widget_id}


def _ssl_context(url: str) -> ssl.SSLContext | None:
    if not url.startswith(("https:", "wss:")):
        return None
    # Loopback load tests against our own self-signed certificate (deploy/cluster.py).
    return ssl._create_unverified_context()  # noqa: S323


class StreamlitClient:
    """One browser-tab-like session of a Streamlit app, driven over its websocket."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 120.0,
        locale: str = "en-US",
        fetch_assets: bool = False,
    ) -> None:
        """`fetch_assets`: on open, also GET the scripts and styles the page names, as a
        browser with an empty cache does (by default a returning browser: cached)."""
        self.base_url = base_url.rstrip("/")
        self.fetch_assets = fetch_assets
        self.timeout = timeout
        self.locale = locale
        self.tree = ElementTree()
        self.cookies: dict[str, str] = {}
        self.query_string = ""
        self.page_script_hash = ""
        self.session_id = ""
        self.pages: dict[str, str] = {}  # url path -> page script hash (from `navigation`)
        self._states: dict[str, WidgetState] = {}
        self._ws: ClientConnection | None = None
        self._responses: dict[str, ForwardMsg] = {}

    # -- connection ---------------------------------------------------------------------------

    def _http_get(self, path: str) -> bytes:
        request = urllib.request.Request(urljoin(self.base_url + "/", path.lstrip("/")))  # noqa: S310
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        with urllib.request.urlopen(  # noqa: S310 - the load test's own loopback server
            request, timeout=self.timeout, context=_ssl_context(self.base_url)
        ) as response:
            for header in response.headers.get_all("Set-Cookie") or []:
                jar: SimpleCookie = SimpleCookie()
                jar.load(header)
                self.cookies.update({name: morsel.value for name, morsel in jar.items()})
            return bytes(response.read())

    async def open(self, path: str = "/", query_string: str = "") -> Run:
        """Load the page like a browser (GET, which also gets a load balancer's sticky cookie),
        open the websocket and run the page at `path`."""
        page = await asyncio.to_thread(self._http_get, path)
        if self.fetch_assets:
            for asset in re.findall(rb'(?:src|href)="\./(static/[^"]+)"', page):
                await asyncio.to_thread(self._http_get, "/" + asset.decode())
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        headers = {"Origin": f"{parts.scheme}://{parts.netloc}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self._ws = await connect(
            f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream",
            subprotocols=["streamlit"],  # type: ignore[list-item]
            additional_headers=headers,
            ssl=_ssl_context(self.base_url),
            max_size=None,
            open_timeout=self.timeout,
            ping_interval=None,  # browsers do not ping; a busy server must not look dead
            compression=None,
        )
        self.query_string = query_string
        return await self.rerun(page_name=path.strip("/"), page_script_hash="")

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    # -- runs ---------------------------------------------------------------------------------

    async def rerun(
        self,
        *,
        triggers: Iterable[WidgetState] = (),
        page_script_hash: str | None = None,
        page_name: str = "",
        query_string: str | None = None,
    ) -> Run:
        """Send `rerun_script` with every widget's value (plus one-shot `triggers`) and read
        until the run's final `script_finished`. Raises PageError if the page shows a problem."""
        if self._ws is None:
            raise ClientError("not connected: call open() first")
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query_string if query_string is None else query_string
        state.page_script_hash = (
            self.page_script_hash if page_script_hash is None else page_script_hash
        )
        state.page_name = page_name
        state.context_info.timezone = "Asia/Tehran"
        state.context_info.timezone_offset = -210
        state.context_info.locale = self.locale
        state.context_info.url = f"{self.base_url}/{page_name}"
        state.widget_states.widgets.extend([*self._states.values(), *triggers])
        started = time.perf_counter()
        await self._ws.send(message.SerializeToString())
        status = await self._until_finished()
        run = Run(time.perf_counter() - started, status, problems_in(self.tree.in_order()))
        live = self.tree.widget_ids()
        self._states = {key: value for key, value in self._states.items() if key in live}
        if run.problems:
            raise PageError("; ".join(run.problems))
        return run

    async def _receive(self, deadline: float) -> ForwardMsg:
        assert self._ws is not None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ClientError(f"no answer within {self.timeout:.0f} s")
        try:
            raw = await asyncio.wait_for(self._ws.recv(), remaining)
        except TimeoutError:
            raise ClientError(f"no answer within {self.timeout:.0f} s") from None
        except ConnectionClosed as closed:
            raise ClientError(f"connection lost: {type(closed).__name__}: {closed}") from None
        message = ForwardMsg()
        message.ParseFromString(raw if isinstance(raw, bytes) else raw.encode())
        return message

    def handle(self, message: ForwardMsg) -> int | None:
        """Apply one ForwardMsg; the script-finished status when it ends a run for good."""
        kind = message.WhichOneof("type")
        if kind == "new_session":
            self.tree.clear()
            self.page_script_hash = message.new_session.page_script_hash
            if message.new_session.initialize.session_id:
                self.session_id = message.new_session.initialize.session_id
        elif kind == "delta":
            self.tree.apply(message)
            # A widget whose value the app set (e.g. a form emptied after saving) takes the
            # app's value, as in the front end: forget what was typed into it before.
            element = message.delta.new_element
            typed = element.WhichOneof("type") if message.delta.HasField("new_element") else None
            widget = getattr(element, typed) if typed else None
            if widget is not None and getattr(widget, "set_value", False):
                self._states.pop(widget.id, None)
        elif kind == "page_info_changed":
            self.query_string = message.page_info_changed.query_string
        elif kind == "navigation":
            self.page_script_hash = message.navigation.page_script_hash or self.page_script_hash
            self.pages = {
                page.url_pathname: page.page_script_hash for page in message.navigation.app_pages
            }
        elif kind == "backend_operation_response":
            self._responses[message.backend_operation_response.request_id] = message
        elif kind == "ref_hash":
            raise ClientError("the server sent a cached-message reference; none was offered")
        elif kind == "page_not_found":
            raise PageError(f"page not found: {message.page_not_found.page_name}")
        elif kind == "script_finished" and message.script_finished in _FINAL:
            return int(message.script_finished)
        return None

    async def _until_finished(self) -> int:
        deadline = time.monotonic() + self.timeout
        while True:
            status = self.handle(await self._receive(deadline))
            if status is not None:
                return status

    # -- widgets ------------------------------------------------------------------------------

    def find(self, kinds: str | tuple[str, ...], label: str) -> Node:
        """The first widget/element of these kinds with this label; ClientError if none."""
        found = self.tree.find_all(kinds, label)
        if not found:
            shown = sorted({n.label for n in self.tree.find_all(kinds) if n.label})
            raise ClientError(f"no {kinds} labelled {label!r} on the page (there are: {shown})")
        return found[0]

    def find_by_key(self, key: str) -> Node:
        """The widget whose id ends with the user key `key` (Streamlit ids end in `-<key>`)."""
        for node in self.tree.in_order():
            if node.widget_id.endswith(f"-{key}"):
                return node
        raise ClientError(f"no widget with key {key!r} on the page")

    def texts(self) -> list[str]:
        return [node.text for node in self.tree.in_order() if node.text]

    def fill(self, label: str, value: str) -> None:
        """Type into a text input/area without a rerun (a field of a form, or before Enter)."""
        node = self.find(_TEXT_WIDGETS, label)
        self._states[node.widget_id] = WidgetState(id=node.widget_id, string_value=value)

    async def type(self, label: str, value: str) -> Run:
        """Type into a text input/area outside a form and press Enter (the value reruns)."""
        self.fill(label, value)
        return await self.rerun()

    async def select(self, label: str, option: str) -> Run:
        """Choose `option` (as displayed) in a selectbox."""
        node = self.find("selectbox", label)
        options = [clean(o) for o in node.proto.options]
        if clean(option) not in options:
            raise ClientError(f"{label!r} has no option {option!r} (there are: {options})")
        shown = node.proto.options[options.index(clean(option))]
        self._states[node.widget_id] = WidgetState(id=node.widget_id, string_value=shown)
        return await self.rerun()

    def options(self, label: str) -> list[str]:
        return [clean(o) for o in self.find("selectbox", label).proto.options]

    async def click(self, label: str) -> Run:
        """Click a button (or a form's submit button, which sends the form's values too)."""
        node = self.find("button", label)
        return await self.rerun(triggers=[WidgetState(id=node.widget_id, trigger_value=True)])

    async def open_panel(self, label: str) -> Run:
        """Open a folded panel (an expander drawn lazily, whose toggle reruns the script) as a
        click on it does: its state turns true, and the script reruns."""
        node = self.find("block.expandable", label)
        self._states[node.widget_id] = WidgetState(id=node.widget_id, bool_value=True)
        return await self.rerun()

    async def open_link(self, label: str | None = None, *, node: Node | None = None) -> Run:
        """Follow an `st.page_link` as a click does: its page and its query string."""
        link = node or self.find("page_link", label or "")
        self._states.clear()  # the next page's widgets start fresh, as in a browser
        self.query_string = link.proto.query_string  # the address bar now shows the link's
        return await self.rerun(page_script_hash=link.proto.page_script_hash)

    async def set_component_value(self, key: str, json_value: str) -> Run:
        """What a custom component's JavaScript would send: its value, then a rerun."""
        node = self.find_by_key(key)
        self._states[node.widget_id] = WidgetState(id=node.widget_id, json_value=json_value)
        return await self.rerun()

    async def download(self, label: str) -> bytes:
        """Press a download button and fetch the file, as the browser does: a deferred file
        is made on request (`backend_operation_request`), then read over HTTP."""
        node = self.find("download_button", label)
        url = node.proto.url
        if node.proto.deferred_file_id:
            assert self._ws is not None
            request_id = str(uuid.uuid4())
            message = BackMsg()
            message.backend_operation_request.request_id = request_id
            message.backend_operation_request.session_id = self.session_id
            message.backend_operation_request.deferred_file.file_id = node.proto.deferred_file_id
            await self._ws.send(message.SerializeToString())
            deadline = time.monotonic() + self.timeout
            while request_id not in self._responses:
                self.handle(await self._receive(deadline))
            response = self._responses.pop(request_id).backend_operation_response
            if response.error_msg:
                raise PageError(f"download failed: {response.error_msg}")
            url = response.deferred_file.url
        if not url:
            raise ClientError(f"download button {label!r} has no file")
        try:
            return await asyncio.to_thread(self._http_get, url)
        except urllib.error.HTTPError as refused:  # the page is fine; the file was not there
            raise PageError(f"download failed: HTTP {refused.code} for {url}") from refused
