import AmbaControlFamily
import Dock
import Foundation
import MassStorageFamily
import RecorderHAL
import RecorderSimulator
import Testing
import TestSupport

/// A returned disk reached the way the udev adapter hands it over (`MassStorageArrival` with an
/// opener, as libusb opens it): opened only when the dance acquires it, never when it refuses
/// it, and a disk that cannot be opened ends the dance `unreadable` with nothing sealed.
@Suite struct VendorArrivalTests {
    /// How often the dance asked to open the disk, and whether each open is to fail.
    final class Opens: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        let fail: Bool
        init(fail: Bool) { self.fail = fail }
        func open() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
        var count: Int { lock.lock(); defer { lock.unlock() }; return n }
    }

    /// Docks an amba-ctrl recorder on 1-1.2 whose disk comes back on `returnPort`, handed over
    /// with an opener that counts (and fails, when `opens.fail`); returns the outcome and the
    /// outcome `ended` heard.
    static func dock(_ kiosk: TestKiosk, image: URL, returnPort: String, opens: Opens) async throws -> (DockOutcome, DockOutcome?) {
        let scenario = try Scenario(json: Data("""
        {"schema": 1, "recorders": [{"identity": {"serial": "A1B2C3D"}, "link": "unlimited", "family": "amba-ctrl",
          "password": "\(VendorDockTests.password)", "storage": {"image": "\(image.path)"}}]}
        """.utf8))
        let device = try #require(SimulatedVendorRecorder(scenario.recorders[0], name: "1-1.2"))
        let (bus, arrivals) = AsyncStream<VendorAppearance.BusEvent>.makeStream()
        Task {
            for await event in device.events {
                if case .leftBus = event { arrivals.yield(.departed) }
                if case .reappeared(let disk, let vid, let pid, _) = event {
                    let link = disk.hostEnd
                    arrivals.yield(.arrived(MassStorageArrival(port: returnPort, vendorId: vid, productId: pid, open: { () throws(ArrivalOpenError) in
                        if opens.open() > 0, opens.fail { throw ArrivalOpenError("claim interface 0 of 1-1.2: LIBUSB_ERROR_BUSY") }
                        return link
                    })))
                }
            }
        }
        let heard = OutcomeBox()
        #expect(await kiosk.gateway.dockVendor(VendorAppearance(port: "1-1.2", link: device.hostEnd, family: AmbaControlDriver(), bus: bus),
                                               driverFor: { _ in MassStorageDriver() }, ended: { heard.set($0) }))
        let out = try #require(await kiosk.gateway.waitUntilIdle().last)
        return (out, heard.value)
    }

    final class OutcomeBox: @unchecked Sendable {
        private let lock = NSLock()
        private var outcome: DockOutcome?
        func set(_ o: DockOutcome) { lock.lock(); outcome = o; lock.unlock() }
        var value: DockOutcome? { lock.lock(); defer { lock.unlock() }; return outcome }
    }

    @Test func theDiskIsOpenedOnceWhenAcquired() async throws {
        try await withTemporaryDirectory("arrival-open") { dir in
            let image = try TestImage.make("small", in: dir)
            let kiosk = try TestKiosk(vendor: VendorDockTests.settings())
            let opens = Opens(fail: false)
            let (out, heard) = try await Self.dock(kiosk, image: image.url, returnPort: "1-1.2", opens: opens)
            #expect(out.dance?.code == "returned" && out.result == .completed && out.verified == 3)
            #expect(opens.count == 1)
            #expect(heard?.dance?.code == "returned")
        }
    }

    @Test func aDiskOnAnotherPortIsNeverOpened() async throws {
        try await withTemporaryDirectory("arrival-elsewhere") { dir in
            let image = try TestImage.make("small", in: dir)
            let kiosk = try TestKiosk(vendor: VendorDockTests.settings())
            let opens = Opens(fail: false)
            let (out, heard) = try await Self.dock(kiosk, image: image.url, returnPort: "1-1.7", opens: opens)
            #expect(out.dance?.code == "came-back-elsewhere" && out.bags.isEmpty)
            #expect(opens.count == 0)
            #expect(heard?.dance?.code == "came-back-elsewhere")
            #expect(try kiosk.gateway.journal.sessions().isEmpty)
        }
    }

    @Test func aDiskThatCannotBeOpenedEndsUnreadable() async throws {
        try await withTemporaryDirectory("arrival-fails") { dir in
            let image = try TestImage.make("small", in: dir)
            let kiosk = try TestKiosk(vendor: VendorDockTests.settings())
            let opens = Opens(fail: true)
            let (out, _) = try await Self.dock(kiosk, image: image.url, returnPort: "1-1.2", opens: opens)
            #expect(out.dance?.code == "unreadable")
            #expect(out.dance?.description.contains("LIBUSB_ERROR_BUSY") == true)
            #expect(out.bags.isEmpty && opens.count == 1)
            #expect(try kiosk.gateway.journal.sessions().isEmpty)
        }
    }
}
