namespace PortAudit.Tests.Cli;

/// <summary>
/// rpc and suggest-roles write nothing for an input they could not read whole (issue 43; issue 47: "suggest-roles and rpc
/// write output files before they fail"): they replaced a good previous file with an empty table or draft, and exited 2
/// after. Now the exit is 2 with the input named, the previous file as it was and nothing left beside it.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class UnreadableInputOutputTests : IDisposable
{
    private const string Previous = "the previous output\n";
    private readonly ScratchDirectory _dir = new("portaudit-unreadable");

    public void Dispose() => _dir.Dispose();

    // The input of each kind, by the name the error gives it.
    private string Input(string kind) => kind switch
    {
        "not a capture" => _dir.Write("in/notes.pcap", "not a capture, only text\n"u8.ToArray()),
        "truncated" => _dir.Write("in/cut.pcap", ScratchDirectory.TwoFlows[..^10]),
        _ => Path.Combine(_dir.FullName, "in", "missing.pcap"),
    };

    [Theory]
    [InlineData("rpc {0} -o {1}", "not a capture")]
    [InlineData("rpc {0} -o {1}", "truncated")]
    [InlineData("rpc {0} -o {1}", "missing")]
    [InlineData("suggest-roles {0} --catalog {2} --draft-inventory {1}", "not a capture")]
    [InlineData("suggest-roles {0} --catalog {2} --draft-inventory {1}", "truncated")]
    [InlineData("suggest-roles {0} --catalog {2} --draft-inventory {1}", "missing")]
    public void An_input_not_read_whole_leaves_the_previous_output_as_it_was(string arguments, string kind)
    {
        string input = Input(kind);
        string outDir = Path.Combine(_dir.FullName, "out");
        Directory.CreateDirectory(outDir);
        string output = Path.Combine(outDir, "result.txt");
        File.WriteAllText(output, Previous);

        var result = CliProcess.Run(string.Format(arguments, $"\"{input}\"", $"\"{output}\"", $"\"{SharedData.InRepository("rules")}\""));

        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}: {result.StandardError}");
        Assert.Contains($"portaudit: {input}: ", result.StandardError);
        Assert.DoesNotContain("   at ", result.StandardError);
        Assert.Equal(Previous, File.ReadAllText(output));
        Assert.Equal(["result.txt"], Directory.GetFiles(outDir).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("rpc {0}")]
    [InlineData("suggest-roles {0} --catalog {1} --format json")]
    public void An_input_not_read_whole_prints_no_result_on_standard_output(string arguments)
    {
        string input = Input("not a capture");

        var result = CliProcess.Run(string.Format(arguments, $"\"{input}\"", $"\"{SharedData.InRepository("rules")}\""));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"portaudit: {input}: byte 0: unknown format", result.StandardError);
        // Not an empty table or "[]" that a script would take for an answer.
        Assert.Equal("", result.StandardOutput);
    }
}
