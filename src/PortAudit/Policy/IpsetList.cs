using System.Diagnostics;
using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// The members of the kernel's ipsets, as <c>ipset save</c> writes them (<c>create NAME TYPE OPTIONS</c>, then
/// <c>add NAME ELEMENT OPTIONS</c>), given in the iptables ruleset file before or after <c>iptables-save</c>'s tables:
/// iptables-save names a set (<c>-m set --match-set NAME src</c>) but not its members. The sets of one address dimension
/// (<c>hash:ip</c>, <c>hash:net</c>, <c>bitmap:ip</c>) are decided from their members; the rest (ports, interfaces, MAC
/// addresses, sets of sets) are named with what is not decided.
/// </summary>
internal sealed class IpsetList
{
    // The set types whose members are addresses alone: a lookup with "src" or "dst" is a match on that address.
    private static readonly HashSet<string> AddressTypes = ["hash:ip", "hash:net", "bitmap:ip"];

    private readonly Dictionary<string, Ipset> _sets = new(StringComparer.Ordinal);

    /// <summary>True when the file held no <c>create</c> line.</summary>
    public bool IsEmpty => _sets.Count == 0;

    /// <summary>The set named <paramref name="name"/>, if the file creates it.</summary>
    public bool TryGet(string name, out Ipset set) => _sets.TryGetValue(name, out set!);

    /// <summary>Every set created, in the order the file creates them.</summary>
    public IEnumerable<Ipset> All => _sets.Values;

    /// <summary>
    /// Reads a <c>create</c> or <c>add</c> line, split into <paramref name="words"/>. One that cannot be read is an issue
    /// at <paramref name="location"/>, and its set's lookups stay undecided.
    /// </summary>
    public void Read(List<string> words, PolicyLocation location, PolicyIssues issues)
    {
        Debug.Assert(words is ["create" or "add", ..], "the caller hands over create and add lines alone");
        if (words.Count < 3)
            issues.Add(location, string.Join(' ', words), $"'{words[0]} NAME {(words[0] == "create" ? "TYPE" : "ELEMENT")}' as ipset save writes it");
        else if (words[0] == "create") Create(words, location, issues);
        else Add(words, location, issues);
    }

    /// <summary>
    /// Marks the set <paramref name="name"/> as one a rule at <paramref name="location"/> fills or empties as packets pass
    /// (<c>-j SET --add-set NAME src</c>, <c>--del-set</c>): what it holds when a connection comes is not what the file
    /// lists, so its lookups are not decided (a knock on one port, then the port it opens).
    /// </summary>
    public void ChangedAtRunTime(string name, PolicyLocation location)
    {
        if (_sets.TryGetValue(name, out var set)) set.ChangedAt ??= location;
    }

    private void Create(List<string> words, PolicyLocation location, PolicyIssues issues)
    {
        string name = words[1], type = words[2];
        var set = new Ipset(name, location);
        if (!_sets.TryAdd(name, set))
        {
            issues.Add(location, $"create {name} {type}", $"one create per set (set {name} was created at line {_sets[name].Location.Line})");
            _sets[name].Undecided ??= "it is created twice";
            return;
        }
        if (!AddressTypes.Contains(type))
        {
            set.Undecided = $"a set of type {type} (of ports, interfaces, MAC addresses or other sets, or of more than an address) is not decided";
            return;
        }
        // hash:ip keeps each member's network of this length, and a lookup masks the packet's address so.
        int at = words.IndexOf("netmask");
        if (at > 0 && at + 1 < words.Count)
        {
            if (int.TryParse(words[at + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int netmask) && netmask is > 0 and <= 128)
                set.Netmask = netmask;
            else
            {
                issues.Add(location, $"netmask {words[at + 1]}", "a prefix length");
                set.Undecided = $"its netmask '{words[at + 1]}' was not read";
            }
        }
    }

    private void Add(List<string> words, PolicyLocation location, PolicyIssues issues)
    {
        string name = words[1], element = words[2];
        if (!_sets.TryGetValue(name, out var set))
        {
            issues.Add(location, $"add {name} {element}", $"a set created above (no 'create {name}' comes before it)");
            return;
        }
        if (set.Undecided is not null) return;
        // An element marked nomatch is an exception carved out of a larger net of the same set: the kernel's lookup takes
        // the most specific entry, which a list of prefixes does not say.
        if (words.Skip(3).Contains("nomatch"))
        {
            set.Undecided = $"its element {element} is marked nomatch (an exception inside another of its nets), which is not decided";
            return;
        }
        if (Element(element, set.Netmask) is { } prefixes) set.Members.AddRange(prefixes);
        else
        {
            issues.Add(location, $"add {name} {element}", "an address, ADDRESS/LENGTH or FIRST-LAST");
            set.Undecided = $"its element '{element}' was not read";
        }
    }

    // "10.0.0.1", "10.0.0.0/24", "10.0.0.1-10.0.0.9" (bitmap:ip and hash:ip ranges), each to the prefixes it covers; a
    // set with a netmask holds each member's network of that length.
    private static IEnumerable<IpPrefix>? Element(string text, int? netmask)
    {
        IEnumerable<IpPrefix> covered;
        if (PolicyValues.TryAddressRange(text, out var from, out var to) && from.IsV4 == to.IsV4)
            covered = NftMatches.RangePrefixes(from, to);
        else if (PolicyValues.TryPrefix(text, out var prefix))
            covered = [prefix];
        else
            return null;
        return netmask is not { } length ? covered.ToList() : covered.Select(p => Widened(p, length)).Distinct().ToList();
    }

    // A member's network of the set's netmask (counted in the member's own family) when it is narrower than that.
    private static IpPrefix Widened(IpPrefix prefix, int netmask)
    {
        int full = prefix.IsV4 ? netmask + 96 : netmask;
        return full >= prefix.Length ? prefix : new IpPrefix(IpPrefix.Mask(prefix.Network, full), full);
    }
}

/// <summary>One ipset as <c>ipset save</c> lists it: its members, and why a lookup in it is not decided, if it is not.</summary>
/// <param name="name">Its name.</param>
/// <param name="location">Its <c>create</c> line.</param>
internal sealed class Ipset(string name, PolicyLocation location)
{
    /// <summary>Its name.</summary>
    public string Name => name;

    /// <summary>Its <c>create</c> line.</summary>
    public PolicyLocation Location => location;

    /// <summary>The prefixes its members cover.</summary>
    public List<IpPrefix> Members { get; } = [];

    /// <summary>The length a <c>hash:ip</c> set with <c>netmask</c> keeps of each member; null for whole addresses.</summary>
    public int? Netmask { get; set; }

    /// <summary>
    /// The first rule that changes its members as packets pass (<c>-j SET</c>); null when none does. Its lookups may then
    /// match whatever the file lists: understood, not decided.
    /// </summary>
    public PolicyLocation? ChangedAt { get; set; }

    /// <summary>Why its lookups are not decided from <see cref="Members"/>, as a construct not understood; null when they are.</summary>
    public string? Undecided { get; set; }
}
