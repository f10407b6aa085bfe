using System.CommandLine;
using PortAudit.Audit;
using PortAudit.Common;

namespace PortAudit.Cli;

/// <summary>The --fail-on list: which finding kinds make an audit exit with code 1.</summary>
public static class FailOn
{
    /// <summary>The default: every kind that means the firewall and the documents disagree, by the report's names.</summary>
    public static readonly string Default = string.Join(',',
        new[] { FindingKind.Unexpected, FindingKind.ProtocolMismatch, FindingKind.RequiredBlocked, FindingKind.Missing,
                FindingKind.PolicyBlocksRequired, FindingKind.PolicyBypass, FindingKind.PolicyUnjustified, FindingKind.RpcInterface,
                FindingKind.WeakProtocol }.Select(k => k.Name()));

    // The report's kind names; "mismatch" and "blocked", the short words of earlier versions, still parse.
    private static readonly Dictionary<string, FindingKind> Words = new Dictionary<string, FindingKind>(StringComparer.OrdinalIgnoreCase)
    {
        ["mismatch"] = FindingKind.ProtocolMismatch,
        ["blocked"] = FindingKind.RequiredBlocked,
    }.Concat(FindingNames.AllKinds.Select(k => KeyValuePair.Create(k.Name(), k)))
     .ToDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly string Accepted = string.Join(", ", FindingNames.AllKinds.Select(k => k.Name())) + " or none";

    /// <summary>A fresh --fail-on option (an option belongs to one command), checked while parsing.</summary>
    public static Option<string> CreateOption(string purpose)
    {
        var option = new Option<string>("--fail-on")
        {
            Description = $"Comma-separated finding kinds whose {purpose} make the exit code 1: {Accepted}.",
            DefaultValueFactory = _ => Default,
            // A list, so the completions (one kind each) would misdescribe the value in the help's usage column.
            HelpName = "kinds",
        };
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && !TryParse(result.Tokens[0].Value, out _, out var word))
                result.AddError($"--fail-on: unknown kind '{word}' (expected a comma-separated list of {Accepted})");
        });
        option.CompletionSources.Add(FindingNames.AllKinds.Select(k => k.Name()).Append("none").ToArray());
        return option;
    }

    /// <summary>Parses "unexpected,protocol-mismatch"; "none" or an empty text fails on nothing.</summary>
    /// <exception cref="InputException">A word is not a kind.</exception>
    public static IReadOnlyList<FindingKind> Parse(string text) =>
        TryParse(text, out var kinds, out var word) ? kinds
            : throw new InputException($"--fail-on: unknown kind '{word}' (expected a comma-separated list of {Accepted})");

    private static bool TryParse(string text, out IReadOnlyList<FindingKind> kinds, out string? unknown)
    {
        var parsed = new List<FindingKind>();
        kinds = parsed;
        unknown = null;
        foreach (var word in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (word.Equals("none", StringComparison.OrdinalIgnoreCase)) continue;
            if (!Words.TryGetValue(word, out var kind))
            {
                unknown = word;
                return false;
            }
            parsed.Add(kind);
        }
        return true;
    }
}
