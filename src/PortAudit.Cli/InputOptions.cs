using System.CommandLine;
using System.Globalization;
using PortAudit.Cli.Strict;
using PortAudit.Flows;
using PortAudit.Inspect.DceRpc;
using PortAudit.Sources;
using PortAudit.Sources.Records;

namespace PortAudit.Cli;

/// <summary>
/// How inputs are read: --input-format, when their content should not decide the format, and --log-zone, where a log's
/// times are: the zone of times that name none (a Windows firewall log's local time, RFC 3164 syslog, nfdump's CSV), and
/// the offsets of zone names a firewall log writes after its times that name several zones (CST, PST, IST...).
/// </summary>
public sealed class InputOptions
{
    private readonly Option<string?> _format = new("--input-format")
    {
        Description = "Read every input as this format instead of detecting it by content: " + string.Join(", ", RecordFormats.AllNames) + ".",
    };

    private readonly Option<string[]> _zones = new("--log-zone")
    {
        Description = "ZONE or NAME=OFFSET, repeatable. ZONE: the zone of log times that name none (a Windows firewall log, RFC 3164 " +
                      "syslog, nfdump's CSV), read as UTC without it: an IANA name (Europe/Berlin, with its summer time) or a fixed " +
                      "+HH:MM or -HH:MM. NAME=OFFSET: the offset from UTC of a zone name a Cisco ASA log writes after its times, for " +
                      "names of several zones (CST, CDT, PST, IST, KST, MSK), whose lines are otherwise rejected; e.g. --log-zone CST=-06:00.",
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
            if (r.Tokens.Count(t => !t.Value.Contains('=')) > 1)
                r.AddError("--log-zone: more than one zone for times that name none; give one");
        });
        command.Options.Add(_format);
        command.Options.Add(_zones);
    }

    /// <summary>The sources of <paramref name="paths"/>, as forced or detected.</summary>
    public IReadOnlyList<IFlowSource> Sources(ParseResult parse, IEnumerable<string> paths)
    {
        var tokens = parse.GetValue(_zones)!;
        var named = tokens.Where(t => t.Contains('=')).Select(text => TryNamedZone(text, out var zone) ? zone : throw new InvalidOperationException(text));
        var unnamed = tokens.Where(t => !t.Contains('=')).Select(text => TryZone(text, out var zone) ? zone : throw new InvalidOperationException(text)).LastOrDefault();
        return RecordFileSource.Of(paths, parse.GetValue(_format) is { } name && RecordFormats.TryParse(name, out var format) ? format : null,
            new LogTimeZones(named, unnamed), RpcNameLookup.Instance);
    }

    private static string? ZoneError(string text) =>
        !text.Contains('=') ? (TryZone(text, out _) ? null
            : TryOffset(text, out _) ? "offset is not from -12:00 to +14:00"
            : "not a time zone: expected an IANA name (e.g. Europe/Berlin, America/Chicago), UTC, or an offset as +HH:MM or -HH:MM")
        : TryNamedZone(text, out var zone) ? LogTimeZones.Invalid(zone.Name, zone.Offset)
        : "expected NAME=OFFSET, the offset as +HH:MM or -HH:MM (e.g. CST=-06:00)";

    // "Europe/Berlin" (the system's IANA database), "UTC", or a fixed "+01:00".
    private static bool TryZone(string text, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (TryOffset(text, out var offset))
        {
            if (!LogTimeZones.IsZoneOffset(offset)) return false;
            zone = TimeZoneInfo.CreateCustomTimeZone(text, offset, text, text);
            return true;
        }
        return TimeZoneInfo.TryFindSystemTimeZoneById(text, out zone!);
    }

    // "CST=-06:00", "IST=+05:30", "CET=+1".
    private static bool TryNamedZone(string text, out (string Name, TimeSpan Offset) zone)
    {
        zone = default;
        int equals = text.IndexOf('=');
        if (equals <= 0 || !TryOffset(text.AsSpan(equals + 1), out var offset)) return false;
        zone = (text[..equals], offset);
        return true;
    }

    // A sign, hours, and optionally minutes: "-06:00", "+05:30", "+1".
    private static bool TryOffset(ReadOnlySpan<char> offset, out TimeSpan value)
    {
        value = default;
        if (offset.Length < 2 || offset[0] is not ('+' or '-')) return false;
        int colon = offset.IndexOf(':');
        var hoursText = colon < 0 ? offset[1..] : offset[1..colon];
        int minutes = 0;
        if (hoursText.Length is < 1 or > 2 || !int.TryParse(hoursText, NumberStyles.None, CultureInfo.InvariantCulture, out int hours)
            || colon >= 0 && (offset.Length - colon - 1 != 2 || !int.TryParse(offset[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out minutes) || minutes > 59))
            return false;
        var span = new TimeSpan(hours, minutes, 0);
        value = offset[0] == '-' ? -span : span;
        return true;
    }
}
