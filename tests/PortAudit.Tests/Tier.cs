namespace PortAudit.Tests;

/// <summary>
/// The test tiers, as xunit trait values: every test class carries exactly one, <c>[Trait(Tier.Name, Tier.Unit)]</c>,
/// so that <c>dotnet test --filter Tier=unit</c> runs the fast in-process tier and the other tiers can be picked or left out
/// by what they need. <see cref="TierTests"/> fails when a class has none, two, or a value not listed here.
/// </summary>
/// <remarks>
/// A class whose tests need different things takes the tier of its most demanding test, in the order
/// lab, live, browser, fuzz, store, cli, peer, unit; in-process tests are moved to a class of their own instead of being kept out of
/// the unit tier by one process-starting neighbour.
/// </remarks>
public static class Tier
{
    /// <summary>The trait name.</summary>
    public const string Name = "Tier";

    /// <summary>In process and fast: built inputs, the committed catalog, and small captures from ../shared read in process.</summary>
    public const string Unit = "unit";

    /// <summary>Runs a peer tool (tshark, capinfos) on what we wrote: needs the tool, and pays its start-up.</summary>
    public const string Peer = "peer";

    /// <summary>Starts the portaudit process (<see cref="Cli.CliProcess"/>), as a user or a script would.</summary>
    public const string Cli = "cli";

    /// <summary>A flow store in process: a PostgreSQL server of its own (initdb, pg_ctl in a temporary directory), or a DuckDB file.</summary>
    public const string Store = "store";

    /// <summary>Drives headless Chromium on a written page.</summary>
    public const string Browser = "browser";

    /// <summary>Captures live through libpcap on the loopback interface (root or CAP_NET_RAW).</summary>
    public const string Live = "live";

    /// <summary>Runs the network-namespace lab (tools/lab/lab.sh): root, namespaces and the lab's peers.</summary>
    public const string Lab = "lab";

    /// <summary>Runs the fuzz harness (tools/fuzz) in process on a fixed number of inputs: a smoke run of what can run for hours.</summary>
    public const string Fuzz = "fuzz";

    /// <summary>Every tier, the fast one first.</summary>
    public static readonly IReadOnlyList<string> All = [Unit, Peer, Cli, Store, Fuzz, Browser, Live, Lab];
}
