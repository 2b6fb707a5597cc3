"""The load test's websocket client (tests/bench/ws_client.py): its element tree, what it counts
as a page problem, and a sales and a marketing journey against a real `streamlit run serve.py`.

The server part needs only this checkout and its requirements (no browser, no PostgreSQL), so it
never skips: a load test whose client silently stopped understanding the app would report
fast, error-free nonsense.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from ckm.i18n import translate
from deploy import servers
from tests.bench.ws_client import ElementTree, PageError, StreamlitClient, clean, problems_in

PASSWORD = "ws client password 2026"


def T(key: str, **values: object) -> str:
    return translate(key, "en", **values)


def _delta(path: tuple[int, ...]) -> ForwardMsg:
    message = ForwardMsg()
    message.metadata.delta_path.extend(path)
    return message


def test_tree_places_elements_and_a_new_block_drops_its_old_children() -> None:
    tree = ElementTree()
    form = _delta((0, 1))
    form.delta.add_block.form.form_id = "login"
    tree.apply(form)
    field = _delta((0, 1, 0))
    field.delta.new_element.text_input.id = "$$ID-abc-username"
    field.delta.new_element.text_input.label = "\u2068Username\u2069"
    tree.apply(field)
    title = _delta((0, 0))
    title.delta.new_element.heading.body = "Sign in"
    tree.apply(title)

    assert [node.kind for node in tree.in_order()] == ["heading", "block.form", "text_input"]
    found = tree.find_all("text_input", "Username")  # isolates do not matter
    assert [node.widget_id for node in found] == ["$$ID-abc-username"]
    assert tree.widget_ids() == {"$$ID-abc-username"}

    tree.apply(form)  # the form drawn again: its old field is gone until it is sent again
    assert tree.find_all("text_input") == []


def test_exceptions_and_error_messages_are_problems_other_alerts_are_not() -> None:
    tree = ElementTree()
    for index, (format_, body) in enumerate(
        [(Alert.ERROR, "Something went wrong"), (Alert.INFO, "Saved")]
    ):
        alert = _delta((0, index))
        alert.delta.new_element.alert.format = format_
        alert.delta.new_element.alert.body = body
        tree.apply(alert)
    crash = _delta((0, 2))
    crash.delta.new_element.exception.type = "KeyError"
    crash.delta.new_element.exception.message = "'ckm'"
    tree.apply(crash)

    assert problems_in(tree.in_order()) == [
        "error message: Something went wrong",
        "exception KeyError: 'ckm'",
    ]
    assert clean("\u2067رحیمی\u2069 ") == "رحیمی"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run serve.py` over a small demo SQLite database with one editor."""
    data_dir: Path = tmp_path_factory.mktemp("ckm-ws")
    env = servers.app_environment(
        CKM_DATA_DIR=str(data_dir), CKM_DATABASE_URL=f"sqlite:///{data_dir / 'ckm.db'}"
    )

    def ckm(*args: str, stdin: str | None = None) -> None:
        subprocess.run(
            [sys.executable, "-m", "ckm", *args], cwd=servers.REPO_ROOT, env=env, check=True,
            capture_output=True, input=stdin.encode() if stdin else None,
        )  # fmt: skip

    ckm("migrate")
    ckm("demo-data", "--customers", "120")
    ckm("score")
    ckm("user", "add", "rep", "--name", "Rep", "--role", "editor", "--password-stdin",
        stdin=f"{PASSWORD}\n")  # fmt: skip
    port = servers.free_port()
    url = f"http://127.0.0.1:{port}"
    process = servers.spawn(servers.streamlit_command(port), env, data_dir / "streamlit.log")
    try:
        servers.wait_until_ready(lambda: servers.healthy(url), [process], timeout=60)
        yield url
    finally:
        servers.stop(process)


async def _signed_in(url: str) -> StreamlitClient:
    client = StreamlitClient(url, timeout=60)
    await client.open()
    client.fill(T("login.username"), "rep")
    client.fill(T("login.password"), PASSWORD)
    await client.click(T("login.submit"))
    client.find("button", T("logout.button"))
    return client


def test_a_wrong_password_is_a_page_problem(server: str) -> None:
    async def journey() -> None:
        client = StreamlitClient(server, timeout=60)
        await client.open()
        assert client.find("button", T("login.submit")).proto.is_form_submitter
        client.fill(T("login.username"), "rep")
        client.fill(T("login.password"), "not the password")
        try:
            with pytest.raises(PageError, match="error message"):
                await client.click(T("login.submit"))
        finally:
            await client.close()

    asyncio.run(journey())


def test_sales_journey_search_profile_note(server: str) -> None:
    async def journey() -> None:
        client = await _signed_in(server)
        try:
            await client.open_link(T("nav.customers"))
            run = await client.type(T("customers.search_label"), "رحیمی")
            assert run.seconds > 0 and not run.problems
            results = [
                node
                for node in client.tree.find_all("page_link")
                if node.path[0] == 0 and node.proto.query_string.startswith("id=")
            ]
            assert results, client.texts()
            assert all("رحیمی" in node.label for node in results[:3])
            await client.open_link(node=results[0])
            assert client.query_string == results[0].proto.query_string  # the address bar
            await client.open_panel(T("profile.forms_panel"))
            client.fill(T("profile.note_title"), "Call on Wednesday")
            client.fill(T("profile.note_body"), "Prefers calls on Wednesdays.")
            await client.click(T("profile.save_note"))
            assert T("profile.note_saved") in client.texts()
            # The app empties the form after saving; the client then forgets what it typed
            # (as the front end does), so the next click does not send the old title again.
            title = client.find("text_input", T("profile.note_title"))
            assert title.proto.set_value and title.proto.value == ""
            assert title.widget_id not in client._states
        finally:
            await client.close()

    asyncio.run(journey())


def test_marketing_journey_segment_members_export(server: str) -> None:
    async def journey() -> None:
        client = await _signed_in(server)
        try:
            await client.open_link(T("nav.segments"))
            label = T("segments.drill.choose")
            options = client.options(label)
            assert len(options) > 2
            for option in options[1:]:  # the first segment that has members
                await client.select(label, option)
                if client.tree.find_all("download_button", T("segments.export.csv")):
                    break
            data = await client.download(T("segments.export.csv"))
            header = data.decode("utf-8-sig").splitlines()[0]
            assert T("segments.col.name") in header, header
        finally:
            await client.close()

    asyncio.run(journey())


def test_a_deferred_export_survives_other_sessions_runs(server: str) -> None:
    """A file made on click is still there after two page runs in another session.

    Stock Streamlit 1.67 deletes it at the second run that ends anywhere (HTTP 404); serve.py's
    LingeringMediaFileManager keeps unreferenced files for a few minutes.
    """

    async def journey() -> None:
        client = await _signed_in(server)
        other = await _signed_in(server)
        try:
            await client.open_link(T("nav.segments"))
            label = T("segments.drill.choose")
            for option in client.options(label)[1:]:
                await client.select(label, option)
                if client.tree.find_all("download_button", T("segments.export.csv")):
                    break
            fetch = client._http_get

            def after_two_other_runs(path: str) -> bytes:
                # What half a second of network and other users' clicks do in between.
                for _ in range(2):
                    asyncio.run_coroutine_threadsafe(other.rerun(), loop).result(timeout=60)
                return fetch(path)

            loop = asyncio.get_running_loop()
            client._http_get = after_two_other_runs  # type: ignore[method-assign]
            try:
                assert await client.download(T("segments.export.csv"))
            except PageError as lost:
                assert "HTTP 404" in str(lost), lost  # the bug, not some other problem
                raise
        finally:
            await client.close()
            await other.close()

    asyncio.run(journey())
