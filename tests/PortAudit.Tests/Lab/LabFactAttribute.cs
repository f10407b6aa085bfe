using System.Runtime.InteropServices;
using PortAudit.Common;
using PortAudit.Sources.Live;

namespace PortAudit.Tests.Lab;

/// <summary>
/// A test that runs tools/lab/lab.sh: root, network namespaces, libpcap and the lab's real peers. Skipped with
/// the reason shown when any of them is missing (tools/setup.sh installs the peers).
/// </summary>
public sealed class LabFactAttribute : FactAttribute
{
    /// <summary>The programs the lab runs, each with the Debian package that has it.</summary>
    private static readonly (string Program, string Package)[] Peers =
    [
        ("sipp", "sip-tester"), ("socat", "socat"), ("turnserver", "coturn"), ("turnutils_uclient", "coturn"),
        ("turnutils_stunclient", "coturn"), ("/usr/libexec/samba/samba-dcerpcd", "samba"), ("rpcclient", "smbclient"),
        ("dnsmasq", "dnsmasq-base"), ("dig", "bind9-dnsutils"), ("nft", "nftables"), ("curl", "curl"), ("openssl", "openssl"),
    ];

    private static readonly Lazy<string?> Unavailable = new(Probe);

    public LabFactAttribute()
    {
        if (Unavailable.Value is { } reason) Skip = $"lab unavailable: {reason}";
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "network namespaces are Linux's";
        if (GetEffectiveUserId() != 0) return "needs root (network namespaces, nftables, capture)";
        if (SharedData.RepositoryRoot is null) return "not run from a checkout (tools/lab/lab.sh not found)";
        if (!Succeeds("ip", "netns", "list")) return "'ip netns' is not available (apt-get install iproute2)";
        if (Missing(Peers) is { } missing) return missing;
        try
        {
            using var reader = LiveCaptureReader.Open(new LiveCaptureOptions { Interfaces = ["lo"], BufferSizeBytes = 1 << 20 }, default);
            return null;
        }
        catch (InputException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>Which of <paramref name="peers"/> are not installed, with the Debian package of each; null when all are.</summary>
    internal static string? Missing(IEnumerable<(string Program, string Package)> peers)
    {
        var missing = peers.Where(p => !Exists(p.Program)).Select(p => $"{p.Program} ({p.Package})").ToList();
        return missing.Count > 0 ? $"missing {string.Join(", ", missing)}: run tools/setup.sh" : null;
    }

    // A program on the PATH, or an absolute path, where "/*/" stands for any one directory (a versioned folder).
    private static bool Exists(string path)
    {
        if (!path.StartsWith('/')) return Sources.Live.Programs.Find(path) is not null;
        int any = path.IndexOf("/*/", StringComparison.Ordinal);
        if (any < 0) return Path.Exists(path);
        string parent = path[..any], rest = path[(any + 3)..];
        return Directory.Exists(parent) && Directory.EnumerateDirectories(parent).Any(d => Path.Exists(Path.Combine(d, rest)));
    }

    private static bool Succeeds(string program, params string[] arguments)
    {
        try
        {
            return ExternalProgram.Run(ExternalProgram.Start(program, arguments), TimeSpan.FromSeconds(10)).ExitCode == 0;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or TimeoutException)
        {
            return false;
        }
    }
}
