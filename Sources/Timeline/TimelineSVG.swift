import Foundation

extension IntegrityReport {
    /// The session as a picture for `timeline.svg`, 1200 px wide: recordings as bars on a
    /// corrected-UTC time axis with hour ticks in the device's zone, and lanes for logs, gaps and
    /// holes, GPS coverage and the clock, a title, a legend and a footer.
    ///
    /// Guarantees: well-formed XML 1.0 whatever the device sent (text is escaped, characters
    /// XML forbids are replaced); exactly one `<rect class="bar …" data-id="ID">` per entry of
    /// `recordings`, nothing else has the class `bar`; fonts 11 px and up; deterministic bytes.
    public func timelineSVG() -> String {
        var svg = ""
        TimelinePicture(report: self).render { svg += $0 }
        return svg
    }

    /// `timelineSVG()` handed to `sink` in pieces of about 64 KiB, in order, drawn as it is
    /// written: the picture's text is never held whole.
    public func writeTimelineSVG(to sink: (Data) -> Void) {
        withoutActuallyEscaping(sink) { sink in
            TimelinePicture(report: self).render { sink(Data($0.utf8)) }
        }
    }
}

/// Lays out and draws the timeline picture; see `IntegrityReport.timelineSVG()`.
struct TimelinePicture {
    static let width = 1200.0
    static let plotLeft = 170.0
    static let plotRight = 1170.0
    static let font = "Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, DejaVu Sans, sans-serif"

    static let colors: [String: String] = ["video": "#1f77b4", "audio": "#9467bd", "photo": "#ff7f0e"]
    static let otherKind = "#7f7f7f", logColor = "#a6a6a6", quarantine = "#d62728", gapColor = "#fdd49e",
               longGapColor = "#fc8d59", overlapColor = "#e7298a", holeColor = "#b2182b", gpsColor = "#2ca02c",
               gnssColor = "#17becf", timeSetColor = "#8c564b", importantColor = "#f2b705", grid = "#dddddd"

    let r: IntegrityReport
    let zone: Int
    let axisStart: Int64
    let axisEnd: Int64

    init(report: IntegrityReport) {
        r = report
        zone = report.deviceZoneOffsetMinutes
        (axisStart, axisEnd) = Self.axisRange(report)
    }

    /// The span the axis shows: the recordings (or, without any, the logs; without those, the
    /// dock), widened to the dock measurement and sync points up to 6 h beyond them, padded by
    /// 10 min and rounded out to whole hours of the device's zone. At least one hour.
    static func axisRange(_ r: IntegrityReport) -> (Int64, Int64) {
        let hour: Int64 = 3_600_000, reach = 6 * hour
        let measured = TimeRange.clamp(r.clock.measuredAtUTCms)
        var lo: Int64, hi: Int64
        let spans = r.recordings.compactMap(\.corrected)
        if let duty = r.dutyPeriod {
            (lo, hi) = (duty.startMs, duty.endMs)
        } else if !spans.isEmpty {
            (lo, hi) = (spans.map(\.startMs).min()!, spans.map(\.endMs).max()!)
        } else {
            (lo, hi) = (measured, measured)
        }
        for t in [measured] + r.clock.syncPoints.map({ TimeRange.clamp($0.utcMs) }) {
            if t < lo && lo - t <= reach { lo = t }
            if t > hi && t - hi <= reach { hi = t }
        }
        lo -= 10 * 60_000
        hi += 10 * 60_000
        let shift = Int64(r.deviceZoneOffsetMinutes) * 60_000
        lo = floorDiv(lo + shift, hour) * hour - shift
        hi = -floorDiv(-(hi + shift), hour) * hour - shift
        if hi - lo < hour { hi = lo + hour }
        return (lo, hi)
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// The x of instant `t`, clamped to the plot.
    func x(_ t: Int64) -> Double {
        let f = (Double(t) - Double(axisStart)) / (Double(axisEnd) - Double(axisStart))
        return Self.plotLeft + min(max(f, 0), 1) * (Self.plotRight - Self.plotLeft)
    }

    /// Where the lanes begin and end and how tall the picture is: the drawing gone through once
    /// without keeping any text, each lane stopping once it knows its height.
    private func layout() -> (lanesTop: Double, lanesBottom: Double, height: Double) {
        var measuring = SVGWriter.measuring
        var y = 0.0
        let (lanesTop, lanesBottom) = drawLanes(&measuring, &y)
        return (lanesTop, lanesBottom, (y + 12).rounded())
    }

    /// The title, the lanes, the legend and the footer, from the top; `y` ends below the footer.
    private func drawLanes(_ svg: inout SVGWriter, _ y: inout Double) -> (top: Double, bottom: Double) {
        title(&svg, &y)
        let lanesTop = y + 26
        var lane = lanesTop
        let recordingsLane = recordings(&svg, top: lane, media: true); lane += recordingsLane.height
        let logsLane = recordings(&svg, top: lane, media: false); lane += logsLane.height
        lane += gapsAndHoles(&svg, top: lane, recordingsTop: lanesTop, recordingsBottom: lanesTop + recordingsLane.height)
        lane += gps(&svg, top: lane)
        lane += clockLane(&svg, top: lane)
        y = lane + 30
        legend(&svg, &y)
        footer(&svg, &y)
        return (lanesTop, lane)
    }

    /// The picture's text handed to `sink` in order: the head (which needs the height, hence
    /// the layout pass), the axis behind the lanes, the lanes, the end.
    func render(to sink: @escaping (String) -> Void) {
        let (lanesTop, lanesBottom, height) = layout()
        var svg = SVGWriter.flushing(to: sink)
        var head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        head += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(Self.width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(Self.width)) \(Int(height))\" font-family=\"\(SVGWriter.escape(Self.font))\" font-size=\"12\">\n"
        head += "<rect class=\"background\" x=\"0\" y=\"0\" width=\"\(Int(Self.width))\" height=\"\(Int(height))\" fill=\"#ffffff\"/>\n"
        svg.raw(head)
        axis(&svg, top: lanesTop, bottom: lanesBottom)
        var y = 0.0
        _ = drawLanes(&svg, &y)
        svg.raw("</svg>\n")
        svg.finish()
    }
}
