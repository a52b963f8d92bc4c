/// The documented example scenario (`recorder-sim example`): four recorders of one traffic
/// police unit, back from a day shift, each on its own USB 2.0 bay. It is also the built-in
/// demo, and Docs/simulator.md walks through it.
public enum ExampleScenario {
    public static let json = #"""
{
  "schema": 1,
  "comment": "Four recorders back from a day shift. Sizes are small so the demo runs in seconds; raise them freely: content is generated, not stored.",
  "recorders": [
    {
      "identity": {
        "serial": "A100001", "model": "DSJ-SIM1", "firmware": "2.4.1",
        "officerNumber": "010001", "officerName": "张伟",
        "unitNumber": "110105000000", "unitName": "示范市公安局交通警察支队",
        "hardwareId": "SIM-0001"
      },
      "password": "000000",
      "port": "1-1.1",
      "clock": { "offsetSeconds": 2.4, "driftSecondsPerDay": 0.8, "zoneOffsetMinutes": 480 },
      "status": { "batteryPercent": 41, "storageTotal": "64GB", "temperatureCelsius": 33.5 },
      "link": "usb2",
      "recordings": [
        { "kind": "video", "path": "DCIM/100MEDIA/20261126_081502_0001.MP4", "size": "48MiB",
          "start": "2026-11-26T08:15:02+08:00", "sequence": 1 },
        { "kind": "video", "path": "DCIM/100MEDIA/20261126_093011_0002.MP4", "size": "32MiB",
          "start": "2026-11-26T09:30:11+08:00", "sequence": 2, "important": true },
        { "kind": "photo", "path": "DCIM/100MEDIA/20261126_094500_0003.JPG", "size": "3MiB",
          "start": "2026-11-26T09:45:00+08:00", "sequence": 3 },
        { "kind": "gps-log", "path": "GPS/20261126.NMEA",
          "gps": { "start": "2026-11-26T00:15:00Z", "seconds": 900, "lat": 39.9087, "lon": 116.3975, "talker": "GN" } },
        { "kind": "time-log", "path": "LOG/TIME.LOG",
          "events": [
            { "at": "2026-11-26T07:58:40+08:00", "type": "POWER_ON" },
            { "at": "2026-11-26T08:01:12+08:00", "type": "GNSS_SYNC", "detail": "correction_ms=-1180" }
          ] },
        { "kind": "event-log", "path": "LOG/EVENT.LOG",
          "events": [
            { "at": "2026-11-26T08:15:02+08:00", "type": "RECORD_START", "detail": "file=20261126_081502_0001.MP4" },
            { "at": "2026-11-26T08:23:05+08:00", "type": "RECORD_STOP", "detail": "file=20261126_081502_0001.MP4" },
            { "at": "2026-11-26T09:30:11+08:00", "type": "RECORD_START", "detail": "file=20261126_093011_0002.MP4" },
            { "at": "2026-11-26T09:31:02+08:00", "type": "MARK_IMPORTANT", "detail": "file=20261126_093011_0002.MP4" }
          ] }
      ]
    },
    {
      "identity": {
        "serial": "A100002", "model": "DSJ-SIM1", "firmware": "2.4.1",
        "officerNumber": "010002", "officerName": "李娜",
        "unitNumber": "110105000000", "unitName": "示范市公安局交通警察支队"
      },
      "password": "246810",
      "port": "1-1.2",
      "clock": { "offsetSeconds": -0.6, "driftSecondsPerDay": -0.3 },
      "recordings": [
        { "kind": "video", "path": "DCIM/100MEDIA/20261126_101500_0007.MP4", "size": "64MiB",
          "start": "2026-11-26T10:15:00+08:00", "sequence": 7 },
        { "kind": "audio", "path": "AUDIO/20261126_111000_0008.WAV", "size": "6MiB",
          "start": "2026-11-26T11:10:00+08:00", "sequence": 8 },
        { "kind": "gps-log", "path": "GPS/20261126.NMEA",
          "gps": { "start": "2026-11-26T02:15:00Z", "seconds": 600, "lat": 39.9151, "lon": 116.4040, "talker": "GB" } }
      ]
    },
    {
      "identity": {
        "serial": "A100003", "model": "DSJ-SIM2", "firmware": "3.0.0",
        "officerNumber": "010003", "officerName": "王强",
        "unitNumber": "110105000000", "unitName": "示范市公安局交通警察支队"
      },
      "password": "135791",
      "port": "1-1.3",
      "clock": { "offsetSeconds": 47.0, "driftSecondsPerDay": 5.2, "comment": "drifting: over the 3 s/day norm" },
      "recordings": [
        { "kind": "video", "path": "DCIM/100MEDIA/20261126_140000_0021.MP4", "size": "40MiB",
          "start": "2026-11-26T14:00:00+08:00", "sequence": 21 },
        { "kind": "video", "path": "DCIM/100MEDIA/20261126_150500_0023.MP4", "size": "24MiB",
          "start": "2026-11-26T15:05:00+08:00", "sequence": 23, "comment": "sequence 22 is missing" }
      ]
    },
    {
      "identity": {
        "serial": "A100004", "model": "DSJ-SIM1", "firmware": "2.4.1",
        "officerNumber": "010004", "officerName": "刘洋",
        "unitNumber": "110105000000", "unitName": "示范市公安局交通警察支队"
      },
      "password": "000000",
      "port": "1-1.4",
      "recordings": [
        { "kind": "video", "path": "DCIM/100MEDIA/20261126_161500_0031.MP4", "size": "56MiB",
          "start": "2026-11-26T16:15:00+08:00", "sequence": 31 },
        { "kind": "photo", "path": "DCIM/100MEDIA/20261126_162000_0032.JPG", "size": "2MiB",
          "start": "2026-11-26T16:20:00+08:00", "sequence": 32 }
      ]
    }
  ]
}
"""#
}
