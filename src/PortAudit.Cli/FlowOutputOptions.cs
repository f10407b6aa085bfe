using System.CommandLine;
using PortAudit.Report;

namespace PortAudit.Cli;

/// <summary>Where and how flow records are written: the options every command that writes flows shares.</summary>
public sealed class FlowOutputOptions
{
    private readonly Option<string> _format = new("--format", "-f")
    {
        Description = "Output format: jsonl (one JSON object per line), csv, or table.",
        DefaultValueFactory = _ => "jsonl",
    };

    private readonly Option<string?> _output = new("--output", "-o") { Description = "Write to this file instead of standard output." };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        _format.AcceptOnlyFromAmong(FlowRecordWriters.Formats);
        command.Options.Add(_format);
        command.Options.Add(_output);
    }

    /// <summary>True when --output names a file, rather than flow records going to standard output.</summary>
    public bool ToFile(ParseResult parse) => parse.GetValue(_output) is not null;

    /// <summary>Opens the writer the options name.</summary>
    public IFlowRecordWriter Open(ParseResult parse) =>
        FlowRecordWriters.Create(parse.GetValue(_format)!, OutputStreams.Open(parse.GetValue(_output)));
}
