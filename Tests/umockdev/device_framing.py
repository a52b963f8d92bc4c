"""The framing between the umockdev harness and a device process, the device's side, shared by
fake_device.py, bot_device.py and vendor_device.py (the harness's side is
usbharness/device_process.py; the simulator's is `recorder-sim serve`).

Bulk transfers (every device): stdin carries `u32 LE length + bytes` per bulk OUT transfer,
stdout the same per bulk IN message, and a length of 0xFFFFFFFF on stdout means the device was
unplugged.

Marked messages (only for a device whose model forwards vendor requests, i.e. a scenario
recorder with "family" amba-ascii or amba-ctrl; nothing else ever receives one, so
`recorder-sim serve`, fake_device.py and bot_device.py are unchanged). A u32 at or above
0xFFFFFF00 where a length is expected is a marker, never a length (no bulk transfer is 4 GiB
long); it is followed by `u32 LE body length + body`:

- 0xFFFFFFFE CONTROL, on stdin: a vendor control request ((bmRequestType & 0x60) == 0x40)
  the program made on endpoint 0. Body: u32 LE tag, the 8-byte setup packet as on the wire
  (bmRequestType, bRequest, wValue LE, wIndex LE, wLength LE), then for host-to-device the
  wLength data bytes. The harness holds the transfer until the answer.
- 0xFFFFFFFE CONTROL, on stdout: the answer. Body: u32 LE tag (the request's), u8 result
  (0 ACK: data stage and status accepted; 1 STALL), then for device-to-host the data (at most
  wLength bytes; more is cut). Answer every request, in order.
- 0xFFFFFFFD REENUMERATE, on stdout: the device leaves the bus and comes back as a USB
  mass-storage device. Body: u16 LE vendorId, u16 LE productId of that appearance. The harness
  lets the host take what the device sent before (IN data, control answers; 5 s at most),
  then unplugs it (uevent "remove", ENODEV) and closes this process's stdin; after
  --return-after it docks the mass-storage device on the same port (--return-port: another;
  --return-never: never), served by bot_device.py with the recorder's storage.image.
"""
import struct
import sys

UNPLUGGED = 0xFFFFFFFF
CONTROL = 0xFFFFFFFE
REENUMERATE = 0xFFFFFFFD
MARKER_FLOOR = 0xFFFFFF00
ACK, STALL = 0, 1


class ControlRequest:
    """One vendor control request from the harness."""

    def __init__(self, tag, setup, data):
        self.tag = tag
        self.request_type, self.request, self.value, self.index, self.length = struct.unpack("<BBHHH", setup)
        self.data = data

    @property
    def device_to_host(self):
        return bool(self.request_type & 0x80)


def _read_exactly(f, n):
    out = b""
    while len(out) < n:
        chunk = f.read(n - len(out))
        if not chunk:
            return None
        out += chunk
    return out


def messages(f=None):
    """Each message from the harness, in order, until it closes stdin (also mid-message): the
    bytes of a bulk OUT transfer, or a `ControlRequest`."""
    f = f or sys.stdin.buffer
    while True:
        header = _read_exactly(f, 4)
        if header is None:
            return
        (length,) = struct.unpack("<I", header)
        if length >= MARKER_FLOOR:
            size = _read_exactly(f, 4)
            if size is None:
                return
            body = _read_exactly(f, struct.unpack("<I", size)[0])
            if body is None:
                return
            if length != CONTROL or len(body) < 12:
                raise SystemExit("device_framing: marked message 0x%08x (%d bytes) is not a control request"
                                 % (length, len(body)))
            (tag,) = struct.unpack_from("<I", body, 0)
            yield ControlRequest(tag, body[4:12], body[12:])
            continue
        data = _read_exactly(f, length) if length else b""
        if data is None:
            return
        yield data


def out_transfers(f=None):
    """Each bulk OUT transfer's bytes, in order, until the harness closes stdin (also mid-message).
    For devices that take no control requests (the harness never sends them one)."""
    for message in messages(f):
        if isinstance(message, ControlRequest):
            raise SystemExit("device_framing: a control request reached a device that takes none")
        yield message


def _write(data):
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def send(data):
    """One bulk IN message."""
    _write(struct.pack("<I", len(data)) + data)


def answer_control(request, data=b"", stall=False):
    """The answer to `request`: ACK (with `data` for a device-to-host request) or STALL."""
    body = struct.pack("<IB", request.tag, STALL if stall else ACK) + (b"" if stall else bytes(data))
    _write(struct.pack("<II", CONTROL, len(body)) + body)


def reenumerate(vendor_id, product_id):
    """The device leaves the bus and comes back as mass storage with these ids."""
    _write(struct.pack("<IIHH", REENUMERATE, 4, vendor_id, product_id))


def unplug():
    """Tells the harness the device is gone (it then fails every transfer with ENODEV)."""
    _write(struct.pack("<I", UNPLUGGED))
