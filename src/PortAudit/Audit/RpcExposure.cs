namespace PortAudit.Audit;

/// <summary>
/// The DCE/RPC interfaces and operations an attacker uses to take a domain or run code on a host, which a security
/// review wants explained by the roles of both ends wherever they appear: directory replication (DCSync), the Net Logon
/// secure channel (Zerologon), the account and policy databases, the print spooler (PrintNightmare), service control,
/// scheduled tasks, the registry, EFS (PetitPotam), DCOM activation and WMI. The list is a floor: any interface a rule
/// between the two ends lists is judged as well.
/// </summary>
public static class RpcExposure
{
    private static readonly HashSet<string> Sensitive = new(StringComparer.Ordinal)
    {
        "DRSUAPI", "NETLOGON", "SAMR", "LSARPC", "SPOOLSS", "IRemoteWinspool", "SVCCTL", "ATSVC", "ITaskSchedulerService",
        "WINREG", "ISystemActivator", "IActivation", "EFSRPC", "IWbemLevel1Login",
    };

    /// <summary>True when interface <paramref name="name"/> is one an attacker uses.</summary>
    public static bool IsSensitive(string? name) => name is not null && Sensitive.Contains(name);
}
