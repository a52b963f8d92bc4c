"""Bulk transfers of an emulated device: OUT to the device process, IN from what it sent, stalls
and halts: part of `UsbDevice`.
"""

import errno
import struct
import time

from .messages import debug, log
from .urbs import Held, Urb
from .usbdevfs import URB_SHORT_NOT_OK, URB_SIZE, URB_TYPE_BULK, URB_TYPE_CONTROL


class BulkEndpoints:
    """The bulk endpoints of `UsbDevice` (a mix-in: it uses the device's state)."""

    # -- device messages -> IN URBs ----------------------------------------------------------

    def _take_chunk(self, maxlen):
        """The next piece of device data for an IN URB of `maxlen` bytes, or None if none yet.
        A message longer than the URB is split (the rest goes to the next IN URB, as on USB).
        A message that is a whole number of packets and exactly fills the URB is followed by
        its zero-length packet, which completes the next IN URB with 0 bytes (as on USB)."""
        if not self.in_queue:
            return None
        entry = self.in_queue[0]
        data, offset = entry
        n = min(len(data) - offset, maxlen)
        chunk = data[offset:offset + n]
        entry[1] = offset + n
        if entry[1] >= len(data):
            self.in_queue.popleft()
            if len(data) and len(data) % self.model.max_packet == 0 and n == maxlen:
                self.in_queue.appendleft([b"", 0])   # the ZLP still on the wire
        return chunk

    def _fill_in_urb(self, urb):
        """Completes `urb` (first pending bulk IN) from device data if possible. Must run while
        its client is inside an ioctl: the buffer is written through the client's socket."""
        if self.pending_in and self.pending_in[0] is not urb:
            return False          # FIFO: an earlier URB (another fd) gets the data first
        if urb.endpoint in self.halted and not self.gone:
            # a halted endpoint answers every IN token with STALL: no data, -EPIPE
            urb.status, urb.actual = -errno.EPIPE, 0
            self.halt_urbs[urb.endpoint] += 1
            self.pending_in.remove(urb)
            return True
        if self._stall_in_now(urb):
            self.pending_in.remove(urb)
            return True
        chunk = self._take_chunk(urb.length)
        if chunk is None:
            if not self.gone:
                return False
            urb.status = -errno.ENODEV
            urb.actual = 0
        else:
            if chunk:
                buf = urb.data.resolve(16, len(chunk))
                buf.update(0, chunk)
                self.in_data_urbs += 1
            urb.actual = len(chunk)
            urb.status = 0
            if urb.flags & URB_SHORT_NOT_OK and urb.actual < urb.length:
                urb.status = -errno.EREMOTEIO
            self.stats["in-bytes"] += len(chunk)
        self.pending_in.remove(urb)
        return True

    def _stall_in_now(self, urb):
        """--stall-in: if `urb` is the Nth IN URB that would carry data, it gets the first half
        of that data (whole packets, possibly none) and ends with -EPIPE, and the endpoint
        halts. The rest of the data stays queued for after the CLEAR_HALT: nothing is lost."""
        if not self.stall_in or self.gone or not self.in_queue:
            return False
        data, offset = self.in_queue[0]
        if len(data) <= offset or self.in_data_urbs + 1 not in self.stall_in:
            return False
        self.in_data_urbs += 1
        packet = self.model.max_packet or 512
        n = min(urb.length, (len(data) - offset) // 2 // packet * packet)
        if n:
            urb.data.resolve(16, n).update(0, data[offset:offset + n])
            self.in_queue[0][1] = offset + n
            self.stats["in-bytes"] += n
        urb.status, urb.actual = -errno.EPIPE, n
        self._halt(urb.endpoint, "IN URB #%d carrying data, after %d of its %d bytes" % (
            self.in_data_urbs, n, len(data) - offset))
        return True

    def _halt(self, endpoint, where):
        """The device halts `endpoint` (a STALL handshake): called with the lock held."""
        self.halted.add(endpoint)
        self.halt_urbs[endpoint] = 1
        self.stats["stall 0x%02x" % endpoint] += 1
        log("%s: endpoint 0x%02x STALLs at %s: it stays halted (every URB on it ends with -EPIPE) "
            "until CLEAR_HALT 0x%02x%s" % (self.name, endpoint, where, endpoint,
                                           " (--stall-forever: and after it)" if self.stall_forever else ""))

    def _clear_halt(self, state, endpoint, how):
        """CLEAR_HALT (or CLEAR_FEATURE(ENDPOINT_HALT) on ep 0) for `endpoint`: logged, always;
        the endpoint runs again unless --stall-forever. Called with the lock held."""
        self.stats["CLEAR_HALT 0x%02x" % endpoint] += 1
        if endpoint not in self.halted:
            outcome = "the endpoint was not halted"
        elif self.stall_forever:
            outcome = "the endpoint stays halted (--stall-forever)"
            self.halt_urbs[endpoint] = 0
        else:
            outcome = "the endpoint runs again (%d URBs ended -EPIPE while it was halted)" % self.halt_urbs.pop(endpoint, 0)
            self.halted.discard(endpoint)
        log("%s: fd#%d %s 0x%02x: %s" % (self.name, state.number, how, endpoint, outcome))
        self._service_held()

    # -- URBs ------------------------------------------------------------------------------

    def _submit_urb(self, state, client, arg):
        (addr,) = struct.unpack("<Q", arg.retrieve())
        data = arg.resolve(0, URB_SIZE)
        self.urb_seq += 1
        urb = Urb(state.client, data, addr, data.retrieve(), self.urb_seq)
        if urb.type == URB_TYPE_CONTROL:
            if urb.endpoint & 0x7F != 0:
                client.complete(-1, errno.ENOENT)
                return
            if self._control_urb(state, urb):
                state.completed.append(urb)
            client.complete(0, 0)
            return
        if urb.type != URB_TYPE_BULK:
            log("%s: URB type %d to endpoint 0x%02x refused (only bulk and control exist): EINVAL"
                % (self.name, urb.type, urb.endpoint))
            client.complete(-1, errno.EINVAL)
            return
        if urb.endpoint not in (self.model.ep_in, self.model.ep_out):
            client.complete(-1, errno.ENOENT)
            return
        if urb.length < 0:
            client.complete(-1, errno.EINVAL)
            return
        status = self._claim(state, 0)         # the kernel claims the interface implicitly
        if status[0] < 0:
            client.complete(*status)
            return
        if urb.endpoint & 0x80:
            self.pending_in.append(urb)
            debug("%s: fd#%d IN URB posted (%d bytes; %d pending)" % (self.name, state.number, urb.length, len(self.pending_in)))
        elif self._stall_out_now(urb):
            # the device answered the first OUT packet with STALL: it never sees the transfer
            urb.actual = 0
            urb.status = -errno.EPIPE
            state.completed.append(urb)
        else:
            payload = urb.data.resolve(16, urb.length).retrieve() if urb.length else b""
            self.process.send(payload)
            self.stats["out-bytes"] += len(payload)
            self.stats["out-transfers"] += 1
            urb.actual = len(payload)
            urb.status = 0
            state.completed.append(urb)
            debug("%s: fd#%d OUT %d bytes" % (self.name, state.number, len(payload)))
        client.complete(0, 0)

    def _stall_out_now(self, urb):
        """True if the OUT `urb` ends with -EPIPE: its endpoint is halted, or it is the Nth
        bulk OUT URB of the dock named by --stall-out (which halts the endpoint)."""
        self.out_urbs += 1
        if urb.endpoint in self.halted:
            self.halt_urbs[urb.endpoint] += 1
            return True
        if self.out_urbs in self.stall_out:
            self._halt(urb.endpoint, "OUT URB #%d (%d bytes, not delivered)" % (self.out_urbs, urb.length))
            return True
        return False

    def _bulk_ioctl(self, state, client, arg):
        data = arg.resolve(0, 24)
        ep, length, timeout = struct.unpack_from("<III", data.retrieve(), 0)
        if ep not in (self.model.ep_in, self.model.ep_out):
            client.complete(-1, errno.ENOENT)
            return
        if ep in self.halted:
            self.halt_urbs[ep] += 1
            client.complete(-1, errno.EPIPE)
            return
        status = self._claim(state, 0)
        if status[0] < 0:
            client.complete(*status)
            return
        if not ep & 0x80:
            payload = data.resolve(16, length).retrieve() if length else b""
            self.process.send(payload)
            client.complete(len(payload), 0)
            return
        held = Held("bulk-in", state, arg, time.monotonic() + timeout / 1000.0 if timeout else None,
                    extra=(data, length))
        state.held = held
        if not self._try_bulk_in(state, held) and held.deadline is not None:
            self.kiosk.timers.call_at(held.deadline, lambda: self._held_expired(state, held))

    def _try_bulk_in(self, state, held):
        data, length = held.extra
        if self.pending_in:
            return False     # posted URBs come first
        chunk = self._take_chunk(length)
        if chunk is None:
            if self.gone:
                held.done = True
                state.held = None
                state.client.complete(-1, errno.ENODEV)
                return True
            return False
        if chunk:
            data.resolve(16, len(chunk)).update(0, chunk)
        held.done = True
        state.held = None
        state.client.complete(len(chunk), 0)
        self._maybe_leave()
        return True
