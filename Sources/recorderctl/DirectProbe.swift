import Control
import Foundation
import RecorderFamilies
import RecorderHAL
import Timeline
import USBLink

/// `diagnose --direct`: the checks, run against the USB device itself while the service is not
/// running (it would hold the device otherwise).
enum DirectProbe {
    static func run(target: String, password: String?) async -> (serial: String?, bay: String?, facts: DockDiagnostics, clockOffsetMs: Double?, notFound: String?) {
        var facts = DockDiagnostics()
        let database: DeviceDatabase
        do { database = try DeviceDatabase.load(registry: .builtIn) } catch {
            facts.openError = "\(error)"
            return (nil, nil, facts, nil, nil)
        }
        let usb: USBContext
        do { usb = try USBContext() } catch {
            facts.openError = "\(error)"
            return (nil, nil, facts, nil, nil)
        }
        defer { usb.shutdown() }
        let candidates = ((try? usb.devices()) ?? []).filter { database.model(vendorId: $0.vendorId, productId: $0.productId) != nil }
        var chosen = candidates.first { $0.portPath == target }
        var recorder: (any Recorder)?
        if chosen == nil {
            // A serial: ask each recorder who it is.
            for device in candidates {
                guard let r = await open(usb, device, database, &facts) else { continue }
                if (try? await r.identity())?.serial == target {
                    chosen = device
                    recorder = r
                    break
                }
                await r.close()
            }
        }
        guard let device = chosen else {
            return (nil, nil, facts, nil, "no recorder of a known model at bay or with serial \(target) (\(candidates.count) known device(s) on the bus)")
        }
        if recorder == nil { recorder = await open(usb, device, database, &facts) }
        guard let recorder else { return (nil, device.portPath, facts, nil, nil) }
        // Closed before `usb.shutdown()` frees the context its transfers live in.
        let result = await probe(recorder, password: password, facts: facts, bay: device.portPath)
        await recorder.close()
        return result
    }

    private static func probe(_ recorder: any Recorder, password: String?, facts start: DockDiagnostics, bay: String)
        async -> (serial: String?, bay: String?, facts: DockDiagnostics, clockOffsetMs: Double?, notFound: String?) {
        var facts = start
        facts.record(recorder.info)
        let serial = (try? await recorder.identity())?.serial
        guard let password else {
            facts.authenticated = false
            facts.authenticationError = "no password: give --password or --config with password.SERIAL"
            return (serial, bay, facts, nil, nil)
        }
        do {
            try await recorder.authenticate(password: password)
            facts.authenticated = true
        } catch {
            facts.authenticated = false
            facts.authenticationError = error.description
            return (serial, bay, facts, nil, nil)
        }
        var best: ClockSample?
        for _ in 0..<5 {
            if let s = try? await recorder.readClock(), best == nil || s.roundTripMilliseconds < best!.roundTripMilliseconds { best = s }
        }
        let catalog = (try? await recorder.catalog()) ?? []
        // Drift: from the recorder's own time log, as the gateway computes it for a bag.
        if let best, let log = catalog.first(where: { $0.kind == .timeLog }), log.size <= 4 << 20 {
            var bytes: [UInt8] = []
            let reader = recorder.read(log.id, range: 0..<log.size)
            while let chunk = try? await reader.next() { bytes += chunk.data }
            let model = ClockModel(dockOffsetMs: best.offsetMilliseconds,
                                   measuredAtUTCms: Int64(best.hostReceived.timeIntervalSince1970 * 1000),
                                   events: TimeLog(bytes: bytes).events)
            facts.driftSecondsPerDay = model.driftSecondsPerDay
        }
        // Throughput: up to 32 MiB of the largest recording, with the driver's READ window.
        if let big = catalog.max(by: { $0.size < $1.size }), big.size > 0 {
            let length = min(big.size, 32 << 20)
            let start = ContinuousClock.now
            let reader = recorder.read(big.id, range: 0..<length)
            var got: UInt64 = 0
            while let chunk = try? await reader.next() { got += UInt64(chunk.data.count) }
            let spent = ContinuousClock.now - start
            facts.recordPull(bytes: got, spent: spent, rereads: reader.rereads)
        }
        facts.record(await recorder.statistics())
        return (serial, bay, facts, best?.offsetMilliseconds, nil)
    }

    private static func open(_ usb: USBContext, _ device: USBDeviceInfo, _ database: DeviceDatabase,
                             _ facts: inout DockDiagnostics) async -> (any Recorder)? {
        guard let model = database.model(vendorId: device.vendorId, productId: device.productId),
              let driver = DriverRegistry.builtIn.driver(for: model) else { return nil }
        do {
            let link: DeviceLink = switch driver.linkShape {
            case .stream: .stream(try await usb.openRecorderLink(bus: device.bus, address: device.address, interfaceClass: model.interfaceClass))
            case .transfers: .transfers(try await usb.openTransferLink(bus: device.bus, address: device.address, interfaceClass: model.interfaceClass))
            }
            return try await driver.open(link, options: DriverOptions())
        } catch {
            facts.openError = "\(device.portPath): \(error)"
            return nil
        }
    }
}
