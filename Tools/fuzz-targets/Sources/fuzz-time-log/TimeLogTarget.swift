import FuzzSupport
import Timeline

/// A recorder's time log from arbitrary bytes. Checks what `TimeLog` promises: no trap; every
/// line is an event or a rejection (counted once, the first `maximumRejectedKept` kept with
/// their 1-based numbers); events in file order; events free of the bytes the format forbids.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzInput(data, size)
    let log = TimeLog(bytes: bytes)
    invariant(log.events.count + log.rejectedCount == log.lineCount,
              "\(log.events.count) events + \(log.rejectedCount) rejected != \(log.lineCount) lines")
    invariant(log.rejected.count == min(log.rejectedCount, TimeLog.maximumRejectedKept), "rejections kept: \(log.rejected.count)")
    invariant(log.lineCount <= bytes.count, "\(log.lineCount) lines from \(bytes.count) bytes")
    var last = 0
    for event in log.events {
        invariant(event.line > last && event.line <= log.lineCount, "event line \(event.line) after \(last)")
        last = event.line
        invariant(!event.type.isEmpty && !event.detail.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }),
                  "event \(event) holds a forbidden byte")
        invariant((-24 * 60...24 * 60).contains(event.zoneOffsetMinutes), "zone offset \(event.zoneOffsetMinutes)")
    }
    last = 0
    for r in log.rejected {
        invariant(r.line > last && r.line <= log.lineCount, "rejected line \(r.line) after \(last)")
        last = r.line
    }
    invariant(TimeLog(bytes: bytes) == log, "the same bytes gave a different log")
    return 0
}
