using System.CommandLine;
using System.Globalization;
using PortAudit.Cli.Strict;
using PortAudit.Flows;
using PortAudit.Sources;
using PortAudit.Sources.Records;

namespace PortAudit.Cli;

/// <summary>
/// How inputs are read: --input-format, when their content should not decide the format, and --log-zone, the offsets
/// of zone names a firewall log writes after its times that name several zones (CST, PST, IST...).
/// </summary>
public sealed class InputOptions
{
    private readonly Option<string?> _format = new("--input-format")
    {
        Description = "Read every input as this format instead of detecting it by content: " + string.Join(", ", RecordFormats.AllNames) + ".",
    };

    private readonly Option<string[]> _zones = new("--log-zone")
    {
        Description = "NAME=OFFSET, repeatable: the offset from UTC of a zone name a Cisco ASA log writes after its times, for names " +
                      "of several zones (CST, CDT, PST, IST, KST, MSK), whose lines are otherwise rejected; e.g. --log-zone CST=-06:00.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        _format.OneOf([.. RecordFormats.AllNames]);
        _zones.Validators.Add(r =>
        {
            foreach (var token in r.Tokens)
                if (ZoneError(token.Value) is { } error) r.AddError($"--log-zone {token.Value}: {error}");
        });
        command.Options.Add(_format);
        command.Options.Add(_zones);
    }

    /// <summary>The sources of <paramref name="paths"/>, as forced or detected.</summary>
    public IReadOnlyList<IFlowSource> Sources(ParseResult parse, IEnumerable<string> paths) =>
        RecordFileSource.Of(paths, parse.GetValue(_format) is { } name && RecordFormats.TryParse(name, out var format) ? format : null,
            new TimeZoneAbbreviations(parse.GetValue(_zones)!.Select(text => TryZone(text, out var zone) ? zone : throw new InvalidOperationException(text))));

    private static string? ZoneError(string text) =>
        TryZone(text, out var zone) ? TimeZoneAbbreviations.Invalid(zone.Name, zone.Offset) : "expected NAME=OFFSET, the offset as +HH:MM or -HH:MM (e.g. CST=-06:00)";

    // "CST=-06:00", "IST=+05:30", "CET=+1": a sign, hours, and optionally minutes.
    private static bool TryZone(string text, out (string Name, TimeSpan Offset) zone)
    {
        zone = default;
        int equals = text.IndexOf('=');
        if (equals <= 0) return false;
        var offset = text.AsSpan(equals + 1);
        if (offset.Length < 2 || offset[0] is not ('+' or '-')) return false;
        int colon = offset.IndexOf(':');
        var hoursText = colon < 0 ? offset[1..] : offset[1..colon];
        int minutes = 0;
        if (hoursText.Length is < 1 or > 2 || !int.TryParse(hoursText, NumberStyles.None, CultureInfo.InvariantCulture, out int hours)
            || colon >= 0 && (offset.Length - colon - 1 != 2 || !int.TryParse(offset[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out minutes) || minutes > 59))
            return false;
        var span = new TimeSpan(hours, minutes, 0);
        zone = (text[..equals], offset[0] == '-' ? -span : span);
        return true;
    }
}
