using System.CommandLine;
using PortAudit.Cli;
using PortAudit.Cli.Strict;

namespace PortAudit.Tests.Cli;

/// <summary>
/// The command tree as the program builds it, parsed in process: every bad option is refused while parsing, with one
/// line naming it, so no command reads an input after a typo.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class OptionParsingTests
{
    private static readonly RootCommand Root = PortAuditCommand.Create();

    private static string? Error(string commandLine) => ParseErrors.Describe(Root.Parse(commandLine));

    [Theory]
    [InlineData("flows a.pcap --plot DIR", "unknown option '--plot' for 'portaudit flows'")]
    [InlineData("flows a.pcap --filter \"verdict unexpected\"", "--filter: verdict, rule, role and zone terms need an audit (portaudit audit); this command judges no flow")]
    [InlineData("rpc a.pcap --filter \"src role edge-server\"", "--filter: verdict, rule, role and zone terms need an audit")]
    [InlineData("flows a.pcap --filter \"port 53 or prot 5061\"", "--filter 'port 53 or prot 5061': column 12: unknown term 'prot' (expected host, net, port, portrange, transport, app, servername, state, verdict, rule, role, zone): did you mean port?")]
    [InlineData("audit a.pcap --inventory i.yaml --plot DIR", "unknown option '--plot' for 'portaudit audit': did you mean --plots?")]
    [InlineData("audit a.pcap --inventroy i.yaml", "unknown option '--inventroy' for 'portaudit audit': did you mean --inventory?")]
    [InlineData("catalog --bogus", "unknown option '--bogus' for 'portaudit catalog'")]
    [InlineData("rpc a.pcap --fromat json", "unknown option '--fromat' for 'portaudit rpc': did you mean --format?")]
    [InlineData("audti a.pcap", "unknown command 'audti' for 'portaudit': did you mean audit? (see 'portaudit --help')")]
    [InlineData("policy emt --format nft", "unknown command 'emt' for 'portaudit policy': did you mean emit?")]
    [InlineData("flows a.pcap --input-format zek", "--input-format: expected pcap, zeek, zeek-json, netfilter, asa, pfirewall, ipfix, netflow, nfdump-csv or parquet, not 'zek': did you mean zeek?")]
    [InlineData("policy emit --inventory i.yaml --format nftabels", "--format: expected nftables, iptables, ip6tables, asa or windows, not 'nftabels': did you mean nftables?")]
    public void AnUnknownOptionIsNamedNotReadAsACapture(string commandLine, string expected)
    {
        string? error = Error(commandLine);
        Assert.NotNull(error);
        Assert.StartsWith(expected, error);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void ALongFilterIsNamedByItsLengthAndQuotedFromItsFault()
    {
        // A script-made filter of 20,000 terms, the last one wrong: the message quotes where, not all 200 KB.
        string expression = string.Join(" or ", Enumerable.Range(1, 20_000).Select(p => $"port {p}")) + " or prot 5061";
        string? error = Error($"flows a.pcap --filter \"{expression}\"");
        Assert.Equal($"--filter ({expression.Length} characters): column {expression.Length - 8}, at 'prot 5061': unknown term 'prot' " +
            "(expected host, net, port, portrange, transport, app, servername, state, verdict, rule, role, zone): did you mean port?", error);
    }

    [Fact]
    public void PolicyEmitTakesNftablesOwnNameForItself()
    {
        var parse = Root.Parse("policy emit --inventory i.yaml --format nft");
        Assert.Null(ParseErrors.Describe(parse));
        Assert.Equal("nftables", parse.GetValue<string>("--format"));
    }

    [Theory]
    [InlineData("flows a.pcap --udp-timeout abc", "--udp-timeout: expected seconds above 0, at most 1000000000, not 'abc'")]
    [InlineData("flows a.pcap --udp-timeout NaN", "--udp-timeout: expected seconds above 0, at most 1000000000, not 'NaN'")]
    [InlineData("flows a.pcap --tcp-timeout 1e12", "--tcp-timeout: expected seconds above 0, at most 1000000000, not '1e12'")]
    [InlineData("flows a.pcap --tcp-timeout 0", "--tcp-timeout: expected seconds above 0, at most 1000000000, not '0'")]
    [InlineData("flows a.pcap --max-flows 2147483648", "--max-flows: expected a whole number from 1 to 2147483647, not '2147483648'")]
    [InlineData("flows a.pcap --max-flows 1.5", "--max-flows: expected a whole number from 1 to 2147483647, not '1.5'")]
    [InlineData("catalog --port 70000", "--port: expected a port from 1 to 65535, not '70000'")]
    [InlineData("suggest-roles a.pcap --top 0", "--top: expected a whole number from 1 to 2147483647, not '0'")]
    [InlineData("capture -i lo --duration -1 --packets 3", "--duration: expected seconds above 0, at most 1000000000, not '-1'")]
    [InlineData("capture -i lo --snaplen 300000", "--snaplen: expected a whole number from 1 to 262144, not '300000'")]
    [InlineData("flows a.pcap --format xml", "--format: expected json, csv, tsv, table or parquet, not 'xml'")]
    [InlineData("diff a.json b.json --format csv", "--format: expected table or json, not 'csv'")]
    [InlineData("flows a.pcap --log-format xml", "--log-format: expected text or json, not 'xml'")]
    [InlineData("audit a.pcap --inventory i.yaml --fail-on blokked", "--fail-on: unknown kind 'blokked' (expected a comma-separated list of required-blocked, protocol-mismatch, unexpected, missing, policy-blocks-required, policy-bypass, policy-unjustified, policy-refused-allowed, unmapped, rpc-interface, weak-protocol, anomalous or none)")]
    [InlineData("audit a.pcap --inventory i.yaml --min-span soon", "--min-span: expected seconds, or a number followed by s, m or h (e.g. 90m)")]
    public void ABadValueIsOneLineNamingTheOptionAndWhatItAccepts(string commandLine, string expected) =>
        Assert.Equal(expected, Error(commandLine));

    [Fact]
    public void GoodValuesParse()
    {
        Assert.Null(Error("flows a.pcap --udp-timeout 0.5 --tcp-timeout 86400 --max-flows 2147483647"));
        Assert.Null(Error("audit a.pcap --inventory i.yaml --fail-on required-blocked,protocol-mismatch,unmapped"));
        Assert.Null(Error("capture -i lo --duration 10 --write x.pcapng --rotate-size 0.5"));
        Assert.Null(Error("flows -"));
    }

    [Theory]
    [InlineData("flows a.pcap -f jsonl", "json")]
    [InlineData("flows a.pcap --format json", "json")]
    [InlineData("flows a.pcap --format text", "table")]
    [InlineData("suggest-roles a.pcap --format text", "table")]
    [InlineData("suggest-roles a.pcap --format table", "table")]
    [InlineData("catalog -f json", "json")]
    [InlineData("rpc a.pcap", "table")]
    [InlineData("flows a.pcap", "json")]
    public void FormatsHaveOneSetOfNamesWithTheOldNamesAsAliases(string commandLine, string format)
    {
        var parse = Root.Parse(commandLine);
        Assert.Empty(parse.Errors);
        var option = parse.CommandResult.Command.Options.OfType<Option<string>>().Single(o => o.Name == "--format");
        Assert.Equal(format, parse.GetValue(option));
    }

    [Fact]
    public void FailOnDefaultsToTheReportsKindNames() =>
        Assert.Equal("unexpected,protocol-mismatch,required-blocked,missing,policy-blocks-required,policy-bypass,policy-unjustified,rpc-interface,weak-protocol", FailOn.Default);

    [Fact]
    public void EveryShortFlagMeansOneOptionAcrossCommands()
    {
        var meanings = Commands(Root).SelectMany(c => c.Options)
            .SelectMany(o => o.Aliases.Where(a => a.Length == 2).Select(a => (Short: a, o.Name)))
            .GroupBy(p => p.Short)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Name).Distinct().ToArray());
        Assert.All(meanings, m => Assert.Single(m.Value));
        Assert.Equal("--interface", meanings["-i"][0]);
        Assert.Equal("--output", meanings["-o"][0]);
        Assert.Equal("--format", meanings["-f"][0]);
    }

    [Fact]
    public void EveryNumericOptionOfTheTreeIsParsedWithARange()
    {
        var numeric = Commands(Root).SelectMany(c => c.Options)
            .Where(o => o.ValueType is var t && (Nullable.GetUnderlyingType(t) ?? t) is var u && (u == typeof(int) || u == typeof(long) || u == typeof(double)))
            .ToList();
        Assert.NotEmpty(numeric);
        foreach (var option in numeric)
        {
            var command = Commands(Root).First(c => c.Options.Contains(option));
            string line = $"{UnknownOptions.CommandPath(command)["portaudit ".Length..]} {(command.Arguments.Count > 0 ? "x " : "")}{option.Name} NaN";
            Assert.Contains(Root.Parse(line).Errors, e => e.Message.StartsWith($"{option.Name}: expected", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void DistanceCountsATranspositionAsOneEdit()
    {
        Assert.Equal(1, PortAudit.Common.Spelling.Distance("--inventroy", "--inventory"));
        Assert.Equal(1, PortAudit.Common.Spelling.Distance("--plot", "--plots"));
    }

    private static IEnumerable<Command> Commands(Command command) => command.Subcommands.SelectMany(Commands).Prepend(command);
}
