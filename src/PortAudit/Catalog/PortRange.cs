using System.Globalization;

namespace PortAudit.Catalog;

/// <summary>
/// An inclusive range of TCP or UDP ports; a single port is a range of one.
/// </summary>
public readonly record struct PortRange(int Low, int High)
{
    /// <summary>Lowest valid port. Port 0 is never a service port.</summary>
    public const int MinPort = 1;

    /// <summary>Highest valid port.</summary>
    public const int MaxPort = 65535;

    /// <summary>True when the range holds exactly one port.</summary>
    public bool IsSingle => Low == High;

    /// <summary>Number of ports in the range.</summary>
    public int Count => High - Low + 1;

    /// <summary>True when <paramref name="port"/> lies inside the range.</summary>
    public bool Contains(int port) => port >= Low && port <= High;

    /// <summary>True when every port of <paramref name="other"/> lies inside this range.</summary>
    public bool Contains(PortRange other) => other.Low >= Low && other.High <= High;

    /// <summary>
    /// Parses "5061" or "1024-65535". Returns an explanation instead of throwing because the
    /// loader reports every bad value of a catalog at once.
    /// </summary>
    public static bool TryParse(string text, out PortRange range, out string? problem)
    {
        range = default;
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length > 2)
        {
            problem = $"bad port range '{text}': expected LOW-HIGH";
            return false;
        }
        if (!TryParsePort(parts[0], text, out int low, out problem))
            return false;
        int high = low;
        if (parts.Length == 2 && !TryParsePort(parts[1], text, out high, out problem))
            return false;
        if (low > high)
        {
            problem = $"bad port range '{text}': {low} is above {high}";
            return false;
        }
        range = new PortRange(low, high);
        return true;
    }

    // "-1" split as a range is an empty low end, and "99999999999" a number too large for an int: both were "not a
    // number", the first quoting nothing.
    private static bool TryParsePort(string text, string whole, out int port, out string? problem)
    {
        problem = null;
        if (text.Length == 0)
        {
            port = 0;
            problem = $"bad port '{whole}': expected a port from {MinPort} to {MaxPort} or LOW-HIGH";
            return false;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port))
        {
            problem = text.All(char.IsAsciiDigit) ? $"bad port {text}: outside {MinPort}-{MaxPort}" : $"bad port '{text}': not a number";
            return false;
        }
        if (port < MinPort || port > MaxPort)
        {
            problem = $"bad port {port}: outside {MinPort}-{MaxPort}";
            return false;
        }
        return true;
    }

    /// <summary>"5061" or "1024-65535", the form rule files use.</summary>
    public override string ToString() =>
        IsSingle ? Low.ToString(CultureInfo.InvariantCulture) : $"{Low}-{High}";
}
