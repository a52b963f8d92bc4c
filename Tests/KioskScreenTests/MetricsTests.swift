import Foundation
import KioskScreen
import Testing

/// The metrics text: Prometheus's format, our names, values that cannot break a line.
@Suite struct MetricsTests {
    @Test func labelValuesAndHelpAreEscaped() {
        let family = MetricFamily("recorder_gateway_bay_info", .gauge, "line one\nback\\slash",
                                  [.init([("bay", "1-1"), ("serial", "A\"1\\\n")], 1)])
        #expect(family.text == """
        # HELP recorder_gateway_bay_info line one\\nback\\\\slash
        # TYPE recorder_gateway_bay_info gauge
        recorder_gateway_bay_info{bay="1-1",serial="A\\"1\\\\\\n"} 1

        """)
    }

    @Test func valuesAreWholeWhereTheyAreWhole() {
        let f = MetricFamily("x", .gauge, "h", [.init(3), .init(-0.25), .init(.nan), .init(.infinity), .init(-.infinity), .init(1e17), .init(9_007_199_254_740_991)])
        #expect(f.text.split(separator: "\n").dropFirst(2).map { String($0.split(separator: " ").last!) }
                == ["3", "-0.25", "NaN", "+Inf", "-Inf", "1e+17", "9007199254740991"])
    }

    static func input(forwarding: Bool) -> MetricsInput {
        var totals = MetricsInput.Totals()
        totals.docks = ["done": 3, "error": 1]
        totals.files = 7
        totals.verified = 6
        totals.quarantined = 1
        totals.released = 6
        totals.bytes = 123_456_789
        totals.anomalies = ["hash-mismatch": 2, "authentication-failed": 1]
        totals.lastAnomaly = ["hash-mismatch": Date(timeIntervalSince1970: 1_796_000_100), "authentication-failed": Date(timeIntervalSince1970: 1_796_000_200)]
        let now = Date(timeIntervalSince1970: 1_796_001_000)
        let bays = [
            BayView(bay: "Bay 3", serial: "A100001", officerNumber: "010001", officerName: nil, phase: "ingesting",
                    bytesDone: 1, bytesTotal: 2, started: now, ended: nil, note: "", clockOffsetMilliseconds: -1500),
            BayView(bay: "1-1.4", serial: nil, officerNumber: nil, officerName: nil, phase: "error",
                    bytesDone: 0, bytesTotal: 0, started: now, ended: now, note: "x", clockOffsetMilliseconds: nil),
        ]
        return MetricsInput(bays: bays, totals: totals,
                            forwardQueue: forwarding ? .init(bags: 2, bytes: 5000, failedObjects: 1, oldestWaitingSince: now.addingTimeInterval(-90)) : nil,
                            storeFreeBytes: 10_000, storeSizeBytes: 20_000, started: now.addingTimeInterval(-3600), now: now, version: "0.3.0")
    }

    @Test func theGatewaysFamiliesFollowTheConventions() {
        let families = GatewayMetrics.families(Self.input(forwarding: true))
        let names = families.map(\.name)
        #expect(Set(names).count == names.count)
        for f in families {
            #expect(f.name.hasPrefix("recorder_gateway_"))
            #expect(f.name.range(of: "^[a-z_]+$", options: .regularExpression) != nil, "\(f.name)")
            #expect((f.kind == .counter) == f.name.hasSuffix("_total"), "\(f.name)")
        }
        let text = MetricFamily.exposition(families)
        for line in [
            "recorder_gateway_bays{phase=\"ingesting\"} 1", "recorder_gateway_bays{phase=\"error\"} 1", "recorder_gateway_bays{phase=\"done\"} 0",
            "recorder_gateway_bay_clock_offset_seconds{bay=\"Bay 3\"} -1.5",
            "recorder_gateway_docks_total{result=\"done\"} 3", "recorder_gateway_docks_total{result=\"interrupted\"} 0",
            "recorder_gateway_recordings_total{outcome=\"quarantined\"} 1", "recorder_gateway_recordings_released_total 6",
            "recorder_gateway_ingested_bytes_total 123456789", "recorder_gateway_anomalies_total{code=\"hash-mismatch\"} 2",
            "recorder_gateway_anomaly_last_time_seconds{code=\"authentication-failed\"} 1796000200",
            "recorder_gateway_forward_queue_bags 2", "recorder_gateway_forward_queue_bytes 5000",
            "recorder_gateway_forward_oldest_waiting_seconds 90", "recorder_gateway_store_free_bytes 10000",
            "recorder_gateway_bay_info{bay=\"1-1.4\",serial=\"\",phase=\"error\"} 1",
        ] {
            #expect(text.contains("\n" + line + "\n"), "\(line)")
        }
        // The bay whose clock was not read has no offset series (absent, never 0).
        #expect(!text.contains("recorder_gateway_bay_clock_offset_seconds{bay=\"1-1.4\"}"))
        #expect(!MetricFamily.exposition(GatewayMetrics.families(Self.input(forwarding: false))).contains("forward_queue"))
    }
}
