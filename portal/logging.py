"""Logging helpers."""

import logging
import threading
import time


class OncePerInterval(logging.Filter):
    """Let one record through per `seconds` (per process): an unreachable Redis fails every
    cache call of every request, and one line a minute says it as well as thousands.
    The number of records suppressed since the last one is appended to the next message."""

    def __init__(self, seconds: float = 60, name: str = ""):
        super().__init__(name)
        self.seconds = seconds
        self._next = 0.0
        self._suppressed = 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        with self._lock:
            if now < self._next:
                self._suppressed += 1
                return False
            if self._suppressed:
                record.msg = f"{record.msg} ({self._suppressed} similar messages suppressed)"
                self._suppressed = 0
            self._next = now + self.seconds
            return True
