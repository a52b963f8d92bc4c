#!/usr/bin/python3
"""A USB mass-storage device's Bulk-Only Transport side behind the umockdev harness, to test the
gateway's libusb `USBTransferPipes` (and `SCSIDisk` over it) through real libusb.

Same command line and framing as `recorder-sim serve` (`bot_device.py serve SCENARIO --serial S`;
u32 LE length + bytes per bulk OUT transfer on stdin, per bulk IN message on stdout). Each
31-byte CBW is answered as a 64 MiB disk of 512-byte blocks would: the data phase as one message
(the harness splits it over IN URBs and ends a full last packet with a zero-length packet, as on
USB), then the 13-byte CSW as another. Byte `o` of the medium is `(o * 7 + (o >> 9)) & 0xFF`,
the formula the Swift test checks against. Written for the test, independent of the simulator's
mass-storage personality.
"""
import struct
import sys

BLOCK = 512
BLOCKS = 131072   # 64 MiB


def content(offset, length):
    return bytes(((o * 7 + (o >> 9)) & 0xFF) for o in range(offset, offset + length))


def read_exactly(f, n):
    out = b""
    while len(out) < n:
        chunk = f.read(n - len(out))
        if not chunk:
            return None
        out += chunk
    return out


def send(data):
    sys.stdout.buffer.write(struct.pack("<I", len(data)) + data)
    sys.stdout.buffer.flush()


def reply(cdb):
    """(data, passed) for the command block."""
    op = cdb[0]
    if op == 0x00:                                   # TEST UNIT READY
        return b"", True
    if op == 0x03:                                   # REQUEST SENSE: nothing to report
        return bytes([0x70, 0, 0, 0, 0, 0, 0, 10] + [0] * 10), True
    if op == 0x12:                                   # INQUIRY
        return bytes([0x00, 0x80, 0x06, 0x02, 31, 0, 0, 0]) + b"UMOCKDEV" + b"BOT test disk   " + b"0.01", True
    if op == 0x1A:                                   # MODE SENSE(6): header, WP set
        return bytes([3, 0, 0x80, 0]), True
    if op == 0x25:                                   # READ CAPACITY(10)
        return struct.pack(">II", BLOCKS - 1, BLOCK), True
    if op == 0x28:                                   # READ(10)
        lba, = struct.unpack(">I", cdb[2:6])
        count, = struct.unpack(">H", cdb[7:9])
        if lba + count > BLOCKS:
            return b"", False
        return content(lba * BLOCK, count * BLOCK), True
    return b"", False


def main():
    args = sys.argv[1:]
    if len(args) < 4 or args[0] != "serve" or "--serial" not in args:
        sys.stderr.write("usage: bot_device.py serve SCENARIO --serial SERIAL\n")
        return 64
    stdin = sys.stdin.buffer
    while True:
        header = read_exactly(stdin, 4)
        if header is None:
            return 0
        (length,) = struct.unpack("<I", header)
        data = read_exactly(stdin, length) if length else b""
        if data is None:
            return 0
        if len(data) != 31 or data[:4] != b"USBC":
            sys.stderr.write("bot_device: OUT transfer of %d bytes is not a CBW; ignored\n" % len(data))
            continue
        tag, expected = struct.unpack_from("<II", data, 4)
        cdb = data[15:15 + data[14]]
        payload, passed = reply(cdb)
        payload = payload[:expected]
        if payload:
            send(payload)
        send(b"USBS" + struct.pack("<IIB", tag, expected - len(payload), 0 if passed else 1))


if __name__ == "__main__":
    sys.exit(main())
