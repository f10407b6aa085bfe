using PortAudit.Audit;

namespace PortAudit.Cli;

/// <summary>The --fail-on list: which finding kinds make an audit exit with code 1.</summary>
public static class FailOn
{
    /// <summary>The default: every kind that means the firewall and the documents disagree.</summary>
    public const string Default = "unexpected,mismatch,blocked,missing,policy-blocks-required,policy-bypass,policy-unjustified";

    // Short words for the command line; the report's kind names (protocol-mismatch...) are accepted too.
    private static readonly Dictionary<string, FindingKind> Words = new Dictionary<string, FindingKind>(StringComparer.OrdinalIgnoreCase)
    {
        ["mismatch"] = FindingKind.ProtocolMismatch,
        ["blocked"] = FindingKind.RequiredBlocked,
    }.Concat(FindingNames.AllKinds.Select(k => KeyValuePair.Create(k.Name(), k)))
     .ToDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Parses "unexpected,mismatch"; "none" or an empty text fails on nothing.</summary>
    /// <exception cref="InputException">A word is not a kind.</exception>
    public static IReadOnlyList<FindingKind> Parse(string text)
    {
        var kinds = new List<FindingKind>();
        foreach (var word in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (word.Equals("none", StringComparison.OrdinalIgnoreCase))
                continue;
            if (!Words.TryGetValue(word, out var kind))
                throw new InputException($"--fail-on: unknown kind '{word}' (expected unexpected, mismatch, blocked, missing, unmapped, policy-blocks-required, policy-bypass, policy-unjustified, policy-refused-allowed or none)");
            kinds.Add(kind);
        }
        return kinds;
    }
}
