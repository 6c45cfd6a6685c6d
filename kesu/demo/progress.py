"""One line per stage of the demo build (what it built, the seconds it took), so whoever runs `kesu demo` sees it
move."""

import time
from collections.abc import Callable
from contextlib import contextmanager


class Progress:
    def __init__(self, write: Callable[[str], None] | None = None):
        self.write = write
        self.started = time.perf_counter()

    @contextmanager
    def stage(self, label: str):
        started = time.perf_counter()
        yield
        self.finished(label, started)

    def now(self) -> float:
        return time.perf_counter()

    def finished(self, label: str, started: float) -> None:
        """A stage that began at ``started`` (from ``now()``) and ends here, e.g. the work a block does on exit."""
        self._say(f"  {label} …… {time.perf_counter() - started:.1f} 秒")

    def done(self, label: str) -> None:
        self._say(f"{label}，共 {time.perf_counter() - self.started:.1f} 秒")

    def _say(self, line: str) -> None:
        if self.write is not None:
            self.write(line)
