import Evidence
import EvidenceStore
import Foundation
import Settings
import Timeline

let reportCommand = Command(
    name: "report",
    synopsis: "report BAG [--svg FILE]              the integrity report of a bag",
    help: """
    usage: recorderctl report BAG [--store DIR | --config FILE] [--svg FILE] [--json]

    Recomputes the integrity report of BAG from its custody record and its own GPS and time
    logs, exactly as the gateway did when it sealed the bag (report.txt, report.json and
    timeline.svg in the bag are that result): sequence-number holes (possible deletions before
    docking), overlapping recordings, gaps in the duty period, the device clock's drift against
    the 3 s/day norm, GPS coverage, important recordings, and missing or mismatched device
    hashes. --svg also writes the timeline picture. Exit 1 when the report has an alert,
    3 when BAG does not exist.
    """,
    run: { args in
        let layout = StoreLayout(root: try args.store())
        let svg = try args.option("--svg")
        let given = try args.positionals(min: 1, max: 1)[0]
        guard let bag = [given, layout.finalBag(given)].first(where: { FileManager.default.fileExists(atPath: $0 + "/custody.json") }) else {
            throw NotFound(description: "no bag with a custody.json at \(given) or \(layout.finalBag(given))")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: bag + "/custody.json"))
        var record = try CustodyRecord(json: data)
        let derived = SessionReport.derive(files: record.files) { path in
            FileManager.default.contents(atPath: bag + "/" + path).map { Array($0) }
        }
        let report = SessionReport.apply(to: &record, derived: derived)
        if let svg { try Data(report.timelineSVG().utf8).write(to: URL(fileURLWithPath: svg)) }
        var out = Output()
        let text = report.text()
        out.lines = [text.hasSuffix("\n") ? String(text.dropLast()) : text]
        out.json = (try? JSONSerialization.jsonObject(with: report.json())) ?? [:]
        if report.findings.contains(where: { $0.severity == .alert }) { out.exit = .failure }
        return out
    })
