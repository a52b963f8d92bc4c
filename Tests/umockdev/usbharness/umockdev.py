"""umockdev itself: its GI bindings (`load_umockdev`), and `ensure_wrapper`, which re-executes the
harness under umockdev-wrapper so that its preload library is in place.
"""

import os
import shutil
import sys

from .messages import die


WRAPPER_MARKER = "RECORDER_UMOCKDEV_HARNESS"
PRELOAD = "libumockdev-preload.so.0"
INSTALL_HINT = "install them with: sudo apt-get install umockdev gir1.2-umockdev-1.0 python3-gi"

UMockdev = None  # set by load_umockdev()


def _import_umockdev():
    """(module, None) or (None, why not)."""
    try:
        import gi
    except ImportError:
        return None, "python3-gi (PyGObject) is not importable by %s" % sys.executable
    try:
        gi.require_version("UMockdev", "1.0")
        from gi.repository import UMockdev as module
    except (ValueError, ImportError) as e:
        return None, "the umockdev GI bindings are missing (%s)" % e
    return module, None


def load_umockdev():
    """Imports the umockdev GI bindings, or exits with a clear message."""
    global UMockdev
    if UMockdev is None:
        module, error = _import_umockdev()
        if module is None:
            die("%s; %s" % (error, INSTALL_HINT))
        UMockdev = module
    return UMockdev


def ensure_wrapper(argv=None, script=None):
    """Re-executes the running script (default sys.argv[0]) under umockdev-wrapper unless it
    runs there already. A test script that uses `Kiosk` calls this first:
    `harness.ensure_wrapper(sys.argv[1:], __file__)`."""
    argv = sys.argv[1:] if argv is None else argv
    script = os.path.abspath(script or sys.argv[0])
    if os.environ.get(WRAPPER_MARKER) == "1":
        return
    wrapper = shutil.which("umockdev-wrapper")
    if wrapper is None:
        die("umockdev-wrapper not found (package umockdev); " + INSTALL_HINT)
    python = sys.executable
    module, error = _import_umockdev()
    if module is None:
        # a venv or another interpreter: python3-gi belongs to the system one
        if python != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
            python = "/usr/bin/python3"
        else:
            die("%s; %s" % (error, INSTALL_HINT))
    env = dict(os.environ)
    env[WRAPPER_MARKER] = "1"
    os.execve(wrapper, [wrapper, python, script] + argv, env)
