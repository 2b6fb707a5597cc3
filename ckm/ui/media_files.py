"""Keep Streamlit's download and media files a while after the last page run that showed them.

Streamlit (1.67) deletes the files no session references at the end of every script run in
any session: media at once, downloads at the second such sweep. A file that a download button
makes on click (`data=` a callable) is referenced by no session from the start, so two page
runs elsewhere in the few hundred milliseconds between the click and the browser's GET delete
it, and the user gets a 404 (7 of 19 exports at 30 users). `LingeringMediaFileManager` keeps an
unreferenced file for `keep_seconds` after it was first seen unreferenced, then the next sweep
deletes it. serve.py installs it; docs/capacity.md explains the memory it costs.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from streamlit import runtime
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileStorage

MEDIA_KEEP_SECONDS = 180.0
"""How long a download or media file outlives the last page run that referenced it."""


class LingeringMediaFileManager(MediaFileManager):
    """Streamlit's media file manager, deleting an unreferenced file only after a delay.

    A file referenced again (the same bytes shown again) starts its delay over. The cost is
    memory: each file lives at most `keep_seconds` longer than with the stock manager, and a
    file outlives its delay until the next page run ends somewhere on this server.
    """

    def __init__(
        self,
        storage: MediaFileStorage,
        keep_seconds: float = MEDIA_KEEP_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(storage)
        self.keep_seconds = keep_seconds
        self._clock = clock
        self._unreferenced_since: dict[str, float] = {}

    def remove_orphaned_files(self) -> None:
        """Delete the files that no session has referenced for `keep_seconds`."""
        now = self._clock()
        with self._lock:
            unreferenced = self._get_inactive_file_ids()
            for file_id in list(self._unreferenced_since):
                if file_id not in unreferenced:  # referenced again, or already gone
                    del self._unreferenced_since[file_id]
            for file_id in unreferenced:
                since = self._unreferenced_since.setdefault(file_id, now)
                if now - since >= self.keep_seconds:
                    self._delete_file(file_id)
                    del self._unreferenced_since[file_id]
            # Callables of download buttons no longer on any page go as Streamlit decides.
            self._remove_orphaned_deferred_callables()


@asynccontextmanager
async def lingering_media_files(_app: object) -> AsyncIterator[None]:
    """An `st.App` lifespan: swap in the lingering manager after the runtime starts.

    The runtime builds its manager itself, with no hook, and the lifespan runs before the
    server accepts any session. The storage, which the /media route serves from, stays.
    """
    current = runtime.get_instance()
    standard = current.media_file_mgr
    if not isinstance(standard, LingeringMediaFileManager):
        current._media_file_mgr = LingeringMediaFileManager(standard._storage)
    yield
