using PortAudit.Audit;
using PortAudit.Audit.Triage;
using PortAudit.Common;

namespace PortAudit.Tests.Audit.Triage;

/// <summary>The suppression file: what it must hold, what each matcher matches, and expiry.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class SuppressionTests : IDisposable
{
    private static readonly DateOnly Today = new(2026, 11, 22);
    private readonly TriageFiles _files = new();

    public void Dispose() => _files.Dispose();

    private IReadOnlyList<Suppression> Load(string yaml) =>
        SuppressionLoader.Load(_files.Write("suppress.yaml", yaml), AuditFixture.Catalog);

    private SuppressionException LoadBroken(string yaml) =>
        Assert.Throws<SuppressionException>(() => Load(yaml));

    private Suppression One(string matchers, string expires = "2099-12-31") => Assert.Single(Load($"""
        suppressions:
          - {matchers}
            justification: accepted risk
            owner: netops
            expires: {expires}
        """));

    // A workstation (of the clients /22) to the DC on 8080, unexpected; and the DC's EPM never seen from any host.
    private static readonly Finding Unexpected = new(FindingKind.Unexpected, "clients", "dc01", ["workstation"], ["domain-controller"],
        "tcp", "8080", null, "no rule allows it");

    private static readonly Finding Missing = new(FindingKind.Missing, "*", "dc01", ["any"], ["domain-controller"],
        "tcp", "1024-65535", "rpc-dynamic", "never seen");

    private static readonly Finding Outsider = new(FindingKind.Unmapped, AuditFixture.Outsider, "dc01", [], ["domain-controller"],
        "udp", "389", null, "not in the inventory");

    private static readonly Dictionary<string, IReadOnlyList<IpPrefix>> Hosts = new()
    {
        ["clients"] = [Prefix("10.0.8.0/22")],
        ["dc01"] = [Prefix(AuditFixture.Dc)],
    };

    private static IpPrefix Prefix(string text) => IpPrefix.TryParse(text, out var prefix, out _) ? prefix : throw new FormatException(text);

    private static IReadOnlyList<IpPrefix> HostPrefixes(string host) => Hosts.GetValueOrDefault(host) ?? [];

    private static bool Matches(Suppression entry, Finding finding) => entry.Matches(FindingFacts.Of(finding), HostPrefixes);

    [Fact]
    public void EntryReadsEveryField()
    {
        var entry = Assert.Single(Load("""
            suppressions:
              - id: 0123456789ABCDEF
                kind: unexpected
                rule: web-admin
                client: role:workstation
                server: 10.0.1.0/24
                port: 8000-8080
                transport: TCP
                justification: admin page reached from the service desk
                owner: alice
                expires: 2027-03-31
            """));

        Assert.Equal("0123456789abcdef", entry.Id);
        Assert.Equal(FindingKind.Unexpected, entry.Kind);
        Assert.Equal("web-admin", entry.Rule);
        Assert.Equal(new RolePattern("workstation"), entry.Client);
        Assert.Equal(new PrefixPattern(Prefix("10.0.1.0/24")), entry.Server);
        Assert.Equal((8000, 8080), (entry.Port!.Value.Low, entry.Port.Value.High));
        Assert.Equal("tcp", entry.Transport);
        Assert.Equal(("admin page reached from the service desk", "alice", new DateOnly(2027, 3, 31)), (entry.Justification, entry.Owner, entry.Expires));
        Assert.EndsWith("suppress.yaml:2:5", entry.Source);
        Assert.Equal("id=0123456789abcdef kind=unexpected rule=web-admin client=role:workstation server=10.0.1.0/24 port=8000-8080 transport=tcp",
            entry.Describe());
    }

    [Fact]
    public void JustificationOwnerAndExpiryAreRequiredAndNamedWithTheirLine()
    {
        var ex = LoadBroken("""
            suppressions:
              - kind: missing
                owner: netops
                expires: 2027-01-01
              - kind: missing
                justification: accepted
                expires: 2027-01-01
              - kind: missing
                justification: accepted
                owner: netops
            """);

        string path = Path.Combine(_files.Root, "suppress.yaml");
        Assert.Equal(3, ex.ErrorCount);
        Assert.Equal([$"{path}:2:5: missing field 'justification'", $"{path}:5:5: missing field 'owner'", $"{path}:8:5: missing field 'expires'"],
            ex.Errors.Select(e => e.ToString()));
        Assert.StartsWith("invalid suppressions: 3 errors", ex.Message);
    }

    [Theory]
    [InlineData("justification: accepted\n    owner: netops\n    expires: 2027-01-01", "2:5", "entry matches every finding")]
    [InlineData("kind: missed\n    justification: j\n    owner: o\n    expires: 2027-01-01", "2:11", "unknown kind 'missed'")]
    [InlineData("rule: no-such-rule\n    justification: j\n    owner: o\n    expires: 2027-01-01", "2:11", "unknown rule 'no-such-rule'")]
    [InlineData("client: role:pbx\n    justification: j\n    owner: o\n    expires: 2027-01-01", "2:13", "client: unknown role 'pbx'")]
    [InlineData("server: 10.0.1.5/24\n    justification: j\n    owner: o\n    expires: 2027-01-01", "2:13", "server: ")]
    [InlineData("port: 70000\n    justification: j\n    owner: o\n    expires: 2027-01-01", "2:11", "port: ")]
    [InlineData("id: 12345\n    justification: j\n    owner: o\n    expires: 2027-01-01", "2:9", "bad id '12345'")]
    [InlineData("kind: missing\n    justification: j\n    owner: o\n    expires: 31.12.2027", "5:14", "expires: '31.12.2027' is not a date")]
    [InlineData("kind: missing\n    justification: j\n    owner: o\n    expires: 2027-01-01\n    reason: typo", "6:5", "unknown field 'reason'")]
    public void BadEntryIsRefusedAtItsPlace(string entry, string place, string problem)
    {
        var ex = LoadBroken($"suppressions:\n  - {entry}\n");

        var error = Assert.Single(ex.Errors);
        Assert.Equal(place, $"{error.Line}:{error.Column}");
        Assert.StartsWith(problem, error.Problem);
    }

    [Fact]
    public void MissingFileIsRefused()
    {
        var ex = Assert.Throws<SuppressionException>(() => SuppressionLoader.Load(Path.Combine(_files.Root, "none.yaml"), AuditFixture.Catalog));

        Assert.Contains("none.yaml:1:1: suppression file not found", ex.Message);
    }

    [Fact]
    public void ADirectoryIsRefusedAsOne()
    {
        var ex = Assert.Throws<SuppressionException>(() => SuppressionLoader.Load(_files.Root, AuditFixture.Catalog));

        Assert.Contains($"{_files.Root}:1:1: suppression file expected, found a directory", ex.Message);
    }

    [Theory]
    [InlineData("kind: unexpected", true, false, false)]
    [InlineData("kind: missing", false, true, false)]
    [InlineData("rule: rpc-dynamic", false, true, false)]
    [InlineData("client: clients", true, false, false)]
    [InlineData("client: role:workstation", true, false, false)]
    [InlineData("client: 10.0.8.0/21", true, false, false)]      // the whole /22 host group lies inside
    [InlineData("client: 10.0.8.0/23", false, false, false)]     // half of it does not
    [InlineData("client: 192.0.2.0/24", false, false, true)]     // an unnamed end, by its address
    [InlineData("client: 192.0.2.7", false, false, true)]
    [InlineData("server: dc01", true, true, true)]
    [InlineData("server: role:domain-controller", true, true, true)]
    [InlineData("server: 10.0.1.10", true, true, true)]
    [InlineData("port: 8080", true, false, false)]
    [InlineData("port: 1-1024", false, false, true)]
    [InlineData("port: 1024-65535", true, true, false)]           // a missing finding's range must lie inside
    [InlineData("port: 2000-65535", true, false, false)]
    [InlineData("transport: udp", false, false, true)]
    [InlineData("kind: unexpected\n    port: 389", false, false, false)] // every matcher must match
    public void EachMatcherSelectsItsFindings(string matchers, bool unexpected, bool missing, bool outsider)
    {
        var entry = One(matchers);

        Assert.Equal((unexpected, missing, outsider), (Matches(entry, Unexpected), Matches(entry, Missing), Matches(entry, Outsider)));
    }

    [Fact]
    public void IdMatchesThatFindingOnly()
    {
        var entry = One($"id: {Missing.Id.ToUpperInvariant()}");

        Assert.True(Matches(entry, Missing));
        Assert.False(Matches(entry, Unexpected));
    }

    [Fact]
    public void ExpiredEntrySuppressesNothingAndIsReported()
    {
        var entries = Load("""
            suppressions:
              - kind: unexpected
                justification: until the migration
                owner: alice
                expires: 2026-11-21
              - kind: missing
                justification: the capture point does not see the DC
                owner: netops
                expires: 2026-11-22
            """);

        var triage = FindingTriage.Apply([Unexpected, Missing], new TriageInputs(entries, "suppress.yaml", null), HostPrefixes, Today);

        Assert.Null(triage.SuppressionOf(Unexpected));
        Assert.Same(entries[1], triage.SuppressionOf(Missing));    // the last day still suppresses
        Assert.Equal([entries[0]], triage.Expired);
        Assert.Equal(1, triage.SuppressedCount);
    }
}
