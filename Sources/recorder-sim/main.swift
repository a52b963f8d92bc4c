// recorder-sim: the recorder simulator's command line. Thin: parsing and printing only; the
// simulator itself lives in the RecorderSimulator module.
import Foundation
import GatewayCrypto
import RecorderHAL
import RecorderSimulator
import Settings

let usage = """
usage: recorder-sim COMMAND [ARGS]

  example                     print the documented example scenario (four recorders)
  describe SCENARIO [--json]  each recorder's identity and catalog, with the SHA-256 of every
                              file as the simulator will serve it (computed from the scenario)
  demo [SCENARIO] [--json] [--window N] [--chunk BYTES]
                              dock every recorder on its simulated bay and pull, verify and
                              release every file through the gateway's driver, N READs of
                              BYTES in flight (default 8 of 1 MiB); exit 1 if any file did
                              not verify (default scenario: the example)
  content SCENARIO SERIAL ID  write one file's bytes, as the device serves them, to stdout
  serve SCENARIO --serial S [--keep-link]
                              be recorder S on stdin/stdout (length-prefixed USB transfers),
                              for harnesses that present it as a USB device (Tests/umockdev)
                              and for recorder-gatewayd --devices-out-of-process; a
                              mass-storage recorder answers one USB transfer request at a
                              time (Docs/simulator.md, "Devices in their own process")
  measure                     throughput of the primitives on this machine (CRC-32C, content
                              generation, SHA-256), one JSON object per line
  help                        this text

Scenario files are JSON; Docs/simulator.md documents the schema.
Exit status: 0 ok, 1 failure, 64 usage error, 65 invalid scenario.
"""

func fail(_ message: String, _ code: Int32) -> Never {
    FileHandle.standardError.write(Data(("recorder-sim: " + message + "\n").utf8))
    exit(code)
}

func loadScenario(_ path: String?) -> Scenario {
    do {
        if let path { return try Scenario(contentsOf: path) }
        return try Scenario(json: Data(ExampleScenario.json.utf8))
    } catch {
        fail("invalid scenario: \(error)", 65)
    }
}

var arguments = Arguments(Array(CommandLine.arguments.dropFirst()))
let json = arguments.flag("--json")
var driverOptions = DriverOptions()
/// Takes `--name N`, N a positive whole number, out of the arguments.
@MainActor func positiveOption(_ name: String) -> Int? {
    let text: String?
    do { text = try arguments.option(name) } catch { fail("\(name) needs a positive whole number", 64) }
    guard let text else { return nil }
    guard let v = Int(text), v > 0 else { fail("\(name) needs a positive whole number", 64) }
    return v
}
if let w = positiveOption("--window") { driverOptions.readWindow = w }
let keepLink = arguments.flag("--keep-link")
let serveSerial: String?
do { serveSerial = try arguments.option("--serial") } catch { fail("\(error)", 64) }
if let c = positiveOption("--chunk") { driverOptions.readChunkBytes = c }
if arguments.flag("--help") || arguments.flag("-h") { print(usage); exit(0) }
guard let command = arguments.rest.first else { FileHandle.standardError.write(Data((usage + "\n").utf8)); exit(64) }
let rest = Array(arguments.rest.dropFirst())
if let unknown = rest.first(where: { $0.hasPrefix("-") }) { fail("unknown option \(unknown) (see recorder-sim help)", 64) }

switch command {
case "help":
    print(usage)
case "example":
    guard rest.isEmpty else { fail("example takes no arguments", 64) }
    print(ExampleScenario.json)
case "describe":
    guard rest.count == 1 else { fail("describe needs one SCENARIO file", 64) }
    let description = ScenarioDescription(loadScenario(rest[0]))
    if json {
        FileHandle.standardOutput.write(description.json())
        print()
    } else {
        printDescription(description)
    }
case "demo":
    guard rest.count <= 1 else { fail("demo takes at most one SCENARIO file", 64) }
    exit(await runDemo(loadScenario(rest.first), json: json, options: driverOptions))
case "serve":
    guard rest.count == 1, let serial = serveSerial else { fail("serve needs SCENARIO --serial SERIAL", 64) }
    exit(await serve(loadScenario(rest[0]), serial: serial, keepLink: keepLink))
case "measure":
    guard rest.isEmpty else { fail("measure takes no arguments", 64) }
    measurePrimitives()
case "content":
    guard rest.count == 3, let id = UInt32(rest[2]) else { fail("content needs SCENARIO SERIAL ID", 64) }
    let scenario = loadScenario(rest[0])
    guard let r = scenario.recorders.first(where: { $0.identity.serial == rest[1] }) else {
        fail("no recorder with serial \(rest[1]) in \(rest[0])", 1)
    }
    guard r.recordings.contains(where: { $0.id == id }) else { fail("recorder \(rest[1]) has no recording \(id)", 1) }
    writeContent(r, id: id)
default:
    fail("unknown command \(command) (see recorder-sim help)", 64)
}
