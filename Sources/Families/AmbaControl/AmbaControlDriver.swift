import RecorderHAL
import VendorUnlockProtocol

/// amba-ctrl's unlock over a `USBTransferLink`'s control pipe: login, then disk mode, each
/// followed by the 10-byte result (Docs/vendor-families.md).
///
/// The family has no command that carries no password, no identity and no clock command: the
/// login packet is the first thing sent, so the device database gives this family only an
/// interface with no bulk endpoint (amba-ascii's devices have bulk 0x01/0x81), and the clock is
/// reported `.notSupported` (the dock estimates the offset from the recordings). The password
/// goes out once, in the login; a refused login ends the unlock.
public struct AmbaControlDriver: StorageSwitchDriver {
    public static let name = AmbaControl.family
    public var name: String { Self.name }

    public init() {}

    public func passwordSpan(inSent data: [UInt8]) -> Range<Int>? { AmbaControl.passwordSpan(inSent: data) }

    public func unlock(_ link: any USBTransferLink, _ request: UnlockRequest) async -> UnlockReport {
        var report = UnlockReport(family: Self.name, clock: .notSupported)
        let password: AmbaControlPassword
        do throws(VendorPasswordError) {
            password = try AmbaControlPassword(request.password.reveal())
        } catch {
            report.outcome = .passwordUnusable(error.description)
            return report
        }

        // Login: the packet, then its result.
        let login = "login: \(AmbaControl.login)"
        do throws(LinkError) {
            try await send(AmbaControl.login, AmbaControl.loginPacket(password), on: link, timeout: request.timeout)
        } catch {
            report.steps.append(UnlockStep(command: login, carriedPassword: true, answer: "not sent whole: \(error)"))
            report.outcome = .failed(RecorderError(.link(error), context: ["amba-ctrl login"]))
            return report
        }
        switch await result(of: "login", on: link, timeout: request.timeout) {
        case .success(let r) where r.accepted:
            report.steps.append(UnlockStep(command: login, carriedPassword: true, answer: "accepted"))
            report.passwordAccepted = true
        case .success(let r):
            report.steps.append(UnlockStep(command: login, carriedPassword: true, answer: "refused (status \(r.status))"))
            report.outcome = .passwordRefused
            return report
        case .failure(let error):
            report.steps.append(UnlockStep(command: login, carriedPassword: true, answer: "no usable result: \(error)"))
            report.outcome = .failed(error.context("amba-ctrl login result"))
            return report
        }

        // Disk mode: the device may leave the bus before its result can be read.
        let diskMode = "disk mode: \(AmbaControl.diskMode)"
        do throws(LinkError) {
            try await send(AmbaControl.diskMode, AmbaControl.diskModePacket, on: link, timeout: request.timeout)
        } catch {
            report.steps.append(UnlockStep(command: diskMode, carriedPassword: false, answer: "not sent whole: \(error)"))
            report.outcome = .failed(RecorderError(.link(error), context: ["amba-ctrl disk mode"]))
            return report
        }
        switch await result(of: "disk mode", on: link, timeout: request.timeout) {
        case .success(let r) where r.accepted:
            report.steps.append(UnlockStep(command: diskMode, carriedPassword: false, answer: "accepted"))
            report.outcome = .switching
        case .success(let r):
            report.steps.append(UnlockStep(command: diskMode, carriedPassword: false, answer: "refused (status \(r.status))"))
            report.outcome = .storageSwitchRefused
        case .failure(let error) where error.isDeviceGone:
            report.steps.append(UnlockStep(command: diskMode, carriedPassword: false, answer: "the device left the bus before its result"))
            report.outcome = .switching
        case .failure(let error):
            report.steps.append(UnlockStep(command: diskMode, carriedPassword: false, answer: "no usable result: \(error)"))
            report.outcome = .failed(error.context("amba-ctrl disk mode result"))
        }
        return report
    }

    private func send(_ setup: AmbaControl.Setup, _ packet: [UInt8], on link: any USBTransferLink,
                      timeout: Duration) async throws(LinkError) {
        _ = try await link.control(requestType: setup.requestType, request: setup.request, value: setup.value, index: setup.index,
                                   data: packet, length: packet.count, timeout: timeout)
    }

    /// The result read after `what`: the 10 bytes, checked.
    private func result(of what: String, on link: any USBTransferLink, timeout: Duration) async -> Result<AmbaControlResult, RecorderError> {
        let setup = AmbaControl.result
        let bytes: [UInt8]
        do throws(LinkError) {
            bytes = try await link.control(requestType: setup.requestType, request: setup.request, value: setup.value,
                                           index: setup.index, data: [], length: setup.length, timeout: timeout)
        } catch {
            return .failure(RecorderError(.link(error)))
        }
        do throws(VendorReplyError) {
            return .success(try AmbaControlResult(parsing: bytes, request: what))
        } catch {
            return .failure(RecorderError(.malformedReply(error.description)))
        }
    }
}
