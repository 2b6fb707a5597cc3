"""Keep Streamlit's collection after every script run cheap.

Streamlit runs a full garbage collection (`gc.collect(2)`) after each script run
(`runner.postScriptGC`) so that memory does not build up between runs. A full collection walks
every tracked object in the process, and most of them are the libraries CKM imports (pandas,
pyarrow, altair, SQLAlchemy, Tornado): about 0.26 s per run on the benchmark machine, most of
the server's CPU per click. They live as long as the process, so CKM moves them to the
collector's permanent generation (`gc.freeze`) once they are loaded: the per-run collection
then only walks what the runs themselves created.

A freeze follows a full collection, so no garbage is frozen at that moment, and it happens
again only when new modules were imported since (a page opened for the first time), so a
process freezes a handful of times in its life. Frozen objects are still freed by reference
counting; only cycles among them would outlive their use.
"""

from __future__ import annotations

import gc
import sys
import threading

_lock = threading.Lock()
_modules_at_last_freeze = 0


def freeze_long_lived() -> None:
    """After a run: if modules were imported since the last freeze, freeze what is loaded."""
    global _modules_at_last_freeze
    if len(sys.modules) == _modules_at_last_freeze:
        return
    with _lock:
        loaded = len(sys.modules)
        if loaded == _modules_at_last_freeze:
            return
        gc.collect()
        gc.freeze()
        _modules_at_last_freeze = loaded
