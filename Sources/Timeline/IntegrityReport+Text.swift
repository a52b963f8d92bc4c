import Foundation

extension IntegrityReport {
    /// The report as plain text for `report.txt`: UTF-8, LF line ends, section headings in
    /// Chinese and English, tables aligned for a monospaced font in which a Chinese character
    /// takes two columns. Times are corrected and shown in the device's zone.
    ///
    /// Deterministic; device-supplied text (serial, names, kinds, paths) has its control
    /// characters replaced by U+FFFD, so the file cannot hide lines or drive a terminal.
    public func text() -> String {
        var text = Data()
        writeText { text.append($0) }
        return String(decoding: text, as: UTF8.self)
    }

    /// `text()` handed to `sink` in pieces of about 64 KiB, in order, made as it is written: a
    /// report of fifty thousand recordings is never held whole.
    public func writeText(to sink: (Data) -> Void) {
        withoutActuallyEscaping(sink) { sink in
            var buffer = ""
            writeLines { line in
                buffer += line
                buffer += "\n"
                if buffer.utf8.count >= 1 << 16 { sink(Data(buffer.utf8)); buffer = "" }
            }
            if !buffer.isEmpty { sink(Data(buffer.utf8)) }
        }
    }

    /// Every line of `text()`, without its line end, in order.
    private func writeLines(_ emit: (String) -> Void) {
        let zone = deviceZoneOffsetMinutes
        let clean = TextLayout.oneLine
        func row(_ label: String, _ value: String) { emit("  " + TextLayout.pad(label, 28) + value) }
        func heading(_ s: String) { emit(""); emit(s); emit(String(repeating: "-", count: TextLayout.width(s))) }
        func none() { emit("  无 none") }

        // Times alone on the duty day (the day the first recording began); with the date elsewhere.
        let mainDay = (dutyPeriod?.startMs ?? recordings.first?.corrected?.startMs).map { CivilTime.localDay(milliseconds: $0, zoneOffsetMinutes: zone) }
        func local(_ ms: Int64) -> String { TextLayout.clock(ms, zone: zone, mainDay: mainDay) }
        func localFull(_ ms: Int64) -> String { TextLayout.clock(ms, zone: zone, fullDate: true) }

        let title = "执法记录仪数据完整性报告  Recorder integrity report"
        emit(title)
        emit(String(repeating: "=", count: TextLayout.width(title)))
        row("记录仪 Recorder", clean(dock.serial))
        row("警员 Officer", clean(dock.officerNumber) + " " + clean(dock.officerName))
        row("工位 Bay", clean(dock.bay))
        row("接入 Docked", clean(dock.startUTC) + " – " + clean(dock.endUTC) + " (gateway clock)")
        row("时区 Device zone", deviceZone + " (times below are corrected UTC shown in this zone)")
        if let d = dutyPeriod {
            row("执勤时段 Duty period", localFull(d.startMs) + " – " + local(d.endMs) + ", " + TextLayout.duration(d.durationMs))
        } else {
            row("执勤时段 Duty period", "no recordings")
        }

        let counts = Finding.Severity.allCases.reversed().map { s in "\(findings.filter { $0.severity == s }.count) \(s.rawValue)" }
        heading("结论 Findings (" + counts.joined(separator: ", ") + ")")
        if findings.isEmpty { none() }
        for f in findings {
            emit("  " + TextLayout.pad(f.severity.rawValue.uppercased(), 8) + TextLayout.pad(f.code, 28) + clean(f.message))
        }

        heading("录像 Recordings (\(recordings.count))")
        // The table's columns are as wide as their widest cell: one pass measures, the next
        // writes, so the table is never held whole.
        let header = ["id", "seq", "kind", "start", "end", "length", "GPS", "hash", "notes"]
        func cells(_ e: RecordingEntry) -> [String] {
            var notes: [String] = []
            if e.important { notes.append("重要 important") }
            if e.quarantined { notes.append("隔离 quarantined") }
            if !e.verified { notes.append("unverified") }
            if e.timesInvalid { notes.append("end before start") }
            if e.corrected == nil { notes.append("not corrected") }
            return [String(e.id), String(e.sequence), clean(e.kind), e.corrected.map { local($0.startMs) } ?? "-",
                    e.corrected.map { local($0.endMs) } ?? "-",
                    e.isLog || (e.corrected?.durationMs ?? 0) == 0 ? "-" : TextLayout.duration(e.corrected?.durationMs ?? 0),
                    e.gpsCoverage.map { Fixed.text($0 * 100, 1) + "%" } ?? "-", e.hash, notes.joined(separator: ", ")]
        }
        var table = ColumnWidths(header)
        for e in recordings { table.measure(cells(e)) }
        emit(table.row(header, rightAligned: Self.rightAligned))
        for e in recordings { emit(table.row(cells(e), rightAligned: Self.rightAligned)) }
        for e in recordings { emit("    #\(e.id) " + clean(e.bagPath)) }

        heading("时钟 Clock")
        if let offset = clock.dockOffsetMs {
            row("Offset at dock", TextLayout.signed(offset / 1000, 3, "s") + " (device minus gateway), measured " + clock.measuredAt)
        } else {
            row("Offset at dock", "not read: the recorder's family cannot read its clock; times are the device's own, uncorrected")
        }
        if let drift = clock.driftSecondsPerDay, let last = clock.lastSyncUTCms {
            row("Drift 漂移", TextLayout.signed(drift, 2, "s/day") + " since last sync " + localFull(last)
                + (clock.driftExcessive ? "  ⚠ beyond ±" + Fixed.text(clock.driftLimitSecondsPerDay, 1) + " s/day" : "  (norm ±" + Fixed.text(clock.driftLimitSecondsPerDay, 1) + " s/day)"))
        } else {
            let usable = clock.dockOffsetMs != nil && !clock.flags.contains("dock-offset-invalid") && !clock.flags.contains("dock-offset-out-of-range")
            row("Drift 漂移", "unknown (no sync point): " + (usable ? "constant dock offset applied" : "no correction applied"))
        }
        row("Sync points 校时", String(clock.syncPoints.count) + (clock.syncPointsAfterDock.isEmpty ? "" : " (+\(clock.syncPointsAfterDock.count) after the dock, left out)"))
        for p in clock.syncPoints {
            var s = "    " + localFull(p.utcMs) + "  " + TextLayout.pad(p.type, 10) + " line " + TextLayout.pad(String(p.line), 6)
            s += p.correctionMs.map { "correction " + TextLayout.signed(Double($0) / 1000, 3, "s") } ?? "correction unknown"
            if let d = p.driftSecondsPerDaySincePrevious { s += "  (" + TextLayout.signed(d, 2, "s/day") + " since previous)" }
            emit(s)
        }
        row("Flags", clock.flags.isEmpty ? "none" : clock.flags.joined(separator: ", "))

        heading("序号缺失 Sequence gaps")
        if sequenceGaps.isEmpty && duplicateSequences.isEmpty { none() }
        for g in sequenceGaps {
            let which = g.count == 1 ? "#\(g.firstMissing)" : "#\(g.firstMissing)–#\(g.lastMissing) (\(g.count))"
            emit("  " + which + " missing between #\(g.afterSequence) (recording \(g.afterRecording)) and #\(g.beforeSequence) (recording \(g.beforeRecording))")
        }
        for n in duplicateSequences { emit("  #\(n) carried by more than one file") }

        heading("重叠 Overlaps")
        if overlaps.isEmpty { none() }
        for o in overlaps {
            emit("  recordings \(o.first) and \(o.second): " + local(o.span.startMs) + " – " + local(o.span.endMs) + ", " + TextLayout.duration(o.span.durationMs))
        }
        if overlapCount > overlaps.count { emit("  … \(overlapCount - overlaps.count) more") }

        heading("间隔 Gaps over " + TextLayout.duration(options.gapThresholdMs))
        if gaps.isEmpty { none() }
        for g in gaps {
            emit("  " + local(g.span.startMs) + " – " + local(g.span.endMs) + "  " + TextLayout.padLeft(TextLayout.duration(g.span.durationMs), 12)
                         + "  after \(g.afterRecording), before \(g.beforeRecording)" + (g.long ? "  (long)" : ""))
        }

        heading("定位 GPS coverage")
        row("Coverage", gps.share.map { Fixed.text($0 * 100, 1) + "% of " + TextLayout.duration(gps.recordingMs) + " of recording" } ?? "no recording time")
        row("Fixes", "\(gps.fixCount), a moment counts when a fix is within ±" + TextLayout.duration(gps.toleranceMs))
        row("Without any fix", gps.uncoveredRecordings.isEmpty ? "none" : TextLayout.ids(gps.uncoveredRecordings))

        heading("哈希与隔离 Hashes and quarantine")
        row("Mismatched 不一致", hashes.mismatched.isEmpty ? "none" : TextLayout.ids(hashes.mismatched))
        row("Not stored 未存", hashes.notStored.isEmpty ? "none" : TextLayout.ids(hashes.notStored))
        row("Unverified 未验证", hashes.unverified.isEmpty ? "none" : TextLayout.ids(hashes.unverified))
        row("No device hash 无设备哈希", hashes.missingDeviceHash.isEmpty ? "none" : TextLayout.ids(hashes.missingDeviceHash))
        row("Quarantined 隔离", quarantined.isEmpty ? "none" : TextLayout.ids(quarantined))
        row("Important 重要", important.isEmpty ? "none" : TextLayout.ids(important))

        heading("时间日志 Time log")
        if let log = timeLog {
            row("Lines", "\(log.lines): \(log.events) read, \(log.rejectedLines) rejected")
            for r in log.rejected { emit("    line \(r.line): " + clean(r.reason)) }
            if log.rejectedLines > log.rejected.count { emit("    … \(log.rejectedLines - log.rejected.count) more") }
        } else {
            emit("  none in this session")
        }
    }

    /// The recordings table's columns whose cells are aligned right: id, seq, length, GPS.
    static let rightAligned: Set<Int> = [0, 1, 5, 6]
}

/// Rows as columns two spaces apart, each as wide as its widest cell in display columns:
/// measured row by row, then written row by row.
struct ColumnWidths {
    private var widths: [Int] = []

    init(_ first: [String]) { measure(first) }

    mutating func measure(_ row: [String]) {
        if widths.count < row.count { widths += Array(repeating: 0, count: row.count - widths.count) }
        for (i, c) in row.enumerated() { widths[i] = max(widths[i], TextLayout.width(c)) }
    }

    /// `row` laid out in the measured widths; the last cell is not padded.
    func row(_ row: [String], rightAligned: Set<Int>) -> String {
        let cells = row.enumerated().map { i, c in
            i == row.count - 1 ? c : rightAligned.contains(i) ? TextLayout.padLeft(c, widths[i]) : TextLayout.pad(c, widths[i])
        }
        return "  " + cells.joined(separator: "  ").trimmingTrailingSpaces
    }
}

extension String {
    /// Without spaces at the end.
    var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
