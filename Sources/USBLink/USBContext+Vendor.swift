import CLibUSB
import Foundation

/// What a vendor-specific interface looks like from its descriptors: the question the device
/// database needs answered before a family may be chosen (amba-ascii and amba-ctrl share
/// 4255:0001 and differ only in their interface's bulk endpoints).
public struct VendorInterface: Hashable, Sendable {
    public var interfaceNumber: UInt8
    /// Every bulk endpoint address of the interface (IN ones with bit 7 set); empty for an
    /// interface that talks over the default control pipe only.
    public var bulkEndpoints: Set<UInt8>
}

extension USBContext {
    /// The first interface of `interfaceClass` of the device at `bus`/`address`, read from its
    /// configuration descriptor without opening the device; nil when it has none. Retries as
    /// `openRecorderLink` does, because libusb may not list a device udev just announced.
    public func vendorInterface(bus: UInt8, address: UInt8, interfaceClass: UInt8 = 0xFF, patience: Duration = .seconds(2),
                                retrying: (@Sendable (USBError) -> Void)? = nil) async throws(USBError) -> VendorInterface? {
        try await retryingOpen(patience: patience, retrying: retrying) { () throws(USBError) -> VendorInterface? in
            let device = try findDevice(bus: bus, address: address)
            defer { libusb_unref_device(device) }
            return try Self.layout(device, interfaceClass: interfaceClass, needsBulk: false)
                .map { VendorInterface(interfaceNumber: $0.interface, bulkEndpoints: $0.bulkEndpoints) }
        }
    }

    /// Opens the device at `bus`/`address` and claims its first interface of `interfaceClass`
    /// as a `USBTransferLink` for a vendor family: with its bulk pipes when it has a bulk OUT
    /// and IN endpoint (amba-ascii's 0x01/0x81), control-only otherwise (amba-ctrl). The
    /// kernel's driver, if any, is detached first. Retries as `openRecorderLink` does.
    public func openVendorLink(bus: UInt8, address: UInt8, interfaceClass: UInt8 = 0xFF, patience: Duration = .seconds(2),
                               retrying: (@Sendable (USBError) -> Void)? = nil) async throws(USBError) -> USBTransferPipes {
        try await retryingOpen(patience: patience, retrying: retrying) { () throws(USBError) in
            let claimed = try claimInterface(bus: bus, address: address, interfaceClass: interfaceClass, subclass: nil, protocol: nil,
                                             needsBulk: false)
            let l = claimed.layout
            // Half a pair is no bulk pipe: the link is then control-only.
            let bulk = l.out.flatMap { out in l.in.map { (out, $0) } }
            let pipes = bulk.map { "ep 0x\(String($0.0, radix: 16))/0x\(String($0.1, radix: 16))" } ?? "control only"
            return USBTransferPipes(handle: claimed.handle, interface: l.interface, outEndpoint: bulk?.0, inEndpoint: bulk?.1,
                                    maxPacket: l.maxPacket, name: "usb \(claimed.name) if \(l.interface) \(pipes)",
                                    serialNumber: Self.serialNumber(claimed.handle))
        }
    }
}
