"""Control transfers (descriptors, configuration, interfaces; vendor requests forwarded to the
device process) and interface claims of an emulated device: part of `UsbDevice`.
"""

import errno
import struct
import time

from .messages import log
from .urbs import Held
from .vendor_requests import PendingControl


class ControlEndpoint:
    """Endpoint 0 and interface claims of `UsbDevice` (a mix-in: it uses the device's state)."""

    # -- claims ----------------------------------------------------------------------------

    def _claim(self, state, ifno):
        if ifno != 0:
            return (-1, errno.ENOENT)
        owner = self.claims.get(ifno)
        if owner is not None and owner is not state:
            return (-1, errno.EBUSY)
        self.claims[ifno] = state
        return (0, 0)

    def _release(self, state, ifno):
        if self.claims.get(ifno) is not state:
            return (-1, errno.EINVAL)
        del self.claims[ifno]
        # the kernel kills the fd's URBs on the interface's endpoints; they are never reaped
        dropped = [u for u in self.pending_in if u.client is state.client]
        if dropped:
            log("%s: fd#%d released interface %d with %d IN URBs pending: they are dropped (as the kernel does)"
                % (self.name, state.number, ifno, len(dropped)))
        self.pending_in = [u for u in self.pending_in if u.client is not state.client]
        return (0, 0)

    # -- control transfers -----------------------------------------------------------------

    def _control_request(self, state, setup, out_data):
        """Standard requests on endpoint 0. Returns (status, data for an IN request)."""
        request_type, request, value, index, length = struct.unpack("<BBHHH", setup)
        if request_type == 0x80 and request == 6:          # GET_DESCRIPTOR
            kind, number = value >> 8, value & 0xFF
            if kind == 1:
                data = self.model.device_descriptor()
            elif kind == 2 and number == 0:
                data = self.model.config_descriptor()
            elif kind == 3:
                data = self.model.string(number)
            else:
                data = None
            if data is None:
                return -errno.EPIPE, b""
            return 0, data[:length]
        if request_type == 0x80 and request == 0:           # GET_STATUS (device)
            return 0, b"\x00\x00"[:length]
        if request_type == 0x81 and request == 0:           # GET_STATUS (interface)
            return 0, b"\x00\x00"[:length]
        if request_type == 0x82 and request == 0:           # GET_STATUS (endpoint): bit 0 = halted
            return 0, struct.pack("<H", 1 if index in self.halted else 0)[:length]
        if request_type == 0x80 and request == 8:           # GET_CONFIGURATION
            return 0, b"\x01"[:length]
        if request_type == 0x81 and request == 10:          # GET_INTERFACE
            return 0, b"\x00"[:length]
        if request_type == 0x00 and request == 9 and value == 1:      # SET_CONFIGURATION 1
            return 0, b""
        if request_type == 0x01 and request == 11 and value == 0:     # SET_INTERFACE 0
            return 0, b""
        if request_type == 0x02 and value == 0 and index in (self.model.ep_in, self.model.ep_out):
            if request == 1:                                          # CLEAR_FEATURE(ENDPOINT_HALT)
                self._clear_halt(state, index, "CLEAR_FEATURE(ENDPOINT_HALT) on ep 0 for")
                return 0, b""
            if request == 3:                                          # SET_FEATURE(ENDPOINT_HALT)
                if index not in self.halted:
                    self._halt(index, "SET_FEATURE(ENDPOINT_HALT)")
                return 0, b""
        if request_type in (0x00, 0x02) and request in (1, 3):        # CLEAR/SET_FEATURE
            return 0, b""
        if self.model.is_mass_storage and index == 0 and value == 0:
            if request_type == 0x21 and request == 0xFF and length == 0:
                return self._bulk_only_reset(), b""
            if request_type == 0xA1 and request == 0xFE and length >= 1:   # GET MAX LUN: one LUN
                return 0, b"\x00"
        log("%s: control request %02x %02x %04x %04x %d: STALL" % (self.name, request_type, request, value, index, length))
        return -errno.EPIPE, b""

    def _bulk_only_reset(self):
        """Bulk-Only Mass Storage Reset (BOT 1.0 §3.1): the device is ready for the next CBW.
        What it had queued for the host (the rest of a data phase, a CSW) is dropped; halts stay
        set until the host clears them (§5.3.4). The device process answers each CBW at once, so
        nothing of the old command is still to come from it."""
        with self.lock:
            dropped = sum(len(data) - offset for data, offset in self.in_queue)
            self.in_queue.clear()
        self.stats["bot-resets"] += 1
        log("%s: Bulk-Only Mass Storage Reset: %d queued IN bytes dropped; halted endpoints stay halted (%s)" % (
            self.name, dropped, ", ".join("0x%02x" % e for e in sorted(self.halted)) or "none"))
        return 0

    # -- URBs and the synchronous ioctl ------------------------------------------------------

    def _control_urb(self, state, urb):
        """A control URB: answered now (True), or forwarded to the device process (False: it
        completes when the device answers)."""
        if urb.length < 8:
            urb.status, urb.actual = -errno.EINVAL, 0
            return True
        buf = urb.data.resolve(16, urb.length)
        urb.buf = buf
        raw = buf.retrieve()
        setup = raw[:8]
        if self._forwards(setup):
            self.stats["control"] += 1
            self._forward_control(PendingControl(state, setup, urb=urb), raw[8:])
            return False
        status, reply = self._control_request(state, setup, raw[8:])
        urb.status = status
        if setup[0] & 0x80:
            reply = reply[:urb.length - 8]
            if reply:
                buf.update(8, reply)
            urb.actual = len(reply)
        else:
            urb.actual = 0 if status else urb.length - 8
        self.stats["control"] += 1
        return True

    def _control_ioctl(self, state, client, arg):
        data = arg.resolve(0, 24)
        raw = data.retrieve()
        setup = raw[:8]
        length, timeout = struct.unpack_from("<HI", raw, 6)
        buf = data.resolve(16, length) if length else None
        if self._forwards(setup):
            # held until the device answers, the ioctl's timeout (ms; 0: none) or an unplug
            held = Held("control", state, arg, time.monotonic() + timeout / 1000.0 if timeout else None, extra=buf)
            state.held = held
            out = buf.retrieve() if buf is not None and not setup[0] & 0x80 else b""
            tag = self._forward_control(PendingControl(state, setup, held=held), out)
            if held.deadline is not None:
                self.kiosk.timers.call_at(held.deadline, lambda: self._control_expired(state, held, tag))
            return
        status, reply = self._control_request(state, setup, buf.retrieve() if buf and not setup[0] & 0x80 else b"")
        if status:
            client.complete(-1, -status)
        elif setup[0] & 0x80:
            if reply:
                buf.update(0, reply)
            client.complete(len(reply), 0)
        else:
            client.complete(length, 0)
