import AmbaControlFamily
import Foundation
import RecorderHAL
import RecorderSimulator
import TestSupport
import Testing

/// amba-ctrl's unlock against the simulator's amba-ctrl personality.
@Suite struct AmbaControlDriverTests {
    @Test func theUnlockLogsInAndSwitches() async throws {
        let dir = try TemporaryDirectory("amba-ctrl")
        defer { dir.remove() }
        let device = try dockVendor("amba-ctrl", in: dir)
        let report = await AmbaControlDriver().unlock(device.hostEnd, request())

        guard case .switching = report.outcome else { Issue.record("\(report)"); return }
        #expect(report.family == "amba-ctrl")
        #expect(report.steps.map(\.command) == ["login: control OUT 40/55 wValue 0080 wIndex 0000 × 64",
                                                 "disk mode: control OUT 40/50 wValue 0080 wIndex 0000 × 64"])
        #expect(report.steps.map(\.answer) == ["accepted", "accepted"])
        #expect(report.passwordsSent == 1)
        #expect(report.clock == .notSupported)
        #expect(report.deviceId == nil)
        #expect(device.log.commands == ["login", "result", "diskMode", "result"])
        #expect(device.log.entries.compactMap(\.passwordMatched) == [true])
        #expect(!device.log.entries.contains { $0.text.contains(secret) })
        let events = await switchEvents(device)
        #expect(events.left)
        let disk = try #require(events.storage)
        #expect(try await isMassStorage(disk.hostEnd))
        expectNoPassword(in: report)
    }

    @Test func aWrongPasswordIsSentOnceAndNeverRetried() async throws {
        let dir = try TemporaryDirectory("amba-ctrl")
        defer { dir.remove() }
        let device = try dockVendor("amba-ctrl", lockout: 100, in: dir)
        let report = await AmbaControlDriver().unlock(device.hostEnd, request("another password"))

        guard case .passwordRefused = report.outcome else { Issue.record("\(report)"); return }
        #expect(device.log.passwordAttempts == 1)
        #expect(device.log.commands == ["login", "result"])
        #expect(report.steps.map(\.answer) == ["refused (status 0)"])
        expectNoPassword(in: report, "another password")
    }

    @Test func aLockedDeviceRefusesEvenTheRightPassword() async throws {
        let dir = try TemporaryDirectory("amba-ctrl")
        defer { dir.remove() }
        let device = try dockVendor("amba-ctrl", lockout: 1, in: dir)
        let wrong = await AmbaControlDriver().unlock(device.hostEnd, request("not it"))
        guard case .passwordRefused = wrong.outcome else { Issue.record("\(wrong)"); return }
        let right = await AmbaControlDriver().unlock(device.hostEnd, request())
        guard case .passwordRefused = right.outcome else { Issue.record("\(right)"); return }
        #expect(device.log.entries.compactMap(\.passwordMatched) == [false, false])
    }

    /// A device that sends back the password it was given, after a refusing status: the report
    /// says the status only.
    @Test func aResultEchoingThePasswordIsNotQuoted() async throws {
        let dir = try TemporaryDirectory("amba-ctrl")
        defer { dir.remove() }
        let device = try dockVendor("amba-ctrl", vendor: #"{"faults": [{"kind": "echoPassword"}]}"#, in: dir)
        let report = await AmbaControlDriver().unlock(device.hostEnd, request("EchoMe7"))
        guard case .passwordRefused = report.outcome else { Issue.record("\(report)"); return }
        expectNoPassword(in: report, "EchoMe7")
        #expect(device.log.passwordAttempts == 1)
    }

    @Test(arguments: [
        (#"{"kind": "emptyReply", "command": "login"}"#, "login result reply of 0 bytes: exactly 10 expected"),
        (#"{"kind": "longReply", "command": "login", "bytes": 4}"#, "login result reply of 4 bytes: exactly 10 expected"),
    ])
    func aBrokenLoginResultEndsTheUnlock(fault: String, expected: String) async throws {
        let dir = try TemporaryDirectory("amba-ctrl")
        defer { dir.remove() }
        let device = try dockVendor("amba-ctrl", vendor: #"{"faults": [\#(fault)]}"#, in: dir)
        let report = await AmbaControlDriver().unlock(device.hostEnd, request())
        guard case .failed(let error) = report.outcome else { Issue.record("\(report)"); return }
        #expect(error.description.hasSuffix(expected), "\(error)")
        #expect(device.log.commands == ["login", "result"])
        #expect(device.log.passwordAttempts == 1)
        expectNoPassword(in: report)
    }

    @Test func aRefusedSwitchIsNamed() async throws {
        let dir = try TemporaryDirectory("amba-ctrl")
        defer { dir.remove() }
        let device = try dockVendor("amba-ctrl", vendor: #"{"faults": [{"kind": "refuseDiskMode"}]}"#, in: dir)
        let report = await AmbaControlDriver().unlock(device.hostEnd, request())
        guard case .storageSwitchRefused = report.outcome else { Issue.record("\(report)"); return }
        #expect(report.steps.last?.answer == "refused (status 0)")
    }

    @Test func aDeviceThatLeavesBeforeItsResultIsSwitching() async throws {
        let dir = try TemporaryDirectory("amba-ctrl")
        defer { dir.remove() }
        let device = try dockVendor("amba-ctrl", vendor: #"{"faults": [{"kind": "leaveWithoutAnswer"}]}"#, in: dir)
        let report = await AmbaControlDriver().unlock(device.hostEnd, request())
        guard case .switching = report.outcome else { Issue.record("\(report)"); return }
        #expect(report.steps.last?.answer == "the device left the bus before its result")
        let events = await switchEvents(device)
        #expect(events.left && events.storage != nil)
    }

    /// `returnsOnPort` and `returnsAfter`: the device leaves, then comes back (on the port the
    /// fault names), as mass storage.
    @Test(arguments: [#"[{"kind": "returnsOnPort", "port": "1-1.4"}]"#, #"[{"kind": "returnsAfter", "milliseconds": 50}]"#])
    func aDeviceComesBackLaterOrElsewhere(faults: String) async throws {
        let dir = try TemporaryDirectory("amba-ctrl")
        defer { dir.remove() }
        let device = try dockVendor("amba-ctrl", vendor: #"{"faults": \#(faults)}"#, in: dir)
        guard case .switching = await AmbaControlDriver().unlock(device.hostEnd, request()).outcome else { Issue.record("not switching"); return }
        var seen: [String] = []
        for await event in device.events {
            switch event {
            case .leftBus: seen.append("left")
            case .reappeared(let disk, _, _, let port):
                seen.append("back on \(port ?? "its own port")")
                #expect(try await isMassStorage(disk.hostEnd))
            case .cannotReappear(let why): Issue.record("\(why)")
            }
        }
        #expect(seen == ["left", faults.contains("returnsOnPort") ? "back on 1-1.4" : "back on its own port"])
    }

    @Test func aPasswordThePacketCannotCarryIsRefusedBeforeAnythingIsSent() async throws {
        let dir = try TemporaryDirectory("amba-ctrl")
        defer { dir.remove() }
        let device = try dockVendor("amba-ctrl", in: dir)
        for bad in [String(repeating: "p", count: 60), "pass\u{7F}word", "pässword", ""] {
            let report = await AmbaControlDriver().unlock(device.hostEnd, request(bad))
            guard case .passwordUnusable = report.outcome else { Issue.record("\(report)"); continue }
            if !bad.isEmpty { expectNoPassword(in: report, bad) }
        }
        #expect(device.log.entries.isEmpty)
    }
}
