
namespace PortAudit.Common;

/// <summary>
/// Longest-prefix match from addresses to values, as routing does: the most specific prefix that holds an
/// address wins, so a host entry overrides the subnet it sits in. One hash lookup per prefix length in use,
/// longest first; an inventory uses few distinct lengths.
/// </summary>
/// <typeparam name="T">What an address maps to.</typeparam>
public sealed class AddressMap<T>
{
    private readonly Dictionary<IpPrefix, T> _entries = [];
    private int[] _lengths = [];

    /// <summary>Number of prefixes held.</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// Adds <paramref name="prefix"/>; when it is already present, keeps the first value, returns false and
    /// hands that value back in <paramref name="existing"/> so the caller can decide whether it conflicts.
    /// </summary>
    public bool TryAdd(IpPrefix prefix, T value, out T existing)
    {
        if (_entries.TryGetValue(prefix, out existing!))
            return false;
        _entries.Add(prefix, value);
        if (!_lengths.Contains(prefix.Length))
            _lengths = [.. _lengths.Append(prefix.Length).OrderDescending()];
        existing = value;
        return true;
    }

    /// <summary>The value of the longest prefix holding <paramref name="address"/>.</summary>
    public bool TryFind(IpAddr address, out T value)
    {
        foreach (int length in _lengths)
        {
            var candidate = new IpPrefix(IpPrefix.Mask(address, length), length);
            // An IPv4 address masked to an IPv6 length (/96 or shorter in the shared space) gives an IPv6 network, which
            // holds no IPv4 address: a host "::/0" must not take every IPv4 address.
            if (candidate.IsV4 == address.IsV4 && _entries.TryGetValue(candidate, out value!))
                return true;
        }
        value = default!;
        return false;
    }
}
