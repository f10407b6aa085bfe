using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// Reads a firewall policy file in any supported format: named with <c>FILE:FORMAT</c>, or guessed from the content
/// (JSON with an "nftables" array, "*filter", "access-list", "netsh", "table ... {").
/// </summary>
public static class PolicyLoader
{
    /// <summary>The format names <c>--firewall FILE:FORMAT</c> takes.</summary>
    public static readonly IReadOnlyDictionary<string, PolicyFormat> FormatNames = new Dictionary<string, PolicyFormat>(StringComparer.OrdinalIgnoreCase)
    {
        ["nft-json"] = PolicyFormat.NftJson, ["nftables-json"] = PolicyFormat.NftJson, ["nft"] = PolicyFormat.NftText, ["nftables"] = PolicyFormat.NftText,
        ["iptables"] = PolicyFormat.Iptables, ["iptables-save"] = PolicyFormat.Iptables, ["asa"] = PolicyFormat.Asa,
        ["windows-json"] = PolicyFormat.WindowsJson, ["windows"] = PolicyFormat.WindowsJson, ["netsh"] = PolicyFormat.Netsh,
    };

    /// <summary>Largest ruleset read: 100,000 nftables rules are 6.5 MB; a real firewall's is far below this.</summary>
    public const long MaxFileBytes = 256L << 20;

    /// <summary>Longest line of a ruleset: as for flow records, 1 MiB (a rule of a large set fits many times over).</summary>
    public const int MaxLineLength = 1 << 20;

    /// <summary>
    /// Reads <paramref name="file"/>; <paramref name="format"/> null to guess it. The text is decoded strictly (UTF-8, or
    /// UTF-16 after its byte order mark) and held to <see cref="MaxFileBytes"/> and <see cref="MaxLineLength"/>.
    /// </summary>
    /// <exception cref="InputException">The file cannot be read, is too large, is not valid text, has a line too long, is empty, or its format is neither given nor recognisable.</exception>
    public static FirewallPolicy Load(string file, PolicyFormat? format = null, string? name = null)
    {
        string text = StrictText.Read(file, MaxFileBytes);
        StrictText.RequireLinesWithin(text, file, MaxLineLength);
        RequireText(text, file);
        return Parse(text, file, format ?? Guess(text) ?? throw new InputException(
            $"{file}: cannot tell the firewall format; name it as FILE:FORMAT ({string.Join(", ", FormatNames.Keys)})"), name);
    }

    /// <summary>
    /// Parses <paramref name="text"/> as <paramref name="format"/>; jumps that loop or go too deep are added to what was not
    /// understood (<see cref="JumpGraph"/>).
    /// </summary>
    /// <exception cref="InputException">The text is empty, or the parser refuses it.</exception>
    public static FirewallPolicy Parse(string text, string file, PolicyFormat format, string? name = null)
    {
        RequireText(text, file);
        return JumpGraph.Checked(Parsed(text, file, format, name));
    }

    // An empty listing is a failed export, not a firewall without rules: read as one it would allow everything.
    private static void RequireText(string text, string file)
    {
        if (text.AsSpan().Trim().IsEmpty) throw new InputException($"{file}: the ruleset file is empty (a firewall read from it would allow everything)");
    }

    private static FirewallPolicy Parsed(string text, string file, PolicyFormat format, string? name) => format switch
    {
        PolicyFormat.NftJson => NftJsonParser.Parse(text, file, name),
        PolicyFormat.NftText => NftTextParser.Parse(text, file, name),
        PolicyFormat.Iptables => IptablesSaveParser.Parse(text, file, name),
        PolicyFormat.Asa => AsaParser.Parse(text, file, name),
        PolicyFormat.WindowsJson => WindowsJsonParser.Parse(text, file, name),
        _ => NetshParser.Parse(text, file, name),
    };

    /// <summary>The format <paramref name="text"/> looks like, or null.</summary>
    public static PolicyFormat? Guess(string text)
    {
        string head = text.TrimStart();
        if (head.StartsWith('{') || head.StartsWith('['))
            return head.Contains("\"nftables\"", StringComparison.Ordinal) ? PolicyFormat.NftJson : PolicyFormat.WindowsJson;
        if (System.Text.RegularExpressions.Regex.IsMatch(text, @"(^|\n)(\*(filter|mangle|raw|nat|security)\s*\n|:INPUT )"))
            return PolicyFormat.Iptables;
        if (text.Contains("netsh advfirewall", StringComparison.OrdinalIgnoreCase) || text.Contains("Rule Name:", StringComparison.Ordinal))
            return PolicyFormat.Netsh;
        // An ASA's running configuration names its version on a line of its own; one with no access list (NAT and
        // objects only) is still the ASA's, which passes what security levels allow.
        if (text.Contains("access-list ", StringComparison.Ordinal)
            || System.Text.RegularExpressions.Regex.IsMatch(text, @"(^|\n)(ASA|PIX) Version \d")) return PolicyFormat.Asa;
        if (System.Text.RegularExpressions.Regex.IsMatch(text, @"(^|\n)\s*table\s+\S+(\s+\S+)?\s*\{")) return PolicyFormat.NftText;
        return null;
    }

    /// <summary>
    /// Reads a <c>--firewall</c> value: <c>[NAME=]FILE[:FORMAT]</c>. A suffix after the last ':' that is not a format
    /// name stays part of the file name.
    /// </summary>
    /// <exception cref="InputException">The file cannot be read or its format told.</exception>
    public static FirewallPolicy LoadSpec(string spec)
    {
        string? name = null;
        int eq = spec.IndexOf('=');
        if (eq > 0 && !File.Exists(spec)) { name = spec[..eq]; spec = spec[(eq + 1)..]; }
        PolicyFormat? format = null;
        int colon = spec.LastIndexOf(':');
        if (colon > 0 && FormatNames.TryGetValue(spec[(colon + 1)..], out var named))
        {
            format = named;
            spec = spec[..colon];
        }
        return Load(spec, format, name);
    }
}
