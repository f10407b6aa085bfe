using System.Globalization;
using System.Text.RegularExpressions;
using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Tests.Catalog.Seeds;

/// <summary>
/// KB294297's bullets: "• 80 - HTTP", "• IP Protocol 50 - ESP", "• UDP port 500 - ISAKMP",
/// "• 50, 51, UDP 500 - IPSec (...)", "• 1024 and higher - Dynamic RPC". Bare numbers in an
/// IPsec bullet are IP protocol numbers, as the bullets above them spell out.
/// </summary>
public sealed partial class MobileInformationServerBullets : LineSeedExtractor
{
    protected override string Title => "TCP/IP Ports Used by Microsoft Mobile Information Server";

    protected override IEnumerable<SeedRequirement> ExtractLine(string file, int number, string line)
    {
        if (Bullet().Match(line) is not { Success: true } bullet || !bullet.Groups["spec"].Value.Any(char.IsDigit))
            return [];
        string description = bullet.Groups["what"].Value;
        return bullet.Groups["spec"].Value.Split(", ").SelectMany(item => FromItem(file, number, line.Trim(), item, description));
    }

    private static IEnumerable<SeedRequirement> FromItem(string file, int line, string text, string item, string description)
    {
        var transports = SeedText.TransportsIn(item);
        if (item.EndsWith("and higher", StringComparison.Ordinal))
            return SeedText.Each(file, line, text, transports, new PortRange(Number(FirstNumber(), item), PortRange.MaxPort));
        int number = Number(LastNumber(), item);
        bool ipsec = description.Contains("IPSec", StringComparison.OrdinalIgnoreCase);
        if (item.StartsWith("IP Protocol", StringComparison.Ordinal) || (ipsec && item.All(char.IsDigit)))
            return [new SeedRequirement(file, line, text, SeedText.IpProtocol(number), new PortRange(0, 0))];
        return SeedText.Each(file, line, text, transports[0] is null ? SeedText.TransportsIn(description) : transports, new PortRange(number, number));
    }

    private static int Number(Regex pattern, string item) => int.Parse(pattern.Match(item).Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*•\s+(?<spec>.+?) - (?<what>.+)$")]
    private static partial Regex Bullet();

    [GeneratedRegex(@"\d+$")]
    private static partial Regex LastNumber();

    [GeneratedRegex(@"^\d+")]
    private static partial Regex FirstNumber();
}
