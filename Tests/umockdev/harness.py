#!/usr/bin/python3
"""Simulated recorders as real USB devices, for unmodified programs (umockdev): the entry point.

The harness itself is the package usbharness/ beside this file (see its __init__ and README.md);
this file is its command line and, for test scripts, `import harness` gives the library:

    harness.ensure_wrapper(sys.argv[1:], __file__)
    kiosk = harness.Kiosk(sim="/path/recorder-sim", scenario="scenario.json")

CLI: python3 Tests/umockdev/harness.py --sim PATH --scenario FILE [--dock SERIAL@PORT ...]
     [--unplug-after SECONDS SERIAL] [--redock-after SECONDS SERIAL[@PORT]]
     [--dock-on-log REGEX SERIAL[@PORT]] [--stall-in SERIAL:N] [--stall-out SERIAL:N]
     [--stall-forever] [--deny-open SERIAL[:K]] [--vendor-sim PATH] [--storage-sim PATH]
     [--return-after SERIAL:SECONDS] [--return-never SERIAL] [--return-port SERIAL:PORT]
     -- PROGRAM ARGS...
"""

import sys

from usbharness import DeviceModel, ensure_wrapper, Kiosk, load_umockdev, main, parse_port, UsbDevice  # noqa: F401

if __name__ == "__main__":
    sys.exit(main(script=__file__))
