namespace PortAudit.Audit;

/// <summary>
/// The DCE/RPC interfaces and operations an attacker uses to take a domain or run code on a host, which a security
/// review wants explained by the roles of both ends wherever they appear: directory replication (DCSync), the Net Logon
/// secure channel (Zerologon), the account and policy databases, the print spooler (PrintNightmare), service control,
/// scheduled tasks, the registry, the calls that coerce a server into authenticating to the caller's choice of host (EFS:
/// PetitPotam; DFS namespace management: DFSCoerce; the file server's shadow copies: ShadowCoerce), DCOM activation and WMI. The list is a floor: any interface a rule
/// between the two ends lists is judged as well.
/// </summary>
public static class RpcExposure
{
    private static readonly HashSet<string> Sensitive = new(StringComparer.Ordinal)
    {
        "DRSUAPI", "NETLOGON", "SAMR", "LSARPC", "SPOOLSS", "IRemoteWinspool", "SVCCTL", "ATSVC", "SASec", "ITaskSchedulerService",
        "WINREG", "ISystemActivator", "IActivation", "EFSRPC", "NETDFS", "FSRVP", "IWbemLevel1Login",
    };

    // What every DCOM call binds besides its object's own interface: the object exporter (OXID resolution) and the
    // remote IUnknown ([MS-DCOM] 3.1.2.5.1, 3.1.1.5.6). They come with any activation a rule allows.
    private static readonly HashSet<string> DcomPlumbing = new(StringComparer.Ordinal) { "IRemUnknown", "IRemUnknown2", "IObjectExporter" };

    /// <summary>The endpoint mapper's own interface and DCOM's plumbing: bound by every RPC or DCOM client, never judged.</summary>
    public static bool IsPlumbing(string? name) => name is "EPM" or "MGMT" || IsDcomPlumbing(name);

    /// <summary>True for DCOM's plumbing interfaces, which a rule granting DCOM activation (ISystemActivator) carries.</summary>
    public static bool IsDcomPlumbing(string? name) => name is not null && DcomPlumbing.Contains(name);

    /// <summary>The interface of DCOM activation, on port 135 ([MS-DCOM] 3.1.2.5.2.3).</summary>
    public const string DcomActivation = "ISystemActivator";

    /// <summary>True when interface <paramref name="name"/> is one an attacker uses.</summary>
    public static bool IsSensitive(string? name) => name is not null && Sensitive.Contains(name);
}
