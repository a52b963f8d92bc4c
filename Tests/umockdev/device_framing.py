"""The framing between the umockdev harness and a device process, the device's side, shared by
fake_device.py and bot_device.py (the harness's side is usbharness/device_process.py; the
simulator's is `recorder-sim serve`): stdin carries `u32 LE length + bytes` per bulk OUT
transfer, stdout the same per bulk IN message, and a length of 0xFFFFFFFF on stdout means the
device was unplugged.
"""
import struct
import sys

UNPLUGGED = 0xFFFFFFFF


def _read_exactly(f, n):
    out = b""
    while len(out) < n:
        chunk = f.read(n - len(out))
        if not chunk:
            return None
        out += chunk
    return out


def out_transfers(f=None):
    """Each bulk OUT transfer's bytes, in order, until the harness closes stdin (also mid-message)."""
    f = f or sys.stdin.buffer
    while True:
        header = _read_exactly(f, 4)
        if header is None:
            return
        (length,) = struct.unpack("<I", header)
        data = _read_exactly(f, length) if length else b""
        if data is None:
            return
        yield data


def send(data):
    """One bulk IN message."""
    sys.stdout.buffer.write(struct.pack("<I", len(data)) + data)
    sys.stdout.buffer.flush()


def unplug():
    """Tells the harness the device is gone (it then fails every transfer with ENODEV)."""
    sys.stdout.buffer.write(struct.pack("<I", UNPLUGGED))
    sys.stdout.buffer.flush()
