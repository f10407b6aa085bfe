namespace PortAudit.Inspect.DceRpc;

/// <summary>Names of well-known DCE/RPC interfaces by UUID ([MS-RPCE], [MS-DCOM], [MS-NRPC], [MS-SAMR] and the other [MS-*] specifications).</summary>
public static class RpcInterfaces
{
    /// <summary>The endpoint mapper (DCE 1.1 RPC, appendix O).</summary>
    public static readonly Guid EndpointMapper = new("e1af8308-5d1f-11c9-91a4-08002b14a0fa");

    private static readonly Dictionary<Guid, string> Names = new()
    {
        [EndpointMapper] = "EPM",
        [new("afa8bd80-7d8a-11c9-bef4-08002b102989")] = "MGMT",
        [new("e3514235-4b06-11d1-ab04-00c04fc2dcd2")] = "DRSUAPI",
        [new("12345678-1234-abcd-ef00-01234567cffb")] = "NETLOGON",
        [new("12345778-1234-abcd-ef00-0123456789ac")] = "SAMR",
        [new("12345778-1234-abcd-ef00-0123456789ab")] = "LSARPC",
        [new("3919286a-b10c-11d0-9ba8-00c04fd92ef5")] = "DSSETUP",
        [new("367abb81-9844-35f1-ad32-98f038001003")] = "SVCCTL",
        [new("12345678-1234-abcd-ef00-0123456789ab")] = "SPOOLSS",
        [new("76f03f96-cdfd-44fc-a22c-64950a001209")] = "IRemoteWinspool",
        [new("f5cc5a18-4264-101a-8c59-08002b2f8426")] = "NSPI",
        [new("a4f1db00-ca47-1067-b31f-00dd010662da")] = "EMSMDB",
        [new("5261574a-4572-206e-b268-6b199213b4e4")] = "AsyncEMSMDB",
        [new("1544f5e0-613c-11d1-93df-00c04fd7bd09")] = "RFR",
        [new("000001a0-0000-0000-c000-000000000046")] = "ISystemActivator",
        [new("00000143-0000-0000-c000-000000000046")] = "IRemUnknown2",
        [new("00000131-0000-0000-c000-000000000046")] = "IRemUnknown",
        [new("99fcfec4-5260-101b-bbcb-00aa0021347a")] = "IObjectExporter",
        [new("4d9f4ab8-7d1c-11cf-861e-0020af6e7c57")] = "IActivation",
        [new("338cd001-2244-31f1-aaaa-900038001003")] = "WINREG",
        [new("4b324fc8-1670-01d3-1278-5a47bf6ee188")] = "SRVSVC",
        [new("6bffd098-a112-3610-9833-46c3f87e345a")] = "WKSSVC",
        [new("82273fdc-e32a-18c3-3f78-827929dc23ea")] = "EVENTLOG",
        [new("f6beaff7-1e19-4fbb-9f8f-b89e2018337c")] = "EVENTLOG6",
        [new("1ff70682-0a51-30e8-076d-740be8cee98b")] = "ATSVC",
        // [MS-TSCH] 1.9: the task scheduler's account interface on \pipe\atsvc, which sets the credentials a task written
        // over SMB into the .JOB store runs under (3.2.5.3).
        [new("378e52b0-c0a9-11cf-822d-00aa0051e40f")] = "SASec",
        [new("86d35949-83c9-4044-b424-db363231fd0c")] = "ITaskSchedulerService",
        [new("c681d488-d850-11d0-8c52-00c04fd90f7e")] = "EFSRPC",
        // [MS-EFSR] 1.9: the same methods on \pipe\efsrpc.
        [new("df1941c5-fe89-4e79-bf10-463657acf44d")] = "EFSRPC",
        // [MS-DFSNM] 1.9: DFS namespace management on \pipe\netdfs, which no DFS client needs (referrals go over SMB).
        [new("4fc742e0-4a10-11cf-8273-00aa004ae673")] = "NETDFS",
        // [MS-FSRVP] 1.9: shadow copies of a file server's shares, on \pipe\FssagentRpc.
        [new("a8e0653c-2744-4389-a61d-7373df8b2292")] = "FSRVP",
        // [MS-FRS2] 2.1: DFS Replication.
        [new("897e2e5f-93f3-4376-9c9c-fd2277495c27")] = "DFSR",
        [new("50abc2a4-574d-40b3-9d66-ee4fd5fba076")] = "DNSSERVER",
        [new("91ae6020-9e3c-11cf-8d7c-00aa00c091be")] = "ICertPassage",
        [new("f309ad18-d86a-11d0-a075-00c04fb68820")] = "IWbemLevel1Login",
        [new("dea00001-6c97-11d1-8271-00a02442df7d")] = "PNIO-Device",
        [new("dea00002-6c97-11d1-8271-00a02442df7d")] = "PNIO-Controller",
        [new("dea00003-6c97-11d1-8271-00a02442df7d")] = "PNIO-Supervisor",
        [new("dea00004-6c97-11d1-8271-00a02442df7d")] = "PNIO-ParameterServer",
    };

    private static readonly HashSet<string> KnownNames = new(Names.Values, StringComparer.Ordinal);

    /// <summary>The interface's name, or null when it is not in the table.</summary>
    public static string? Name(Guid uuid) => Names.GetValueOrDefault(uuid);

    /// <summary>True when <paramref name="name"/> is the name of an interface of the table.</summary>
    public static bool IsName(string name) => KnownNames.Contains(name);

    /// <summary>Every interface of the table with its name.</summary>
    internal static IEnumerable<KeyValuePair<Guid, string>> All => Names;

    /// <summary>Every name of the table, sorted.</summary>
    public static IEnumerable<string> AllNames => KnownNames.Order(StringComparer.Ordinal);
}
