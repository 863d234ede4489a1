"""A dashboard for server mode: ``GET /_iot_audit/`` shows the audit state, live.

- :mod:`.data` reads the state (the API's own backends and listing methods, under the lock);
- :mod:`.paging`, :mod:`.markup`, :mod:`.chart`, :mod:`.sections` and :mod:`.page` render it;
- :mod:`.routes` holds the two endpoints the server registers.

The page is read-only; its clock buttons post to the server's ``/_iot_audit/clock``.
"""

from __future__ import annotations

from .routes import page, state

__all__ = ["page", "state"]
