import Settings
import Testing

/// The one argument parser: options anywhere, the last of a repeated option wins, what no one
/// asked for is refused by name.
@Suite struct ArgumentsTests {
    @Test func optionsBeforeAndAfterTheCommandAreTheSame() throws {
        for argv in [["--control-socket", "/s", "devices", "--json"], ["devices", "--json", "--control-socket", "/s"],
                     ["--json", "devices", "--control-socket", "/s"]] {
            var a = Arguments(argv)
            let command = a.command(valueOptions: ["--control-socket"])
            let socket = try a.option("--control-socket")
            let json = a.flag("--json")
            let rest = try a.positionals(min: 0, max: 0)
            #expect(command == "devices" && socket == "/s" && json && rest.isEmpty)
        }
    }

    @Test func theCommandIsNotTheValueOfAnOption() {
        var a = Arguments(["--store", "verify", "verify", "BAG"])
        let command = a.command(valueOptions: ["--store"])
        #expect(command == "verify" && a.rest == ["--store", "verify", "BAG"])
        var none = Arguments(["--json", "--store", "x"])
        let nothing = none.command(valueOptions: ["--store"])
        #expect(nothing == nil)
    }

    @Test func anUnknownOptionIsNamed() {
        var a = Arguments(["devices", "--bogus"])
        _ = a.command(valueOptions: [])
        do { _ = try a.positionals(min: 0, max: 0); Issue.record("accepted devices --bogus") } catch {
            #expect(error.description == "unknown option --bogus")
        }
        var b = Arguments(["--bogus"])
        do { _ = try b.positionals(min: 0, max: 0); Issue.record("accepted --bogus") } catch {
            #expect(error.description == "unknown option --bogus")
        }
    }

    @Test func aValueMustBeThere() {
        for argv in [["--store"], ["--store", "--json"]] {
            var a = Arguments(argv)
            do { _ = try a.option("--store"); Issue.record("accepted \(argv)") } catch {
                #expect(error.description == "--store needs a value")
            }
        }
    }

    @Test func theLastOfARepeatedOptionWinsAndARepeatableOneKeepsAll() throws {
        var a = Arguments(["--store", "a", "x", "--store", "b", "--replay", "1", "--replay", "2"])
        let store = try a.option("--store")
        let replays = try a.options("--replay")
        #expect(store == "b" && replays == ["1", "2"] && a.rest == ["x"])
    }

    @Test func anOptionalValueIsTakenOnlyWhenItIsNotAnOption() {
        var a = Arguments(["--simulate", "s.json", "--once"])
        let scenario = a.optionalValue("--simulate")
        #expect(scenario == .some("s.json"))
        var b = Arguments(["--simulate", "--once"])
        let bare = b.optionalValue("--simulate")
        #expect(bare == .some(nil) && b.rest == ["--once"])
        var c = Arguments(["--once"])
        let absent = c.optionalValue("--simulate")
        #expect(absent == nil)
    }

    @Test func positionalCountsAreChecked() throws {
        var few = Arguments([])
        do { _ = try few.positionals(min: 1, max: 1); Issue.record("accepted none") } catch {
            #expect(error.description == "missing argument")
        }
        var many = Arguments(["a", "b"])
        do { _ = try many.positionals(min: 1, max: 1); Issue.record("accepted two") } catch {
            #expect(error.description == "unexpected argument b")
        }
    }
}
