import Foundation
@testable import Timeline

/// A realistic duty day of officer 王强 (010003) with recorder A100003, Beijing time:
/// 11 recordings from 08:12 to 16:45 with sequence 106 missing, an audio file overlapping a
/// video by 2½ minutes, a 1 h 42 min lunch gap, GPS lost from 12:05 to 14:40, the video of
/// 11:15 quarantined after a hash mismatch, and a clock 2.6 s fast 12 h after its morning GNSS
/// sync: 5.2 s/day.
enum DutyDay {
    static let zone = 480
    static let hour: Int64 = 3_600_000

    /// UTC milliseconds of `HH:mm:ss` on 2026-11-26 in Beijing (`dayOffset` days later).
    static func beijing(_ clock: String, dayOffset: Int64 = 0) -> Int64 {
        let p = clock.split(separator: ":").map { Int64($0)! }
        return CivilTime.milliseconds(year: 2026, month: 11, day: 26, hour: p[0], minute: p[1], second: p[2], millisecond: 0)
            - 8 * hour + dayOffset * 24 * hour
    }

    /// The dock measured the clock at 18:30:00 Beijing time (gateway clock).
    static let measuredAt = beijing("18:30:00")
    static let dockOffsetMs = 2600.0

    static let timeLogText = """
    2026-11-25T18:40:00.000+08:00 TIME_SET old=2026-11-25T18:40:07.250+08:00 new=2026-11-25T18:40:00.000+08:00
    2026-11-25T18:41:30.000+08:00 POWER_OFF
    2026-11-26T06:28:12.000+08:00 POWER_ON
    2026-11-26T06:30:00.000+08:00 GNSS_SYNC correction_ms=-2560
    2026-11-26T18:20:05.000+08:00 POWER_OFF

    """

    static var timeLog: TimeLog { TimeLog(bytes: Array(timeLogText.utf8)) }

    static var clock: ClockModel {
        ClockModel(dockOffsetMs: dockOffsetMs, measuredAtUTCms: measuredAt, events: timeLog.events)
    }

    static func hash(_ n: Int) -> String { String(repeating: String(format: "%02x", n), count: 32) }

    static func media(_ id: UInt32, _ seq: UInt32, _ kind: String, _ start: String, _ end: String,
                      important: Bool = false, quarantined: Bool = false, deviceHash: String? = nil) -> Recording {
        let ext = ["video": "MP4", "audio": "WAV", "photo": "JPG"][kind] ?? "BIN"
        let name = "20261126_" + start.replacingOccurrences(of: ":", with: "") + String(format: "_%04d.", seq) + ext
        return Recording(id: id, kind: kind, sequence: seq, important: important, deviceStartMs: beijing(start), deviceEndMs: beijing(end),
                         size: UInt64(max(1, beijing(end) - beijing(start))) * 1000, deviceSha256: deviceHash ?? hash(Int(id)),
                         sha256: hash(Int(id)), verified: !quarantined, quarantined: quarantined, bagPath: "data/DCIM/" + name)
    }

    static var recordings: [Recording] {
        [
            media(1, 101, "video", "08:12:05", "08:24:40"),
            media(2, 102, "video", "08:58:10", "09:20:00", important: true),
            media(3, 103, "photo", "09:05:33", "09:05:33"),
            media(4, 104, "audio", "09:40:00", "10:05:00"),
            media(5, 105, "video", "10:02:30", "10:30:00"),
            media(6, 107, "video", "11:15:00", "11:48:00", quarantined: true, deviceHash: hash(0xEE)),
            media(7, 108, "video", "13:30:00", "14:05:00"),
            media(8, 109, "photo", "14:10:12", "14:10:12"),
            media(9, 110, "video", "14:32:00", "15:14:00", important: true),
            media(10, 111, "audio", "15:40:00", "15:55:00"),
            media(11, 112, "video", "16:20:00", "16:45:00"),
            Recording(id: 12, kind: "gps-log", sequence: 113, deviceStartMs: beijing("08:10:00"), deviceEndMs: beijing("16:50:00"),
                      size: 3_800_000, deviceSha256: hash(12), sha256: hash(12), verified: true, bagPath: "data/GPS/20261126.NMEA"),
            Recording(id: 13, kind: "time-log", sequence: 114, deviceStartMs: beijing("18:40:00", dayOffset: -1),
                      deviceEndMs: beijing("18:20:05"), size: UInt64(timeLogText.utf8.count), deviceSha256: nil,
                      sha256: hash(13), verified: true, bagPath: "data/LOG/TIME.LOG"),
        ]
    }

    /// One fix a second (GNSS time is true UTC) from 08:10 to 12:05 and from 14:40 to 16:50.
    static var fixes: [Int64] {
        Array(stride(from: beijing("08:10:00"), to: beijing("12:05:00"), by: 1000))
            + Array(stride(from: beijing("14:40:00"), to: beijing("16:50:00"), by: 1000))
    }

    static var dock: DockInfo {
        DockInfo(serial: "A100003", officerNumber: "010003", officerName: "王强", bay: "3",
                 startUTC: "2026-11-26T10:29:50.000Z", endUTC: "2026-11-26T10:41:12.000Z")
    }

    static var session: SessionInput {
        SessionInput(recordings: recordings, gpsFixTimesMs: fixes, clock: clock, dock: dock, deviceZoneOffsetMinutes: zone, timeLog: timeLog)
    }

    static var report: IntegrityReport { IntegrityReport(session: session) }
}
