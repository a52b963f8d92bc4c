"""Messages of the harness: timestamped log lines on stderr, debug lines with
UMOCKDEV_HARNESS_VERBOSE=1 or --verbose (`VERBOSE`), and `die` for errors that end it.
"""

import os
import sys
import threading
import time


def die(message, status=2):
    sys.stderr.write("umockdev-harness: error: %s\n" % message)
    sys.exit(status)


output_lock = threading.Lock()
_T0 = time.monotonic()
VERBOSE = bool(os.environ.get("UMOCKDEV_HARNESS_VERBOSE"))


def log(message):
    with output_lock:
        sys.stderr.write("[harness %7.3f] %s\n" % (time.monotonic() - _T0, message))
        sys.stderr.flush()


def debug(message):
    if VERBOSE:
        log(message)
