import RecorderHAL

/// The device end of a simulated `USBTransferLink`: what `SimulatedTransferLink` carries each
/// transfer to. Implemented by the mass-storage personality (`BulkOnlyDevice`) and the vendor
/// personalities (`AmbaControlDevice`, `AmbaASCIIDevice`). A transfer the device would NAK
/// throws `.timedOut`; the link turns it into the host's timeout.
protocol SimulatedTransferDevice: Actor {
    /// The interface its function is on.
    nonisolated var interfaceNumber: UInt8 { get }
    /// "ep 0x02/0x81", for the link's description.
    nonisolated var endpointsDescription: String { get }
    /// One bulk OUT transfer from the host.
    func receive(_ bytes: [UInt8]) throws(LinkError)
    /// One bulk IN transfer of at most `length` bytes for the host.
    func send(upTo length: Int) throws(LinkError) -> [UInt8]
    /// A control transfer on the default pipe; `data` is what an OUT request carries.
    func control(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16,
                 data: [UInt8], length: Int) throws(LinkError) -> [UInt8]
    /// CLEAR_FEATURE(ENDPOINT_HALT) for the bulk pipe of `direction`.
    func clearHalt(_ direction: LinkError.Direction) throws(LinkError)
}

extension BulkOnlyDevice: SimulatedTransferDevice {
    nonisolated var endpointsDescription: String {
        "ep 0x\(String(Self.bulkOutEndpoint, radix: 16))/0x\(String(Self.bulkInEndpoint, radix: 16))"
    }

    /// BOT's class requests carry no OUT data; whatever a host sends with one is not read.
    func control(requestType: UInt8, request: UInt8, value: UInt16, index: UInt16,
                 data: [UInt8], length: Int) throws(LinkError) -> [UInt8] {
        try control(requestType: requestType, request: request, value: value, index: index, length: length)
    }
}
