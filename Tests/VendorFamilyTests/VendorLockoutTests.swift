import AmbaASCIIFamily
import AmbaControlFamily
import Foundation
import RecorderHAL
import RecorderSimulator
import TestSupport
import Testing

/// A vendor device's lock that lasts `lockout.seconds` (given in the scenario), and one that
/// lasts for good (not given), for both families.
@Suite struct VendorLockoutTests {
    static func unlock(_ family: String, _ device: SimulatedVendorRecorder, _ password: String = secret) async -> UnlockReport {
        family == "amba-ascii" ? await AmbaASCIIDriver().unlock(device.hostEnd, request(password))
                               : await AmbaControlDriver().unlock(device.hostEnd, request(password))
    }

    static func refused(_ report: UnlockReport) -> Bool {
        if case .passwordRefused = report.outcome { true } else { false }
    }

    static func switching(_ report: UnlockReport) -> Bool {
        if case .switching = report.outcome { true } else { false }
    }

    /// No `seconds`: locked for good (as before), however long the device waits.
    @Test(arguments: ["amba-ascii", "amba-ctrl"])
    func withoutSecondsTheLockLasts(family: String) async throws {
        let dir = try TemporaryDirectory("vendor-lock")
        defer { dir.remove() }
        let device = try dockVendor(family, lockout: 1, in: dir)
        #expect(Self.refused(await Self.unlock(family, device, "Wr0ngPw!")))
        #expect(Self.refused(await Self.unlock(family, device)))
        #expect(device.log.entries.compactMap(\.passwordMatched) == [false, false])
    }

    /// `seconds: 0`: a lock that is over at once; the right password is taken next.
    @Test(arguments: ["amba-ascii", "amba-ctrl"])
    func aLockOfNoSecondsIsOverAtOnce(family: String) async throws {
        let dir = try TemporaryDirectory("vendor-lock")
        defer { dir.remove() }
        let device = try dockVendor(family, lockout: 1, lockoutSeconds: 0, in: dir)
        #expect(Self.refused(await Self.unlock(family, device, "Wr0ngPw!")))
        #expect(Self.switching(await Self.unlock(family, device)))
    }

    /// `seconds: 1`: the right password is refused while the lock lasts, taken once it is
    /// over. No wall-clock bound: a busy host may hold this test back for minutes between two
    /// attempts (a 120 s bound once ended the loop before a second try). The device set its
    /// lock before the wrong attempt returned (`lockedBy`), so an attempt begun 1 s after that
    /// must be taken; a refusal of one is the fault, and ends the loop.
    @Test(arguments: ["amba-ascii", "amba-ctrl"])
    func aLockEnds(family: String) async throws {
        let dir = try TemporaryDirectory("vendor-lock")
        defer { dir.remove() }
        let device = try dockVendor(family, lockout: 1, lockoutSeconds: 1, in: dir)
        let locked = ContinuousClock.now
        #expect(Self.refused(await Self.unlock(family, device, "Wr0ngPw!")))
        let lockedBy = ContinuousClock.now
        var accepted = false
        while !accepted {
            let begun = ContinuousClock.now
            let report = await Self.unlock(family, device)
            accepted = Self.switching(report)
            // Refused while locked (the device counts nothing then), never anything else.
            #expect(accepted || Self.refused(report), "\(report.outcome)")
            if !accepted {
                let lockSurelyOver = begun - lockedBy >= .seconds(1)
                #expect(!lockSurelyOver, "the right password was refused \(begun - lockedBy) after the lock began")
                if lockSurelyOver { break }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        #expect(accepted)
        // Every refusal of the right password came while the lock lasted: at least 1 s after it.
        #expect(ContinuousClock.now - locked >= .seconds(1))
    }
}
