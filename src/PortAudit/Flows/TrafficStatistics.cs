using PortAudit.Decode;

namespace PortAudit.Flows;

/// <summary>What was read and what could not be decoded, per run.</summary>
public sealed class TrafficStatistics
{
    /// <summary>How many decode outcomes there are: the length of a count per <see cref="DecodeStatus"/>.</summary>
    internal static readonly int Outcomes = Enum.GetValues<DecodeStatus>().Length;

    private readonly long[] _byStatus = new long[Outcomes];
    private readonly Dictionary<int, long> _unsupportedLinkTypes = new();
    private readonly CoveredTime _covered = new();

    /// <summary>The input (1-based) whose packets are read now: the time covered is counted per input.</summary>
    internal int Input { get; set; }

    /// <summary>
    /// Nanoseconds the packets cover: per input, first packet to last, joined as a union (<see cref="CoveredTime"/>).
    /// Two captures of a second each, years apart, cover two seconds, where <see cref="LastNs"/> − <see cref="FirstNs"/> is years.
    /// </summary>
    public long CoveredNs => _covered.CoveredNs;

    /// <summary>Packets read from all inputs.</summary>
    public long Packets { get; private set; }

    /// <summary>Captured bytes read from all inputs.</summary>
    public long CapturedBytes { get; private set; }

    /// <summary>
    /// Packets a live capture lost before they were read (libpcap's drop counters): not in <see cref="Packets"/>, and
    /// missing from the flows they belonged to.
    /// </summary>
    public long Dropped { get; private set; }

    /// <summary>Time of the first packet, nanoseconds since the epoch (0 when none).</summary>
    public long FirstNs => _covered.FirstNs;

    /// <summary>Time of the last packet, nanoseconds since the epoch (0 when none).</summary>
    public long LastNs => _covered.LastNs;

    /// <summary>The latest packet of input <paramref name="input"/> (undecodable ones too); <see cref="long.MinValue"/> when it had none.</summary>
    public long LastOf(int input) => _covered.LastOf(input);

    /// <summary>Packets per decode outcome.</summary>
    public long Count(DecodeStatus status) => _byStatus[(int)status];

    /// <summary>Packets skipped per link type the decoder does not know.</summary>
    public IReadOnlyDictionary<int, long> UnsupportedLinkTypes => _unsupportedLinkTypes;

    internal void Record(int capturedLength, long timestampNs, DecodeStatus status, int linkType)
    {
        RecordUndecoded(capturedLength, timestampNs);
        _byStatus[(int)status]++;
        if (status == DecodeStatus.UnsupportedLinkType)
            _unsupportedLinkTypes[linkType] = _unsupportedLinkTypes.GetValueOrDefault(linkType) + 1;
    }

    /// <summary>
    /// Records a packet whose decoding another thread counts (<see cref="AddOutcomes"/>): a split read's first replica
    /// leaves the packets of the other shards to them.
    /// </summary>
    internal void RecordUndecoded(int capturedLength, long timestampNs)
    {
        Packets++;
        CapturedBytes += capturedLength;
        // One interval per input holds the first and last packet: the run's first and last are read from them.
        _covered.Add(Input, timestampNs, timestampNs);
    }

    /// <summary>Counts packets a live capture lost before they were read.</summary>
    internal void AddDropped(long packets) => Dropped += packets;

    /// <summary>Adds decode outcomes counted elsewhere, per <see cref="DecodeStatus"/>, for packets recorded undecoded.</summary>
    internal void AddOutcomes(ReadOnlySpan<long> byStatus)
    {
        for (int i = 0; i < byStatus.Length; i++) _byStatus[i] += byStatus[i];
    }
}
