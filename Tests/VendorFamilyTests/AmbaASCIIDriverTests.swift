import AmbaASCIIFamily
import Foundation
import RecorderHAL
import RecorderSimulator
import TestSupport
import Testing

/// amba-ascii's unlock against the simulator's amba-ascii personality.
@Suite struct AmbaASCIIDriverTests {
    @Test func theUnlockLogsInReadsTheIdSetsTheClockAndSwitches() async throws {
        let dir = try TemporaryDirectory("amba-ascii")
        defer { dir.remove() }
        let device = try dockVendor("amba-ascii", vendor: #"{"deviceId": "CAM-0042_x"}"#, in: dir)
        let report = await AmbaASCIIDriver().unlock(device.hostEnd, request())

        guard case .switching = report.outcome else { Issue.record("\(report)"); return }
        #expect(report.family == "amba-ascii")
        #expect(report.deviceId == "CAM-0042_x")
        #expect(report.steps.map(\.command) == ["@Ver;8;00000000;#", "@Gdv;8;<password>;#", "@Sdt;8;20261206;#",
                                                 "@Stm;6;14300500;#", "@ATH;8;<password>;#"])
        #expect(report.steps.map(\.carriedPassword) == [false, true, false, false, true])
        #expect(report.clock == .set(to: dockTime, read: nil))
        // The device's side: what arrived, and the local time it was given.
        #expect(device.log.commands == ["Ver", "Gdv", "Sdt", "Stm", "ATH"])
        #expect(device.log.entries.compactMap(\.passwordMatched) == [true, true])
        #expect(device.log.entries.map(\.text) == ["@Ver;8;00000000;#", "@Gdv;8;<password>;#", "@Sdt;8;20261206;#",
                                                   "@Stm;6;14300500;#", "@ATH;8;<password>;#"])
        let clock = await device.clockSet()
        #expect(clock.date == "20261206")
        #expect(clock.time == "14300500")
        // It left the bus and came back as the mass-storage personality, with its own ids.
        let events = await switchEvents(device)
        #expect(events.left)
        #expect(events.ids.map { [$0.0, $0.1] } == [0x1209, 0x0003])
        let disk = try #require(events.storage)
        #expect(try await isMassStorage(disk.hostEnd))
        await #expect(throws: LinkError.deviceGone) { try await device.hostEnd.bulkOut(Array("@Ver;8;00000000;#".utf8), timeout: .seconds(1)) }
        expectNoPassword(in: report)
    }

    @Test func aWrongPasswordIsSentOnceAndNeverRetried() async throws {
        let dir = try TemporaryDirectory("amba-ascii")
        defer { dir.remove() }
        // Even a device that would lock only after many attempts gets one.
        let device = try dockVendor("amba-ascii", lockout: 100, in: dir)
        let report = await AmbaASCIIDriver().unlock(device.hostEnd, request("Wr0ngPw!"))

        guard case .passwordRefused = report.outcome else { Issue.record("\(report)"); return }
        #expect(device.log.passwordAttempts == 1)
        #expect(device.log.commands == ["Ver", "Gdv"])
        #expect(device.log.entries.compactMap(\.passwordMatched) == [false])
        #expect(report.passwordsSent == 1)
        #expect(report.clock == .notReached)
        #expect(report.deviceId == nil)
        expectNoPassword(in: report, "Wr0ngPw!")
        expectNoPassword(in: report)
    }

    /// Why a refused password is never retried: a device locks after its few attempts, and
    /// then refuses even the right one.
    @Test func aLockedDeviceRefusesEvenTheRightPassword() async throws {
        let dir = try TemporaryDirectory("amba-ascii")
        defer { dir.remove() }
        let device = try dockVendor("amba-ascii", lockout: 1, in: dir)
        let wrong = await AmbaASCIIDriver().unlock(device.hostEnd, request("Wr0ngPw!"))
        guard case .passwordRefused = wrong.outcome else { Issue.record("\(wrong)"); return }
        let right = await AmbaASCIIDriver().unlock(device.hostEnd, request())
        guard case .passwordRefused = right.outcome else { Issue.record("\(right)"); return }
        #expect(device.log.entries.compactMap(\.passwordMatched) == [false, false])
        #expect(device.log.commands == ["Ver", "Gdv", "Ver", "Gdv"])
    }

    @Test(arguments: ["empty", "ERROR"])
    func aDeviceInStorageModeAlreadyIsNeverSentThePassword(answer: String) async throws {
        let dir = try TemporaryDirectory("amba-ascii")
        defer { dir.remove() }
        let device = try dockVendor("amba-ascii", vendor: #"{"faults": [{"kind": "alreadyInStorageMode", "answer": "\#(answer)"}]}"#, in: dir)
        let report = await AmbaASCIIDriver().unlock(device.hostEnd, request())

        guard case .alreadyInStorageMode = report.outcome else { Issue.record("\(report)"); return }
        #expect(device.log.commands == ["Ver"])
        #expect(device.log.passwordAttempts == 0)
        #expect(report.passwordsSent == 0)
    }

    @Test func aPasswordTheCommandsCannotCarryIsRefusedBeforeAnythingIsSent() async throws {
        let dir = try TemporaryDirectory("amba-ascii")
        defer { dir.remove() }
        let device = try dockVendor("amba-ascii", in: dir)
        for bad in ["Pw7;ecre", "Pw7Secret", "Pw7Sec", ""] {
            let report = await AmbaASCIIDriver().unlock(device.hostEnd, request(bad))
            guard case .passwordUnusable = report.outcome else { Issue.record("\(report)"); continue }
            if !bad.isEmpty { expectNoPassword(in: report, bad) }
        }
        #expect(device.log.entries.isEmpty)
    }

    /// A hostile or broken reply to the login ends the unlock: nothing more is sent, the
    /// password is not sent again (no `@ATH`), and no error quotes what came back.
    @Test(arguments: [
        (#"{"kind": "emptyReply", "command": "Gdv"}"#, "Gdv reply is empty"),
        (#"{"kind": "longReply", "command": "Gdv", "bytes": 200}"#, "Gdv reply of 200 bytes is longer than the 64 the family sends"),
        (#"{"kind": "garbageId", "id": "../../etc/passwd"}"#, "device id refused: character 1 of 16 is outside A-Z a-z 0-9 - _"),
        (#"{"kind": "garbageId", "id": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#, "device id refused: 43 characters, at most 32"),
        // The password sent back as the id, in the id's own form: refused, never quoted.
        (#"{"kind": "echoPassword"}"#, "the device id gives the password back; refused, not shown"),
    ])
    func aHostileLoginReplyEndsTheUnlock(fault: String, expected: String) async throws {
        let dir = try TemporaryDirectory("amba-ascii")
        defer { dir.remove() }
        let device = try dockVendor("amba-ascii", vendor: #"{"faults": [\#(fault)]}"#, in: dir)
        let report = await AmbaASCIIDriver().unlock(device.hostEnd, request())

        guard case .failed(let error) = report.outcome else { Issue.record("\(report)"); return }
        #expect(error.description.hasSuffix(expected), "\(error)")
        #expect(device.log.commands == ["Ver", "Gdv"])
        #expect(device.log.passwordAttempts == 1)
        #expect(report.deviceId == nil)
        expectNoPassword(in: report)
    }

    @Test func anOverLongVersionReplyIsRefusedBeforeThePasswordGoesOut() async throws {
        let dir = try TemporaryDirectory("amba-ascii")
        defer { dir.remove() }
        let device = try dockVendor("amba-ascii", vendor: #"{"faults": [{"kind": "longReply", "command": "Ver", "bytes": 65}]}"#, in: dir)
        let report = await AmbaASCIIDriver().unlock(device.hostEnd, request())
        guard case .failed(let error) = report.outcome else { Issue.record("\(report)"); return }
        #expect(error.description.hasSuffix("Ver reply of 65 bytes is longer than the 64 the family sends"))
        #expect(device.log.passwordAttempts == 0)
    }

    @Test func aRefusedSwitchIsNamed() async throws {
        let dir = try TemporaryDirectory("amba-ascii")
        defer { dir.remove() }
        let device = try dockVendor("amba-ascii", vendor: #"{"faults": [{"kind": "refuseDiskMode"}]}"#, in: dir)
        let report = await AmbaASCIIDriver().unlock(device.hostEnd, request())
        guard case .storageSwitchRefused = report.outcome else { Issue.record("\(report)"); return }
        #expect(report.deviceId == "A1B2C3D")
        #expect(device.log.commands == ["Ver", "Gdv", "Sdt", "Stm", "ATH"])
        expectNoPassword(in: report)
    }

    @Test func aDeviceThatLeavesWithoutAnsweringTheSwitchIsSwitching() async throws {
        let dir = try TemporaryDirectory("amba-ascii")
        defer { dir.remove() }
        let device = try dockVendor("amba-ascii", vendor: #"{"faults": [{"kind": "leaveWithoutAnswer"}]}"#, in: dir)
        let report = await AmbaASCIIDriver().unlock(device.hostEnd, request())
        guard case .switching = report.outcome else { Issue.record("\(report)"); return }
        #expect(report.steps.last?.answer == "the device left the bus before answering")
        let events = await switchEvents(device)
        #expect(events.left && events.storage != nil)
    }

    @Test func anEmptyClockReplyIsAcceptedAndAnErrorOneIsARefusedClock() async throws {
        let dir = try TemporaryDirectory("amba-ascii")
        defer { dir.remove() }
        let device = try dockVendor("amba-ascii", vendor: #"{"faults": [{"kind": "emptyReply", "command": "Sdt"}]}"#, in: dir)
        let report = await AmbaASCIIDriver().unlock(device.hostEnd, request())
        guard case .switching = report.outcome else { Issue.record("\(report)"); return }
        #expect(report.clock == .set(to: dockTime, read: nil))
    }

    /// The ASCII driver on a device of the other family: its first command carries no
    /// password, fails, and nothing else is sent.
    @Test func theOtherFamilysDeviceNeverReceivesThePassword() async throws {
        let dir = try TemporaryDirectory("amba-ascii")
        defer { dir.remove() }
        let device = try dockVendor("amba-ctrl", in: dir)
        let report = await AmbaASCIIDriver().unlock(device.hostEnd, request())
        guard case .failed = report.outcome else { Issue.record("\(report)"); return }
        #expect(device.log.passwordAttempts == 0)
        #expect(report.passwordsSent == 0)
    }

    @Test func theLocalTimeCrossesMidnightWithTheZone() throws {
        // 2026-12-31T23:59:59.999Z in UTC+8 is 2027-01-01 07:59:59 local; in UTC−5, 18:59:59.
        let utc: Int64 = 1_798_761_599_999
        let east = AmbaASCIIDriver.clockCommands(DeviceTime(utcMilliseconds: utc, zoneOffsetMinutes: 480))
        #expect(east.0?.bytes == Array("@Sdt;8;20270101;#".utf8))
        #expect(east.1?.bytes == Array("@Stm;6;07595900;#".utf8))
        let west = AmbaASCIIDriver.clockCommands(DeviceTime(utcMilliseconds: utc, zoneOffsetMinutes: -300))
        #expect(west.0?.bytes == Array("@Sdt;8;20261231;#".utf8))
        #expect(west.1?.bytes == Array("@Stm;6;18595900;#".utf8))
        // Before 1970: floor, not truncation, of the negative milliseconds.
        let before = AmbaASCIIDriver.clockCommands(DeviceTime(utcMilliseconds: -1, zoneOffsetMinutes: 0))
        #expect(before.0?.bytes == Array("@Sdt;8;19691231;#".utf8))
        #expect(before.1?.bytes == Array("@Stm;6;23595900;#".utf8))
    }
}
