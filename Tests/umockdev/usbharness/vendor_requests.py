"""Vendor requests answered by the device process: a vendor family's control transfers on
endpoint 0 are sent to it as CONTROL messages and held until its answer: part of `UsbDevice`.
"""

import errno
import struct

from .device_process import CONTROL_ACK, CONTROL_STALL
from .messages import debug, log


def is_vendor_request(request_type):
    """bmRequestType's type bits (6..5) say vendor."""
    return request_type & 0x60 == 0x40


class PendingControl:
    """A control transfer the device process has been asked and has not answered yet: a URB
    (answered at reap time) or a held USBDEVFS_CONTROL ioctl (answered at once)."""
    __slots__ = ("state", "urb", "held", "length", "device_to_host", "setup")

    def __init__(self, state, setup, urb=None, held=None):
        self.state = state
        self.setup = setup
        self.urb = urb
        self.held = held
        self.length = struct.unpack_from("<H", setup, 6)[0]
        self.device_to_host = bool(setup[0] & 0x80)


class VendorRequests:
    """Forwarded vendor requests of `UsbDevice` (a mix-in: it uses the device's state; control.py
    decides what is forwarded and submits it)."""

    def _forwards(self, setup):
        return self.model.vendor_requests and is_vendor_request(setup[0])

    def _forward_control(self, pending, out_data):
        """Sends a vendor request to the device process (called with the lock held); the
        transfer stays pending until `_control_answer` (or a discard, a timeout, an unplug)."""
        self.ctrl_seq += 1
        tag = self.ctrl_seq
        self.pending_ctrl[tag] = pending
        self.stats["vendor requests"] += 1
        rt, req, value, index, length = struct.unpack("<BBHHH", pending.setup)
        debug("%s: fd#%d vendor request %02x %02x %04x %04x %d -> device process (tag %d)" % (
            self.name, pending.state.number, rt, req, value, index, length, tag))
        self.process.send_control(tag, pending.setup, b"" if pending.device_to_host else out_data[:length])
        return tag

    def _control_answer(self, tag, result, data):
        """The device process answered the control request `tag` (its reader thread)."""
        with self.lock:
            pending = self.pending_ctrl.pop(tag, None)
            if pending is None:
                log("%s: answer to control request tag %d ignored: it was discarded, timed out or never asked"
                    % (self.name, tag))
                return
            if result not in (CONTROL_ACK, CONTROL_STALL):
                log("%s: control answer tag %d has result %d (0 ACK, 1 STALL): taken as STALL" % (self.name, tag, result))
                result = CONTROL_STALL
            if pending.device_to_host and len(data) > pending.length:
                # a control IN never returns more than wLength: the host stops asking
                log("%s: control answer tag %d: %d bytes for wLength %d, cut" % (self.name, tag, len(data), pending.length))
                data = data[:pending.length]
            if result == CONTROL_STALL:
                self.stats["vendor requests stalled"] += 1
                debug("%s: vendor request tag %d: STALL" % (self.name, tag))
            if pending.urb is not None:
                urb = pending.urb
                if result == CONTROL_STALL:
                    urb.status, urb.actual = -errno.EPIPE, 0
                elif pending.device_to_host:
                    urb.status, urb.actual, urb.reply = 0, len(data), bytes(data)
                else:
                    urb.status, urb.actual = 0, pending.length
                if pending.state.connected:
                    pending.state.completed.append(urb)
                    self.answered_ctrl.add(urb)     # a leave waits until the host has it
                self._service_held()
            else:
                held = pending.held
                if held.done or not pending.state.connected:
                    return
                held.done = True
                if pending.state.held is held:
                    pending.state.held = None
                client = pending.state.client
                if result == CONTROL_STALL:
                    client.complete(-1, errno.EPIPE)
                elif pending.device_to_host:
                    buf = held.extra
                    if data:
                        buf.update(0, bytes(data))
                    client.complete(len(data), 0)
                else:
                    client.complete(pending.length, 0)

    def _fail_pending_control(self, status, where):
        """Ends every control transfer still waiting for the device (unplug): with the lock held."""
        for tag, pending in list(self.pending_ctrl.items()):
            del self.pending_ctrl[tag]
            if pending.urb is not None:
                pending.urb.status, pending.urb.actual = -status, 0
                if pending.state.connected:
                    pending.state.completed.append(pending.urb)
            elif not pending.held.done and pending.state.connected:
                pending.held.done = True
                if pending.state.held is pending.held:
                    pending.state.held = None
                pending.state.client.complete(-1, status)
            log("%s: vendor request tag %d unanswered %s: %s" % (self.name, tag, where, errno.errorcode.get(status, status)))

    def _discard_control(self, state, addr):
        """DISCARDURB of a forwarded control URB: it ends -ENOENT; the device's late answer is
        dropped by its tag. True if it was one."""
        for tag, pending in list(self.pending_ctrl.items()):
            urb = pending.urb
            if urb is not None and urb.client is state.client and urb.addr == addr:
                del self.pending_ctrl[tag]
                urb.status, urb.actual = -errno.ENOENT, 0
                state.completed.append(urb)
                log("%s: fd#%d discarded vendor request tag %d before the device answered" % (self.name, state.number, tag))
                return True
        return False

    def _control_expired(self, state, held, tag):
        with self.lock:
            pending = self.pending_ctrl.get(tag)
            if pending is None or pending.held is not held or held.done:
                return
            del self.pending_ctrl[tag]
            held.done = True
            if state.held is held:
                state.held = None
            if state.connected:
                state.client.complete(-1, errno.ETIMEDOUT)
            log("%s: fd#%d USBDEVFS_CONTROL vendor request tag %d: no answer within its timeout: ETIMEDOUT"
                % (self.name, state.number, tag))
