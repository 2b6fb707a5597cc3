"""ckm/ui/media_files.py: unreferenced download and media files outlive their page run for a
while, then go. Real Streamlit file manager and in-memory storage; only the clock is ours.

The server-level proof (a file made on click survives other sessions' page runs) is
tests/unit/test_ws_client.py::test_a_deferred_export_survives_other_sessions_runs.
"""

from __future__ import annotations

from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from ckm.ui.media_files import LingeringMediaFileManager


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _exists(manager: MediaFileManager, url: str) -> bool:
    return manager.read_file(url.rsplit("/", 1)[1]) is not None


def _made_on_click(manager: MediaFileManager) -> str:
    """What a download button with `data=` a callable does: a file no session references."""
    placeholder = manager.add_deferred(lambda: b"name,email\n", "text/csv", "1.(0.2).3", "a.csv")
    url = manager.execute_deferred(placeholder)
    manager.clear_session_refs("dontcare")  # the clicking session's page runs again
    return url


def test_stock_streamlit_loses_a_file_made_on_click_after_two_page_runs() -> None:
    # Pins the behaviour the lingering manager exists for; if Streamlit fixes it, this fails
    # and the lingering manager can go.
    manager = MediaFileManager(MemoryMediaFileStorage("/media"))
    url = _made_on_click(manager)
    manager.remove_orphaned_files()
    manager.remove_orphaned_files()
    assert not _exists(manager, url)


def test_an_unreferenced_file_stays_for_the_keep_time_then_goes() -> None:
    clock = Clock()
    manager = LingeringMediaFileManager(MemoryMediaFileStorage("/media"), 180, clock)
    url = _made_on_click(manager)
    for _ in range(20):  # other people's page runs
        manager.remove_orphaned_files()
        clock.now += 1
    assert _exists(manager, url)
    clock.now += 160  # 180 s since the first sweep saw it unreferenced
    manager.remove_orphaned_files()
    assert not _exists(manager, url)


def test_a_file_shown_again_starts_its_keep_time_over() -> None:
    clock = Clock()
    manager = LingeringMediaFileManager(MemoryMediaFileStorage("/media"), 180, clock)
    url = manager.add(b"\x89PNG chart", "image/png", "1.(0.4)")
    manager.clear_session_refs("dontcare")
    manager.remove_orphaned_files()  # unreferenced from now
    clock.now += 170
    manager.add(b"\x89PNG chart", "image/png", "1.(0.4)")  # the same chart, next page run
    manager.remove_orphaned_files()
    manager.clear_session_refs("dontcare")
    clock.now += 100
    manager.remove_orphaned_files()  # 270 s after the first sweep: unreferenced again from now
    assert _exists(manager, url)
    clock.now += 179
    manager.remove_orphaned_files()
    assert _exists(manager, url)
    clock.now += 1
    manager.remove_orphaned_files()
    assert not _exists(manager, url)


def test_a_referenced_file_is_never_deleted() -> None:
    clock = Clock()
    manager = LingeringMediaFileManager(MemoryMediaFileStorage("/media"), 180, clock)
    url = manager.add(b"\x89PNG logo", "image/png", "1.(0.1)")
    for _ in range(3):
        clock.now += 1000
        manager.remove_orphaned_files()
    assert _exists(manager, url)
