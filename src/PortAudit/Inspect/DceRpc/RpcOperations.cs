namespace PortAudit.Inspect.DceRpc;

/// <summary>Names of the DCE/RPC operations a security review names, by interface and operation number ([MS-DRSR], [MS-RPRN]...).</summary>
public static class RpcOperations
{
    private static readonly Guid Drsuapi = new("e3514235-4b06-11d1-ab04-00c04fc2dcd2"), Spoolss = new("12345678-1234-abcd-ef00-0123456789ab");

    private static readonly Dictionary<(Guid, ushort), string> Names = new()
    {
        [(Drsuapi, 0)] = "IDL_DRSBind", [(Drsuapi, 1)] = "IDL_DRSUnbind", [(Drsuapi, 3)] = "IDL_DRSGetNCChanges", [(Drsuapi, 12)] = "IDL_DRSCrackNames",
        [(Spoolss, 89)] = "RpcAddPrinterDriverEx",
    };

    /// <summary>The operation's name, or null when the table does not know it.</summary>
    public static string? Name(Guid uuid, ushort opnum) => Names.GetValueOrDefault((uuid, opnum));
}
