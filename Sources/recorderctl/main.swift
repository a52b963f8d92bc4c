// recorderctl: the technician's and custodian's tool. Thin: arguments, output, exit codes.
import Foundation
import Settings

/// Exit statuses, as fwupdmgr and friends use them.
enum Exit: Int32 {
    case ok = 0, failure = 1, nothingToDo = 2, notFound = 3, usage = 64
}

/// A command's outcome as text for people and an object for `--json`.
struct Output {
    var exit: Exit = .ok
    var lines: [String] = []
    var json: Any = [String: Any]()
}

/// One subcommand.
struct Command: Sendable {
    let name: String
    let synopsis: String
    let help: String
    let run: @Sendable (inout Arguments) throws -> Output
}

struct NotFound: Error, CustomStringConvertible { var description: String }

let commands: [Command] = [devicesCommand, infoCommand, filesCommand, diagnoseCommand, captureCommand, watchCommand, queueCommand, retryCommand, pruneCommand, refusalsCommand, verifyCommand, auditCommand, gpsCommand, reportCommand]

@MainActor func topHelp() -> String {
    var text = "usage: recorderctl [OPTIONS] COMMAND [OPTIONS]\n\nCommands:\n"
    for c in commands { text += "  " + c.synopsis + "\n" }
    text += "  help COMMAND\n\nEvery command takes --json and --help; options may come before or after the command.\n"
    text += "Exit status: 0 ok, 1 failure, 2 nothing to do, 3 not found, 64 usage error.\n"
    return text
}

func emit(_ output: Output, json: Bool) -> Never {
    if json {
        let data = (try? JSONSerialization.data(withJSONObject: output.json, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    } else {
        for line in output.lines { print(line) }
    }
    exit(output.exit.rawValue)
}

func fail(_ message: String, _ code: Exit) -> Never {
    FileHandle.standardError.write(Data("recorderctl: \(message)\n".utf8))
    exit(code.rawValue)
}

/// The options of every command that take a value: options may come before the command, and
/// the command is the first argument that is neither an option nor such an option's value.
let valueOptions: Set<String> = ["--control-socket", "--store", "--config", "--since", "--svg", "--to", "--out",
                                 "--password", "--interval", "--count", "--front"]

let argv = Array(CommandLine.arguments.dropFirst())
guard !argv.isEmpty else { FileHandle.standardError.write(Data(topHelp().utf8)); exit(Exit.usage.rawValue) }
var arguments = Arguments(argv)
guard let name = arguments.command(valueOptions: valueOptions) else {
    if arguments.flag("--help") || arguments.flag("-h") { print(topHelp(), terminator: ""); exit(0) }
    fail("unknown command \(argv[0]) (see recorderctl --help)", .usage)
}
if name == "help" {
    guard let topic = arguments.command(valueOptions: valueOptions) else { print(topHelp(), terminator: ""); exit(0) }
    guard let c = commands.first(where: { $0.name == topic }) else { fail("no command \(topic) (see recorderctl --help)", .usage) }
    print(c.help)
    exit(0)
}
guard let command = commands.first(where: { $0.name == name }) else { fail("unknown command \(name) (see recorderctl --help)", .usage) }
if arguments.flag("--help") || arguments.flag("-h") { print(command.help); exit(0) }
let json = arguments.flag("--json")
do {
    let output = try command.run(&arguments)
    emit(output, json: json)
} catch let error as UsageError {
    fail("\(command.name): \(error) (see recorderctl help \(command.name))", .usage)
} catch let error as NotFound {
    fail("\(command.name): \(error)", .notFound)
} catch let error as ServiceDown {
    fail("\(command.name): \(error)", .failure)
} catch {
    fail("\(command.name): \(error)", .failure)
}
