using System.Globalization;
using PortAudit.Common;

namespace PortAudit.Catalog;

/// <summary>A port with an optional transport, as written on the command line: "135", "135/tcp".</summary>
public readonly record struct PortQuery(int Port, Transport? Transport)
{
    /// <summary>Parses "PORT" or "PORT/tcp" or "PORT/udp".</summary>
    public static bool TryParse(string text, out PortQuery query)
    {
        query = default;
        var parts = text.Split('/', 2);
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port < PortRange.MinPort || port > PortRange.MaxPort)
            return false;
        Transport? transport = null;
        if (parts.Length == 2)
        {
            if (!TransportNames.TryParse(parts[1], out var parsed) || parsed.Count != 1 || !TransportNames.HasPorts(parsed[0]))
                return false;
            transport = parsed[0];
        }
        query = new PortQuery(port, transport);
        return true;
    }

    /// <summary>"135/tcp" or "135".</summary>
    public override string ToString() =>
        Transport is { } t ? $"{Port}/{TransportNames.Name(t)}" : Port.ToString(CultureInfo.InvariantCulture);
}
