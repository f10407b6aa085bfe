using System.Globalization;
using PortAudit.Inspect.DceRpc;

namespace PortAudit.Catalog;

/// <summary>
/// A DCE/RPC interface a rule allows between its roles, and which of its operations: all of them, only those listed, or
/// all but those listed. Written in a rule's <c>interfaces</c> list as <c>NETLOGON</c>, <c>DRSUAPI only 0,1,12</c> or
/// <c>SPOOLSS except 89</c>, with the names of <see cref="RpcInterfaces"/>.
/// </summary>
/// <param name="Interface">The interface's name as <see cref="RpcInterfaces"/> gives it (DRSUAPI, SPOOLSS...).</param>
/// <param name="Only">The operations allowed, when the grant lists them; null for every operation but <paramref name="Except"/>.</param>
/// <param name="Except">Operations not allowed; empty for none.</param>
public sealed record RpcGrant(string Interface, IReadOnlyList<ushort>? Only, IReadOnlyList<ushort> Except)
{
    /// <summary>True when the grant allows operation <paramref name="opnum"/>.</summary>
    public bool Allows(ushort opnum) => (Only is null || Only.Contains(opnum)) && !Except.Contains(opnum);

    /// <summary>Reads one entry of a rule's <c>interfaces</c> list; false with the problem in words when it is not one.</summary>
    public static bool TryParse(string text, out RpcGrant grant, out string problem)
    {
        grant = null!;
        var words = text.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || !RpcInterfaces.IsName(words[0]))
        {
            problem = $"unknown RPC interface '{(words.Length == 0 ? text : words[0])}' (known: {string.Join(", ", RpcInterfaces.AllNames)})";
            return false;
        }
        if (words.Length == 1)
        {
            grant = new RpcGrant(words[0], null, []);
            problem = "";
            return true;
        }
        if (words.Length != 3 || words[1] is not ("only" or "except") || !TryOpnums(words[2], out var opnums))
        {
            problem = $"bad interface entry '{text}': NAME, 'NAME only 0,1,12' or 'NAME except 89'";
            return false;
        }
        grant = words[1] == "only" ? new RpcGrant(words[0], opnums, []) : new RpcGrant(words[0], null, opnums);
        problem = "";
        return true;
    }

    private static bool TryOpnums(string text, out ushort[] opnums)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        opnums = new ushort[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!ushort.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out opnums[i])) return false;
        return parts.Length > 0;
    }

    /// <inheritdoc />
    public override string ToString() =>
        Only is { } only ? $"{Interface} only {string.Join(",", only)}"
        : Except.Count > 0 ? $"{Interface} except {string.Join(",", Except)}" : Interface;
}
