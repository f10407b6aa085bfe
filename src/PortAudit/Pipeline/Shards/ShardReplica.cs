using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Sources;
using PortAudit.Sources.Files;

namespace PortAudit.Pipeline.Shards;

/// <summary>
/// One shard's own read of a capture file in a split run: its thread reads every record of the file through a reader of
/// its own, keeps the packets of its host pairs and the run's sweeps, and works them on its shard's table straight from
/// its reader's buffer. No packet crosses from one core to another, where dealing packets from one decoding thread
/// (<see cref="FlowShards.Deal"/>) had the cores exchange the cache lines of every packet's batch entry: on the two-core
/// bench machine that cost 0.1 to 0.35 s of CPU on the bench corpus, depending on where the host placed the two virtual
/// CPUs, against 0.13 s for reading the file a second time (docs/performance.md, "Threads of a run over capture files").
/// </summary>
/// <remarks>
/// Every replica counts the same run ordinals and schedules the same sweeps, so the shards see what dealing would give
/// them, in the same order. Each peeks at the addresses of a packet first (<see cref="PacketDecoder.TryPeekTcpHosts"/>)
/// and decodes in full only those it keeps, those the peek cannot place, and those before which a sweep may fall. The
/// first replica keeps the run's statistics and progress: it counts every record, and the others count the decode
/// outcomes of the packets they decoded for it (<see cref="Outcomes"/>).
/// </remarks>
internal sealed class ShardReplica
{
    // Records between two hand-overs of the shard's ended flows to the merger: a shard with few packets still tells the
    // merger how far it has read, so no other shard's ended flows wait long for it.
    private const long Step = 4096;

    private readonly FlowShards _shards;
    private readonly int _shard;
    private readonly ReplicaPace _pace;
    private readonly TrafficReader? _counting;
    private readonly FlowShard _table;
    private readonly CarrierSightings _sightings;
    // The decode outcomes, per DecodeStatus, of the packets this replica decoded for the first one, which counts them
    // undecoded (TrafficStatistics.AddOutcomes).
    private readonly long[] _outcomes = new long[TrafficStatistics.Outcomes];
    // The run ordinal up to which the shard's view was last handed over.
    private long _handedOver;

    /// <summary>
    /// The replica of <paramref name="shard"/>; <paramref name="counting"/>, for the first one only, is the run's reader,
    /// whose statistics and progress it keeps.
    /// </summary>
    public ShardReplica(FlowShards shards, int shard, ReplicaPace pace, TrafficReader? counting)
    {
        _shards = shards;
        _shard = shard;
        _pace = pace;
        _counting = counting;
        _table = shards.Replica(shard);
        _sightings = shards.Sightings(shard);
    }

    /// <summary>
    /// Decode outcomes per <see cref="DecodeStatus"/> of the packets this replica decoded for the first one, which counted
    /// them undecoded: for the run's statistics once the read is over.
    /// </summary>
    public ReadOnlySpan<long> Outcomes => _outcomes;

    /// <summary>The shard this replica reads for.</summary>
    public int Shard => _shard;

    /// <summary>
    /// Reads <paramref name="reader"/> to its end or its damage from run ordinal <paramref name="ordinal"/> with the run's
    /// <paramref name="sweeps"/>, and returns the last ordinal read and the sweeps as they stand. Damage is the first
    /// replica's to report: every replica meets it at the same record. Once <paramref name="stop"/> fires, the read ends
    /// at the hand-over to the merger where every replica's ends (<see cref="ReplicaPace.StopAt"/>): the shards then hold
    /// the flows one table holds after that record, and the first replica has counted the records the others decoded.
    /// However the read ends, the pace learns that this replica is done, and where.
    /// </summary>
    public (long Ordinal, SweepSchedule Sweeps) Read(ICaptureReader reader, long ordinal, SweepSchedule sweeps, CancellationToken stop)
    {
        int count = _shards.Count;
        long packets = 0;
        _handedOver = ordinal;
        try
        {
            while (reader.TryRead(out var record))
            {
                if (ordinal - _handedOver >= Step)
                {
                    // Checked once a hand-over, off the per-packet path; every replica ends at the same record.
                    if (stop.IsCancellationRequested && ordinal >= _pace.StopAt(Step)) break;
                    HandOver(ordinal);
                    _pace.Reached(_shard, ordinal);
                }
                ordinal++;
                packets += record.FramesPassed + 1; // the record's frame number, as in TrafficReader
                int peeked = PeekedShard(record, count, sweeps);
                if (peeked >= 0 && peeked != _shard)
                {
                    _counting?.CountUndecoded(reader, record, packets);
                    continue;
                }
                var status = PacketDecoder.Decode(record.LinkType, record.Data, out var packet);
                if (_counting is not null) _counting.Count(reader, record, status, packets);
                // The first replica left this one to this shard, and counts the record but not its decoding.
                else if (peeked == _shard) _outcomes[(int)status]++;
                if (status != DecodeStatus.Ok) continue;
                // Every replica decodes every tunnel packet and ICMP error (the peek places neither), so each meets them all.
                _sightings.See(ref packet);
                if (sweeps.IsDue(record.TimestampNs)) _table.SweepAt(record.TimestampNs, ordinal);
                if (FlowShards.ShardOf(packet, count) == _shard) _table.Add(ref packet, record.Data, record.TimestampNs, packets, ordinal);
            }
        }
        catch (CaptureFormatException ex) when (_counting is not null)
        {
            _counting.Fail(ex);
        }
        catch (CaptureFormatException)
        {
            // The first replica reports it: it reads the same records.
        }
        finally
        {
            // Nobody waits for a replica that reads no more, and a stop agreed later counts with the record it ended at.
            _pace.Done(_shard, ordinal);
        }
        HandOver(ordinal, endsInput: true);
        return (ordinal, sweeps);
    }

    // The flows ended so far to the merger, the shard's view complete up to run ordinal watermark.
    private void HandOver(long watermark, bool endsInput = false)
    {
        _table.HandOver(watermark, endsInput);
        _handedOver = watermark;
    }

    // The shard of a packet, told from its addresses without decoding it; -1 when the peek cannot tell, or when a sweep
    // may fall before the packet (a sweep is scheduled only at a packet that decodes, which takes a full decode to know).
    // Every replica peeks alike, so a packet one leaves undecoded is decoded by exactly one other, the one it goes to.
    private static int PeekedShard(in PacketRecord record, int count, in SweepSchedule sweeps) =>
        PacketDecoder.TryPeekTcpHosts(record.LinkType, record.Data, out var source, out var destination)
        && !sweeps.WouldBeDue(record.TimestampNs)
            ? FlowShards.ShardOf(source, destination, count)
            : -1;
}
