using System.CommandLine;
using PortAudit.Cli.Strict;
using PortAudit.Common;
using PortAudit.Report;
using PortAudit.Report.Records;
using PortAudit.Report.Text;

namespace PortAudit.Cli;

/// <summary>--format and --output: how and where a command writes its main result.</summary>
public sealed class OutputOptions
{
    /// <summary>The flow-record formats, as <c>flows</c> and <c>capture</c> offer them.</summary>
    public static OutputOptions ForFlows() => new(FlowRecordWriters.Formats, "json",
        "Output format: json (JSON Lines: one object per flow), csv, tsv (with a Zeek-style header, for zeek-cut and awk), table, " +
        "or parquet (Zeek's conn.log column names, for DuckDB, Spark or pandas; to a file or a pipe, docs/store.md).");

    /// <summary>Creates the options with the formats a command offers (names from <see cref="Choices.FormatAliases"/>'s set).</summary>
    public OutputOptions(string[] formats, string defaultFormat, string? formatHelp = null) =>
        Format = FormatOption(formats, defaultFormat, formatHelp);

    /// <summary>
    /// A --format (-f) option: the same names in every command (<c>table</c>, <c>json</c>, <c>csv</c>, <c>tsv</c>),
    /// the old names <c>text</c> and <c>jsonl</c> as aliases.
    /// </summary>
    public static Option<string> FormatOption(string[] formats, string defaultFormat, string? help = null) =>
        new Option<string>("--format", "-f")
        {
            Description = help ?? $"Output format: {Choices.Listing(formats)}.",
            DefaultValueFactory = _ => defaultFormat,
        }.OneOf(formats, Choices.FormatAliases);

    /// <summary>--format.</summary>
    public Option<string> Format { get; }

    /// <summary>--output.</summary>
    public Option<string?> Output { get; } = new("--output", "-o") { Description = "Write to this file instead of standard output." };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Format);
        command.Options.Add(Output);
    }

    /// <summary>True when --output names a file, rather than results going to standard output.</summary>
    public bool ToFile(ParseResult parse) => parse.GetValue(Output) is not null;

    /// <summary>Opens the destination --output names (standard output by default).</summary>
    public Stream OpenStream(ParseResult parse, CancellationToken abandon = default) => OutputStreams.Open(parse.GetValue(Output), abandon);

    /// <summary>Opens a flow-record writer in the chosen format.</summary>
    /// <exception cref="InputException">A binary format (parquet) would go to the terminal.</exception>
    public IFlowRecordWriter OpenFlowWriter(ParseResult parse, CancellationToken abandon = default)
    {
        string format = parse.GetValue(Format)!;
        // Binary bytes on a terminal are garbage at best and terminal commands at worst; a pipe or a file takes them.
        if (format == FlowRecordWriters.Parquet && parse.GetValue(Output) is null or "-" && !Console.IsOutputRedirected)
            throw new InputException("--format parquet writes a binary file: give one with -o FILE, or redirect standard output");
        return FlowRecordWriters.Create(format, OpenStream(parse, abandon), Tables(parse));
    }

    /// <summary>Lays out the table format for where --output goes: the terminal's width only when it is the terminal.</summary>
    public ListingRenderer Tables(ParseResult parse) => ConsoleTables.For(toStandardOutput: parse.GetValue(Output) is null or "-");
}
