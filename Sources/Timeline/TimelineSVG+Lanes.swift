import Foundation

extension TimelinePicture {
    typealias Entry = IntegrityReport.RecordingEntry

    /// The lane's label in the left column: a bold first line and an optional second line.
    func laneLabel(_ svg: inout SVGWriter, top: Double, height: Double, _ name: String, _ detail: String? = nil, detailColor: String = "#555555") {
        svg.element("rect", [("class", "lane"), ("x", "10"), ("y", SVGWriter.n(top + 2)), ("width", SVGWriter.n(Self.plotRight - 10)),
                             ("height", SVGWriter.n(height - 4)), ("fill", "#f6f7f9")])
        let mid = top + height / 2
        svg.element("text", [("x", "16"), ("y", SVGWriter.n(detail == nil ? mid + 5 : mid - 2)), ("font-size", "13"), ("font-weight", "bold"),
                             ("fill", "#222222")], text: name)
        if let detail {
            svg.element("text", [("x", "16"), ("y", SVGWriter.n(mid + 14)), ("font-size", "12"), ("fill", detailColor)], text: detail)
        }
    }

    /// Bars for the recordings (`media`) or the logs, each in the first row where it clears the
    /// bars and labels before it, so overlapping recordings stack instead of hiding each other.
    /// Returns the lane's height and, for the recordings, where each id's bar went.
    func recordings(_ svg: inout SVGWriter, top: Double, media: Bool) -> (height: Double, rows: Int) {
        // A file without corrected times has no place on a time line (the report's finding names it).
        // Each bar is kept as its entry's index and place, not a copy of the entry and its label:
        // with 10,000 recordings the copies were the heap's peak at sealing (#11).
        let rowHeight = media ? 42.0 : 20.0
        var rowEnds: [Double] = []
        var placed: [(index: Int, row: Int, x0: Double, x1: Double)] = []
        var count = 0
        for (index, e) in r.recordings.enumerated() where e.isLog != media {
            guard let span = e.corrected else { continue }
            count += 1
            let x0 = x(span.startMs)
            let x1 = max(x(span.endMs), x0 + 3)
            let labelWidth = Self.textWidth(barLabel(e, span, media: media), 11)
            let right = max(x1, x0 + labelWidth) + 3
            let row = rowEnds.firstIndex { $0 <= x0 } ?? rowEnds.count
            if row == rowEnds.count { rowEnds.append(right) } else { rowEnds[row] = right }
            if !svg.isMeasuring { placed.append((index, row, x0, x1)) }
        }
        let height = max(1, Double(rowEnds.count)) * rowHeight + 12
        if svg.isMeasuring { return (height, rowEnds.count) }
        laneLabel(&svg, top: top, height: height, media ? "录像 Recordings" : "日志 Logs", media ? "\(count) files" : nil)
        for (index, row, x0, x1) in placed {
            let e = r.recordings[index]
            guard let span = e.corrected else { continue } // placed only with one
            let label = barLabel(e, span, media: media)
            let rowTop = top + 6 + Double(row) * rowHeight
            let barTop = media ? rowTop + 12 : rowTop + 2
            let barHeight = media ? 16.0 : 12.0
            let fill = e.quarantined ? Self.quarantine : media ? Self.colors[e.kind] ?? Self.otherKind : Self.logColor
            var attributes: [(String, String)] = [
                ("class", "bar " + (media ? "recording" : "log") + (e.quarantined ? " quarantined" : "") + (e.important ? " important" : "")),
                ("data-id", String(e.id)), ("data-kind", e.kind), ("x", SVGWriter.n(x0)), ("y", SVGWriter.n(barTop)),
                ("width", SVGWriter.n(x1 - x0)), ("height", SVGWriter.n(barHeight)), ("rx", "2"), ("fill", fill),
            ]
            // One stroke only (an attribute may appear once): hash trouble outranks importance.
            if e.quarantined || e.hash == "mismatch" || e.hash == "not-stored" {
                attributes += [("stroke", "#67000d"), ("stroke-width", "1.5")]
            } else if e.important {
                attributes += [("stroke", Self.importantColor), ("stroke-width", "2")]
            }
            svg.element("rect", attributes, children: "<title>" + SVGWriter.escape(tooltip(e)) + "</title>")
            if e.important { star(&svg, cx: x0 + 5, cy: rowTop + 5) }
            if media {
                svg.element("text", [("x", SVGWriter.n(x0)), ("y", SVGWriter.n(rowTop + 39)), ("font-size", "11"), ("fill", "#333333")], text: label)
            } else if x1 - x0 > Self.textWidth(label, 11) + 6 {
                svg.element("text", [("x", SVGWriter.n(x0 + 4)), ("y", SVGWriter.n(barTop + 10)), ("font-size", "11"), ("fill", "#ffffff")], text: label)
            } else {
                svg.element("text", [("x", SVGWriter.n(x1 + 3)), ("y", SVGWriter.n(barTop + 10)), ("font-size", "11"), ("fill", "#333333")], text: label)
            }
        }
        return (height, rowEnds.count)
    }

    /// The text beside a bar: the recording's sequence number or the log's kind, and where the
    /// file began for one that began before the axis.
    private func barLabel(_ e: Entry, _ span: TimeSpan, media: Bool) -> String {
        var label = media ? "#\(e.sequence)" : e.kind
        if span.startMs < axisStart {
            label = "← " + label + " from " + TextLayout.clock(span.startMs, zone: zone, fullDate: true).dropFirst(5).dropLast(3)
        }
        return label
    }

    private func tooltip(_ e: Entry) -> String {
        var s = "#\(e.sequence) \(e.kind) id \(e.id): " + (e.corrected.map { localTime($0.startMs) + "–" + localTime($0.endMs) } ?? "not corrected")
        if e.important { s += ", important" }
        if e.quarantined { s += ", quarantined" }
        s += ", hash " + e.hash
        return s
    }

    func localTime(_ ms: Int64) -> String { TextLayout.clock(ms, zone: zone) }

    /// Gaps (amber, darker when long) and overlaps (magenta) in one row, missing sequence
    /// numbers (red, with a dashed line up through the recordings lane) and the overlaps' labels
    /// in a second; overlaps are also shaded across the recordings lane.
    func gapsAndHoles(_ svg: inout SVGWriter, top: Double, recordingsTop: Double, recordingsBottom: Double) -> Double {
        let height = 70.0
        if svg.isMeasuring { return height }
        let holes = r.sequenceGaps.count
        laneLabel(&svg, top: top, height: height, "间隔 Gaps & holes",
                  "\(r.gaps.count) gap\(r.gaps.count == 1 ? "" : "s"), \(holes) hole\(holes == 1 ? "" : "s")",
                  detailColor: holes == 0 ? "#555555" : Self.holeColor)
        var labelEnd = -Double.infinity
        for g in r.gaps {
            let x0 = x(g.span.startMs), x1 = x(g.span.endMs)
            svg.element("rect", [("class", "gap"), ("data-after", String(g.afterRecording)), ("data-before", String(g.beforeRecording)),
                                 ("x", SVGWriter.n(x0)), ("y", SVGWriter.n(top + 8)), ("width", SVGWriter.n(max(x1 - x0, 1))),
                                 ("height", "18"), ("fill", g.long ? Self.longGapColor : Self.gapColor)])
            let label = TextLayout.duration(g.span.durationMs)
            let w = Self.textWidth(label, 11)
            let lx = (x0 + x1) / 2 - w / 2
            if w + 4 <= x1 - x0 && lx > labelEnd {
                svg.element("text", [("x", SVGWriter.n(lx)), ("y", SVGWriter.n(top + 21)), ("font-size", "11"), ("fill", "#4d2600")], text: label)
                labelEnd = lx + w + 4
            }
        }
        // Second row: markers with labels, placed left to right; a label that would run into the
        // one before it drops to a second line.
        var marks: [(x: Double, kind: String, label: String, draw: (inout SVGWriter) -> Void)] = []
        for o in r.overlaps {
            let x0 = x(o.span.startMs), x1 = max(x(o.span.endMs), x0 + 3)
            svg.element("rect", [("class", "overlap"), ("data-first", String(o.first)), ("data-second", String(o.second)),
                                 ("x", SVGWriter.n(x0)), ("y", SVGWriter.n(top + 6)), ("width", SVGWriter.n(x1 - x0)),
                                 ("height", "22"), ("fill", Self.overlapColor)])
            svg.element("rect", [("class", "overlap-band"), ("x", SVGWriter.n(x0)), ("y", SVGWriter.n(recordingsTop + 4)), ("width", SVGWriter.n(x1 - x0)),
                                 ("height", SVGWriter.n(recordingsBottom - recordingsTop - 8)), ("fill", Self.overlapColor), ("fill-opacity", "0.25")])
            marks.append((x0, "overlap", "重叠 overlap \(TextLayout.duration(o.span.durationMs)) (\(o.first)/\(o.second))", { _ in }))
        }
        let byId = r.recordingIndexById()
        for h in r.sequenceGaps {
            // A hole next to a file without corrected times is listed in the report, not drawn.
            guard let a = byId[h.afterRecording].flatMap({ r.recordings[$0].corrected }),
                  let b = byId[h.beforeRecording].flatMap({ r.recordings[$0].corrected }) else { continue }
            let cx = (x(a.endMs) + x(b.startMs)) / 2
            let label = h.count == 1 ? "缺号 #\(h.firstMissing)" : "缺号 #\(h.firstMissing)–\(h.lastMissing)"
            marks.append((cx, "hole", label, { svg in
                svg.element("line", [("class", "hole-line"), ("x1", SVGWriter.n(cx)), ("y1", SVGWriter.n(recordingsTop + 4)), ("x2", SVGWriter.n(cx)),
                                     ("y2", SVGWriter.n(top + 34)), ("stroke", Self.holeColor), ("stroke-width", "1.5"), ("stroke-dasharray", "4 3")])
                svg.element("path", [("class", "hole"), ("data-first", String(h.firstMissing)), ("data-last", String(h.lastMissing)),
                                     ("d", "M\(SVGWriter.n(cx - 7)) \(SVGWriter.n(top + 34))h14l-7 12z"), ("fill", Self.holeColor)])
            }))
        }
        // Hole triangles sit on the first label line; holes' labels go first, being the graver.
        var taken: [[(Double, Double)]] = [marks.filter { $0.kind == "hole" }.map { ($0.x - 7, $0.x + 7) }, []]
        for m in marks.sorted(by: { ($0.kind != "hole" ? 1 : 0, $0.x) < ($1.kind != "hole" ? 1 : 0, $1.x) }) {
            m.draw(&svg)
            let w = Self.textWidth(m.label, 12)
            let lx = min(m.x + 10, Self.plotRight - w)
            guard let line = taken.firstIndex(where: { $0.allSatisfy { lx + w + 3 <= $0.0 || lx >= $0.1 + 3 } }) else { continue }
            taken[line].append((lx, lx + w))
            let hole = m.kind == "hole"
            svg.element("text", [("x", SVGWriter.n(lx)), ("y", SVGWriter.n(top + 45 + Double(line) * 14)), ("font-size", hole ? "12" : "11"),
                                 ("font-weight", hole ? "bold" : "normal"), ("fill", hole ? Self.holeColor : Self.overlapColor)], text: m.label)
        }
        return height
    }

    /// Where GPS fixes exist (green), over the recordings' spans (grey).
    func gps(_ svg: inout SVGWriter, top: Double) -> Double {
        let height = 40.0
        if svg.isMeasuring { return height }
        let share = r.gps.share.map { Fixed.text($0 * 100, 1) + "% of recording" } ?? "no recording time"
        laneLabel(&svg, top: top, height: height, "定位 GPS", share)
        for e in r.recordings where !e.isLog {
            guard let span = e.corrected else { continue }
            let x0 = x(span.startMs), x1 = max(x(span.endMs), x0 + 2)
            svg.element("rect", [("class", "gps-need"), ("x", SVGWriter.n(x0)), ("y", SVGWriter.n(top + 8)), ("width", SVGWriter.n(x1 - x0)),
                                 ("height", "24"), ("fill", "#d9d9d9")])
        }
        // Merge spans closer than a pixel: a day of sparse fixes would otherwise be thousands of rects.
        var merged: [(Double, Double)] = []
        for s in r.gps.spans where s.endMs >= axisStart && s.startMs <= axisEnd {
            let x0 = x(s.startMs), x1 = max(x(s.endMs), x0 + 1)
            if let last = merged.last, x0 <= last.1 + 1 { merged[merged.count - 1].1 = max(last.1, x1) } else { merged.append((x0, x1)) }
        }
        for (x0, x1) in merged {
            svg.element("rect", [("class", "gps-fix"), ("x", SVGWriter.n(x0)), ("y", SVGWriter.n(top + 14)), ("width", SVGWriter.n(x1 - x0)),
                                 ("height", "12"), ("fill", Self.gpsColor)])
        }
        return height
    }

    /// A small five-pointed star centred on (cx, cy): the important mark.
    func star(_ svg: inout SVGWriter, cx: Double, cy: Double) {
        var d = ""
        for k in 0..<10 {
            let radius = k % 2 == 0 ? 6.0 : 2.6
            let angle = Double(k) * Double.pi / 5 - Double.pi / 2
            d += (k == 0 ? "M" : "L") + SVGWriter.n(cx + radius * cos(angle)) + " " + SVGWriter.n(cy + radius * sin(angle))
        }
        svg.element("path", [("class", "important-mark"), ("d", d + "Z"), ("fill", Self.importantColor), ("stroke", "#8a6d00"), ("stroke-width", "0.6")])
    }

    /// Rough width of `s` at `size` px: CJK characters a full em, others about 0.6 em. Used only
    /// to keep labels from running into each other.
    static func textWidth(_ s: String, _ size: Double) -> Double {
        Double(TextLayout.width(s)) * size * 0.6 + Double(s.unicodeScalars.filter { TextLayout.width(String($0)) == 2 }.count) * size * -0.2
    }
}
