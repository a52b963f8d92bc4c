"""Deadlines (of held reaps, of scripted events) run on one thread.
"""

import heapq
import threading
import time

from .messages import log


class Timers:
    """One thread running callbacks at monotonic deadlines."""

    def __init__(self):
        self._heap = []
        self._seq = 0
        self._cond = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="harness-timers", daemon=True)
        self._thread.start()

    def call_at(self, deadline, fn):
        with self._cond:
            self._seq += 1
            heapq.heappush(self._heap, (deadline, self._seq, fn))
            self._cond.notify()

    def stop(self):
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def _run(self):
        while True:
            with self._cond:
                while not self._stopped:
                    now = time.monotonic()
                    if self._heap and self._heap[0][0] <= now:
                        break
                    self._cond.wait(None if not self._heap else self._heap[0][0] - now)
                if self._stopped:
                    return
                _, _, fn = heapq.heappop(self._heap)
            try:
                fn()
            except Exception as e:  # a timer must never kill the thread
                log("timer callback failed: %r" % (e,))
