#!/usr/bin/python3
"""A tiny stand-in for `recorder-sim serve`, to test the harness on its own.

Same command line (`fake_device.py serve SCENARIO --serial S`) and framing: stdin carries
`u32 LE length + bytes` per bulk OUT transfer, stdout the same per bulk IN transfer, and
0xFFFFFFFF on stdout means "unplugged". It answers:

- HELLO (0x01): the golden `hello-reply` of Docs/protocol.md, tag echoed;
- IDENTITY (0x02): status OK, payload = the serial as a protocol `str`;
- opcode 0x7F (test hooks, never a real opcode), payload an ASCII command:
    `burst N SIZE`  N IN transfers of SIZE bytes each (byte i of transfer k = (k + i) & 0xFF)
    `unplug`        the device is pulled out (0xFFFFFFFF, exit 0)
- anything else: nothing (a real device would answer UNKNOWN_OPCODE; not needed here).
"""
import struct
import sys

from device_framing import out_transfers, send, unplug

MAGIC = b"ZFYR"


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def frame(opcode, tag, payload=b"", status=0, reply=True):
    head = MAGIC + bytes([1, opcode, 1 if reply else 0, 0]) + struct.pack(
        "<IHHII", tag, status, 0, len(payload), crc32c(payload) if payload else 0)
    return head + struct.pack("<I", crc32c(head)) + payload


def main():
    args = sys.argv[1:]
    if len(args) < 4 or args[0] != "serve" or "--serial" not in args:
        sys.stderr.write("usage: fake_device.py serve SCENARIO --serial SERIAL\n")
        return 64
    serial = args[args.index("--serial") + 1]
    for data in out_transfers():
        if len(data) < 28 or data[:4] != MAGIC:
            sys.stderr.write("fake_device %s: OUT transfer of %d bytes is not a frame; ignored\n" % (serial, len(data)))
            continue
        opcode = data[5]
        (tag,) = struct.unpack_from("<I", data, 8)
        (plen,) = struct.unpack_from("<I", data, 16)
        payload = data[28:28 + plen]
        if opcode == 0x01:
            send(frame(0x01, tag, bytes.fromhex("01 00 10 10 00 08 00 3F 00 00 00")))
        elif opcode == 0x02:
            s = serial.encode()
            send(frame(0x02, tag, struct.pack("<H", len(s)) + s))
        elif opcode == 0x7F:
            words = payload.decode("ascii", "replace").split()
            if words[:1] == ["burst"]:
                n, size = int(words[1]), int(words[2])
                for k in range(n):
                    send(bytes(((k + i) & 0xFF) for i in range(size)))
            elif words[:1] == ["unplug"]:
                unplug()
                return 0
        else:
            sys.stderr.write("fake_device %s: opcode 0x%02x ignored\n" % (serial, opcode))
    return 0


if __name__ == "__main__":
    sys.exit(main())
