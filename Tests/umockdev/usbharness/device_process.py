"""The device process behind one emulated USB device: `recorder-sim serve` (or anything
speaking the same framing), its bulk transfers as length-prefixed messages on stdin/stdout,
and, for a device whose model forwards vendor requests, its control transfers and its
re-enumeration as marked messages (the framing is described in ../device_framing.py).
"""

import collections
import os
import struct
import subprocess
import threading

from .messages import log
from .umockdev import WRAPPER_MARKER


GONE = 0xFFFFFFFF
# Markers: a u32 length at or above 0xFFFFFF00 is never a bulk message (no bulk transfer is
# 4 GiB long); the marker is followed by a u32 LE body length and the body.
CONTROL = 0xFFFFFFFE        # stdin: a control request; stdout: its answer
REENUMERATE = 0xFFFFFFFD    # stdout: the device leaves the bus and comes back as mass storage
MARKER_FLOOR = 0xFFFFFF00
CONTROL_ACK, CONTROL_STALL = 0, 1


def clean_env(env=None):
    """The environment without umockdev: device processes must see the real system."""
    env = dict(os.environ if env is None else env)
    env.pop("UMOCKDEV_DIR", None)
    env.pop(WRAPPER_MARKER, None)
    preload = [p for p in env.get("LD_PRELOAD", "").replace(" ", ":").split(":")
               if p and "libumockdev-preload" not in p]
    if preload:
        env["LD_PRELOAD"] = ":".join(preload)
    else:
        env.pop("LD_PRELOAD", None)
    return env


class DeviceProcess:
    """One device process. Messages are `u32 LE length + bytes`: on stdin one bulk OUT transfer
    each, on stdout one bulk IN transfer each; length 0xFFFFFFFF on stdout = unplugged. Marked
    messages (CONTROL, REENUMERATE) carry control transfers and re-enumeration; a device that
    never gets a control request never sees one."""

    def __init__(self, argv, name, on_message, on_gone, on_control=None, on_reenumerate=None):
        self.name = name
        self._on_message = on_message
        self._on_gone = on_gone
        self._on_control = on_control
        self._on_reenumerate = on_reenumerate
        self._out = collections.deque()
        self._out_cond = threading.Condition()
        self._closing = False
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=clean_env(), bufsize=0, close_fds=True)
        self._reader = threading.Thread(target=self._read_loop, name="dev-read-" + name, daemon=True)
        self._writer = threading.Thread(target=self._write_loop, name="dev-write-" + name, daemon=True)
        self._reader.start()
        self._writer.start()

    def send(self, data):
        """Queues one OUT transfer for the device (never blocks the caller)."""
        with self._out_cond:
            if self._closing:
                return
            self._out.append(bytes(data))
            self._out_cond.notify()

    def send_control(self, tag, setup, out_data=b""):
        """Queues one control request (8-byte setup, the OUT data) for the device, tagged: its
        answer comes back with the same tag through `on_control(tag, result, data)`."""
        body = struct.pack("<I", tag) + bytes(setup) + bytes(out_data)
        with self._out_cond:
            if self._closing:
                return
            self._out.append((CONTROL, body))
            self._out_cond.notify()

    def _write_loop(self):
        stdin = self.proc.stdin
        while True:
            with self._out_cond:
                while not self._out and not self._closing:
                    self._out_cond.wait()
                if not self._out and self._closing:
                    break
                data = self._out.popleft()
            if isinstance(data, tuple):      # a marked message
                marker, body = data
                data = struct.pack("<II", marker, len(body)) + body
            else:
                data = struct.pack("<I", len(data)) + data
            try:
                stdin.write(data)
            except (BrokenPipeError, OSError, ValueError):
                break
        try:
            stdin.close()
        except OSError:
            pass

    def _read_exactly(self, n):
        chunks = []
        stdout = self.proc.stdout
        while n > 0:
            chunk = stdout.read(n)
            if not chunk:
                return None
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _read_loop(self):
        reason = "device process closed its stdout"
        while True:
            header = self._read_exactly(4)
            if header is None:
                break
            (length,) = struct.unpack("<I", header)
            if length == GONE:
                reason = "device process reported unplug (0xFFFFFFFF)"
                break
            if length >= MARKER_FLOOR:
                ok, why = self._marked(length)
                if not ok:
                    reason = why
                    break
                continue
            data = self._read_exactly(length) if length else b""
            if data is None:
                reason = "device process closed its stdout in the middle of a message"
                break
            self._on_message(data)
        self._on_gone(reason, self.proc)

    def _marked(self, marker):
        """A marked message from the device: (True, None) when handled, else (False, why the
        device is taken as gone)."""
        size = self._read_exactly(4)
        if size is None:
            return False, "device process closed its stdout in the middle of a message"
        (size,) = struct.unpack("<I", size)
        if size > 1 << 20:
            return False, "device process sent a marked message (0x%08x) of %d bytes: not this framing" % (marker, size)
        body = self._read_exactly(size) if size else b""
        if body is None:
            return False, "device process closed its stdout in the middle of a message"
        if marker == CONTROL and self._on_control is not None and len(body) >= 5:
            tag, result = struct.unpack_from("<IB", body, 0)
            self._on_control(tag, result, body[5:])
            return True, None
        if marker == REENUMERATE and self._on_reenumerate is not None and len(body) == 4:
            vendor, product = struct.unpack("<HH", body)
            self._on_reenumerate(vendor, product)
            return True, None
        return False, "device process sent marked message 0x%08x (%d bytes) that this device does not take" % (marker, size)

    def close(self, timeout=5.0):
        """End of stdin (the device process exits), then wait; kill it if it does not."""
        with self._out_cond:
            self._closing = True
            self._out_cond.notify()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log("%s: device process %d did not exit on end of input; killing it" % (self.name, self.proc.pid))
            self.proc.kill()
            self.proc.wait()
        return self.proc.returncode
