#!/usr/bin/python3
"""A USB mass-storage device's Bulk-Only Transport side behind the umockdev harness: the
gateway's libusb `USBTransferPipes` (and `SCSIDisk` over it), or the whole unmodified
recorder-gatewayd, talking to it through real libusb.

Same command line and framing as `recorder-sim serve` (`bot_device.py serve SCENARIO --serial S`;
u32 LE length + bytes per bulk OUT transfer on stdin, per bulk IN message on stdout). Each
31-byte CBW is answered at once: the data phase as one message (the harness splits it over IN
URBs and ends a full last packet with a zero-length packet, as on USB), then the 13-byte CSW as
another.

The medium:
- the scenario's recorder with serial S has `"storage": {"image": PATH}` (PATH relative to the
  scenario file, as for the simulator; optional `blockSize` 512 or 4096, `inquiry`
  {vendor, product, revision}, `writeProtected`): that image file, opened read-only and read
  with pread, so the same card a test docks through the simulator is docked here;
- otherwise a 64 MiB disk of 512-byte blocks whose byte `o` is `(o * 7 + (o >> 9)) & 0xFF`, the
  formula Tests/MassStorageUSBTests checks against.

SCSI: TEST UNIT READY, REQUEST SENSE (the sense of the last failed command, fixed format),
INQUIRY, MODE SENSE(6) (header, WP), READ CAPACITY(10) and (16), READ(10) and (16); anything else
fails with ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE and changes nothing. Written for the
tests, independent of the simulator's mass-storage personality (Sources/RecorderSimulator).
"""
import json
import os
import struct
import sys

from device_framing import out_transfers, send

FORMULA_BLOCKS = 131072   # 64 MiB of 512-byte blocks

NO_SENSE = (0, 0, 0)
INVALID_OPCODE = (0x05, 0x20, 0x00)
INVALID_FIELD = (0x05, 0x24, 0x00)
OUT_OF_RANGE = (0x05, 0x21, 0x00)


class FormulaMedium:
    block = 512
    blocks = FORMULA_BLOCKS
    inquiry = (b"UMOCKDEV", b"BOT test disk", b"0.01")
    write_protected = True

    def read(self, offset, length):
        return bytes(((o * 7 + (o >> 9)) & 0xFF) for o in range(offset, offset + length))


class ImageMedium:
    def __init__(self, path, storage):
        self.fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        self.block = int(storage.get("blockSize", 512))
        size = os.fstat(self.fd).st_size
        if self.block not in (512, 4096) or size == 0 or size % self.block:
            raise SystemExit("bot_device: %s is %d bytes, not whole %d-byte blocks" % (path, size, self.block))
        self.blocks = size // self.block
        q = storage.get("inquiry", {})
        self.inquiry = tuple(q.get(k, d).encode("ascii") for k, d in
                             (("vendor", "ZFYSIM"), ("product", "Body Recorder"), ("revision", "1.00")))
        self.write_protected = storage.get("writeProtected", True)

    def read(self, offset, length):
        out = b""
        while len(out) < length:
            chunk = os.pread(self.fd, length - len(out), offset + len(out))
            if not chunk:
                raise SystemExit("bot_device: the image ended early")
            out += chunk
        return out


def medium_for(scenario_path, serial):
    with open(scenario_path, encoding="utf-8") as f:
        scenario = json.load(f)
    for r in scenario.get("recorders", []):
        if r.get("identity", {}).get("serial") == serial and "storage" in r:
            path = r["storage"]["image"]
            if not os.path.isabs(path):
                path = os.path.join(os.path.dirname(os.path.abspath(scenario_path)), path)
            return ImageMedium(path, r["storage"])
    return FormulaMedium()


class Unit:
    def __init__(self, medium):
        self.medium = medium
        self.sense = NO_SENSE

    def fail(self, sense):
        self.sense = sense
        return b"", False

    def read(self, lba, count):
        m = self.medium
        if lba + count > m.blocks:
            return self.fail(OUT_OF_RANGE)
        return m.read(lba * m.block, count * m.block), True

    def reply(self, cdb):
        """(data, passed) for the command block."""
        op = cdb[0]
        if op != 0x03:
            self.sense = NO_SENSE
        m = self.medium
        if op == 0x00:                                   # TEST UNIT READY
            return b"", True
        if op == 0x03:                                   # REQUEST SENSE, fixed format
            key, asc, ascq = self.sense
            self.sense = NO_SENSE
            return bytes([0x70, 0, key, 0, 0, 0, 0, 10, 0, 0, 0, 0, asc, ascq, 0, 0, 0, 0]), True
        if op == 0x12:                                   # INQUIRY
            vendor, product, revision = m.inquiry
            return (bytes([0x00, 0x80, 0x06, 0x02, 31, 0, 0, 0]) + vendor.ljust(8) + product.ljust(16)
                    + revision.ljust(4)), True
        if op == 0x1A:                                   # MODE SENSE(6): header, WP
            return bytes([3, 0, 0x80 if m.write_protected else 0, 0]), True
        if op == 0x25:                                   # READ CAPACITY(10)
            return struct.pack(">II", min(m.blocks - 1, 0xFFFFFFFF), m.block), True
        if op == 0x9E and cdb[1] & 0x1F == 0x10:         # READ CAPACITY(16)
            return struct.pack(">QI", m.blocks - 1, m.block) + bytes(20), True
        if op == 0x28:                                   # READ(10)
            return self.read(struct.unpack(">I", cdb[2:6])[0], struct.unpack(">H", cdb[7:9])[0])
        if op == 0x88:                                   # READ(16)
            return self.read(struct.unpack(">Q", cdb[2:10])[0], struct.unpack(">I", cdb[10:14])[0])
        return self.fail(INVALID_FIELD if op == 0x9E else INVALID_OPCODE)


def main():
    args = sys.argv[1:]
    if len(args) < 4 or args[0] != "serve" or "--serial" not in args:
        sys.stderr.write("usage: bot_device.py serve SCENARIO --serial SERIAL\n")
        return 64
    unit = Unit(medium_for(args[1], args[args.index("--serial") + 1]))
    for data in out_transfers():
        if len(data) != 31 or data[:4] != b"USBC":
            sys.stderr.write("bot_device: OUT transfer of %d bytes is not a CBW; ignored\n" % len(data))
            continue
        tag, expected = struct.unpack_from("<II", data, 4)
        cdb = data[15:15 + data[14]]
        payload, passed = unit.reply(cdb)
        payload = payload[:expected]
        if payload:
            send(payload)
        send(b"USBS" + struct.pack("<IIB", tag, expected - len(payload), 0 if passed else 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
