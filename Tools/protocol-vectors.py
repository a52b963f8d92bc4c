#!/usr/bin/env python3
"""Golden vectors of the recorder protocol, version 1 (Docs/protocol.md).

An independent implementation of the frame encoding, written from the layout in
Docs/protocol.md rather than ported from the Swift code, using only the standard library.
It serves as a second opinion on the Swift encoder: the vectors in Docs/protocol.md were
produced by this script, and the Swift test suite (GoldenVectorTests) checks that its own
encoder and decoder agree with them.

Usage:
    python3 Tools/protocol-vectors.py                 print every vector as a markdown block
    python3 Tools/protocol-vectors.py NAME ...        print only the named vectors
    python3 Tools/protocol-vectors.py --list          print the vector names
    python3 Tools/protocol-vectors.py --check FILE    re-derive every vector and compare it with
                                                      the blocks in FILE (exit 1 on any difference)
"""

import hashlib
import hmac
import re
import struct
import sys

# ---------------------------------------------------------------------------------------------
# CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, register preset to 0xFFFFFFFF, final
# value inverted. A plain one-table implementation; speed does not matter here.

_CRC_TABLE = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc = (crc >> 8) ^ _CRC_TABLE[(crc ^ b) & 0xFF]
    return crc ^ 0xFFFFFFFF


# The standard check value, and the RFC 3720 (iSCSI) appendix B.4 patterns.
assert crc32c(b"123456789") == 0xE3069283, "CRC-32C check value"
assert crc32c(bytes(32)) == 0x8A9136AA
assert crc32c(b"\xff" * 32) == 0x62A8AB43
assert crc32c(bytes(range(32))) == 0x46DD794E
assert crc32c(bytes(range(31, -1, -1))) == 0x113FDB5C

# ---------------------------------------------------------------------------------------------
# Frame header: 28 bytes, little-endian.
#
#   offset size field
#     0     4   magic "ZFYR"
#     4     1   version (1)
#     5     1   opcode
#     6     1   flags (bit 0: response)
#     7     1   reserved (0)
#     8     4   tag
#    12     2   status
#    14     2   reserved (0)
#    16     4   payload length
#    20     4   payload CRC-32C
#    24     4   header CRC-32C over bytes 0..<24

MAGIC = b"ZFYR"
VERSION = 1
HEADER_SIZE = 28

OP = {
    "HELLO": 0x01,
    "IDENTITY": 0x02,
    "AUTH_CHALLENGE": 0x03,
    "AUTH_RESPONSE": 0x04,
    "CLOCK_GET": 0x05,
    "CLOCK_SET": 0x06,
    "STATUS": 0x07,
    "CATALOG": 0x08,
    "READ": 0x09,
    "RELEASE": 0x0A,
}

STATUS = {
    "OK": 0x0000,
    "CONNECT_FAILED": 0x0001,
    "PASSWORD_WRONG": 0x0002,
    "LOCKED_OUT": 0x0003,
    "AUTH_REQUIRED": 0x0004,
    "TIME_SET_FAILED": 0x0005,
    "BUSY": 0x0006,
    "NO_SUCH_RECORDING": 0x0007,
    "RANGE_INVALID": 0x0008,
    "HASH_MISMATCH": 0x0009,
    "BAD_REQUEST": 0x000A,
    "UNSUPPORTED": 0x000B,
    "STORAGE_ERROR": 0x000C,
    "INTERNAL_ERROR": 0x000D,
}

CATALOG_END = 0xFFFFFFFF


def header(opcode: int, response: bool, tag: int, status: int, payload: bytes) -> bytes:
    first = MAGIC + struct.pack(
        "<BBBBIHHII",
        VERSION,
        opcode,
        1 if response else 0,
        0,
        tag,
        status,
        0,
        len(payload),
        crc32c(payload),
    )
    assert len(first) == 24
    return first + struct.pack("<I", crc32c(first))


def frame(opcode: str, response: bool, tag: int, payload: bytes = b"", status: str = "OK") -> bytes:
    return header(OP[opcode], response, tag, STATUS[status], payload) + payload


def request(opcode: str, tag: int, payload: bytes = b"") -> bytes:
    return frame(opcode, False, tag, payload)


def reply(opcode: str, tag: int, payload: bytes = b"") -> bytes:
    return frame(opcode, True, tag, payload)


def failure(opcode: str, tag: int, status: str, value: int = 0, message: str = "") -> bytes:
    return frame(opcode, True, tag, error_detail(value, message), status)


# ---------------------------------------------------------------------------------------------
# Payload fields.


def u8(v: int) -> bytes:
    return struct.pack("<B", v)


def u16(v: int) -> bytes:
    return struct.pack("<H", v)


def u32(v: int) -> bytes:
    return struct.pack("<I", v)


def u64(v: int) -> bytes:
    return struct.pack("<Q", v)


def i16(v: int) -> bytes:
    return struct.pack("<h", v)


def i64(v: int) -> bytes:
    return struct.pack("<q", v)


def text(s: str, max_bytes: int = 0xFFFF) -> bytes:
    """A string field: u16 byte length, then UTF-8 without NUL bytes."""
    raw = s.encode("utf-8")
    assert len(raw) <= max_bytes, f"{s!r} is {len(raw)} bytes, over {max_bytes}"
    assert b"\x00" not in raw
    return u16(len(raw)) + raw


def error_detail(value: int, message: str) -> bytes:
    """Payload of a reply whose status is not OK: u32 value, then UTF-8 to the end (≤ 256 bytes)."""
    raw = message.encode("utf-8")
    assert len(raw) <= 256
    return u32(value) + raw


# ---------------------------------------------------------------------------------------------
# Messages.


def hello_request(min_version: int, max_version: int, max_payload: int, host_name: str) -> bytes:
    return u8(min_version) + u8(max_version) + u32(max_payload) + text(host_name, 64)


def hello_reply(version: int, max_payload: int, max_in_flight: int, capabilities: int) -> bytes:
    return u8(version) + u32(max_payload) + u16(max_in_flight) + u32(capabilities)


def identity_reply(serial, model, firmware, officer_number, officer_name, unit_number, unit_name,
                   hardware_id) -> bytes:
    fixed = ((serial, 7, False), (officer_number, 6, True), (unit_number, 12, True))
    for code, length, may_be_empty in fixed:
        assert (may_be_empty and code == "") or (len(code) == length and code.isascii() and code.isalnum())
    return (text(serial, 7) + text(model, 32) + text(firmware, 32) + text(officer_number, 6)
            + text(officer_name, 64) + text(unit_number, 12) + text(unit_name, 128)
            + text(hardware_id, 64))


def device_time(utc_milliseconds: int, zone_offset_minutes: int) -> bytes:
    assert -840 <= zone_offset_minutes <= 840
    return i64(utc_milliseconds) + i16(zone_offset_minutes)


def status_reply(battery: int, flags: int, storage_total: int, storage_free: int,
                 temperature: int) -> bytes:
    assert battery <= 100 or battery == 255
    assert storage_free <= storage_total
    return u8(battery) + u8(flags) + u64(storage_total) + u64(storage_free) + i16(temperature)


def catalog_request(cursor: int, max_entries: int) -> bytes:
    assert max_entries >= 1
    return u32(cursor) + u16(max_entries)


def catalog_entry(id_, kind, flags, sequence, size, start, end, sha256: bytes, path: str) -> bytes:
    assert len(sha256) == 32
    raw = path.encode("utf-8")
    assert raw
    entry = (u32(id_) + u8(kind) + u8(flags) + u32(sequence) + u64(size) + i64(start) + i64(end)
             + sha256 + u16(len(raw)) + raw)
    assert len(entry) == 68 + len(raw)
    return entry


def catalog_page(next_cursor: int, entries: list) -> bytes:
    return u32(next_cursor) + u16(len(entries)) + b"".join(entries)


def read_request(id_: int, offset: int, length: int) -> bytes:
    assert length >= 1
    return u32(id_) + u64(offset) + u32(length)


def read_reply(id_: int, offset: int, data: bytes) -> bytes:
    return u32(id_) + u64(offset) + data


def release_request(id_: int, sha256: bytes) -> bytes:
    assert len(sha256) == 32
    return u32(id_) + sha256


# ---------------------------------------------------------------------------------------------
# The vectors.

NONCE = bytes(range(32))
PASSWORD = b"000000"
MAC = hmac.new(PASSWORD, NONCE, hashlib.sha256).digest()
SHA = b"\xab" * 32
DATA = bytes(range(16))


def vectors() -> list:
    entry = catalog_entry(1, 1, 0x02, 1, 50331648, 1795738502000, 1795738982000, SHA,
                          "DCIM/100MEDIA/20261126_081502_0001.MP4")
    return [
        ("hello-request", request("HELLO", 1, hello_request(1, 1, 4198400, "kiosk-01"))),
        ("hello-reply", reply("HELLO", 1, hello_reply(1, 1052672, 8, 0x0000003F))),
        ("identity-request", request("IDENTITY", 2)),
        ("identity-reply", reply("IDENTITY", 2, identity_reply(
            "A100001", "DSJ-SIM1", "2.4.1", "010001", "张伟", "110105000000",
            "示范市公安局交通警察支队", "SIM-0001"))),
        ("auth-challenge-request", request("AUTH_CHALLENGE", 3)),
        ("auth-challenge-reply", reply("AUTH_CHALLENGE", 3, NONCE)),
        ("auth-response-request", request("AUTH_RESPONSE", 4, MAC)),
        ("auth-response-reply", reply("AUTH_RESPONSE", 4)),
        ("auth-response-password-wrong", failure("AUTH_RESPONSE", 4, "PASSWORD_WRONG", 4)),
        ("auth-response-locked-out", failure("AUTH_RESPONSE", 4, "LOCKED_OUT", 300,
                                             "too many wrong passwords")),
        ("clock-get-request", request("CLOCK_GET", 5)),
        ("clock-get-reply", reply("CLOCK_GET", 5, device_time(1795738502123, 480))),
        ("clock-set-request", request("CLOCK_SET", 6, device_time(1795738560000, 480))),
        ("clock-set-reply", reply("CLOCK_SET", 6)),
        ("status-request", request("STATUS", 7)),
        ("status-reply", reply("STATUS", 7, status_reply(76, 0x01, 64000000000, 63711409152, 315))),
        ("catalog-request", request("CATALOG", 8, catalog_request(0, 256))),
        ("catalog-reply", reply("CATALOG", 8, catalog_page(CATALOG_END, [entry]))),
        ("read-request", request("READ", 9, read_request(1, 1048576, 16))),
        ("read-reply", reply("READ", 9, read_reply(1, 1048576, DATA))),
        ("read-range-invalid", failure("READ", 9, "RANGE_INVALID", 0, "offset past end")),
        ("release-request", request("RELEASE", 10, release_request(1, SHA))),
        ("release-reply", reply("RELEASE", 10)),
        ("release-hash-mismatch", failure("RELEASE", 10, "HASH_MISMATCH", 0,
                                          "sha256 differs from the device's")),
    ]


# ---------------------------------------------------------------------------------------------
# Self-check: parse every frame back from its bytes.


def check_frame(name: str, b: bytes) -> None:
    assert len(b) >= HEADER_SIZE, name
    assert b[0:4] == MAGIC, name
    assert b[4] == VERSION and b[7] == 0 and b[14:16] == b"\0\0", name
    (stored_header_crc,) = struct.unpack_from("<I", b, 24)
    assert crc32c(b[0:24]) == stored_header_crc, name
    length, payload_crc = struct.unpack_from("<II", b, 16)
    assert length == len(b) - HEADER_SIZE, name
    assert crc32c(b[HEADER_SIZE:]) == payload_crc, name


# ---------------------------------------------------------------------------------------------
# Output and --check.

MARKER = "<!-- vector: "


def hex_block(b: bytes) -> str:
    h = b[:HEADER_SIZE]
    fields = [h[0:4], h[4:5], h[5:6], h[6:7], h[7:8], h[8:12], h[12:14], h[14:16], h[16:20],
              h[20:24], h[24:28]]
    lines = [" ".join(f.hex().upper() for f in fields)]
    payload = b[HEADER_SIZE:]
    for i in range(0, len(payload), 16):
        lines.append(" ".join(f"{x:02X}" for x in payload[i:i + 16]))
    return "\n".join(lines)


def markdown(name: str, b: bytes) -> str:
    return f"{MARKER}{name} -->\n```hex\n{hex_block(b)}\n```\n"


def parse_blocks(doc: str) -> dict:
    """NAME → bytes, or NAME → error text, read the way the Swift test suite reads them."""
    found = {}
    for part in doc.split(MARKER)[1:]:
        end = part.find(" -->")
        if end < 0:
            continue
        name = part[:end]
        open_ = part.find("```hex")
        if open_ < 0:
            continue
        close = part.find("```", open_ + len("```hex"))
        if close < 0:
            continue
        digits = re.sub(r"\s+", "", part[open_ + len("```hex"):close])
        if name in found:
            found[name] = "appears more than once"
        elif len(digits) % 2 or not re.fullmatch(r"[0-9A-Fa-f]*", digits):
            found[name] = "block is not whole hex bytes"
        else:
            found[name] = bytes.fromhex(digits)
    return found


def first_difference(a: bytes, b: bytes) -> str:
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"byte {i}: file has {x:02X}, expected {y:02X}"
    return f"file has {len(a)} bytes, expected {len(b)}"


def check(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        found = parse_blocks(f.read())
    expected = dict(vectors())
    problems = []
    for name, b in expected.items():
        if name not in found:
            problems.append(f"{name}: missing")
        elif isinstance(found[name], str):
            problems.append(f"{name}: {found[name]}")
        elif found[name] != b:
            problems.append(f"{name}: bytes differ ({first_difference(found[name], b)})")
    for name in found:
        if name not in expected:
            problems.append(f"{name}: not a vector this script knows")
    for p in problems:
        print(f"{path}: vector {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"{path}: all {len(expected)} vectors match")
    return 0


def main(argv: list) -> int:
    all_vectors = vectors()
    for name, b in all_vectors:
        check_frame(name, b)
    if argv[:1] == ["--check"]:
        if len(argv) != 2:
            print("usage: protocol-vectors.py --check FILE", file=sys.stderr)
            return 2
        return check(argv[1])
    if argv[:1] == ["--list"]:
        for name, _ in all_vectors:
            print(name)
        return 0
    if argv and argv[0].startswith("-"):
        print(__doc__.strip(), file=sys.stderr)
        return 0 if argv[0] in ("-h", "--help") else 2
    wanted = set(argv)
    unknown = wanted - {name for name, _ in all_vectors}
    if unknown:
        print("unknown vector: " + ", ".join(sorted(unknown)), file=sys.stderr)
        return 2
    blocks = [markdown(name, b) for name, b in all_vectors if not wanted or name in wanted]
    print("\n".join(blocks), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
