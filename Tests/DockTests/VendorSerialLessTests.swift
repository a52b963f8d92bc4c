import AmbaASCIIFamily
import AmbaControlFamily
import Dock
import Foundation
import MassStorageFamily
import RecorderHAL
import RecorderSimulator
import Testing
import TestSupport

/// Vendor recorders that give no USB serial (the simulator's `"usbSerial": "none"`): named by
/// their bay, and a refusal by one withholds the password from every serial-less recorder of
/// its family, in any bay (`no-serial:FAMILY`), and from no other.
@Suite struct VendorSerialLessTests {
    /// Docks `device` on `port` through the gateway's dance and waits for it to end.
    static func dock(_ kiosk: TestKiosk, _ device: SimulatedVendorRecorder, port: String) async throws -> DockOutcome {
        let (bus, arrivals) = AsyncStream<VendorAppearance.BusEvent>.makeStream()
        Task {
            for await event in device.events {
                if case .leftBus = event { arrivals.yield(.departed) }
                if case .reappeared(let disk, let vid, let pid, let other) = event {
                    arrivals.yield(.arrived(MassStorageArrival(port: other ?? port, link: disk.hostEnd, vendorId: vid, productId: pid)))
                }
            }
        }
        let family: any StorageSwitchDriver = device.family == .ambaASCII ? AmbaASCIIDriver() : AmbaControlDriver()
        #expect(await kiosk.gateway.dockVendor(VendorAppearance(port: port, link: device.hostEnd, family: family, bus: bus)) { _ in
            MassStorageDriver()
        })
        return try #require(await kiosk.gateway.waitUntilIdle().last)
    }

    static func serialLess(_ family: String, image: URL) throws -> SimulatedVendorRecorder {
        try VendorDockTests.recorder(family, image: image, vendor: #"{"usbSerial": "none"}"#)
    }

    @Test func aRefusalByOneWithholdsThePasswordFromEverySerialLessRecorderOfItsFamily() async throws {
        try await withTemporaryDirectory("vendor-no-serial") { dir in
            let image = try TestImage.make("small", in: dir)
            let kiosk = try TestKiosk(vendor: VendorDockTests.settings(password: "Wrong123"))
            let first = try Self.serialLess("amba-ascii", image: image.url)
            #expect(try await Self.dock(kiosk, first, port: "1-1.2").dance == .passwordRefused)
            #expect(first.log.passwordAttempts == 1)
            #expect(try kiosk.gateway.journal.passwordRefusal(recorder: "bay-1-1.2")?.family == "amba-ascii")
            #expect(try kiosk.gateway.journal.passwordRefusal(recorder: "no-serial:amba-ascii")?.bay == "1-1.2")
            // Another serial-less amba-ascii recorder, in another bay: nothing sent.
            let moved = try Self.serialLess("amba-ascii", image: image.url)
            let out = try await Self.dock(kiosk, moved, port: "1-1.5")
            #expect(out.dance?.code == "password-withheld" && out.bags.isEmpty)
            #expect(moved.log.entries.isEmpty)
            // A recorder with a USB serial, and a serial-less one of the other family: each is
            // asked once (their own refusals), the family's no-serial refusal is not theirs.
            let named = try VendorDockTests.recorder("amba-ascii", image: image.url)
            #expect(try await Self.dock(kiosk, named, port: "1-1.6").dance == .passwordRefused)
            #expect(named.log.passwordAttempts == 1)
            let other = try Self.serialLess("amba-ctrl", image: image.url)
            #expect(try await Self.dock(kiosk, other, port: "1-1.7").dance == .passwordRefused)
            #expect(other.log.passwordAttempts == 1)
            // Once the family's no-serial refusal is cleared, a serial-less one in another bay is asked again, once.
            #expect(try kiosk.gateway.journal.clearPasswordRefusal(recorder: "no-serial:amba-ascii") != nil)
            let again = try Self.serialLess("amba-ascii", image: image.url)
            #expect(try await Self.dock(kiosk, again, port: "1-1.8").dance == .passwordRefused)
            #expect(again.log.passwordAttempts == 1)
        }
    }

    /// With the right password a serial-less amba-ctrl recorder (no device id either) is
    /// collected under its card's volume serial, and the custody record says so.
    @Test func aSerialLessRecorderIsNamedByItsVolume() async throws {
        try await withTemporaryDirectory("vendor-no-serial-ok") { dir in
            let image = try TestImage.make("fat12", in: dir)
            let kiosk = try TestKiosk(vendor: VendorDockTests.settings())
            let out = try await Self.dock(kiosk, try Self.serialLess("amba-ctrl", image: image.url), port: "1-1.2")
            #expect(out.result == .completed && out.serial == "1234ABCD")
            let bag = try #require(out.bagPath)
            let unlock = try #require(try VendorDockTests.custody(bag)["unlock"] as? [String: Any])
            #expect((unlock["identitySources"] as? [String: String])?["serial"] == "volume-serial")
            #expect(try kiosk.gateway.journal.recorderVolumes(recorder: "bay-1-1.2") == ["none-0@0:1234ABCD"])
        }
    }
}
