using System.IO.Hashing;

namespace PortAudit.Audit.Anomaly;

/// <summary>
/// What the echo requests of an ICMP echo flow carried. A ping sends one size, and its data repeats from request to
/// request but for a timestamp at its start (iputils: 16 bytes of time, then 0x10, 0x11...; Windows: the alphabet); a
/// tunnel (ptunnel, icmptunnel) sends what it carries, so its sizes vary and no request repeats the one before.
/// </summary>
/// <remarks>
/// The entropy of the data is not measured: over 56 bytes, iputils' pattern of distinct bytes has 5.3 bits a byte and
/// random bytes 5.6, too close to tell a tunnel from a ping.
/// </remarks>
public sealed class EchoPayloads
{
    /// <summary>The leading bytes of a request's data left out of the comparison: where iputils' ping writes its send time.</summary>
    public const int StampBytes = 16;

    /// <summary>The bytes after <see cref="StampBytes"/> that are compared: enough to tell a pattern from carried data.</summary>
    public const int ComparedBytes = 64;

    private double _sizes;
    private double _squares;
    private int _lastSize = -1;
    private ulong _lastDigest;
    private long _repeats;

    /// <summary>Echo requests counted.</summary>
    public long Requests { get; private set; }

    /// <summary>The requests' data sizes' coefficient of variation (standard deviation over mean): 0 for a ping's one size.</summary>
    public double SizeVariation
    {
        get
        {
            if (Requests < 2 || _sizes <= 0) return 0;
            double mean = _sizes / Requests;
            return Math.Sqrt(Math.Max(0, _squares / Requests - mean * mean)) / mean;
        }
    }

    /// <summary>
    /// The share of requests after the first whose data has the size of the one before and the same bytes after
    /// <see cref="StampBytes"/>: 1 for a ping, near 0 for a tunnel; 1 for a single request, which has nothing to differ from.
    /// </summary>
    public double Repeats => Requests < 2 ? 1 : (double)_repeats / (Requests - 1);

    /// <summary>
    /// Counts an echo request of <paramref name="size"/> bytes of data (after the identifier and sequence number), of
    /// which the capture holds <paramref name="data"/>: a snap length may have cut it, and its size is still the sent one.
    /// </summary>
    public void Add(ReadOnlySpan<byte> data, int size)
    {
        var compared = data.Length > StampBytes ? data.Slice(StampBytes, Math.Min(ComparedBytes, data.Length - StampBytes)) : data;
        ulong digest = XxHash3.HashToUInt64(compared);
        if (size == _lastSize && digest == _lastDigest) _repeats++;
        _lastSize = size;
        _lastDigest = digest;
        Requests++;
        _sizes += size;
        _squares += (double)size * size;
    }
}
