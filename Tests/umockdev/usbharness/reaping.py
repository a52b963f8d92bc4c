"""Reaping and discarding URBs, and the reaps held until data or a deadline: part of `UsbDevice`.
"""

import errno
import struct
import time

from .messages import debug
from .urbs import Held


class UrbReaping:
    """URB reaps of `UsbDevice` (a mix-in: it uses the device's state)."""

    def release_idle_holds(self):
        """Answers held REAPURBNDELAYs with EAGAIN now: the program's event loop, stuck in
        this fd's reap, can then go on to another device that has data."""
        with self.lock:
            for state in self.clients.values():
                held = state.held
                if held is not None and not held.done and held.kind == "reap-ndelay":
                    held.done = True
                    state.held = None
                    if state.connected:
                        state.client.complete(-1, errno.ENODEV if self.gone else errno.EAGAIN)

    def _next_reapable(self, state):
        if state.completed:
            return state.completed.popleft()
        for urb in list(self.pending_in):
            if urb.client is state.client:
                if self._fill_in_urb(urb):
                    return urb
                break
        if self.gone:
            # unplugged: every URB still pending for this fd ends now with -ENODEV
            for urb in [u for u in self.pending_in if u.client is state.client]:
                urb.status = -errno.ENODEV
                urb.actual = 0
                self.pending_in.remove(urb)
                state.completed.append(urb)
            if state.completed:
                return state.completed.popleft()
        return None

    def _finish_reap(self, state, arg, urb):
        if urb.reply is not None:
            # a forwarded control IN: its answer goes after the setup packet, now that the
            # program is inside an ioctl on this fd (gotcha 9)
            if urb.reply:
                urb.buf.update(8, urb.reply)
            urb.reply = None
        self.answered_ctrl.discard(urb)
        self._write_urb_result(urb)
        slot = arg.resolve(0, 8)
        slot.set_ptr(0, urb.data)
        self.stats["reaped"] += 1
        debug("%s: fd#%d reap URB ep 0x%02x len %d -> status %d actual %d" % (
            self.name, state.number, urb.endpoint, urb.length, urb.status, urb.actual))
        state.client.complete(0, 0)
        self._maybe_leave()

    @staticmethod
    def _write_urb_result(urb):
        urb.data.update(4, struct.pack("<i", urb.status))
        urb.data.update(28, struct.pack("<i", urb.actual))

    def _service_held(self):
        """Answers held reaps / bulk reads that can be answered now (called with lock held)."""
        for state in list(self.clients.values()):
            held = state.held
            if held is None or held.done:
                continue
            if not state.connected:
                state.held = None
                continue
            if held.kind in ("reap", "reap-ndelay"):
                urb = self._next_reapable(state)
                if urb is not None:
                    held.done = True
                    state.held = None
                    self._finish_reap(state, held.arg, urb)
                elif self.gone and held.kind == "reap":
                    held.done = True
                    state.held = None
                    state.client.complete(-1, errno.ENODEV)
            elif held.kind == "bulk-in":
                self._try_bulk_in(state, held)

    def _held_expired(self, state, held):
        with self.lock:
            if held.done or state.held is not held:
                return
            held.done = True
            state.held = None
            if not state.connected:
                return
            if held.kind == "bulk-in":
                state.client.complete(-1, errno.ETIMEDOUT)
            else:
                state.client.complete(-1, errno.ENODEV if self.gone else errno.EAGAIN)

    def _reap(self, state, client, arg, blocking):
        urb = self._next_reapable(state)
        if urb is not None:
            self._finish_reap(state, arg, urb)
            return
        if (blocking and self.gone) or (not blocking and self.reap_hold <= 0):
            client.complete(-1, errno.ENODEV if self.gone else errno.EAGAIN)
            return
        # Nothing yet. Hold the answer until device data arrives (or, for REAPURBNDELAY, a few
        # milliseconds pass): the emulated fd always polls ready, so without this libusb's event
        # loop would spin on EAGAIN at full speed. After an unplug the ENODEV answer is held
        # too: libusb never sees POLLERR here, so it keeps reaping until the program closes.
        deadline = None if blocking else time.monotonic() + self.reap_hold
        held = Held("reap" if blocking else "reap-ndelay", state, arg, deadline)
        state.held = held
        if deadline is not None:
            self.kiosk.timers.call_at(deadline, lambda: self._held_expired(state, held))

    def _discard_urb(self, state, client, arg):
        (addr,) = struct.unpack("<Q", arg.retrieve())
        if self._discard_control(state, addr):
            client.complete(0, 0)
            return
        for urb in self.pending_in:
            if urb.client is state.client and urb.addr == addr:
                self.pending_in.remove(urb)
                urb.status = -errno.ENOENT
                urb.actual = 0
                state.completed.append(urb)
                debug("%s: fd#%d discarded IN URB" % (self.name, state.number))
                client.complete(0, 0)
                return
        client.complete(-1, errno.EINVAL)    # already completed (or never submitted)
