using System.Runtime.InteropServices;
using PortAudit.Catalog;
using PortAudit.Flows;

namespace PortAudit.Audit;

/// <summary>
/// What the capture point saw: which inventory hosts and zones had traffic, which of them talked to each other across
/// it, and over what span of time. A required flow that never showed is only evidence of a problem when the capture
/// point is on the path between its ends (it saw them talk) and the capture lasted long enough; otherwise the capture
/// simply could not have seen it. Memory grows with inventory entries and zones, not with flows or unknown addresses.
/// </summary>
public sealed class CaptureVisibility
{
    /// <summary>The default shortest span a capture needs before a required flow never seen counts as missing.</summary>
    /// <remarks>
    /// One hour: required flows that a deployment does not make on demand are periodic, and their periods run from
    /// minutes (DNS, SIP keep-alives and registrations, NTP) to about an hour (Lync's Central Management store
    /// replication, Group Policy's 90 ± 30 minute refresh). Shorter captures show what was used, not what is absent.
    /// </remarks>
    public static readonly TimeSpan DefaultMinimumSpan = TimeSpan.FromHours(1);

    private readonly HashSet<InventoryHost> _hosts = [];
    private readonly HashSet<string> _zones = new(StringComparer.Ordinal);
    // Unordered pairs of ends that talked, as keys "h:NAME" and "z:ZONE" (an unknown address counts as its zone), with the
    // first and last time they did; keys are made once per host and zone, so recording a flow allocates only when a
    // pair is new.
    private readonly Dictionary<(string, string), CoveredTime> _pairs = [];
    private readonly Dictionary<InventoryHost, string> _hostKeys = [];
    private readonly Dictionary<string, string> _zoneKeys = new(StringComparer.Ordinal);
    // The windows a flow widens, found once per pair of ends, since a flow's keys and notes depend on its ends alone.
    // Hashing the key strings of up to four pairs per flow was a third of judging a flow.
    private readonly EndsTable<CoveredTime[]> _byEnds;
    // Per input, not from the first packet of one to the last of another: captures of different days cover minutes.
    private readonly CoveredTime _covered = new();

    /// <summary>Nothing seen yet.</summary>
    public CaptureVisibility() => _byEnds = new(FirstTalk);

    /// <summary>Notes the ends of one audited flow and its times.</summary>
    public void Record(Flow flow, AuditEndpoint client, AuditEndpoint server)
    {
        var windows = _byEnds.Of(client, server);
        // A flow without a time shows that its ends talked, not for how long: it widens no window.
        if (!flow.HasTime) return;
        _covered.Add(flow.Input, flow.StartNs, flow.EndNs);
        foreach (var window in windows) window.Add(flow.Input, flow.StartNs, flow.EndNs);
    }

    // The first flow between two ends: notes them, and finds the windows of the pairs they make (host with host, each
    // host with the other end's zone, zone with zone).
    private CoveredTime[] FirstTalk(AuditEndpoint client, AuditEndpoint server)
    {
        Note(client);
        Note(server);
        string clientZone = ZoneKey(client.Zone), serverZone = ZoneKey(server.Zone);
        var windows = new List<CoveredTime>(4);
        if (client.Host is { } c && server.Host is { } s) windows.Add(Talk(Order(HostKey(c), HostKey(s))));
        if (client.Host is { } named) windows.Add(Talk(Order(HostKey(named), serverZone)));
        if (server.Host is { } listening) windows.Add(Talk(Order(clientZone, HostKey(listening))));
        windows.Add(Talk(Order(clientZone, serverZone)));
        return windows.ToArray();
    }

    private CoveredTime Talk((string, string) pair)
    {
        ref var window = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairs, pair, out _);
        return window ??= new CoveredTime();
    }

    private string HostKey(InventoryHost host)
    {
        if (!_hostKeys.TryGetValue(host, out var key)) _hostKeys[host] = key = "h:" + host.Name;
        return key;
    }

    private string ZoneKey(string zone)
    {
        if (!_zoneKeys.TryGetValue(zone, out var key)) _zoneKeys[zone] = key = "z:" + zone;
        return key;
    }

    private static (string, string) Order(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? (a, b) : (b, a);

    /// <summary>True when the two hosts talked across the capture point, either way, on any port.</summary>
    public bool SawTalk(InventoryHost a, InventoryHost b) => TalkSpan(a, b) is not null;

    /// <summary>True when <paramref name="host"/> talked with an end of <paramref name="zone"/>, either way.</summary>
    public bool SawTalk(InventoryHost host, string zone) => TalkSpan(host, zone) is not null;

    /// <summary>True when ends of the two zones talked, either way.</summary>
    public bool SawTalk(string zoneA, string zoneB) => TalkSpan(zoneA, zoneB) is not null;

    /// <summary>
    /// How long the capture watched the two hosts talk, either way, on any port: in each input, from the start of their
    /// first flow to the end of their last, joined over inputs (<see cref="CoveredTime"/>); null when they never did. A
    /// flow the deployment makes every so often between them is due only within this time: several short captures of
    /// different days span days, yet show each pair briefly, even a pair seen in all of them.
    /// </summary>
    public TimeSpan? TalkSpan(InventoryHost a, InventoryHost b) => Window(Order(HostKey(a), HostKey(b)));

    /// <summary>How long the capture watched <paramref name="host"/> talk with ends of <paramref name="zone"/>; null when it never did.</summary>
    public TimeSpan? TalkSpan(InventoryHost host, string zone) => Window(Order(HostKey(host), ZoneKey(zone)));

    /// <summary>How long the capture watched ends of the two zones talk; null when they never did.</summary>
    public TimeSpan? TalkSpan(string zoneA, string zoneB) => Window(Order(ZoneKey(zoneA), ZoneKey(zoneB)));

    private TimeSpan? Window((string, string) pair) =>
        _pairs.TryGetValue(pair, out var window) ? window.Covered : null;

    private void Note(AuditEndpoint end)
    {
        if (end.Host is { } host) _hosts.Add(host);
        _zones.Add(end.Zone);
    }

    /// <summary>
    /// The time the audited flows cover: per input, from its first packet to its last, joined as a union
    /// (<see cref="CoveredTime"/>); zero without flows. Not <see cref="LastNs"/> − <see cref="FirstNs"/>, which for
    /// captures of different days is mostly time nobody watched.
    /// </summary>
    public TimeSpan Span => _covered.Covered;

    /// <summary><see cref="Span"/> in nanoseconds.</summary>
    public long SpanNs => _covered.CoveredNs;

    /// <summary>First packet of any input, nanoseconds since the epoch; 0 without flows.</summary>
    public long FirstNs => _covered.FirstNs;

    /// <summary>Last packet of any input, nanoseconds since the epoch; 0 without flows.</summary>
    public long LastNs => _covered.LastNs;

    /// <summary>True when <paramref name="host"/> had traffic at this capture point.</summary>
    public bool Saw(InventoryHost host) => _hosts.Contains(host);

    /// <summary>Names of the inventory hosts with traffic, in <paramref name="inventory"/>'s order.</summary>
    public IReadOnlyList<string> HostsSeen(Inventory inventory) => inventory.Hosts.Where(_hosts.Contains).Select(h => h.Name).ToList();

    /// <summary>The zones with traffic, sorted.</summary>
    public IReadOnlyList<string> ZonesSeen => _zones.Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// True when some host a rule side stands for had traffic: a host of one of its roles, any named host for
    /// <c>any</c>, the zone for <c>any@ZONE</c>.
    /// </summary>
    public bool SawSide(RuleSide side, Inventory inventory)
    {
        foreach (var selector in side.Selectors)
        {
            if (RuleSide.ZoneOf(selector) is { } zone)
            {
                if (_zones.Contains(zone)) return true;
            }
            else if (selector == RuleSide.Any)
            {
                if (_hosts.Count > 0) return true;
            }
            else if (inventory.Hosts.Any(h => h.Plays.Contains(selector) && _hosts.Contains(h)))
                return true;
        }
        return false;
    }
}
