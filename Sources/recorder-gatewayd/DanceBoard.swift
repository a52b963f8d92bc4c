import Discovery
import Dock
import Foundation

/// The vendor dances the udev loop is running, by port: what it tells each of them about the
/// bus (`VendorAppearance.bus`), the way `SimulatedVendorDock` does for a simulated device.
///
/// A udev "remove" of a dance's vendor device is its departure; a mass-storage "add" goes to
/// the dance on that port, or else to a dance whose vendor device has left and had the same
/// USB serial (a recorder that came back on another port: the dance names that outcome and
/// does not read it). A device no dance takes is the udev loop's to judge. Thread-safe.
final class DanceBoard: @unchecked Sendable {
    private struct Dance {
        var syspath: String
        var serial: String?
        var departed = false
        var bus: AsyncStream<VendorAppearance.BusEvent>.Continuation
    }

    private let lock = NSLock()
    private var dances: [String: Dance] = [:]

    /// Starts telling a dance at `device.portPath` about the bus and returns its bus; nil when
    /// a dance runs there already (it keeps its bus).
    func start(_ device: DockedDevice, serial: String?) -> AsyncStream<VendorAppearance.BusEvent>? {
        lock.lock()
        defer { lock.unlock() }
        guard dances[device.portPath] == nil else { return nil }
        let (stream, continuation) = AsyncStream<VendorAppearance.BusEvent>.makeStream()
        dances[device.portPath] = Dance(syspath: device.syspath, serial: serial ?? device.serial, bus: continuation)
        return stream
    }

    /// The dance at `port` is over (or never started): nothing more is told to it.
    func end(port: String) {
        lock.lock()
        let dance = dances.removeValue(forKey: port)
        lock.unlock()
        dance?.bus.finish()
    }

    /// A device left the bus: true when it was a dance's vendor device (that dance is told).
    func departed(_ device: DockedDevice) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let port = dances.first(where: { $0.value.syspath == device.syspath })?.key else { return false }
        dances[port]!.departed = true
        dances[port]!.bus.yield(.departed)
        return true
    }

    /// Hands a mass-storage device that appeared to the dance it belongs to; false when none
    /// takes it.
    func deliver(_ arrival: MassStorageArrival, serial: String?) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if let dance = dances[arrival.port] {
            dance.bus.yield(.arrived(arrival))
            return true
        }
        // Another port: only the dance of the very recorder that left (by its USB serial).
        guard let serial, !serial.isEmpty,
              let dance = dances.values.first(where: { $0.departed && $0.serial == serial }) else { return false }
        dance.bus.yield(.arrived(arrival))
        return true
    }
}
