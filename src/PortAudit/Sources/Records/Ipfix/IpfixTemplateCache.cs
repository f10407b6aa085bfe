using PortAudit.Common;

namespace PortAudit.Sources.Records.Ipfix;

/// <summary>
/// The templates a decoder holds, per exporter, version, observation domain (v9: source id) and template id, bounded
/// in time and in number: over UDP a template that is not announced again within <see cref="Lifetime"/> is discarded
/// (RFC 7011 §8.4: its Template Lifetime, 30 minutes here, as nfcapd's and pmacct's defaults are of that order); at
/// most <see cref="MaxPerDomain"/> are held per exporter and domain, <see cref="MaxTotal"/> over all, and their fields
/// number at most <see cref="MaxFields"/> over all, the one refreshed longest ago going first. Inputs without receive times (files) never expire; their templates are bounded
/// by number alone. A domain's systemInitTimeMilliseconds goes with its last template.
/// </summary>
public sealed class IpfixTemplateCache
{
    /// <summary>Templates held per exporter and domain by default.</summary>
    public const int DefaultMaxPerDomain = 4096;

    /// <summary>Templates held over all exporters and domains by default.</summary>
    public const int DefaultMaxTotal = 65536;

    /// <summary>
    /// Fields of all templates held, by default: 2^22, about 32 MB of field definitions. A template has a few dozen
    /// fields (nfcapd's and softflowd's under 30); a hostile one fills a 64 KB datagram with about 16,000, and 65,536
    /// of those were 1 billion fields, some 13 GB, which a count of templates alone let a collector reach.
    /// </summary>
    public const int DefaultMaxFields = 1 << 22;

    /// <summary>How long a template announced over UDP is kept without being announced again, by default.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(30);

    private readonly Dictionary<TemplateKey, Entry> _entries = [];
    private readonly Dictionary<DomainKey, Domain> _domains = [];
    // Every entry, refreshed longest ago first.
    private readonly LinkedList<Entry> _all = new();
    private readonly long _lifetimeMs;
    private long _fields;

    /// <summary>
    /// A cache of at most <paramref name="maxPerDomain"/> templates per exporter and domain, <paramref name="maxTotal"/>
    /// in all, with at most <paramref name="maxFields"/> fields in all.
    /// </summary>
    public IpfixTemplateCache(int maxPerDomain = DefaultMaxPerDomain, int maxTotal = DefaultMaxTotal, TimeSpan? lifetime = null, int maxFields = DefaultMaxFields)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPerDomain, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTotal, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxFields, 1);
        MaxPerDomain = maxPerDomain;
        MaxTotal = maxTotal;
        MaxFields = maxFields;
        Lifetime = lifetime ?? DefaultLifetime;
        _lifetimeMs = (long)Lifetime.TotalMilliseconds;
    }

    /// <summary>Most templates per exporter and domain.</summary>
    public int MaxPerDomain { get; }

    /// <summary>Most templates over all.</summary>
    public int MaxTotal { get; }

    /// <summary>Most fields over all templates held.</summary>
    public int MaxFields { get; }

    /// <summary>Fields of the templates held.</summary>
    public long Fields => _fields;

    /// <summary>How long a template received with a clock lives without a refresh.</summary>
    public TimeSpan Lifetime { get; }

    /// <summary>Templates held.</summary>
    public int Count => _entries.Count;

    /// <summary>The template of <paramref name="key"/>, if held.</summary>
    internal bool TryGet(TemplateKey key, out IpfixTemplate template)
    {
        bool found = _entries.TryGetValue(key, out var entry);
        template = found ? entry!.Template : null!;
        return found;
    }

    /// <summary>
    /// Holds <paramref name="template"/> for <paramref name="key"/>, received at <paramref name="receivedMs"/> (negative:
    /// no clock); returns how many templates went to make room.
    /// </summary>
    internal int Set(TemplateKey key, IpfixTemplate template, long receivedMs)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.Template.Fields.Length != template.Fields.Length)
        {
            // Another size: taken out, and held again below within the bound on fields.
            Remove(entry);
            entry = null;
        }
        if (entry is not null)
        {
            entry.Template = template;
            entry.ReceivedMs = receivedMs;
            // Refreshed: to the young end of both orders.
            _all.Remove(entry.AllNode);
            _all.AddLast(entry.AllNode);
            entry.Domain.Templates.Remove(entry.DomainNode);
            entry.Domain.Templates.AddLast(entry.DomainNode);
            return 0;
        }
        var domainKey = key.DomainKey;
        if (!_domains.TryGetValue(domainKey, out var domain)) _domains.Add(domainKey, domain = new Domain(domainKey));
        int dropped = 0;
        while (domain.Templates.Count >= MaxPerDomain)
        {
            Remove(domain.Templates.First!.Value);
            dropped++;
        }
        while (_entries.Count >= MaxTotal || (_entries.Count > 0 && _fields + template.Fields.Length > MaxFields))
        {
            Remove(_all.First!.Value);
            dropped++;
        }
        // Removing may have ended the domain: take it again.
        if (!_domains.TryGetValue(domainKey, out domain)) _domains.Add(domainKey, domain = new Domain(domainKey));
        entry = new Entry(key, template, receivedMs, domain);
        entry.AllNode = _all.AddLast(entry);
        entry.DomainNode = domain.Templates.AddLast(entry);
        _entries.Add(key, entry);
        _fields += template.Fields.Length;
        return dropped;
    }

    /// <summary>Withdraws the template of <paramref name="key"/> (RFC 7011 §8.1), if held.</summary>
    internal void Withdraw(TemplateKey key)
    {
        if (_entries.TryGetValue(key, out var entry)) Remove(entry);
    }

    /// <summary>Discards the templates not refreshed within <see cref="Lifetime"/> before <paramref name="nowMs"/>; returns how many.</summary>
    internal int Expire(long nowMs)
    {
        int expired = 0;
        while (_all.First is { } oldest && oldest.Value.ReceivedMs >= 0 && nowMs - oldest.Value.ReceivedMs > _lifetimeMs)
        {
            Remove(oldest.Value);
            expired++;
        }
        return expired;
    }

    /// <summary>The exporter's systemInitTimeMilliseconds for the domain of <paramref name="key"/>; 0 when unknown.</summary>
    internal long SystemInitMs(DomainKey key) => _domains.TryGetValue(key, out var domain) ? domain.SystemInitMs : 0;

    /// <summary>Notes the exporter's systemInitTimeMilliseconds for a domain that holds templates.</summary>
    internal void SetSystemInitMs(DomainKey key, long value)
    {
        if (_domains.TryGetValue(key, out var domain)) domain.SystemInitMs = value;
    }

    private void Remove(Entry entry)
    {
        _fields -= entry.Template.Fields.Length;
        _entries.Remove(entry.Key);
        _all.Remove(entry.AllNode);
        entry.Domain.Templates.Remove(entry.DomainNode);
        if (entry.Domain.Templates.Count == 0) _domains.Remove(entry.Domain.Key);
    }

    private sealed class Entry(TemplateKey key, IpfixTemplate template, long receivedMs, Domain domain)
    {
        public TemplateKey Key { get; } = key;
        public IpfixTemplate Template { get; set; } = template;
        public long ReceivedMs { get; set; } = receivedMs;
        public Domain Domain { get; } = domain;
        public LinkedListNode<Entry> AllNode { get; set; } = null!;
        public LinkedListNode<Entry> DomainNode { get; set; } = null!;
    }

    private sealed class Domain(DomainKey key)
    {
        public DomainKey Key { get; } = key;
        public LinkedList<Entry> Templates { get; } = new();
        public long SystemInitMs { get; set; }
    }
}

/// <summary>The scope of template ids: exporter, version and observation domain (v9: source id).</summary>
internal readonly record struct DomainKey(IpAddr Exporter, ushort Version, uint Domain);

/// <summary>One template's place: its domain and its id.</summary>
internal readonly record struct TemplateKey(IpAddr Exporter, ushort Version, uint Domain, ushort Id)
{
    public DomainKey DomainKey => new(Exporter, Version, Domain);
}
