namespace PortAudit.Cli;

/// <summary>Process exit codes that scripts can rely on.</summary>
public static class ExitCodes
{
    /// <summary>The run completed and found nothing the caller asked to fail on.</summary>
    public const int Ok = 0;

    /// <summary>The run completed and produced findings of a kind named by --fail-on.</summary>
    public const int Findings = 1;

    /// <summary>Bad input: a missing, unreadable or corrupt capture, catalog or inventory, or a bad argument.</summary>
    public const int BadInput = 2;
}
