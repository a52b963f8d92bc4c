extension SCSICommand: CustomStringConvertible {
    /// The command as errors name it: "READ(10) lba 2048 ×2048", "TEST UNIT READY".
    public var description: String {
        switch self {
        case .testUnitReady: "TEST UNIT READY"
        case .requestSense: "REQUEST SENSE"
        case .inquiry: "INQUIRY"
        case .modeSense6: "MODE SENSE(6)"
        case .readCapacity10: "READ CAPACITY(10)"
        case .readCapacity16: "READ CAPACITY(16)"
        case .read10(let lba, let blocks, _): "READ(10) lba \(lba) ×\(blocks)"
        case .read16(let lba, let blocks, _): "READ(16) lba \(lba) ×\(blocks)"
        }
    }
}
