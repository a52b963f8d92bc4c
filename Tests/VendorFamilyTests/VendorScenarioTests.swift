import Foundation
import RecorderHAL
import RecorderSimulator
import TestSupport
import Testing

/// The scenario file's vendor personalities: defaults, and a wrong field named.
@Suite struct VendorScenarioTests {
    func parse(_ recorder: String, in dir: TemporaryDirectory) throws -> Scenario {
        try dir.write("disk.img", Data(count: 64 * 512))
        return try Scenario(json: Data(#"{"schema": 1, "recorders": [\#(recorder)]}"#.utf8), relativeTo: dir.url.path)
    }

    @Test func aVendorRecorderPresentsTheAmbarellaIdsAndKeepsItsStorage() throws {
        let dir = try TemporaryDirectory("vendor-scenario")
        defer { dir.remove() }
        let r = try parse(#"{"identity": {"serial": "S000001"}, "family": "amba-ascii", "password": "Zk8Qw3Lp", "storage": {"image": "disk.img"}}"#,
                          in: dir).recorders[0]
        #expect((r.vendorId, r.productId) == (0x4255, 0x0001))
        #expect(r.vendor?.family == .ambaASCII)
        #expect(r.vendor?.deviceId == "S000001")
        #expect((r.vendor?.storageVendorId, r.vendor?.storageProductId) == (0x1209, 0x0003))
        #expect(r.storage != nil)
        // recorder-sim describe shows the family, never the password.
        let described = String(decoding: ScenarioDescription(Scenario(recorders: [r])).json(), as: UTF8.self)
        #expect(described.contains("\"family\" : \"amba-ascii\""))
        #expect(described.contains("\"usbSerial\" : \"both\"") && !described.contains("lockoutSeconds"))
        #expect(!described.contains("Zk8Qw3Lp"))
    }

    @Test func theReturnFaults() throws {
        let dir = try TemporaryDirectory("vendor-scenario")
        defer { dir.remove() }
        let r = try parse(#"{"identity": {"serial": "S000001"}, "family": "amba-ctrl", "password": "p", "storage": {"image": "disk.img"}, "vendor": {"faults": [{"kind": "neverReturns"}, {"kind": "returnsAfter", "milliseconds": 1500}, {"kind": "returnsOnPort", "port": "1-1.4"}]}}"#,
                          in: dir).recorders[0]
        #expect(r.vendor?.faults == [.neverReturns, .returnsAfter(milliseconds: 1500), .returnsOnPort("1-1.4")])
    }

    /// `usbSerial`: which appearance gives the identity's serial as its USB serial string.
    @Test func aRecorderWithoutAUSBSerial() throws {
        let dir = try TemporaryDirectory("vendor-scenario")
        defer { dir.remove() }
        func docked(_ presence: String) throws -> (vendor: String?, disk: String?) {
            let r = try parse(#"{"identity": {"serial": "S000001"}, "family": "amba-ctrl", "password": "p", "storage": {"image": "disk.img"}, "vendor": {"usbSerial": "\#(presence)"}}"#,
                              in: dir).recorders[0]
            let device = try #require(SimulatedVendorRecorder(r, name: "1-1.2"))
            return (device.hostEnd.serialNumber, r.storage?.serialNumber)
        }
        #expect(try docked("both") == ("S000001", "S000001"))
        #expect(try docked("disk") == (nil, "S000001"))
        #expect(try docked("none") == (nil, nil))
    }

    /// `lockout.seconds` given: the vendor device's lock ends (`lockoutSeconds`); not given, it
    /// lasts for good (nil), though protocol v1's default of 300 s stays for others.
    @Test func aVendorLockLastsForGoodUnlessTheScenarioSaysHowLong() throws {
        let dir = try TemporaryDirectory("vendor-scenario")
        defer { dir.remove() }
        func parsed(_ lockout: String) throws -> RecorderScenario {
            try parse(#"{"identity": {"serial": "S000001"}, "family": "amba-ctrl", "password": "p", "lockout": \#(lockout), "storage": {"image": "disk.img"}}"#,
                      in: dir).recorders[0]
        }
        #expect(try parsed(#"{"attempts": 2}"#).vendor?.lockoutSeconds == nil)
        let timed = try parsed(#"{"attempts": 2, "seconds": 30}"#)
        #expect(timed.vendor?.lockoutSeconds == 30 && timed.lockoutAttempts == 2)
        let described = String(decoding: ScenarioDescription(Scenario(recorders: [timed])).json(), as: UTF8.self)
        #expect(described.contains("\"lockoutSeconds\" : 30"))
    }

    @Test(arguments: [
        (#""family": "amba-ascii", "password": "12345678""#, "recorders[0].storage"),
        (#""family": "amba-ctrl", "password": "p", "storage": {"image": "disk.img"}, "vendor": {"usbSerial": "vendor"}"#, "recorders[0].vendor.usbSerial"),
        (#""family": "amba-x", "password": "1", "storage": {"image": "disk.img"}"#, "recorders[0].family"),
        (#""family": "amba-ctrl", "storage": {"image": "disk.img"}"#, "recorders[0].password"),
        (#""family": "amba-ctrl", "password": "pässword", "storage": {"image": "disk.img"}"#, "recorders[0].password"),
        (#""family": "amba-ctrl", "password": "p", "storage": {"image": "disk.img"}, "vendor": {"deviceId": "X"}"#, "recorders[0].vendor.deviceId"),
        (#""family": "amba-ascii", "password": "p", "storage": {"image": "disk.img"}, "vendor": {"faults": [{"kind": "emptyReply", "command": "login"}]}"#, "recorders[0].vendor.faults[0].command"),
        (#""family": "amba-ascii", "password": "p", "storage": {"image": "disk.img"}, "vendor": {"faults": [{"kind": "longReply", "command": "Gdv", "bytes": 64}]}"#, "recorders[0].vendor.faults[0].bytes"),
        (#""family": "amba-ctrl", "password": "p", "storage": {"image": "disk.img"}, "vendor": {"faults": [{"kind": "garbageId", "id": "x"}]}"#, "recorders[0].vendor.faults[0].kind"),
        (#""password": "p", "storage": {"image": "disk.img"}, "vendor": {}"#, "recorders[0].vendor"),
        (#""family": "amba-ctrl", "password": "p", "storage": {"image": "disk.img"}, "vendor": {"faults": [{"kind": "returnsAfter"}]}"#, "recorders[0].vendor.faults[0].milliseconds"),
        (#""family": "amba-ctrl", "password": "p", "storage": {"image": "disk.img"}, "vendor": {"faults": [{"kind": "returnsAfter", "milliseconds": -1}]}"#, "recorders[0].vendor.faults[0].milliseconds"),
        (#""family": "amba-ascii", "password": "p", "storage": {"image": "disk.img"}, "vendor": {"faults": [{"kind": "returnsOnPort", "port": "../1"}]}"#, "recorders[0].vendor.faults[0].port"),
        (#""family": "amba-ascii", "password": "p", "storage": {"image": "disk.img"}, "vendor": {"faults": [{"kind": "neverReturns", "after": 1}]}"#, "recorders[0].vendor.faults[0].after"),
    ])
    func aWrongVendorFieldIsNamed(fields: String, path: String) throws {
        let dir = try TemporaryDirectory("vendor-scenario")
        defer { dir.remove() }
        #expect {
            _ = try parse(#"{"identity": {"serial": "S000001"}, \#(fields)}"#, in: dir)
        } throws: { ($0 as? ScenarioError)?.path == path }
    }
}
