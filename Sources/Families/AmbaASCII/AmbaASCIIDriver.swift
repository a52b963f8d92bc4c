import Calendrical
import RecorderHAL
import VendorUnlockProtocol

/// amba-ascii's unlock over a `USBTransferLink`'s bulk pipes (0x01/0x81): `@Ver` (no password),
/// `@Gdv` (login and device id), `@Sdt` and `@Stm` (date and time), `@ATH` (storage mode), each
/// answered by one reply of at most 64 bytes (Docs/vendor-families.md).
///
/// The password is sent only after the device answered `@Ver` with `Ver;OK` (a device of
/// another family, or one already in storage mode, never receives it); `@Gdv` is the login, and
/// a refused or unreadable `@Gdv` ends the unlock before `@ATH` carries the password again.
/// The family cannot read its clock back: a clock that was set is reported without a reading.
public struct AmbaASCIIDriver: StorageSwitchDriver {
    public static let name = AmbaASCII.family
    public var name: String { Self.name }

    public init() {}

    public func passwordSpan(inSent data: [UInt8]) -> Range<Int>? { AmbaASCIICommand.passwordSpan(inSent: data) }

    public func unlock(_ link: any USBTransferLink, _ request: UnlockRequest) async -> UnlockReport {
        var report = UnlockReport(family: Self.name, clock: .notReached)
        let password: AmbaASCIIPassword
        do throws(VendorPasswordError) {
            password = try AmbaASCIIPassword(request.password.reveal())
        } catch {
            report.outcome = .passwordUnusable(error.description)
            return report
        }
        let session = Exchange(link: link, timeout: request.timeout)

        // @Ver: is this a device of the family, in its vendor mode?
        let version: AmbaASCIIReply.VersionAnswer
        switch await session.run(.version, into: &report) {
        case .failure(let error):
            report.outcome = .failed(error)
            return report
        case .success(let reply):
            do throws(VendorReplyError) {
                version = try AmbaASCIIReply.version(reply)
            } catch {
                report.steps[report.steps.count - 1].answer = error.description
                if case .unexpected = error { report.outcome = .notThisFamily(error.description) } else {
                    report.outcome = .failed(RecorderError(.malformedReply(error.description), context: ["amba-ascii @Ver"]))
                }
                return report
            }
        }
        guard version == .vendorMode else {
            report.steps[report.steps.count - 1].answer = "empty or ERROR: in storage mode already"
            report.outcome = .alreadyInStorageMode
            return report
        }
        report.steps[report.steps.count - 1].answer = "Ver;OK"

        // @Gdv: the login, and who the device is.
        switch await session.run(.deviceId(password), into: &report) {
        case .failure(let error):
            report.outcome = .failed(error)
            return report
        case .success(let reply):
            do throws(VendorReplyError) {
                switch try AmbaASCIIReply.deviceId(reply) {
                case .passwordRefused:
                    report.steps[report.steps.count - 1].answer = "ERROR: password refused"
                    report.outcome = .passwordRefused
                    return report
                case .deviceId(let id) where password.isEchoed(in: id.value):
                    // Never quoted: the "id" is the password, or a piece of it.
                    let refusal = "the device id gives the password back; refused, not shown"
                    report.steps[report.steps.count - 1].answer = refusal
                    report.outcome = .failed(RecorderError(.malformedReply(refusal), context: ["amba-ascii @Gdv"]))
                    return report
                case .deviceId(let id):
                    report.steps[report.steps.count - 1].answer = "device id \(id)"
                    report.deviceId = id.value
                    report.passwordAccepted = true
                }
            } catch {
                report.steps[report.steps.count - 1].answer = error.description
                report.outcome = .failed(RecorderError(.malformedReply(error.description), context: ["amba-ascii @Gdv"]))
                return report
            }
        }

        // @Sdt and @Stm: the kiosk's time, in the zone the recorder displays.
        let (date, time) = Self.clockCommands(request.clock)
        report.clock = .set(to: request.clock, read: nil)
        for command in [date, time] {
            guard let command else {
                report.clock = .refused("the kiosk's time cannot be written as YYYYMMDD")
                break
            }
            switch await session.run(command, into: &report) {
            case .failure(let error):
                report.clock = .notReached
                report.outcome = .failed(error)
                return report
            case .success(let reply):
                do throws(VendorReplyError) {
                    if try AmbaASCIIReply.acknowledgement(reply, command: command.name) == .refused {
                        report.steps[report.steps.count - 1].answer = "ERROR: refused"
                        report.clock = .refused("@\(command.name) answered ERROR")
                    } else {
                        report.steps[report.steps.count - 1].answer = "accepted"
                    }
                } catch {
                    report.steps[report.steps.count - 1].answer = error.description
                    report.clock = .refused(error.description)
                    report.outcome = .failed(RecorderError(.malformedReply(error.description), context: ["amba-ascii @\(command.name)"]))
                    return report
                }
            }
            if case .refused = report.clock { break }
        }

        // @ATH: storage mode. The device may leave the bus before it answers.
        switch await session.exchange(.storageMode(password), into: &report, leavingIsAnAnswer: true) {
        case .failure(let error):
            report.outcome = .failed(error)
        case .success(nil):
            report.outcome = .switching
        case .success(let reply?):
            do throws(VendorReplyError) {
                if try AmbaASCIIReply.acknowledgement(reply, command: "ATH") == .refused {
                    report.steps[report.steps.count - 1].answer = "ERROR: refused"
                    report.outcome = .storageSwitchRefused
                } else {
                    report.steps[report.steps.count - 1].answer = "accepted"
                    report.outcome = .switching
                }
            } catch {
                report.steps[report.steps.count - 1].answer = error.description
                report.outcome = .failed(RecorderError(.malformedReply(error.description), context: ["amba-ascii @ATH"]))
            }
        }
        return report
    }

    /// `@Sdt` and `@Stm` for `clock`'s local time (UTC plus its zone), whole seconds; nil for a
    /// time the commands cannot carry (a year outside 1...9999).
    public static func clockCommands(_ clock: DeviceTime) -> (AmbaASCIICommand?, AmbaASCIICommand?) {
        let local = clock.utcMilliseconds.addingReportingOverflow(Int64(clock.zoneOffsetMinutes) * 60_000)
        guard !local.overflow else { return (nil, nil) }
        let seconds = local.partialValue >= 0 ? local.partialValue / 1000 : (local.partialValue - 999) / 1000
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let ofDay = seconds - days * 86400
        let (y, m, d) = CivilCalendar.civil(days)
        let date = try? AmbaASCIICommand.setDate(year: Int(clamping: y), month: Int(m), day: Int(d))
        let time = try? AmbaASCIICommand.setTime(hour: Int(ofDay / 3600), minute: Int(ofDay / 60 % 60), second: Int(ofDay % 60))
        return (date, date == nil ? nil : time)
    }
}

/// One command and its reply at a time, each recorded as a step before it is sent.
private struct Exchange {
    let link: any USBTransferLink
    let timeout: Duration

    /// Sends `command` and reads its reply: `exchange` where the device must answer.
    func run(_ command: AmbaASCIICommand, into report: inout UnlockReport) async -> Result<[UInt8], RecorderError> {
        switch await exchange(command, into: &report, leavingIsAnAnswer: false) {
        case .success(let reply): .success(reply ?? [])
        case .failure(let error): .failure(error)
        }
    }

    /// Sends `command` and reads its reply (`AmbaASCIIReply.readLength` bytes at most). The
    /// step's answer says what came back; the caller refines it once the reply is read. With
    /// `leavingIsAnAnswer`, a device that leaves the bus or never answers after the command
    /// went out gives nil: it is taken as the device switching.
    func exchange(_ command: AmbaASCIICommand, into report: inout UnlockReport,
                  leavingIsAnAnswer: Bool) async -> Result<[UInt8]?, RecorderError> {
        report.steps.append(UnlockStep(command: command.description, carriedPassword: command.carriesPassword, answer: "sent"))
        do throws(LinkError) {
            try await link.bulkOut(command.bytes, timeout: timeout)
        } catch {
            report.steps[report.steps.count - 1].answer = "not sent whole: \(error)"
            return .failure(RecorderError(.link(error), context: ["amba-ascii @\(command.name)"]))
        }
        do throws(LinkError) {
            let reply = try await link.bulkIn(length: AmbaASCIIReply.readLength, timeout: timeout)
            report.steps[report.steps.count - 1].answer = "\(reply.count) bytes"
            return .success(reply)
        } catch {
            switch error {
            case .deviceGone where leavingIsAnAnswer:
                report.steps[report.steps.count - 1].answer = "the device left the bus before answering"
                return .success(nil)
            case .timedOut where leavingIsAnAnswer:
                report.steps[report.steps.count - 1].answer = "no reply (\(error)); taken as the device leaving"
                return .success(nil)
            default:
                report.steps[report.steps.count - 1].answer = "no reply: \(error)"
                return .failure(RecorderError(.link(error), context: ["amba-ascii @\(command.name) reply"]))
            }
        }
    }
}
