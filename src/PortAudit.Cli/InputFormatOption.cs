using System.CommandLine;
using PortAudit.Cli.Strict;
using PortAudit.Flows;
using PortAudit.Sources;
using PortAudit.Sources.Records;

namespace PortAudit.Cli;

/// <summary>--input-format: the format of the inputs when their content should not decide it.</summary>
public sealed class InputFormatOption
{
    private readonly Option<string?> _format = new("--input-format")
    {
        Description = "Read every input as this format instead of detecting it by content: " + string.Join(", ", RecordFormats.AllNames) + ".",
    };

    /// <summary>Adds the option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        _format.OneOf([.. RecordFormats.AllNames]);
        command.Options.Add(_format);
    }

    /// <summary>The sources of <paramref name="paths"/>, as forced or detected.</summary>
    public IReadOnlyList<IFlowSource> Sources(ParseResult parse, IEnumerable<string> paths) =>
        RecordFileSource.Of(paths, parse.GetValue(_format) is { } name && RecordFormats.TryParse(name, out var format) ? format : null);
}
