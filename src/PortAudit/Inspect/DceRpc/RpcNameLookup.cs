using PortAudit.Sources.Records;

namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// The interfaces and operations of <see cref="RpcInterfaces"/> and <see cref="RpcOperations"/> by the names a flow record
/// gives them. Zeek's dce_rpc.log names an interface by its pipe-like name (drsuapi, netlogon, spoolss: ours in lower case)
/// and an operation by its IDL name without the <c>IDL_</c> prefix the [MS-DRSR] methods carry (DRSGetNCChanges); names
/// are compared without regard to case.
/// </summary>
public sealed class RpcNameLookup : IRpcNames
{
    // Zeek's names where they are not ours in another case.
    private static readonly (string Name, string Ours)[] Aliases =
    [
        ("epmapper", "EPM"), ("IRemoteSCMActivator", "ISystemActivator"), ("exchange_mapi", "EMSMDB"), ("exchange_rfr", "RFR"),
    ];

    /// <summary>The lookup of the built-in tables (after <see cref="Aliases"/>, which it reads as it is made).</summary>
    public static RpcNameLookup Instance { get; } = new();

    private readonly Dictionary<string, Guid> _interfaces = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<(Guid, string), ushort> _operations = new(new OperationComparer());

    private RpcNameLookup()
    {
        // The first UUID of a name stays: EFSRPC's two interfaces share their methods and Zeek names neither.
        foreach (var (uuid, name) in RpcInterfaces.All) _interfaces.TryAdd(name, uuid);
        foreach (var (name, ours) in Aliases)
            if (_interfaces.TryGetValue(ours, out var uuid)) _interfaces.TryAdd(name, uuid);
        foreach (var ((uuid, opnum), name) in RpcOperations.All)
            _operations.TryAdd((uuid, name.StartsWith("IDL_", StringComparison.Ordinal) ? name[4..] : name), opnum);
    }

    /// <inheritdoc />
    public bool TryInterface(string name, out Guid uuid) => _interfaces.TryGetValue(name, out uuid);

    /// <inheritdoc />
    public bool TryOperation(Guid uuid, string name, out ushort opnum) =>
        _operations.TryGetValue((uuid, name.StartsWith("IDL_", StringComparison.Ordinal) ? name[4..] : name), out opnum);

    private sealed class OperationComparer : IEqualityComparer<(Guid Uuid, string Name)>
    {
        public bool Equals((Guid Uuid, string Name) x, (Guid Uuid, string Name) y) =>
            x.Uuid == y.Uuid && string.Equals(x.Name, y.Name, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode((Guid Uuid, string Name) key) => HashCode.Combine(key.Uuid, StringComparer.OrdinalIgnoreCase.GetHashCode(key.Name));
    }
}
