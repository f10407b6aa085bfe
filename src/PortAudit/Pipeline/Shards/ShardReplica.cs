using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Sources;
using PortAudit.Sources.Files;

namespace PortAudit.Pipeline.Shards;

/// <summary>
/// One shard's own read of a capture file in a split run: its thread reads every record of the file through a reader of
/// its own, keeps the packets of its host pairs and the run's sweeps, and works them on its shard's table. No packet
/// crosses from one core to another, where dealing packets from one decoding thread (<see cref="FlowShards.Deal"/>) had
/// the cores exchange the cache lines of every packet's batch entry: on the two-core bench machine that cost
/// 0.1 to 0.35 s of CPU on the bench corpus, depending on where the host placed the two virtual CPUs, against 0.13 s for
/// reading the file a second time (docs/performance.md, "Threads of a run over capture files").
/// </summary>
/// <remarks>
/// Every replica counts the same run ordinals and schedules the same sweeps, so the shards see what dealing would give
/// them, in the same order. The first replica decodes every packet (it keeps the run's statistics and progress); the
/// others only peek at the addresses of the packets they leave (<see cref="PacketDecoder.TryPeekTcpHosts"/>), decoding in
/// full those they keep, those the peek cannot place, and those before which a sweep may fall.
/// </remarks>
internal sealed class ShardReplica
{
    // Records between two hand-overs of the shard's batch to the merger, at most: a shard with few packets still tells the
    // merger how far it has read, so no other shard's ended flows wait long for it.
    private const long Step = 4096;

    private readonly FlowShards _shards;
    private readonly int _shard;
    private readonly ReplicaPace _pace;
    private readonly TrafficReader? _counting;
    private readonly PacketBatch _batch = new();
    // The run ordinal up to which the batch was last handed over.
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
    }

    /// <summary>
    /// Reads <paramref name="reader"/> to its end or its damage from run ordinal <paramref name="ordinal"/> with the run's
    /// <paramref name="sweeps"/>, and returns the last ordinal read and the sweeps as they stand. Damage is the first
    /// replica's to report: every replica meets it at the same record. Once <paramref name="stop"/> fires, the read ends
    /// at the next hand-over to the merger.
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
                    // Checked once a hand-over, off the per-packet path.
                    if (stop.IsCancellationRequested) break;
                    HandOver(ordinal);
                    _pace.Reached(_shard, ordinal);
                }
                ordinal++;
                packets++;
                if (_counting is null && IsOthers(record, count, sweeps)) continue;
                var status = PacketDecoder.Decode(record.LinkType, record.Data, out var packet);
                _counting?.Count(reader, record, status, packets);
                if (status != DecodeStatus.Ok) continue;
                int shard = FlowShards.ShardOf(packet, count);
                bool sweep = sweeps.IsDue(record.TimestampNs);
                if (shard != _shard && !sweep) continue;
                if (_batch.IsFull || (shard == _shard && !_batch.HasRoomFor(packet))) HandOver(ordinal - 1);
                if (shard == _shard) _batch.Add(packet, record.Data, record.TimestampNs, packets, ordinal, sweep);
                else _batch.AddSweep(record.TimestampNs, ordinal);
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
        HandOver(ordinal, endsInput: true);
        return (ordinal, sweeps);
    }

    // The batch, complete up to run ordinal watermark, to the shard's table and its ended flows to the merger.
    private void HandOver(long watermark, bool endsInput = false)
    {
        _shards.WorkReplicated(_shard, _batch, watermark, endsInput);
        _handedOver = watermark;
    }

    // A packet another shard keeps, told without decoding it, and before which no sweep is due (a sweep is scheduled only
    // at a packet that decodes, which takes a full decode to know).
    private bool IsOthers(in PacketRecord record, int count, in SweepSchedule sweeps) =>
        PacketDecoder.TryPeekTcpHosts(record.LinkType, record.Data, out var source, out var destination)
        && FlowShards.ShardOf(source, destination, count) != _shard
        && !sweeps.WouldBeDue(record.TimestampNs);
}
