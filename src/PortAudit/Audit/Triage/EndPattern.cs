using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Audit.Triage;

/// <summary>The addresses and prefixes an inventory gives a host name; empty for names it does not hold.</summary>
public delegate IReadOnlyList<IpPrefix> HostPrefixes(string host);

/// <summary>
/// What a suppression's <c>client</c> or <c>server</c> names: a host (inventory name, or the address of an unnamed end
/// as reports write it), an address or prefix, or every host of a role (<c>role:ROLE</c>).
/// </summary>
public abstract record EndPattern
{
    /// <summary>The prefix that marks a role pattern.</summary>
    public const string RolePrefix = "role:";

    /// <summary>True when <paramref name="end"/> is one this pattern names.</summary>
    public abstract bool Matches(FindingEnd end, HostPrefixes hosts);

    /// <summary>
    /// Reads "role:ROLE", an address or prefix (anything <see cref="IpPrefix.TryParse"/> takes), or a host name.
    /// <paramref name="problem"/> says what is wrong with a role or prefix that cannot be read.
    /// </summary>
    public static EndPattern? Parse(string text, out string? problem)
    {
        problem = null;
        if (text.StartsWith(RolePrefix, StringComparison.Ordinal))
        {
            string role = text[RolePrefix.Length..];
            if (role.Length > 0) return new RolePattern(role);
            problem = $"'{text}': expected role:ROLE";
            return null;
        }
        // Host names never start with a digit or hold ':' in an inventory's kebab-case; addresses always do one or the other.
        if (text.Length > 0 && (char.IsAsciiDigit(text[0]) || text.Contains(':')))
            return IpPrefix.TryParse(text, out var prefix, out problem) ? new PrefixPattern(prefix) : null;
        return new HostPattern(text);
    }
}

/// <summary>One host by the name a report gives it.</summary>
/// <param name="Name">The host name.</param>
public sealed record HostPattern(string Name) : EndPattern
{
    /// <inheritdoc/>
    public override bool Matches(FindingEnd end, HostPrefixes hosts) => string.Equals(end.Host, Name, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>Every end with a role.</summary>
/// <param name="Role">The role id.</param>
public sealed record RolePattern(string Role) : EndPattern
{
    /// <inheritdoc/>
    public override bool Matches(FindingEnd end, HostPrefixes hosts) => end.Roles.Contains(Role, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override string ToString() => RolePrefix + Role;
}

/// <summary>
/// Every end inside a prefix: an unnamed end by its address, a named host when all its inventory prefixes lie inside
/// (a host group partly outside is not covered, so a suppression never reaches further than it says).
/// </summary>
/// <param name="Prefix">The address or prefix.</param>
public sealed record PrefixPattern(IpPrefix Prefix) : EndPattern
{
    /// <inheritdoc/>
    public override bool Matches(FindingEnd end, HostPrefixes hosts)
    {
        if (IpAddr.TryParse(end.Host, out var address)) return Prefix.Contains(address);
        var prefixes = hosts(end.Host);
        return prefixes.Count > 0 && prefixes.All(Prefix.Contains);
    }

    /// <inheritdoc/>
    public override string ToString() => Prefix.ToString();
}
