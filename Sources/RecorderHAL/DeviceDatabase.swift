import Foundation

/// One recorder model the gateway accepts: USB ids, the vendor interface to claim, and the
/// driver that speaks to it.
public struct RecorderModel: Hashable, Sendable, Codable {
    public var name: String
    /// USB vendor id.
    public var vendorId: UInt16
    /// USB product id.
    public var productId: UInt16
    /// bInterfaceClass of the interface carrying the protocol (0xFF, vendor-specific).
    public var interfaceClass: UInt8
    /// A name known to `DriverRegistry`.
    public var driver: String

    public init(name: String, vendorId: UInt16, productId: UInt16, interfaceClass: UInt8, driver: String) {
        self.name = name
        self.vendorId = vendorId
        self.productId = productId
        self.interfaceClass = interfaceClass
        self.driver = driver
    }

    /// "1209:0001".
    public var usbId: String { hex4(vendorId) + ":" + hex4(productId) }
}

/// The device database: which USB devices are recorders and which driver each needs. The
/// udev rules are generated from the same file, so the two cannot disagree.
public struct DeviceDatabase: Hashable, Sendable {
    public var models: [RecorderModel]

    public init(models: [RecorderModel]) { self.models = models }

    /// The model with these ids and a matching interface class, or nil.
    public func model(vendorId: UInt16, productId: UInt16, interfaceClass: UInt8? = nil) -> RecorderModel? {
        models.first { $0.vendorId == vendorId && $0.productId == productId
            && (interfaceClass == nil || $0.interfaceClass == interfaceClass) }
    }

    /// Parses a database file, checking every model against `registry`.
    ///
    /// - Throws: `DeviceDatabaseError` naming the model index and field that is wrong.
    public init(json data: Data, registry: DriverRegistry) throws(DeviceDatabaseError) {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw DeviceDatabaseError(field: "(file)", reason: "is not valid JSON: \(error.localizedDescription)")
        }
        guard let object = root as? [String: Any] else {
            throw DeviceDatabaseError(field: "(file)", reason: "must be a JSON object")
        }
        for key in object.keys where !["schema", "comment", "models"].contains(key) {
            throw DeviceDatabaseError(field: key, reason: "is not a known key (schema, comment, models)")
        }
        guard (object["schema"] as? Int) == 1 else {
            throw DeviceDatabaseError(field: "schema", reason: "must be 1")
        }
        guard let list = object["models"] as? [[String: Any]] else {
            throw DeviceDatabaseError(field: "models", reason: "must be an array of objects")
        }
        var models: [RecorderModel] = []
        for (i, m) in list.enumerated() {
            let at = "models[\(i)]."
            for key in m.keys where !["name", "vendorId", "productId", "interfaceClass", "driver", "comment"].contains(key) {
                throw DeviceDatabaseError(field: at + key, reason: "is not a known key")
            }
            guard let name = m["name"] as? String, !name.isEmpty else {
                throw DeviceDatabaseError(field: at + "name", reason: "must be a non-empty string")
            }
            func usbId(_ key: String) throws(DeviceDatabaseError) -> UInt16 {
                guard let s = m[key] as? String, s.count == 4, let v = UInt16(s, radix: 16) else {
                    throw DeviceDatabaseError(field: at + key, reason: "must be four hex digits, like \"1209\"")
                }
                return v
            }
            let vid = try usbId("vendorId"), pid = try usbId("productId")
            guard let cls = m["interfaceClass"] as? Int, (0...255).contains(cls) else {
                throw DeviceDatabaseError(field: at + "interfaceClass", reason: "must be an integer 0...255")
            }
            guard let driver = m["driver"] as? String, registry.driver(named: driver) != nil else {
                throw DeviceDatabaseError(field: at + "driver",
                                          reason: "must name a known driver (\(registry.names.joined(separator: ", ")))")
            }
            if models.contains(where: { $0.vendorId == vid && $0.productId == pid }) {
                throw DeviceDatabaseError(field: at + "productId", reason: "\(hex4(vid)):\(hex4(pid)) is listed twice")
            }
            models.append(RecorderModel(name: name, vendorId: vid, productId: pid, interfaceClass: UInt8(cls), driver: driver))
        }
        self.models = models
    }

    /// Loads the database from `path`, or else from the first of `searchPaths` that exists,
    /// checking every model against `registry` (the binaries pass `DriverRegistry.builtIn`).
    ///
    /// The search order is: `$RECORDER_GATEWAY_DEVICE_DB`, `/etc/recorder-gateway/recorders.json`,
    /// `/usr/share/recorder-gateway/recorders.json`, then the copy built next to the program.
    public static func load(path: String? = nil, registry: DriverRegistry) throws(DeviceDatabaseError) -> DeviceDatabase {
        let candidates = path.map { [$0] } ?? searchPaths()
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate) {
            guard let data = FileManager.default.contents(atPath: candidate) else {
                throw DeviceDatabaseError(field: "(file)", reason: "\(candidate) cannot be read")
            }
            do throws(DeviceDatabaseError) {
                return try DeviceDatabase(json: data, registry: registry)
            } catch {
                throw DeviceDatabaseError(field: error.field, reason: error.reason, file: candidate)
            }
        }
        throw DeviceDatabaseError(field: "(file)", reason: "no device database found; looked in \(candidates.joined(separator: ", "))")
    }

    /// Where `load()` looks, in order.
    public static func searchPaths() -> [String] {
        var paths: [String] = []
        if let env = ProcessInfo.processInfo.environment["RECORDER_GATEWAY_DEVICE_DB"], !env.isEmpty {
            paths.append(env)
        }
        paths += ["/etc/recorder-gateway/recorders.json", "/usr/share/recorder-gateway/recorders.json"]
        // SwiftPM copies the resource next to the executable as a bundle directory.
        let bundle = Bundle.main.bundleURL.appendingPathComponent("RecorderGateway_RecorderHAL.resources")
        paths.append(bundle.appendingPathComponent("recorders.json").path)
        return paths
    }
}

/// A device database entry that is wrong: names the file, field and reason.
public struct DeviceDatabaseError: Error, Sendable, CustomStringConvertible {
    public var field: String
    public var reason: String
    public var file: String?

    public init(field: String, reason: String, file: String? = nil) {
        self.field = field
        self.reason = reason
        self.file = file
    }

    public var description: String {
        (file.map { "\($0): " } ?? "device database: ") + "\(field) \(reason)"
    }
}

func hex4(_ v: UInt16) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 4 - s.count) + s
}
