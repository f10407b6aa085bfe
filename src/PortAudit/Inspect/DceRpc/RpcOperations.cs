namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// Names of the DCE/RPC operations a security review asks about (replication, printer-driver loading, secure-channel
/// setup, coerced authentication, remote service and task creation, DCOM activation), by interface UUID and opnum,
/// from the [MS-*] specifications' "Methods in RPC Opnum Order" sections. Only numbers checked against the spec
/// text are listed; any other operation stays a number.
/// </summary>
public static class RpcOperations
{
    private static readonly Dictionary<(Guid, ushort), string> Names = new()
    {
        // [MS-DRSR] 4.1.
        [(new("e3514235-4b06-11d1-ab04-00c04fc2dcd2"), 0)] = "IDL_DRSBind",
        [(new("e3514235-4b06-11d1-ab04-00c04fc2dcd2"), 1)] = "IDL_DRSUnbind",
        [(new("e3514235-4b06-11d1-ab04-00c04fc2dcd2"), 3)] = "IDL_DRSGetNCChanges",
        [(new("e3514235-4b06-11d1-ab04-00c04fc2dcd2"), 12)] = "IDL_DRSCrackNames",
        [(new("e3514235-4b06-11d1-ab04-00c04fc2dcd2"), 13)] = "IDL_DRSWriteSPN",
        [(new("e3514235-4b06-11d1-ab04-00c04fc2dcd2"), 16)] = "IDL_DRSDomainControllerInfo",
        // [MS-RPRN] 3.1.4.
        [(new("12345678-1234-abcd-ef00-0123456789ab"), 1)] = "RpcOpenPrinter",
        [(new("12345678-1234-abcd-ef00-0123456789ab"), 65)] = "RpcRemoteFindFirstPrinterChangeNotificationEx",
        [(new("12345678-1234-abcd-ef00-0123456789ab"), 69)] = "RpcOpenPrinterEx",
        [(new("12345678-1234-abcd-ef00-0123456789ab"), 89)] = "RpcAddPrinterDriverEx",
        // [MS-NRPC] 3.5.4 and 3.5.4.4.
        [(new("12345678-1234-abcd-ef00-01234567cffb"), 4)] = "NetrServerReqChallenge",
        [(new("12345678-1234-abcd-ef00-01234567cffb"), 26)] = "NetrServerAuthenticate3",
        [(new("12345678-1234-abcd-ef00-01234567cffb"), 29)] = "NetrLogonGetDomainInfo",
        [(new("12345678-1234-abcd-ef00-01234567cffb"), 30)] = "NetrServerPasswordSet2",
        // [MS-EFSR] 3.1.4.2, on both of its interfaces.
        [(new("c681d488-d850-11d0-8c52-00c04fd90f7e"), 0)] = "EfsRpcOpenFileRaw",
        [(new("df1941c5-fe89-4e79-bf10-463657acf44d"), 0)] = "EfsRpcOpenFileRaw",
        [(new("c681d488-d850-11d0-8c52-00c04fd90f7e"), 4)] = "EfsRpcEncryptFileSrv",
        [(new("df1941c5-fe89-4e79-bf10-463657acf44d"), 4)] = "EfsRpcEncryptFileSrv",
        // [MS-DFSNM] 3.1.4.4.1, 3.1.4.4.2: the calls DFSCoerce makes the server authenticate with.
        [(new("4fc742e0-4a10-11cf-8273-00aa004ae673"), 12)] = "NetrDfsAddStdRoot",
        [(new("4fc742e0-4a10-11cf-8273-00aa004ae673"), 13)] = "NetrDfsRemoveStdRoot",
        // [MS-FSRVP] 3.1.4: the calls ShadowCoerce makes the server authenticate with.
        [(new("a8e0653c-2744-4389-a61d-7373df8b2292"), 8)] = "IsPathSupported",
        [(new("a8e0653c-2744-4389-a61d-7373df8b2292"), 9)] = "IsPathShadowCopied",
        // [MS-SCMR] 3.1.4.
        [(new("367abb81-9844-35f1-ad32-98f038001003"), 12)] = "RCreateServiceW",
        [(new("367abb81-9844-35f1-ad32-98f038001003"), 19)] = "RStartServiceW",
        // [MS-DCOM] 3.1.2.5.2.2 IRemoteSCMActivator.
        [(new("000001a0-0000-0000-c000-000000000046"), 3)] = "RemoteGetClassObject",
        [(new("000001a0-0000-0000-c000-000000000046"), 4)] = "RemoteCreateInstance",
        // [MS-TSCH] 3.2.5.4.
        [(new("86d35949-83c9-4044-b424-db363231fd0c"), 1)] = "SchRpcRegisterTask",
        // [MS-TSCH] 3.2.5.3.
        [(new("378e52b0-c0a9-11cf-822d-00aa0051e40f"), 0)] = "SASetAccountInformation",
        // [MS-SAMR] 3.1.5.1.1.
        [(new("12345778-1234-abcd-ef00-0123456789ac"), 64)] = "SamrConnect5",
        // [MS-LSAD] 3.1.4.4.1.
        [(new("12345778-1234-abcd-ef00-0123456789ab"), 44)] = "LsarOpenPolicy2",
    };

    /// <summary>Every operation of the table with its name.</summary>
    internal static IEnumerable<KeyValuePair<(Guid Uuid, ushort Opnum), string>> All => Names;

    /// <summary>The operation's name, or null when it is not in the table.</summary>
    public static string? Name(Guid uuid, ushort opnum) => Names.GetValueOrDefault((uuid, opnum));
}
