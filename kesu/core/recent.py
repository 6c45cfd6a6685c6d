"""A value asked of the database at most once every few seconds in this process (a per-page question whose answer
may be a few seconds old: is the demo loaded, has the task queue stalled)."""

import threading
import time


class Recent:
    def __init__(self, compute):
        self._compute = compute
        self._lock = threading.Lock()
        self._asked, self._answer = float("-inf"), None

    def get(self, seconds: float):
        """``compute()`` as answered within the last ``seconds``."""
        now = time.monotonic()
        with self._lock:
            if now - self._asked < seconds:
                return self._answer
        answer = self._compute()
        with self._lock:
            self._asked, self._answer = now, answer
        return answer

    def forget(self) -> None:
        """Ask again on the next call (after the answer changed, or a test rolled the database back)."""
        with self._lock:
            self._asked, self._answer = float("-inf"), None
