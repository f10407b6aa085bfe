namespace PortAudit.Audit;

/// <summary>
/// What a book keeps per pair of flow ends, found by the ends' objects. The resolver gives every flow of a host entry,
/// segment, zone or broadcast reach the same end object, so a pair finds its entry by reference, without hashing the
/// names or labels a book keys its own entries by; consecutive flows usually share their ends, so the last pair found
/// is checked first (<see cref="LastLookup{TKey, TValue}"/>). Grows with the pairs of ends that talked, which the
/// inventory's entries and zones bound, never with flows or addresses.
/// </summary>
/// <typeparam name="TValue">What the book keeps for a pair.</typeparam>
internal sealed class EndsTable<TValue>(Func<AuditEndpoint, AuditEndpoint, TValue> create) where TValue : class
{
    private readonly Dictionary<(AuditEndpoint, AuditEndpoint), TValue> _byEnds = [];
    private LastLookup<(AuditEndpoint, AuditEndpoint), TValue> _last;

    /// <summary>The entry of the pair, made by the table's <c>create</c> for the pair's first flow.</summary>
    public TValue Of(AuditEndpoint client, AuditEndpoint server)
    {
        var ends = (client, server);
        if (!_last.TryGet(ends, out var value))
        {
            if (!_byEnds.TryGetValue(ends, out value)) _byEnds.Add(ends, value = create(client, server));
            _last.Remember(ends, value);
        }
        return value;
    }
}
