using PortAudit.Catalog;
using PortAudit.Tests.Builders;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Cli;

/// <summary>
/// What a user sees from the process for bad options and odd inputs: one line, exit code 2, and nothing read or
/// written; directories of captures; the flow record formats as Unix tools read them.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class InputAndOptionCommandTests : IDisposable
{
    private readonly ScratchDirectory _dir = new("portaudit-options");

    private static readonly byte[] Capture = ScratchDirectory.TwoFlows;

    private string Write(string name, byte[] bytes) => _dir.Write(name, bytes);

    private string Inventory => SharedData.InRepository("captures/lab.yaml");

    [Theory]
    [InlineData("--plot DIR", "portaudit: unknown option '--plot' for 'portaudit audit': did you mean --plots? (see 'portaudit audit --help')")]
    [InlineData("--udp-timeout abc", "portaudit: --udp-timeout: expected seconds above 0, at most 1000000000, not 'abc'")]
    [InlineData("--max-flows 2147483648", "portaudit: --max-flows: expected a whole number from 1 to 2147483647, not '2147483648'")]
    [InlineData("--tcp-timeout 1e12", "portaudit: --tcp-timeout: expected seconds above 0, at most 1000000000, not '1e12'")]
    [InlineData("--udp-timeout NaN", "portaudit: --udp-timeout: expected seconds above 0, at most 1000000000, not 'NaN'")]
    [InlineData("--log-zone CST=6", "portaudit: --log-zone CST=6: expected NAME=OFFSET, the offset as +HH:MM or -HH:MM (e.g. CST=-06:00)")]
    [InlineData("--log-zone CST=+15:00", "portaudit: --log-zone CST=+15:00: offset of 'CST' is not from -12:00 to +14:00")]
    [InlineData("--log-zone C-T=+01:00", "portaudit: --log-zone C-T=+01:00: zone name 'C-T' is not 2 to 5 letters, as a log writes it after its times")]
    [InlineData("--log-zone Mars/Olympus", "portaudit: --log-zone Mars/Olympus: not a time zone: expected an IANA name (e.g. Europe/Berlin, America/Chicago), UTC, or an offset as +HH:MM or -HH:MM")]
    [InlineData("--log-zone ../../etc/passwd", "portaudit: --log-zone ../../etc/passwd: not a time zone: expected an IANA name (e.g. Europe/Berlin, America/Chicago), UTC, or an offset as +HH:MM or -HH:MM")]
    [InlineData("--log-zone -13:00", "portaudit: --log-zone -13:00: offset is not from -12:00 to +14:00")]
    [InlineData("--log-zone UTC --log-zone +01:00", "portaudit: --log-zone: more than one zone for times that name none; give one")]
    public void ABadOptionIsOneLineAndExitTwoBeforeAnythingIsWritten(string option, string message)
    {
        string reports = Path.Combine(_dir.FullName, "reports");
        var result = CliProcess.Run($"audit \"{Write("a.pcap", Capture)}\" --inventory \"{Inventory}\" --out \"{reports}\" {option}");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(message, result.StandardError.TrimEnd('\n'));
        Assert.Equal("", result.StandardOutput);
        Assert.False(Directory.Exists(reports));
    }

    [Fact]
    public void AnUnreadableInputStopsTheAuditBeforeItsSummaryAndReports()
    {
        string reports = Path.Combine(_dir.FullName, "reports");
        string missing = Path.Combine(_dir.FullName, "missing.pcap");
        var result = CliProcess.Run($"audit \"{Write("a.pcap", Capture)}\" \"{missing}\" --inventory \"{Inventory}\" --out \"{reports}\"");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"portaudit: {missing}: cannot open: no such file", result.StandardError.Trim());
        Assert.Equal("", result.StandardOutput);
        Assert.False(Directory.Exists(reports));
    }

    [Fact]
    public void AnUnwritableLogFileExitsTwo()
    {
        var result = CliProcess.Run($"flows \"{Write("a.pcap", Capture)}\" --log-file \"{_dir.FullName}\"");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"portaudit: --log-file {_dir.FullName}: cannot write: it is a directory", result.StandardError.Trim());
        Assert.Equal("", result.StandardOutput);
    }

    [Fact]
    public void ADirectoryIsReadRecursivelyAndItsOtherFilesAreSkippedWithANote()
    {
        Write("captures/one.pcap", Capture);
        Write("captures/deeper/two.cap", new PcapBuilder().Add(Ethernet(Ipv4("10.0.0.7", "10.0.0.8", 17, Udp(40000, 53))), 2).Build());
        Write("captures/README.txt", "not a capture"u8.ToArray());
        var result = CliProcess.Run($"flows \"{Path.Combine(_dir.FullName, "captures")}\" --format csv");
        Assert.Equal(0, result.ExitCode);
        // A header and the flows of both files: two from one.pcap, one from two.cap.
        Assert.Equal(4, result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(",udp,10.0.0.7,40000,10.0.0.8,53,", result.StandardOutput);
        Assert.Contains("skipped 1 file(s) in the input directories that are not captures", result.StandardError);
        Assert.Contains("README.txt", result.StandardError);
    }

    [Fact]
    public void LinksToDirectoriesInsideADirectoryAreNotWalkedSoALoopEnds()
    {
        string captures = Path.GetDirectoryName(Write("captures/one.pcap", Capture))!;
        Directory.CreateDirectory(Path.Combine(captures, "deeper"));
        // Two links back up the tree made the walk branch at every level, reading one.pcap at each.
        Directory.CreateSymbolicLink(Path.Combine(captures, "loop"), captures);
        Directory.CreateSymbolicLink(Path.Combine(captures, "deeper", "up"), "..");
        string named = Path.Combine(_dir.FullName, "named");
        Directory.CreateSymbolicLink(named, captures);

        foreach (string input in new[] { captures, named })
        {
            var result = CliProcess.Run($"flows \"{input}\" --format csv", timeout: TimeSpan.FromSeconds(30));
            Assert.True(result.ExitCode == 0, result.StandardError);
            // A header and one.pcap's two flows, read once.
            Assert.Equal(3, result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
    }

    [Fact]
    public void EscapeSequencesInFileNamesReachTheTerminalEscaped()
    {
        // A log warning (the skipped file) and an input error (the damaged capture) both name a file with an escape sequence.
        Write("captures/note\u001b]0;owned\u0007.txt", "not a capture"u8.ToArray());
        Write("captures/cut\u001b[2J.pcap", Capture[..(Capture.Length - 7)]);
        var result = CliProcess.Run($"flows \"{Path.Combine(_dir.FullName, "captures")}\" --format csv");
        Assert.Equal(2, result.ExitCode);
        Assert.DoesNotContain('\u001b', result.StandardError);
        Assert.DoesNotContain('\u0007', result.StandardError);
        Assert.Contains("note\\u001B]0;owned\\u0007.txt", result.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("cut\\u001B[2J.pcap", result.StandardError, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void APipeNamedAsAFileIsReadNotCheckedAway()
    {
        // bash's <(...) is a pipe under /dev/fd: the check before the run must leave its data to the read.
        string dll = Path.Combine(AppContext.BaseDirectory, "portaudit.dll");
        var result = ExternalProgram.Run(ExternalProgram.Start("bash", ["-c", $"dotnet '{dll}' flows <(cat '{Write("a.pcap", Capture)}') --format csv"]),
            TimeSpan.FromSeconds(60));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(3, result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void RpcWithoutMappingsSaysSo()
    {
        var result = CliProcess.Run($"rpc \"{Write("a.pcap", Capture)}\"");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("no endpoint-mapper answer (ept_map, ept_lookup) in the input", result.StandardOutput.Trim());
    }

    [Fact]
    public void CsvHasLfLineEndsAndADurationColumn()
    {
        var result = CliProcess.Run($"flows \"{Write("a.pcap", Capture)}\" --format csv");
        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain('\r', result.StandardOutput);
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,start,end,duration,transport,", lines[0]);
        Assert.StartsWith("1,2023-11-14T22:13:20.000001Z,2023-11-14T22:13:20.500000Z,0.499999,tcp,", lines[1]);
    }

    [Fact]
    public void TsvHasAZeekHeaderThatAwkAndZeekCutRead()
    {
        string tsv = Write("flows.tsv", []);
        var result = CliProcess.Run($"flows \"{Write("a.pcap", Capture)}\" --format tsv --output \"{tsv}\"");
        Assert.Equal(0, result.ExitCode);
        var lines = File.ReadAllLines(tsv);
        Assert.Equal(@"#separator \x09", lines[0]);
        Assert.StartsWith("#fields\tid\tstart\tend\tduration\ttransport\tclient\tclientPort\tserver\tserverPort\t", lines.Single(l => l.StartsWith("#fields")));
        Assert.StartsWith("#types\tcount\ttime\ttime\tinterval\tstring\taddr\tport\taddr\tport\t", lines.Single(l => l.StartsWith("#types")));
        // Zeek's time: epoch seconds with six decimals, as conn.log's ts, which zeek-cut -d turns into dates.
        var first = lines.First(l => !l.StartsWith('#')).Split('\t');
        Assert.Matches(@"^\d{10}\.\d{6}$", first[1]);
        Assert.True(decimal.Parse(first[2], System.Globalization.CultureInfo.InvariantCulture) >= decimal.Parse(first[1], System.Globalization.CultureInfo.InvariantCulture));
        // zeek-cut picks columns by name; awk, as a zeek-cut user would write it without zeek-cut, by the #fields line.
        string cut = File.Exists("/usr/bin/zeek-cut") || File.Exists("/usr/local/zeek/bin/zeek-cut")
            ? $"zeek-cut server serverPort app < \"{tsv}\""
            : "awk -F'\\t' '/^#fields/ { for (i = 2; i <= NF; i++) col[$i] = i - 1; next } /^#/ { next } " +
              $"{{ print $col[\"server\"] \"\\t\" $col[\"serverPort\"] \"\\t\" $col[\"app\"] }}' \"{tsv}\"";
        var picked = ExternalProgram.Run(ExternalProgram.Start("bash", ["-c", cut]), TimeSpan.FromSeconds(30));
        Assert.Equal("10.0.0.2\t5061\t-\n10.0.0.4\t3478\t-\n", picked.StandardOutput);
    }

    [Fact]
    public void FilterAndWindowSelectFlowsOnRead()
    {
        var result = CliProcess.Run($"flows \"{Write("a.pcap", Capture)}\" --format csv --filter \"transport udp and net 10.0.0.0/24\" --since 2023-11-14T22:13:20.9Z");
        Assert.Equal(0, result.ExitCode);
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains(",udp,10.0.0.3,40000,10.0.0.4,3478,", lines[1]);
    }

    [SharedDataFact("flowdata")]
    public void A_zeek_log_on_standard_input_plain_or_gzipped_is_told_by_its_content()
    {
        // As Zeek's archives are piped: zcat conn.log.gz | portaudit flows -, or the .gz itself.
        byte[] log = File.ReadAllBytes(SharedData.Path("flowdata/zeek/ftp-ipv4/conn.log")!);
        var gz = new MemoryStream();
        using (var zip = new System.IO.Compression.GZipStream(gz, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true)) zip.Write(log);
        string? expected = null;
        foreach (var input in new[] { log, gz.ToArray() })
        {
            var result = CliProcess.Run("flows - --format csv", input);
            Assert.True(result.ExitCode == 0, result.StandardError);
            var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length > 2, result.StandardOutput);
            expected ??= result.StandardOutput;
            Assert.Equal(expected, result.StandardOutput);
        }
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_file_name_holding_an_escape_sequence_reaches_the_terminal_escaped()
    {
        // Issue 43: the raw ESC byte of such a name reached the terminal on stderr, where it retitles the window or recolours text.
        string name = "evil\u001b]0;pwned\u0007\u001b[31m.pcap";
        string damaged = Write(name, Capture[..^10]);
        string missing = Path.Combine(_dir.FullName, "gone\u001b[2J.pcap");

        foreach (var arguments in new[] { $"flows \"{damaged}\"", $"flows \"{missing}\"" })
        {
            var result = CliProcess.Run(arguments);

            Assert.Equal(2, result.ExitCode);
            Assert.DoesNotContain('\u001b', result.StandardError);
            Assert.DoesNotContain('\u0007', result.StandardError);
            Assert.Contains(arguments.Contains("evil") ? "evil" : "gone", result.StandardError);
        }
    }
}
