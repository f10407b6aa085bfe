using System.Text.Json;
using PortAudit.Tests.Cli;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// <c>flows</c> reading a Parquet file as a flow-record source: the flows.parquet that <c>flows --format parquet</c>
/// wrote of a capture gives back that capture's flows on every field a record carries; a damaged file, a file without
/// the columns a flow needs and standard input are refused with exit 2 and a message naming the file.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class ParquetInputCommandTests : IDisposable
{
    // What a flow record carries: the capture's inspection detail (appDetail, DCE/RPC, ICMP errors) and the run's ids do not.
    private static readonly string[] Carried =
    [
        "start", "end", "transport", "client", "clientPort", "server", "serverPort", "communityId", "packetsToServer",
        "bytesToServer", "packetsToClient", "bytesToClient", "state", "app", "evidence", "icmpType", "icmpCode",
    ];

    private readonly ScratchDirectory _dir = new("portaudit-parquet-in-cli");

    private static string Lab(string name) => SharedData.InRepository($"captures/{name}");

    [Fact]
    public void Flows_of_a_flows_parquet_are_the_flows_of_its_capture()
    {
        string parquet = Path.Combine(_dir.FullName, "flows.parquet");
        Assert.Equal(0, CliProcess.Run($"flows \"{Lab("lab.pcapng")}\" --format parquet -o \"{parquet}\"").ExitCode);
        var original = Jsonl(CliProcess.Run($"flows \"{Lab("lab.pcapng")}\" --format jsonl"));
        var back = Jsonl(CliProcess.Run($"flows \"{parquet}\" --format jsonl"));
        var uids = ParquetFlowUids(parquet);

        Assert.NotEmpty(original);
        Assert.Equal(original.Count, back.Count);
        for (int i = 0; i < original.Count; i++)
        {
            foreach (var field in Carried)
                Assert.True(original[i].GetProperty(field).ToString() == back[i].GetProperty(field).ToString(),
                    $"flow {i + 1} {field}: {original[i].GetProperty(field)} became {back[i].GetProperty(field)}");
            // Start and end are each kept to the microsecond: the duration between them may move by one.
            Assert.InRange(back[i].GetProperty("duration").GetDouble() - original[i].GetProperty("duration").GetDouble(), -1.5e-6, 1.5e-6);
            Assert.Equal(uids[i], back[i].GetProperty("recordId").GetString());
        }
    }

    [Fact]
    public void Flows_help_lists_parquet_among_the_input_formats()
    {
        var result = CliProcess.Run("flows --help");
        Assert.Contains("parquet", result.StandardOutput + result.StandardError);
    }

    [Fact]
    public void A_cut_or_garbage_parquet_file_exits_2_naming_the_file()
    {
        byte[] whole = FlowsParquet();
        string cut = Path.Combine(_dir.FullName, "cut.parquet");
        File.WriteAllBytes(cut, whole[..1000]);
        string garbage = Path.Combine(_dir.FullName, "garbage.parquet");
        File.WriteAllText(garbage, "not parquet at all\n");
        AssertRefused($"flows \"{cut}\"", null, cut);
        AssertRefused($"flows \"{garbage}\" --input-format parquet", null, garbage);
    }

    [Fact]
    public void A_parquet_file_without_a_column_a_flow_needs_exits_2_naming_the_column()
    {
        string parquet = Path.Combine(_dir.FullName, "noproto.parquet");
        ZeekParquet.Sql($"COPY (SELECT 1.5::DOUBLE AS ts, '10.0.0.1' AS \"id.orig_h\", '10.0.0.2' AS \"id.resp_h\") TO '{ZeekParquet.Quote(parquet)}' (FORMAT parquet)");
        AssertRefused($"flows \"{parquet}\"", null, parquet, "'proto'");
    }

    [Fact]
    public void Parquet_on_standard_input_is_refused_clearly() =>
        AssertRefused("flows -", FlowsParquet(), "Parquet needs a file it can seek; write it to a file first");

    // Exit 2, every one of the words said, and no stack trace.
    private static void AssertRefused(string arguments, byte[]? standardInput, params string[] said)
    {
        var result = CliProcess.Run(arguments, standardInput);
        Assert.Equal(2, result.ExitCode);
        foreach (var words in said) Assert.Contains(words, result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError);
    }

    // The lab capture's flows.parquet, as `flows --format parquet` writes it.
    private byte[] FlowsParquet()
    {
        string parquet = Path.Combine(_dir.FullName, "lab.parquet");
        Assert.Equal(0, CliProcess.Run($"flows \"{Lab("lab.pcapng")}\" --format parquet -o \"{parquet}\"").ExitCode);
        return File.ReadAllBytes(parquet);
    }

    private static List<JsonElement> Jsonl(ExternalProgram.Result result)
    {
        Assert.True(result.ExitCode == 0, result.StandardError);
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
    }

    private static List<string?> ParquetFlowUids(string parquet) =>
        PortAudit.Tests.Report.Records.ParquetReaders.WithDuckDb(parquet, "select uid from read_parquet($path)").Select(r => (string?)r["uid"]).ToList();

    public void Dispose() => _dir.Dispose();
}
