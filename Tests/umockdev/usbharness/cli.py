"""The command line of harness.py: options, scripted docks and unplugs, running PROGRAM.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time

from . import messages
from .kiosk import DEFAULT_RETURN_AFTER, Kiosk
from .messages import die, log, output_lock
from .sysfs import parse_port
from .umockdev import ensure_wrapper

# harness.py, the entry point: what `main` runs again under umockdev-wrapper.
HARNESS_SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "harness.py")


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="harness.py",
        description="Run PROGRAM with simulated recorders as USB devices (umockdev).",
        epilog="Times are seconds after PROGRAM starts. With no --dock, --unplug-after, "
               "--redock-after or --dock-on-log at all, every recorder of the scenario is docked at "
               "its port before PROGRAM starts (coldplug); otherwise exactly the --dock ones are.")
    p.add_argument("--sim", default=os.environ.get("RECORDER_SIM"),
                   help="the device program, run as `SIM serve SCENARIO --serial S` (env RECORDER_SIM); "
                        "needed unless every docked recorder is a vendor one")
    p.add_argument("--scenario", required=True, help="scenario JSON file (Docs/simulator.md)")
    p.add_argument("--dock", action="append", default=[], metavar="SERIAL[@PORT]",
                   help="dock this recorder before PROGRAM starts (port default: the scenario's)")
    p.add_argument("--unplug-after", nargs=2, action="append", default=[], metavar=("SECONDS", "SERIAL"),
                   help="pull SERIAL out SECONDS after start")
    p.add_argument("--redock-after", nargs=2, action="append", default=[], metavar=("SECONDS", "SERIAL[@PORT]"),
                   help="dock SERIAL at PORT (default: the scenario's) SECONDS after start (hotplug)")
    p.add_argument("--sim-arg", action="append", default=[], metavar="ARG",
                   help="one more argument for every device process, e.g. --sim-arg=--keep-link "
                        "(recorder-sim: keep the scenario's link timing)")
    p.add_argument("--descriptor-fault", action="append", default=[], metavar="SERIAL:KIND",
                   help="give SERIAL's device odd descriptors: no-bulk, wrong-class or zero-packet")
    p.add_argument("--stall-in", action="append", default=[], metavar="SERIAL:N",
                   help="SERIAL's bulk IN endpoint STALLs at the Nth IN URB that carries data (counted "
                        "from the dock): the URB gets the first half of its data (whole packets) and ends "
                        "with -EPIPE, and every IN URB ends so until CLEAR_HALT; nothing is lost")
    p.add_argument("--stall-out", action="append", default=[], metavar="SERIAL:N",
                   help="SERIAL's bulk OUT endpoint STALLs at the Nth bulk OUT URB (counted from the dock): "
                        "it and every OUT URB until CLEAR_HALT end with -EPIPE, undelivered")
    p.add_argument("--stall-forever", action="store_true",
                   help="a halted endpoint stays halted: CLEAR_HALT is answered 0 and does not help")
    p.add_argument("--deny-open", action="append", default=[], metavar="SERIAL[:K]",
                   help="the first K opens of SERIAL's device node fail with EACCES (default: every one), "
                        "as on hotplug before udev applies the group and mode; PROGRAM runs without "
                        "CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH when the harness runs as root")
    p.add_argument("--vendor-sim", metavar="PATH",
                   help="the device program of vendor recorders (\"family\": amba-ascii or amba-ctrl), run as "
                        "`PATH serve SCENARIO --serial S` (default: vendor_device.py beside the harness)")
    p.add_argument("--storage-sim", metavar="PATH",
                   help="the device program of what a vendor recorder comes back as, and of the scenario's "
                        "mass-storage recorders (default: bot_device.py for the former, --sim for the latter)")
    p.add_argument("--return-after", action="append", default=[], metavar="SERIAL:SECONDS",
                   help="a vendor recorder that switched to mass storage comes back SECONDS after it left "
                        "(default %.1f; a slow recorder)" % DEFAULT_RETURN_AFTER)
    p.add_argument("--return-never", action="append", default=[], metavar="SERIAL",
                   help="a vendor recorder that switched to mass storage never comes back")
    p.add_argument("--return-port", action="append", default=[], metavar="SERIAL:PORT",
                   help="a vendor recorder that switched to mass storage comes back on PORT, not where it left")
    p.add_argument("--dock-on-log", nargs=2, action="append", default=[], metavar=("REGEX", "SERIAL[@PORT]"),
                   help="dock SERIAL once a line PROGRAM writes to stderr matches REGEX")
    p.add_argument("--timeout", type=float, default=0, help="kill PROGRAM after this many seconds (exit 124)")
    p.add_argument("--reap-hold-ms", type=float, default=2.0,
                   help="how long an empty REAPURBNDELAY is held before EAGAIN (0: answer at once)")
    p.add_argument("--verbose", action="store_true", help="log every USB operation")
    p.add_argument("program", nargs=argparse.REMAINDER, help="-- PROGRAM ARGS...")
    args = p.parse_args(argv)
    if args.program and args.program[0] == "--":
        args.program = args.program[1:]
    if not args.program:
        p.error("no PROGRAM given (after --)")
    try:
        for spec in args.dock:
            split_serial_port(spec)
        for secs, spec in args.redock_after:
            split_serial_port(spec)
        for regex, spec in args.dock_on_log:
            split_serial_port(spec)
            re.compile(regex)
        args.stall_in = [split_serial_count(x, "--stall-in") for x in args.stall_in]
        args.stall_out = [split_serial_count(x, "--stall-out") for x in args.stall_out]
        args.deny_open = [split_serial_count(x, "--deny-open", default=-1) for x in args.deny_open]
        args.return_after = [split_serial_seconds(x) for x in args.return_after]
        args.return_port = [split_serial_value(x, "--return-port", parse_port) for x in args.return_port]
        for secs, _ in args.unplug_after + args.redock_after:
            if float(secs) < 0:
                raise ValueError("negative time %s" % secs)
    except (ValueError, re.error) as e:
        p.error(str(e))
    return args


def split_serial_count(text, option, default=None):
    """'SERIAL:N' -> (SERIAL, N >= 1); 'SERIAL' -> (SERIAL, default) if there is a default."""
    serial, sep, count = text.partition(":")
    if not serial or (not sep and default is None):
        raise ValueError("%s wants SERIAL:N, not %r" % (option, text))
    if not sep:
        return serial, default
    if not count.isdigit() or int(count) < 1:
        raise ValueError("%s %s: N must be a whole number from 1" % (option, text))
    return serial, int(count)


def split_serial_value(text, option, check):
    """'SERIAL:VALUE' -> (SERIAL, VALUE), VALUE checked by `check` (which raises ValueError)."""
    serial, sep, value = text.partition(":")
    if not serial or not sep or not value:
        raise ValueError("%s wants SERIAL:VALUE, not %r" % (option, text))
    check(value)
    return serial, value


def split_serial_seconds(text):
    serial, value = split_serial_value(text, "--return-after", float)
    if float(value) < 0:
        raise ValueError("--return-after %s: negative time" % text)
    return serial, float(value)


def split_serial_port(text):
    serial, _, port = text.partition("@")
    if port:
        parse_port(port)
    return serial, port or None


def watch_stderr(proc, kiosk, triggers):
    """Copies PROGRAM's stderr to ours, line by line, and docks a recorder the first time a
    line matches its --dock-on-log pattern."""
    pending = [(re.compile(regex), split_serial_port(spec)) for regex, spec in triggers]
    for raw in iter(proc.stderr.readline, b""):
        with output_lock:
            sys.stderr.buffer.write(raw)
            sys.stderr.flush()
        line = raw.decode("utf-8", "replace")
        for item in [t for t in pending if t[0].search(line)]:
            pending.remove(item)
            serial, port = item[1]
            log("PROGRAM wrote a line matching %r: docking %s" % (item[0].pattern, serial))
            try:
                kiosk.dock(serial, port)
            except (KeyError, ValueError, RuntimeError) as e:
                log("docking %s on PROGRAM's output failed: %s" % (serial, e))


def main(argv=None, script=HARNESS_SCRIPT):
    """Runs the command line `argv` (default: ours); `script` is what runs again under
    umockdev-wrapper. Returns PROGRAM's exit status (124 when it timed out)."""
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)           # usage errors before any re-exec
    ensure_wrapper(argv, script)
    messages.VERBOSE = messages.VERBOSE or args.verbose
    for program in (args.sim, args.vendor_sim, args.storage_sim):
        if program and not os.access(program, os.X_OK):
            die("device program %s is not executable" % program)

    events = []   # (seconds, order, kind, serial, port)
    for i, (secs, serial) in enumerate(args.unplug_after):
        events.append((float(secs), i, "unplug", serial, None))
    for i, (secs, spec) in enumerate(args.redock_after):
        serial, port = split_serial_port(spec)
        events.append((float(secs), i, "dock", serial, port))
    events.sort(key=lambda e: (e[0], e[2] != "unplug", e[1]))   # at equal times unplug first

    kiosk = Kiosk(sim=args.sim, scenario=args.scenario, reap_hold_ms=args.reap_hold_ms, sim_args=args.sim_arg,
                  vendor_sim=args.vendor_sim, storage_sim=args.storage_sim)
    kiosk.return_after.update(args.return_after)
    kiosk.return_never.update(args.return_never)
    kiosk.return_port.update(args.return_port)
    for item in args.descriptor_fault:
        serial, _, kind = item.partition(":")
        kiosk.descriptor_faults[serial] = kind
    for serial, n in args.stall_in:
        kiosk.stall_in.setdefault(serial, set()).add(n)
    for serial, n in args.stall_out:
        kiosk.stall_out.setdefault(serial, set()).add(n)
    kiosk.stall_forever = args.stall_forever
    for serial, k in args.deny_open:
        kiosk.deny_open[serial] = k
    program = kiosk.program_argv(args.program)
    status = 1
    proc = None
    try:
        docks = [split_serial_port(d) for d in args.dock]
        if not args.dock and not events and not args.dock_on_log:
            docks = [(r["identity"]["serial"], None) for r in kiosk.recorders()]
        for serial, port in docks:
            try:
                kiosk.dock(serial, port)
            except (KeyError, ValueError) as e:
                log("cannot dock %s: %s" % (serial, e.args[0] if e.args else e))
                return 2

        forwarded = {"signal": None}

        def forward(signum, _frame):
            forwarded["signal"] = signum
            if proc is not None and proc.poll() is None:
                proc.send_signal(signum)
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, forward)

        log("starting %s (UMOCKDEV_DIR=%s)" % (" ".join(program), kiosk.root))
        start = time.monotonic()
        proc = subprocess.Popen(program, env=kiosk.program_env(),
                                stderr=subprocess.PIPE if args.dock_on_log else None)
        if args.dock_on_log:
            watcher = threading.Thread(target=watch_stderr, args=(proc, kiosk, args.dock_on_log),
                                       name="program-stderr", daemon=True)
            watcher.start()
        timed_out = False
        while True:
            now = time.monotonic() - start
            while events and events[0][0] <= now:
                _, _, kind, serial, port = events.pop(0)
                try:
                    if kind == "unplug":
                        kiosk.unplug(serial)
                    else:
                        kiosk.dock(serial, port)
                except (KeyError, ValueError) as e:
                    log("scripted %s of %s failed: %s" % (kind, serial, e))
            wait = 0.5
            if events:
                wait = min(wait, max(0.0, events[0][0] - now))
            if args.timeout:
                left = args.timeout - now
                if left <= 0:
                    log("PROGRAM still running after %.1f s: killing it" % args.timeout)
                    proc.kill()
                    timed_out = True
                    proc.wait()
                    break
                wait = min(wait, left)
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        rc = proc.returncode
        if args.dock_on_log:
            watcher.join(5)
        status = 124 if timed_out else (rc if rc >= 0 else 128 - rc)
        log("PROGRAM exited with status %s" % (rc if rc >= 0 else "signal %d" % -rc))
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        kiosk.close()
        kiosk.report()
    return status
