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
    /// A name known to `DriverRegistry` (a driver or a storage switch).
    public var driver: String
    /// The addresses of the bulk endpoints the interface must have, exactly (IN ones with bit 7
    /// set); nil when they do not matter. Set where families share USB ids and are told apart
    /// by their interface: amba-ascii talks over bulk 0x01/0x81, amba-ctrl over the control
    /// pipe only, on an interface with no bulk endpoint (Docs/vendor-families.md).
    public var bulkEndpoints: Set<UInt8>?
    /// The model's own settings for its driver (`RecorderDriver.configured(with:)`), e.g.
    /// `shortNameCodePage` for a mass-storage card whose 8.3 names are GBK; empty for most.
    public var driverOptions: [String: String]
    /// The disk a vendor recorder becomes after its unlock (`"readAfterUnlockOnly": true`): read
    /// only when it arrives through a family's unlock on the port it appears on, never when
    /// it is simply plugged in (Docs/operations.md, "Adding a recorder model"). False for a
    /// model that is a recorder as soon as it is docked.
    public var readAfterUnlockOnly: Bool

    public init(name: String, vendorId: UInt16, productId: UInt16, interfaceClass: UInt8, driver: String,
                bulkEndpoints: Set<UInt8>? = nil, driverOptions: [String: String] = [:], readAfterUnlockOnly: Bool = false) {
        self.name = name
        self.vendorId = vendorId
        self.productId = productId
        self.interfaceClass = interfaceClass
        self.driver = driver
        self.bulkEndpoints = bulkEndpoints
        self.driverOptions = driverOptions
        self.readAfterUnlockOnly = readAfterUnlockOnly
    }

    /// "1209:0001".
    public var usbId: String { hex4(vendorId) + ":" + hex4(productId) }
}

/// The device database: which USB devices are recorders and which driver each needs. The
/// udev rules are generated from the same file, so the two cannot disagree.
public struct DeviceDatabase: Hashable, Sendable {
    public var models: [RecorderModel]

    public init(models: [RecorderModel]) { self.models = models }

    /// The one model with these ids that matches the interface class and bulk endpoints given,
    /// or nil. A model listing `bulkEndpoints` matches only an interface with exactly those;
    /// when the caller gives no endpoints (or no class) and more than one model matches, there
    /// is no telling which family the device speaks, and the answer is nil: a device is never
    /// handed to a family on a guess (a password may go with the first command).
    public func model(vendorId: UInt16, productId: UInt16, interfaceClass: UInt8? = nil,
                      bulkEndpoints: Set<UInt8>? = nil) -> RecorderModel? {
        let matching = models.filter { m in
            m.vendorId == vendorId && m.productId == productId
                && (interfaceClass == nil || m.interfaceClass == interfaceClass)
                && (bulkEndpoints == nil || m.bulkEndpoints == nil || m.bulkEndpoints == bulkEndpoints)
        }
        return matching.count == 1 ? matching[0] : nil
    }

    /// Every model with these USB ids: whether the device is one the gateway knows at all,
    /// before its interfaces are read.
    public func models(vendorId: UInt16, productId: UInt16) -> [RecorderModel] {
        models.filter { $0.vendorId == vendorId && $0.productId == productId }
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
            for key in m.keys where !["name", "vendorId", "productId", "interfaceClass", "driver", "bulkEndpoints", "driverOptions",
                                      "readAfterUnlockOnly", "comment"].contains(key) {
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
            guard let driver = m["driver"] as? String, registry.knows(driver) else {
                throw DeviceDatabaseError(field: at + "driver",
                                          reason: "must name a known driver (\(registry.names.joined(separator: ", ")))")
            }
            var endpoints: Set<UInt8>?
            if let list = m["bulkEndpoints"] {
                guard let strings = list as? [String] else {
                    throw DeviceDatabaseError(field: at + "bulkEndpoints", reason: "must be an array of two-digit hex endpoint addresses, like [\"01\", \"81\"]")
                }
                var set = Set<UInt8>()
                for s in strings {
                    guard s.count == 2, let v = UInt8(s, radix: 16), v & 0x0F != 0, v & 0x70 == 0 else {
                        throw DeviceDatabaseError(field: at + "bulkEndpoints", reason: "\"\(s)\" is not an endpoint address (two hex digits, 01...0f or 81...8f)")
                    }
                    guard set.insert(v).inserted else {
                        throw DeviceDatabaseError(field: at + "bulkEndpoints", reason: "lists \"\(s)\" twice")
                    }
                }
                endpoints = set
            }
            var options: [String: String] = [:]
            if let given = m["driverOptions"] {
                guard let object = given as? [String: Any], let strings = object as? [String: String] else {
                    throw DeviceDatabaseError(field: at + "driverOptions", reason: "must be an object of strings, like {\"shortNameCodePage\": \"cp936\"}")
                }
                options = strings
                if !options.isEmpty {
                    guard let reader = registry.driver(named: driver) else {
                        throw DeviceDatabaseError(field: at + "driverOptions", reason: "is for reading drivers; \(driver) takes none")
                    }
                    do throws(DriverOptionError) {
                        _ = try reader.configured(with: options)
                    } catch {
                        throw DeviceDatabaseError(field: at + "driverOptions." + error.key, reason: error.reason)
                    }
                }
            }
            var afterUnlockOnly = false
            if let given = m["readAfterUnlockOnly"] {
                guard let flag = given as? Bool else {
                    throw DeviceDatabaseError(field: at + "readAfterUnlockOnly", reason: "must be true or false")
                }
                afterUnlockOnly = flag
                guard !afterUnlockOnly || registry.driver(named: driver) != nil else {
                    throw DeviceDatabaseError(field: at + "readAfterUnlockOnly",
                                              reason: "marks a disk read after an unlock; \(driver) is not a reading driver")
                }
            }
            // Two models may share USB ids only when their interfaces tell them apart: another
            // class, or both listing bulk endpoints, and different ones.
            for other in models where other.vendorId == vid && other.productId == pid && other.interfaceClass == UInt8(cls) {
                guard let mine = endpoints, let theirs = other.bulkEndpoints, mine != theirs else {
                    throw DeviceDatabaseError(field: at + "productId",
                                              reason: "\(hex4(vid)):\(hex4(pid)) with interface class \(cls) is listed twice; "
                                                + "models sharing ids must each list bulkEndpoints, and different ones")
                }
            }
            models.append(RecorderModel(name: name, vendorId: vid, productId: pid, interfaceClass: UInt8(cls), driver: driver,
                                        bulkEndpoints: endpoints, driverOptions: options, readAfterUnlockOnly: afterUnlockOnly))
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
