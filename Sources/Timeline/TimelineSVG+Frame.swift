extension TimelinePicture {
    /// Title (serial, officer, date), the dock line and the count of findings by severity.
    func title(_ svg: inout SVGWriter, _ y: inout Double) {
        let dayAnchor = r.dutyPeriod?.startMs ?? TimeRange.clamp(r.clock.measuredAtUTCms)
        let day = CivilTime.localDay(milliseconds: dayAnchor, zoneOffsetMinutes: zone)
        let officer = [r.dock.officerNumber, r.dock.officerName].filter { !$0.isEmpty }.joined(separator: " ")
        svg.element("text", [("class", "title"), ("x", "16"), ("y", "34"), ("font-size", "20"), ("font-weight", "bold"), ("fill", "#111111")],
                    text: "执法记录仪时间线 Timeline · \(r.dock.serial) · \(officer) · \(day)")
        var dock = "工位 Bay \(r.dock.bay) · 接入 docked "
        if let start = CivilTime.parseUTC(r.dock.startUTC), let end = CivilTime.parseUTC(r.dock.endUTC) {
            dock += CivilTime.localDay(milliseconds: start, zoneOffsetMinutes: zone) + " " + localTime(start) + "–" + localTime(end)
                + " (" + CivilTime.zoneSuffix(zone) + ")"
        } else {
            dock += r.dock.startUTC + " – " + r.dock.endUTC
        }
        dock += " · bars at corrected UTC, axis in the device zone UTC" + CivilTime.zoneSuffix(zone)
        svg.element("text", [("x", "16"), ("y", "56"), ("font-size", "13"), ("fill", "#444444")], text: dock)

        let severities: [(IntegrityReport.Finding.Severity, String, String)] = [
            (.alert, "警报 alert", Self.quarantine), (.warning, "警告 warning", "#b35806"), (.info, "提示 info", "#555555"),
        ]
        var spans = "<tspan fill=\"#222222\" font-weight=\"bold\">" + SVGWriter.escape("结论 Findings: ") + "</tspan>"
        for (i, (severity, label, color)) in severities.enumerated() {
            let count = r.findings.filter { $0.severity == severity }.count
            spans += "<tspan fill=\"\(color)\"\(count > 0 && severity != .info ? " font-weight=\"bold\"" : "")>"
                + SVGWriter.escape("\(count) \(label)" + (i < severities.count - 1 ? " · " : "")) + "</tspan>"
        }
        if let drift = r.clock.driftSecondsPerDay {
            let text = "   时钟 clock drift " + TextLayout.signed(drift, 2, "s/day") + (r.clock.driftExcessive ? " ⚠ over ±" : " (norm ±")
                + Fixed.text(r.clock.driftLimitSecondsPerDay, 1) + (r.clock.driftExcessive ? "" : ")")
            spans += "<tspan fill=\"\(r.clock.driftExcessive ? "#b35806" : "#555555")\">" + SVGWriter.escape(text) + "</tspan>"
        }
        // Spaces at tspan edges would be collapsed away without `xml:space`.
        svg.element("text", [("class", "summary"), ("x", "16"), ("y", "78"), ("font-size", "13"), ("xml:space", "preserve")], children: spans)
        y = 82
    }

    /// Hour ticks in the device's zone (every 1, 2, 3, 4, 6 or 12 h, or whole days, at most
    /// about 16 labels), as grid lines through the lanes and labels above and below them; a tick
    /// at local midnight is labelled with the date.
    func axis(_ svg: inout SVGWriter, top: Double, bottom: Double) {
        let hour: Int64 = 3_600_000
        let span = axisEnd - axisStart
        var step = hour
        for h: Int64 in [1, 2, 3, 4, 6, 12, 24, 48, 168, 720, 8760] where span / (h * hour) <= 16 { step = h * hour; break }
        if span / step > 16 { step = (span / 16 / (24 * hour) + 1) * 24 * hour }
        let shift = Int64(zone) * 60_000
        var t = -Self.floorDiv(-(axisStart + shift), step) * step - shift
        while t <= axisEnd {
            let px = x(t)
            let local = CivilTime.localClock(milliseconds: t, zoneOffsetMinutes: zone)
            let midnight = local == "00:00"
            let label = midnight || step >= 24 * hour ? String(CivilTime.localDay(milliseconds: t, zoneOffsetMinutes: zone).dropFirst(5)) : local
            svg.element("line", [("class", "tick"), ("x1", SVGWriter.n(px)), ("y1", SVGWriter.n(top - 4)), ("x2", SVGWriter.n(px)),
                                 ("y2", SVGWriter.n(bottom + 4)), ("stroke", midnight ? "#999999" : Self.grid), ("stroke-width", "1")])
            for ly in [top - 8, bottom + 18] {
                svg.element("text", [("class", "tick-label"), ("x", SVGWriter.n(px)), ("y", SVGWriter.n(ly)), ("font-size", "12"),
                                     ("text-anchor", "middle"), ("fill", "#333333")] + (midnight ? [("font-weight", "bold")] : []), text: label)
            }
            t += step
        }
    }

    /// The clock's error over the day (device minus true time; up means the device is fast):
    /// 0 at each sync point, the correction's size just before it, rising to the dock offset at
    /// the dock measurement. Sync points as diamonds, the measurement as a dot.
    func clockLane(_ svg: inout SVGWriter, top: Double) -> Double {
        let height = 84.0
        if svg.isMeasuring { return height }
        let c = r.clock
        guard let dockOffsetMs = c.dockOffsetMs else {
            // Nothing measured, nothing drawn: a flat line at 0 would claim an exact clock.
            laneLabel(&svg, top: top, height: height, "时钟 Clock", "not read", detailColor: "#b35806")
            svg.element("text", [("class", "clock-not-read"), ("x", SVGWriter.n(Self.plotLeft + 4)), ("y", SVGWriter.n(top + height / 2 + 4)),
                                 ("font-size", "12"), ("fill", "#b35806")],
                        text: "未读取时钟 The recorder's clock was not read: its error is unknown and times are the device's own, uncorrected.")
            return height
        }
        let excessive = c.driftExcessive
        let detail = c.driftSecondsPerDay.map { TextLayout.signed($0, 2, "s/day") + (excessive ? " ⚠" : "") } ?? "drift unknown"
        laneLabel(&svg, top: top, height: height, "时钟 Clock", detail, detailColor: excessive ? "#b35806" : "#555555")
        // The curve keeps 20 px clear of the lane's top and bottom, where the scale and the
        // earlier-sync note are written.
        let mid = top + height / 2 + 2
        let knots = clip(errorKnots())
        let maxAbs = max(1, knots.map { abs($0.1) }.max() ?? 1)
        func y(_ e: Double) -> Double { mid - e / maxAbs * (height / 2 - 20) }
        svg.element("line", [("class", "clock-zero"), ("x1", SVGWriter.n(Self.plotLeft)), ("y1", SVGWriter.n(mid)), ("x2", SVGWriter.n(Self.plotRight)),
                             ("y2", SVGWriter.n(mid)), ("stroke", "#999999"), ("stroke-dasharray", "3 3")])
        svg.element("text", [("x", SVGWriter.n(Self.plotLeft + 4)), ("y", SVGWriter.n(top + 14)), ("font-size", "11"), ("fill", "#666666")],
                    text: "误差 error = device − UTC (up: device fast), full scale ±" + Fixed.text(maxAbs / 1000, 2) + " s")
        if knots.count >= 2 {
            let points = knots.map { SVGWriter.n(x($0.0)) + "," + SVGWriter.n(y($0.1)) }.joined(separator: " ")
            svg.element("polyline", [("class", "clock-error"), ("points", points), ("fill", "none"), ("stroke", "#333333"), ("stroke-width", "1.5")])
        }
        var labelEnd = -Double.infinity
        var earlier: [ClockModel.SyncPoint] = []
        for p in c.syncPoints {
            let t = TimeRange.clamp(p.utcMs)
            if t < axisStart { earlier.append(p); continue }
            if t > axisEnd { continue }
            let px = x(t)
            let color = p.type == TimeLogEvent.gnssSync ? Self.gnssColor : Self.timeSetColor
            svg.element("path", [("class", "sync"), ("data-type", p.type), ("data-line", String(p.line)),
                                 ("d", "M\(SVGWriter.n(px)) \(SVGWriter.n(mid - 7))l6 7l-6 7l-6 -7z"), ("fill", color)])
            let label = (p.type == TimeLogEvent.gnssSync ? "GNSS " : "校时 ") + (p.correctionMs.map { TextLayout.signed(Double($0) / 1000, 2, "s") } ?? "?")
            let w = Self.textWidth(label, 11)
            if px + 8 > labelEnd && px + 8 + w < Self.plotRight {
                svg.element("text", [("x", SVGWriter.n(px + 8)), ("y", SVGWriter.n(mid + 18)), ("font-size", "11"), ("fill", color)], text: label)
                labelEnd = px + 8 + w + 6
            }
        }
        if let p = earlier.last {
            let label = "← \(earlier.count) earlier sync: \(p.type) " + CivilTime.localDay(milliseconds: p.utcMs, zoneOffsetMinutes: zone).dropFirst(5)
                + " " + CivilTime.localClock(milliseconds: p.utcMs, zoneOffsetMinutes: zone)
            svg.element("text", [("x", SVGWriter.n(Self.plotLeft + 4)), ("y", SVGWriter.n(top + height - 6)), ("font-size", "11"), ("fill", Self.timeSetColor)], text: label)
        }
        let m = TimeRange.clamp(c.measuredAtUTCms)
        if m >= axisStart && m <= axisEnd {
            let px = x(m), py = y(dockOffsetMs)
            svg.element("circle", [("class", "dock-measure"), ("cx", SVGWriter.n(px)), ("cy", SVGWriter.n(py)), ("r", "5"), ("fill", "#111111")])
            let label = "接入 dock " + TextLayout.signed(dockOffsetMs / 1000, 2, "s")
            let w = Self.textWidth(label, 11)
            let lx = px + 8 + w > Self.plotRight ? px - 8 - w : px + 8
            // Beside the dot, on the side away from the zero line: the curve reaches the dot from
            // nearer zero, so the far side is clear.
            let ly = py <= mid ? max(py - 7, top + 12) : min(py + 15, top + height - 3)
            svg.element("text", [("x", SVGWriter.n(lx)), ("y", SVGWriter.n(ly)), ("font-size", "11"), ("fill", "#111111")], text: label)
        }
        return height
    }

    /// (UTC, error ms) corners of the clock model's error, jumps as two corners at one instant.
    func errorKnots() -> [(Int64, Double)] {
        let c = r.clock
        let d = c.dockOffsetMs ?? 0
        let m = TimeRange.clamp(c.measuredAtUTCms)
        let points = c.syncPoints.map { (t: TimeRange.clamp($0.utcMs), e: -Double($0.correctionMs ?? 0)) }
        guard let first = points.first, let last = points.last else { return [(min(axisStart, m), d), (max(axisEnd, m), d)] }
        var knots: [(Int64, Double)] = [(min(axisStart, first.t), first.e)]
        for (i, p) in points.enumerated() {
            if i > 0 {
                let prev = points[i - 1]
                // A correction larger than the segment: the model holds −c flat (ClockModel.errorMs).
                if Double(p.t) + p.e <= Double(prev.t) { knots.append((prev.t, p.e)) }
            }
            knots.append((p.t, p.e))
            knots.append((p.t, 0))
        }
        if m > last.t {
            knots.append((m, d))
            if axisEnd > m { knots.append((axisEnd, d + d * Double(axisEnd - m) / Double(m - last.t))) }
        }
        return knots
    }

    /// The polyline cut to the axis, interpolating where a segment crosses its ends.
    func clip(_ knots: [(Int64, Double)]) -> [(Int64, Double)] {
        var out: [(Int64, Double)] = []
        func at(_ a: (Int64, Double), _ b: (Int64, Double), _ t: Int64) -> (Int64, Double) {
            b.0 == a.0 ? (t, b.1) : (t, a.1 + (b.1 - a.1) * Double(t - a.0) / Double(b.0 - a.0))
        }
        for (a, b) in zip(knots, knots.dropFirst()) where b.0 >= axisStart && a.0 <= axisEnd {
            let p = a.0 < axisStart ? at(a, b, axisStart) : a
            let q = b.0 > axisEnd ? at(a, b, axisEnd) : b
            if let l = out.last, l.0 == p.0, l.1 == p.1 {} else { out.append(p) }
            out.append(q)
        }
        return out
    }

    /// What every colour and mark means, in rows that wrap at the picture's width.
    func legend(_ svg: inout SVGWriter, _ y: inout Double) {
        enum Mark { case box(String), star, hole, diamond(String), dot, outlined(String, String) }
        let items: [(Mark, String)] = [
            (.box(Self.colors["video"]!), "视频 video"), (.box(Self.colors["audio"]!), "录音 audio"), (.box(Self.colors["photo"]!), "照片 photo"),
            (.box(Self.otherKind), "其他 other"), (.box(Self.logColor), "日志 log"), (.outlined(Self.quarantine, "#67000d"), "隔离 quarantined"),
            (.star, "重要 important"), (.box(Self.gapColor), "间隔 gap > " + TextLayout.duration(r.options.gapThresholdMs)),
            (.box(Self.longGapColor), "长间隔 gap ≥ " + TextLayout.duration(r.options.longGapThresholdMs)), (.box(Self.overlapColor), "重叠 overlap"),
            (.hole, "缺号 missing sequence number"), (.box(Self.gpsColor), "GPS fix ±" + TextLayout.duration(r.options.gpsToleranceMs)),
            (.box("#d9d9d9"), "no fix 无定位"), (.diamond(Self.gnssColor), "GNSS sync"), (.diamond(Self.timeSetColor), "TIME_SET 校时"),
            (.dot, "dock measurement 接入测量"),
        ]
        var x = 16.0
        y += 6
        svg.element("text", [("x", "16"), ("y", SVGWriter.n(y)), ("font-size", "13"), ("font-weight", "bold"), ("fill", "#222222")], text: "图例 Legend")
        y += 22
        for (mark, label) in items {
            let w = 20 + Self.textWidth(label, 12) + 18
            if x + w > Self.width - 16 { x = 16; y += 22 }
            let top = y - 11
            switch mark {
            case .box(let color):
                svg.element("rect", [("class", "legend-swatch"), ("x", SVGWriter.n(x)), ("y", SVGWriter.n(top)), ("width", "14"), ("height", "12"), ("rx", "2"), ("fill", color)])
            case .outlined(let color, let stroke):
                svg.element("rect", [("class", "legend-swatch"), ("x", SVGWriter.n(x)), ("y", SVGWriter.n(top)), ("width", "14"), ("height", "12"), ("rx", "2"),
                                     ("fill", color), ("stroke", stroke), ("stroke-width", "1.5")])
            case .star:
                star(&svg, cx: x + 7, cy: top + 6)
            case .hole:
                svg.element("path", [("class", "legend-swatch"), ("d", "M\(SVGWriter.n(x)) \(SVGWriter.n(top))h14l-7 12z"), ("fill", Self.holeColor)])
            case .diamond(let color):
                svg.element("path", [("class", "legend-swatch"), ("d", "M\(SVGWriter.n(x + 7)) \(SVGWriter.n(top - 1))l6 7l-6 7l-6 -7z"), ("fill", color)])
            case .dot:
                svg.element("circle", [("class", "legend-swatch"), ("cx", SVGWriter.n(x + 7)), ("cy", SVGWriter.n(top + 6)), ("r", "5"), ("fill", "#111111")])
            }
            svg.element("text", [("x", SVGWriter.n(x + 20)), ("y", SVGWriter.n(y)), ("font-size", "12"), ("fill", "#222222")], text: label)
            x += w
        }
        y += 10
    }

    /// How to read the picture, in small print.
    func footer(_ svg: inout SVGWriter, _ y: inout Double) {
        let lines = [
            r.clock.dockOffsetMs == nil
                ? "Bars are at the device's own times, uncorrected: the recorder's clock was not read at the dock, so its error is unknown."
                : "Bars are at corrected UTC: device time minus the clock error, which grows linearly from 0 at the last sync point to the offset measured at the dock.",
            "GPS: a moment counts as covered when a fix lies within ±\(TextLayout.duration(r.options.gpsToleranceMs)). Gaps: no recording for more than \(TextLayout.duration(r.options.gapThresholdMs)) between the first start and the last end.",
            "Details and every finding: report.txt and report.json beside this picture.",
        ]
        for line in lines {
            y += 17
            svg.element("text", [("class", "footer"), ("x", "16"), ("y", SVGWriter.n(y)), ("font-size", "11"), ("fill", "#666666")], text: line)
        }
    }
}
