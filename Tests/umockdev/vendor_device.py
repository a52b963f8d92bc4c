#!/usr/bin/python3
"""The device side of issue 14's two Ambarella vendor families behind the umockdev harness:
a recorder that docks as a vendor device, takes the admin password, says who it is, has its
clock set and, on "disk mode", leaves the bus and comes back as USB mass storage.

Written for the tests from the issue's facts and Docs/vendor-families.md, independent of the
simulator's personalities (Sources/RecorderSimulator/Vendor) and of the gateway's encoders
(Sources/VendorUnlockProtocol). Same command line as `recorder-sim serve`
(`vendor_device.py serve SCENARIO --serial S`), framing in device_framing.py.

Driven by the scenario recorder's keys (Docs/simulator.md §13.2): `family` ("amba-ascii" or
"amba-ctrl"), `password` (what arrives is compared with it), `lockout.attempts` (wrong
passwords in a row that lock the device for good; none: never), `vendor.deviceId` (what @Gdv
answers; default identity.serial), `vendor.storageUsb` {vendorId, productId} (the ids it comes
back with; default 1209:0003, the device database's test vendor disk). What it becomes is `storage.image`, served by bot_device.py.

amba-ascii (interface 0xFF, bulk OUT 0x01 / IN 0x81): one command per OUT transfer,
`@name;length;argument;#`, visible ASCII, at most 64 bytes; one reply per command, one IN
message of at most 64 bytes:
    @Ver;8;00000000;#    -> @Ver;OK;UMOCKDEV1#
    @Gdv;8;<password>;#  -> right: @Gdv;8;<deviceId># (logged in); wrong: @Gdv;ERROR#
    @Sdt;8;YYYYMMDD;#    -> logged in and a real date: @Sdt;OK#; else @Sdt;ERROR#
    @Stm;6;HHmmss00;#    -> logged in and a time of day ending 00: @Stm;OK#; else @Stm;ERROR#
    @ATH;8;<password>;#  -> right: @ATH;OK#, then the device re-enumerates; wrong: @ATH;ERROR#
    anything else        -> @ERROR#
  Locked: every @Gdv and @ATH is answered @ERROR;LOCKED# (the right password too).
  Control requests: every vendor request stalls.

amba-ctrl (interface 0xFF, no bulk endpoint): vendor control transfers on endpoint 0:
    OUT 40h/55h wValue 0080h wIndex 0, 64 bytes `a1 12 00 12` + password + zeros: login
    OUT 40h/50h wValue 0080h wIndex 0, 64 bytes `a1 23 00 23` + zeros: disk mode (only after
        an accepted login)
    IN  C0h/55h wValue 0080h wIndex 0: the last OUT's 10-byte result `a1 55 SS 00 00 00 00 00
        00 00`, SS 1 accepted, 0 refused; after an accepted disk mode's result the device
        re-enumerates
  A malformed packet, a result with none pending, or any other request stalls. Locked: every
  login is refused.

Faults (`vendor.faults`, as the simulator's, §13.2; any other kind is refused at start):
    refuseDiskMode       @ATH with the right password is answered @ATH;ERROR# / the disk-mode
                         result is 0; the device stays
    leaveWithoutAnswer   on an accepted switch the device leaves at once: amba-ascii sends no
                         @ATH answer, amba-ctrl leaves once the disk-mode OUT is acknowledged,
                         before its result can be read

Both count wrong passwords in a row (a right one resets the count). The log on stderr lists
every command, the password shown as `<password>` with whether it matched; the password itself
is never written anywhere.
"""
import calendar
import json
import sys

from device_framing import answer_control, ControlRequest, messages, reenumerate, send

MAX_REPLY = 64
MODELLED_FAULTS = ("refuseDiskMode", "leaveWithoutAnswer")
CTRL_PACKET = 64
LOGIN_HEADER = bytes([0xA1, 0x12, 0x00, 0x12])
DISK_MODE_HEADER = bytes([0xA1, 0x23, 0x00, 0x23])
REQ_LOGIN, REQ_DISK_MODE, REQ_RESULT = 0x55, 0x50, 0x55
CTRL_VALUE = 0x0080


def log(serial, text):
    sys.stderr.write("vendor_device %s: %s\n" % (serial, text))
    sys.stderr.flush()


class Recorder:
    """What both families share: the password, its attempts, the lock, the switch."""

    def __init__(self, serial, r):
        self.serial = serial
        self.family = r["family"]
        password = r.get("password")
        if not isinstance(password, str) or not password:
            raise SystemExit("vendor_device %s: a vendor recorder needs a \"password\"" % serial)
        self.password = password.encode("ascii")
        self.lockout = (r.get("lockout") or {}).get("attempts")
        vendor = r.get("vendor") or {}
        self.device_id = vendor.get("deviceId", r.get("identity", {}).get("serial", serial))
        usb = vendor.get("storageUsb") or {}
        self.storage_ids = (int(usb.get("vendorId", "1209"), 16), int(usb.get("productId", "0003"), 16))
        self.wrong_in_row = 0
        self.locked = False
        self.logged_in = False
        self.leaving = False
        self.faults = set()
        for fault in vendor.get("faults") or []:
            kind = fault.get("kind") if isinstance(fault, dict) else None
            if kind not in MODELLED_FAULTS:
                raise SystemExit("vendor_device %s: fault %r is not modelled here (only %s)" % (
                    serial, kind, ", ".join(MODELLED_FAULTS)))
            self.faults.add(kind)

    def log(self, text):
        log(self.serial, text)

    def check_password(self, given, command):
        """True if `given` is the password (and the device is not locked); counts wrong ones."""
        if self.locked:
            self.log("%s <password>: refused, the device is locked" % command)
            return False
        if given == self.password:
            self.wrong_in_row = 0
            self.log("%s <password>: right" % command)
            return True
        self.wrong_in_row += 1
        self.log("%s <password>: wrong (%d in a row%s)" % (
            command, self.wrong_in_row, "" if self.lockout is None else " of %d allowed" % self.lockout))
        if self.lockout is not None and self.wrong_in_row >= self.lockout:
            self.locked = True
            self.log("locked after %d wrong passwords in a row" % self.wrong_in_row)
        return False

    def leave(self):
        self.leaving = True
        self.log("leaves the bus, comes back as mass storage %04x:%04x" % self.storage_ids)
        reenumerate(*self.storage_ids)


class AmbaASCII(Recorder):
    def bulk(self, data):
        reply = self.command(data)
        if reply == b"@ATH;OK#" and "leaveWithoutAnswer" in self.faults:
            self.log("leaveWithoutAnswer: no answer to @ATH")
            self.leave()
            return
        send(reply[:MAX_REPLY])
        if reply == b"@ATH;OK#":
            self.leave()

    def command(self, data):
        if len(data) > MAX_REPLY or not data.startswith(b"@") or not data.endswith(b";#") \
                or any(not 0x21 <= b <= 0x7E for b in data):
            self.log("command of %d bytes is not @name;length;argument;#" % len(data))
            return b"@ERROR#"
        fields = data[1:-2].split(b";")
        if len(fields) != 3:
            self.log("command with %d fields (3 expected)" % len(fields))
            return b"@ERROR#"
        name, length, argument = fields
        if name == b"Ver" and length == b"8" and argument == b"00000000":
            self.log("@Ver")
            return b"@Ver;OK;UMOCKDEV1#"
        if name in (b"Gdv", b"ATH") and length == b"8":
            if self.locked:
                self.check_password(argument, "@" + name.decode())
                return b"@ERROR;LOCKED#"
            if not self.check_password(argument, "@" + name.decode()):
                return b"@" + name + b";ERROR#"
            if name == b"Gdv":
                self.logged_in = True
                return b"@Gdv;8;" + self.device_id.encode("ascii") + b"#"
            if "refuseDiskMode" in self.faults:
                self.log("@ATH refused (refuseDiskMode)")
                return b"@ATH;ERROR#"
            return b"@ATH;OK#"
        if name == b"Sdt" and length == b"8":
            ok = self.logged_in and valid_date(argument)
            self.log("@Sdt %s: %s" % (argument.decode(), "set" if ok else "refused"))
            return b"@Sdt;OK#" if ok else b"@Sdt;ERROR#"
        if name == b"Stm" and length == b"6":
            ok = self.logged_in and valid_time(argument)
            self.log("@Stm %s: %s" % (argument.decode(), "set" if ok else "refused"))
            return b"@Stm;OK#" if ok else b"@Stm;ERROR#"
        self.log("unknown command @%s" % name.decode("ascii", "replace"))
        return b"@ERROR#"

    def control(self, request):
        self.log("vendor control request %02x %02x: STALL (this family talks on its bulk endpoints)"
                 % (request.request_type, request.request))
        answer_control(request, stall=True)


class AmbaControl(Recorder):
    def __init__(self, serial, r):
        super().__init__(serial, r)
        self.result = None          # the status the next result IN reads, or None
        self.switch_on_read = False

    def bulk(self, data):
        # the harness gives this interface no bulk endpoint: never reached
        self.log("bulk OUT of %d bytes on a device without bulk endpoints: ignored" % len(data))

    def control(self, q):
        if q.request_type == 0x40 and q.value == CTRL_VALUE and q.index == 0 and q.request in (REQ_LOGIN, REQ_DISK_MODE):
            self.packet(q)
        elif q.request_type == 0xC0 and q.request == REQ_RESULT and q.value == CTRL_VALUE and q.index == 0 \
                and self.result is not None:
            status, self.result = self.result, None
            answer_control(q, (bytes([0xA1, 0x55, status]) + bytes(7))[:q.length])
            if status == 1 and self.switch_on_read:
                self.leave()
        else:
            self.log("control request %02x %02x %04x %04x %d: STALL" % (q.request_type, q.request, q.value, q.index, q.length))
            answer_control(q, stall=True)

    def packet(self, q):
        header = LOGIN_HEADER if q.request == REQ_LOGIN else DISK_MODE_HEADER
        what = "login" if q.request == REQ_LOGIN else "disk mode"
        data = q.data
        if q.length != CTRL_PACKET or len(data) != CTRL_PACKET or data[:4] != header:
            self.log("%s packet of %d bytes (64 expected, starting %s): STALL" % (what, len(data), header.hex(" ")))
            answer_control(q, stall=True)
            return
        body = data[4:]
        end = body.find(b"\0")
        if end < 0 or any(body[end:]):
            self.log("%s packet not zero-padded after its text: STALL" % what)
            answer_control(q, stall=True)
            return
        answer_control(q)
        if q.request == REQ_LOGIN:
            self.logged_in = self.check_password(body[:end], "login")
            self.result = 1 if self.logged_in else 0
        else:
            if not self.logged_in:
                ok, why = False, "refused (no accepted login)"
            elif end != 0:
                ok, why = False, "refused (bytes after the header)"
            elif "refuseDiskMode" in self.faults:
                ok, why = False, "refused (refuseDiskMode)"
            else:
                ok, why = True, "accepted"
            self.log("disk mode: " + why)
            self.result = 1 if ok else 0
            self.switch_on_read = ok
            if ok and "leaveWithoutAnswer" in self.faults:
                self.log("leaveWithoutAnswer: leaves before its result is read")
                self.leave()


def valid_date(text):
    if len(text) != 8 or not text.isdigit():
        return False
    year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    return year >= 1 and 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def valid_time(text):
    if len(text) != 8 or not text.isdigit():
        return False
    return int(text[:2]) < 24 and int(text[2:4]) < 60 and int(text[4:6]) < 60 and text[6:] == b"00"


def recorder_for(scenario_path, serial):
    with open(scenario_path, encoding="utf-8") as f:
        scenario = json.load(f)
    for r in scenario.get("recorders", []):
        if r.get("identity", {}).get("serial") == serial:
            family = r.get("family")
            if family == "amba-ascii":
                return AmbaASCII(serial, r)
            if family == "amba-ctrl":
                return AmbaControl(serial, r)
            raise SystemExit("vendor_device %s: family %r is not a vendor family (amba-ascii, amba-ctrl)" % (serial, family))
    raise SystemExit("vendor_device: no recorder with serial %s in %s" % (serial, scenario_path))


def main():
    args = sys.argv[1:]
    if len(args) < 4 or args[0] != "serve" or "--serial" not in args:
        sys.stderr.write("usage: vendor_device.py serve SCENARIO --serial SERIAL\n")
        return 64
    device = recorder_for(args[1], args[args.index("--serial") + 1])
    device.log("%s docked as a vendor device" % device.family)
    for message in messages():
        if device.leaving:
            continue        # gone from the bus: nothing reaches it any more
        if isinstance(message, ControlRequest):
            device.control(message)
        else:
            device.bulk(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
