/// How full the local store's file system may get (`store-high-watermark`,
/// `store-critical-watermark`, each a percentage of the file system in use).
///
/// Past `high` the service warns (journal, screen, metrics); past `critical` it refuses new
/// docks, politely and before anything is read, so that a recorder keeps its footage rather
/// than have a dock fail halfway for want of space.
public struct StoreWatermarks: Sendable, Equatable {
    /// Fractions of the file system in use, 0 < high < critical < 1.
    public var high: Double
    public var critical: Double

    public static let defaults = StoreWatermarks(high: 0.85, critical: 0.95)

    public init(high: Double, critical: Double) {
        self.high = high
        self.critical = critical
    }

    /// "85%" → 0.85: a percentage within 1...99.9, at most one decimal; nil otherwise.
    public static func parsePercent(_ text: String) -> Double? {
        guard text.hasSuffix("%") else { return nil }
        let number = text.dropLast()
        guard !number.isEmpty, number.utf8.allSatisfy({ (0x30...0x39).contains($0) || $0 == 0x2E }),
              number.split(separator: ".", omittingEmptySubsequences: false).count <= 2,
              number.split(separator: ".").last.map({ number.contains(".") ? $0.count == 1 : true }) == true,
              let value = Double(number), (1...99.9).contains(value) else { return nil }
        return value / 100
    }
}

/// Where the store's fill stands against the watermarks.
public enum CapacityLevel: String, Sendable, Comparable {
    case normal, high, critical

    public static func < (a: CapacityLevel, b: CapacityLevel) -> Bool {
        let order: [CapacityLevel] = [.normal, .high, .critical]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
}

extension StoreWatermarks {
    /// The level of a file system with `used` of it in use (0...1).
    public func level(used: Double) -> CapacityLevel {
        used >= critical ? .critical : used >= high ? .high : .normal
    }
}
