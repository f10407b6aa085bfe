using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>A test that runs iptables-restore and ip6tables-restore, which need root; skipped with the reason otherwise.</summary>
public sealed class XtablesRestoreFactAttribute : FactAttribute
{
    public XtablesRestoreFactAttribute() =>
        Skip = RootTools.Unavailable("iptables and ip6tables", "iptables-restore --test", "apt-get install iptables", XtablesRestoreTests.Programs);
}

/// <summary>
/// The iptables and ip6tables output of a dual-stack policy, and of one with no rule, taken by the real tools
/// (<c>--test</c>: parsed and built, not committed).
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public sealed class XtablesRestoreTests
{
    internal static readonly string[] Programs = ["/usr/sbin/iptables-restore", "/usr/sbin/ip6tables-restore"];

    [XtablesRestoreFact]
    public void Iptables_and_ip6tables_output_pass_their_restore_tools_test()
    {
        foreach (var rules in new[] { PolicyEmitTests.DualStack(), [] })
        foreach (var (format, program) in new[] { ("iptables", Programs[0]), ("ip6tables", Programs[1]) })
        {
            string file = Path.GetTempFileName();
            try
            {
                File.WriteAllText(file, PolicyEmitter.Write(rules, format));
                var result = ExternalProgram.Run(ExternalProgram.Start(program, ["--test", file]), TimeSpan.FromSeconds(30));
                Assert.True(result.ExitCode == 0, $"{program} --test ({rules.Count} rules): {result.StandardError}");
            }
            finally
            {
                File.Delete(file);
            }
        }
    }
}
