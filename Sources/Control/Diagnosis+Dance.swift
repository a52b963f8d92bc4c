extension Diagnosis {
    /// The checks of a dock that began with a vendor recorder's dance, in the dance's order:
    /// "vendor device" (the family chosen), one "unlock" check per command sent (with the
    /// device's answer), "storage switch", "return as mass storage", then the read checks of
    /// the disk it came back as, when it was read. The step that failed is the first FAIL;
    /// every stage after it says "not reached" (WARN). No check holds the password: the steps
    /// show `<password>` in its place.
    static func danceChecks(_ dance: DanceDiagnostics, disk: DockDiagnostics, clockOffsetMs: Double?) -> [Check] {
        var checks: [Check] = []
        var stopped = false
        func notReached(_ name: String) {
            checks.append(Check(name: name, verdict: .warn, detail: "not reached", hint: dance.outcomeCode == nil ? "the dance is still under way" : ""))
        }
        let code = dance.outcomeCode

        // The vendor device: the family the device database chose for it.
        let on = dance.port.map { " on port \($0)" } ?? ""
        if code == "not-this-family" {
            checks.append(Check(name: "vendor device", verdict: .fail, detail: "chosen as \(dance.family)\(on), but \(dance.outcomeWords ?? "it does not speak its commands")",
                                hint: "the device's USB ids match \(dance.family) in the device database but it does not answer like one: report its ids and this answer"))
        } else {
            checks.append(Check(name: "vendor device", verdict: .pass, detail: "\(dance.family)\(on)", hint: ""))
        }

        // The unlock: each command sent, with the device's answer. When the device answered
        // the storage switch (accepted or refused), that is the last command (the families
        // end the unlock there), and it is said under "storage switch".
        let answeredSwitch = dance.unlockEnd == .switching || dance.unlockEnd == .storageSwitchRefused
        let unlockSteps = answeredSwitch ? dance.steps.dropLast() : dance.steps[...]
        if dance.unlockEnd == nil, dance.steps.isEmpty {
            if code == nil {
                checks.append(Check(name: "unlock", verdict: .warn, detail: "under way", hint: ""))
            } else {
                checks.append(Check(name: "unlock", verdict: .fail, detail: dance.outcomeWords ?? "nothing sent", hint: unlockHint(code)))
            }
            stopped = true
        } else {
            for (i, step) in unlockSteps.enumerated() {
                let failed = dance.unlockEnd == .stopped && i == unlockSteps.count - 1
                let carried = step.carriedPassword ? " (carries the password)" : ""
                checks.append(Check(name: "unlock \(i + 1)/\(unlockSteps.count)", verdict: failed ? .fail : .pass,
                                    detail: "\(step.command)\(carried): \(step.answer)",
                                    hint: failed ? unlockHint(code) : ""))
            }
            if dance.unlockEnd == .stopped {
                if unlockSteps.isEmpty {
                    checks.append(Check(name: "unlock", verdict: .fail, detail: dance.unlockWords ?? dance.outcomeWords ?? "stopped", hint: unlockHint(code)))
                }
                stopped = true
            }
        }

        // The storage switch.
        if stopped {
            notReached("storage switch")
        } else {
            switch dance.unlockEnd {
            case .switching?:
                checks.append(Check(name: "storage switch", verdict: .pass,
                                    detail: dance.steps.last.map { "\($0.command): \($0.answer)" } ?? (dance.unlockWords ?? "accepted"), hint: ""))
            case .alreadyInStorageMode?:
                checks.append(Check(name: "storage switch", verdict: .pass, detail: "already in storage mode", hint: ""))
            case .storageSwitchRefused?:
                let detail = dance.steps.last.map { "\($0.command): \($0.answer)" } ?? (dance.unlockWords ?? "refused")
                checks.append(Check(name: "storage switch", verdict: .fail, detail: detail,
                                    hint: "the recorder refused storage mode (busy recording, or its battery low?): undock it, let it finish or charge, and dock it again"))
                stopped = true
            case .stopped?, nil:
                notReached("storage switch")
                stopped = true
            }
        }

        // The return as mass storage, on the same port, within the wait.
        let wait = dance.returnWaitMilliseconds.map { "storage-return-wait, now \(seconds($0))" } ?? "storage-return-wait"
        let after = dance.returnedAfterMilliseconds.map { " after \(seconds($0))" } ?? ""
        var read = false
        if stopped {
            notReached("return as mass storage")
        } else {
            switch code {
            case "returned"?, "volume-differs"?, "unreadable"?:
                checks.append(Check(name: "return as mass storage", verdict: .pass, detail: "came back\(on)\(after)", hint: ""))
                read = true
            case "never-came-back"?:
                checks.append(Check(name: "return as mass storage", verdict: .fail, detail: dance.outcomeWords ?? "did not come back",
                                    hint: "check the cable and the hub (a powered hub, or straight into the gateway); a recorder slow to come back needs a longer \(wait)"))
                stopped = true
            case "came-back-elsewhere"?:
                let other = dance.returnedOnPort.map { "port \($0)" } ?? "another port"
                checks.append(Check(name: "return as mass storage", verdict: .fail, detail: dance.outcomeWords ?? "came back on \(other)",
                                    hint: "it came back on \(other), not where it was unlocked: a hub that renumbers its ports, or another device plugged in meanwhile; dock it again straight into its bay"))
                stopped = true
            case nil:
                checks.append(Check(name: "return as mass storage", verdict: .warn, detail: "awaited (\(wait))", hint: ""))
                stopped = true
            default:
                notReached("return as mass storage")
                stopped = true
            }
        }

        // The disk it came back as.
        if !read {
            notReached("disk read")
            return checks
        }
        if code == "unreadable" {
            checks.append(Check(name: "disk read", verdict: .fail, detail: dance.outcomeWords ?? "its medium could not be read",
                                hint: "check the recorder's card (reseat or replace it); the footage stays on the recorder, and the next dock starts the dance again"))
            return checks
        }
        if code == "volume-differs" {
            checks.append(Check(name: "volumes", verdict: .warn, detail: dance.outcomeWords ?? "other volumes than at its last dock",
                                hint: "its card was reformatted, repartitioned or swapped since its last dock; each volume went into a bag of its own"))
        }
        return checks + readChecks(disk, clockOffsetMs: clockOffsetMs, authentication: false)
    }

    /// What to do about an unlock that stopped, by the dance's outcome.
    static func unlockHint(_ code: String?) -> String {
        switch code {
        case "password-refused"?, "password-unconfirmed"?, "password-withheld"?:
            "put the right password in the vendor password file (vendor-password-file), then clear the refusal with `recorderctl refusals --clear RECORDER`; until then the password is not sent again"
        case "no-password"?:
            "set vendor-password-file in the configuration (a file of mode 0600 holding the families' admin password)"
        case "password-unusable"?:
            "the password holds what this family's commands cannot carry: change it on the recorder and in the vendor password file"
        case "not-this-family"?:
            "no password was sent; the device does not answer like its family"
        default:
            "the device stopped answering: reseat the recorder, check the bay's cable and hub, and dock it again"
        }
    }

    /// "1.250 s".
    static func seconds(_ ms: Int64) -> String {
        let whole = ms / 1000, frac = abs(ms % 1000)
        return "\(whole).\(String(repeating: "0", count: 3 - String(frac).count))\(frac) s"
    }
}
