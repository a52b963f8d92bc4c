import FuzzSupport
import MassStorageProtocol

/// Every parser of what a USB mass-storage device sends on bulk IN, on arbitrary bytes: sense
/// data, INQUIRY, READ CAPACITY(10)/(16), the MODE SENSE(6) header, the status wrapper (and the
/// command wrapper, as the simulated device parses it). Checks the bounds each one promises:
/// identification strings of at most 8, 16 and 4 printable ASCII characters, a block length
/// that is a power of two in 512...65536 with the medium's bytes in 64 bits, a sense key of 4
/// bits, a CBW's command block of 1...16 bytes; and that parsing is deterministic.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)

    if let sense = try? SenseData(parsing: bytes) {
        invariant(sense.senseKey.rawValue <= 15, "sense key \(sense.senseKey.rawValue)")
        invariant((try? SenseData(parsing: bytes)) == sense, "sense parsed twice differs")
        _ = sense.condition
        _ = sense.description
    }

    if let inquiry = try? InquiryData(parsing: bytes) {
        for (field, limit) in [(inquiry.vendor, 8), (inquiry.product, 16), (inquiry.revision, 4)] {
            invariant(field.utf8.count <= limit, "INQUIRY field \(field.debugDescription) over \(limit)")
            invariant(field.utf8.allSatisfy { (0x20...0x7E).contains($0) }, "INQUIRY field \(field.debugDescription) not printable")
            invariant(field.first != " " && field.last != " ", "INQUIRY field \(field.debugDescription) not trimmed")
        }
        invariant(inquiry.peripheralType <= 0x1F && inquiry.peripheralQualifier <= 7, "INQUIRY byte 0 split wrong")
    }

    func checkCapacity(_ capacity: Capacity) {
        let length = capacity.blockLength
        invariant((512...65_536).contains(length) && length & (length - 1) == 0, "block length \(length)")
        let (count, o1) = capacity.lastBlock.addingReportingOverflow(1)
        let (_, o2) = count.multipliedReportingOverflow(by: UInt64(length))
        invariant(!o1 && !o2, "capacity \(capacity) overflows")
        invariant(capacity.byteCount / UInt64(length) == capacity.blockCount, "byte count \(capacity)")
    }
    switch Result(catching: { () throws(SCSIReplyError) in try ReadCapacity10.parse(bytes) }) {
    case .success(let capacity?): checkCapacity(capacity)
    case .success(nil):
        invariant(bytes.prefix(4) == [0xFF, 0xFF, 0xFF, 0xFF], "READ CAPACITY(10) asked for (16) without 0xFFFFFFFF")
    case .failure: break
    }
    if let capacity = try? ReadCapacity16.parse(bytes) { checkCapacity(capacity) }

    if let header = try? ModeParameterHeader6(parsing: bytes) {
        invariant(header.writeProtected == (bytes[2] & 0x80 != 0), "WP bit")
    }

    if let csw = try? CommandStatusWrapper(parsing: bytes) {
        invariant(bytes.count == CommandStatusWrapper.size && csw.bytes == bytes, "CSW does not round-trip")
    }
    if let cbw = try? CommandBlockWrapper(parsing: bytes) {
        invariant((1...16).contains(cbw.commandBlock.count) && cbw.lun <= 15, "CBW \(cbw)")
    }
    return 0
}
