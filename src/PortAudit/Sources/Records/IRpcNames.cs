namespace PortAudit.Sources.Records;

/// <summary>
/// The DCE/RPC interfaces and operations by name, for a flow record that names them rather than giving their UUID and
/// opnum (Zeek's dce_rpc.log: <c>endpoint</c> drsuapi, <c>operation</c> DRSGetNCChanges). The tables of well-known
/// interfaces stay with the inspector that reads them (Inspect's DceRpc); the run hands their lookup to the sources.
/// What the tables do not name, Zeek writes <c>unknown-UUID</c> and <c>unknown-OPNUM</c>, which its reader reads itself.
/// </summary>
public interface IRpcNames
{
    /// <summary>The UUID of the interface named <paramref name="name"/> (as Zeek names it: drsuapi, netlogon, epmapper...).</summary>
    bool TryInterface(string name, out Guid uuid);

    /// <summary>The opnum of the operation named <paramref name="name"/> on interface <paramref name="uuid"/> (DRSGetNCChanges, NetrServerAuthenticate3...).</summary>
    bool TryOperation(Guid uuid, string name, out ushort opnum);
}
