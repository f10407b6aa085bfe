using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Pipeline.Shards;
using PortAudit.Sources;
using PortAudit.Sources.Files;

namespace PortAudit.Pipeline;

/// <summary>
/// Drives the first stages: reads every packet of the given captures, decodes it and feeds the flow table.
/// A damaged capture stops at the damage; what was read before stays counted and the error is kept for the caller.
/// </summary>
public sealed class TrafficReader
{
    private const string DecodingThread = "portaudit-decode";

    private readonly FlowTable _table;

    /// <summary>Creates a reader that feeds <paramref name="table"/>.</summary>
    public TrafficReader(FlowTable table) => _table = table;

    /// <summary>Counters over everything read.</summary>
    public TrafficStatistics Statistics { get; } = new();

    /// <summary>Inputs that could not be opened or were damaged, in the order met; the run went on with the next input.</summary>
    public List<InputException> Errors { get; } = new();

    /// <summary>Called now and then during a long read with the bytes read of the current input.</summary>
    public Action<ICaptureReader>? Progress { get; set; }

    /// <summary>
    /// Records read so far in the whole run, over every input: the ordinal of the last one. A flow's id is the ordinal
    /// of the packet that opened it, so ids are unique in the run and the same however the run is split.
    /// </summary>
    public long Ordinal { get; private set; }

    /// <summary>Takes the next ordinal for a record that did not come through this reader (a flow record).</summary>
    internal long NextOrdinal() => ++Ordinal;

    /// <summary>
    /// Reads one capture with reading and decoding on a second thread, so that the flow table, the slower half,
    /// has a core of its own. Same results as <see cref="Read"/>; the flow table is only touched by the caller's thread.
    /// </summary>
    public void ReadPipelined(ICaptureReader reader, CancellationToken cancel = default)
    {
        const int InFlight = 4;
        using var full = new HandOff<PacketBatch>(InFlight);
        using var empty = new HandOff<PacketBatch>(InFlight + 1);
        for (int i = 0; i <= InFlight; i++) empty.Add(new PacketBatch());
        BesideThread.Run(DecodingThread,
            () => Produce(reader, full, empty, cancel),
            () =>
            {
                while (full.TryTake(out var batch)) Consume(batch, empty);
            },
            full.Complete,
            () =>
            {
                // Unblock the producer if the consumer failed, then wait for it either way.
                empty.Complete();
                while (full.TryTakeNow(out _)) { }
            });
    }

    private void Produce(ICaptureReader reader,
        HandOff<PacketBatch> full,
        HandOff<PacketBatch> empty,
        CancellationToken cancel)
    {
        var batch = empty.Take();
        // A reader about to wait for packets (a live interface gone quiet) first has the batch so far handed on, when
        // that costs no wait: if the flow table's thread has not given a batch back yet, it still has packets to work
        // through, and a capture thread waiting for it here would leave the kernel's buffer filling (a live capture
        // waits about once per kernel block, and lost packets where the table's thread was kept off its core).
        reader.Waiting = () =>
        {
            if (batch.Count == 0 || !empty.TryTakeNow(out var next)) return;
            // Never waits for room: with this batch and the next held here, at most InFlight - 1 are queued.
            full.Add(batch);
            batch = next;
        };
        try
        {
            long packets = 0;
            while (reader.TryRead(out var record))
            {
                if (!Decode(reader, record, ref packets, out var packet)) continue;
                if (batch.IsFull || !batch.HasRoomFor(packet))
                {
                    // Checked once a batch, off the per-packet path: a stop request ends the read at a batch boundary.
                    if (cancel.IsCancellationRequested) break;
                    full.Add(batch);
                    batch = empty.Take();
                }
                batch.Add(packet, record.Data, record.TimestampNs, packets, Ordinal);
            }
        }
        catch (CaptureFormatException ex)
        {
            Fail(ex);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // A pipe waiting for bytes heard the stop (CancellablePipe): the read ends there, as at a batch boundary.
        }
        finally
        {
            reader.Waiting = null;
        }
        if (batch.Count > 0) full.Add(batch);
        Progress?.Invoke(reader);
    }

    /// <summary>
    /// Reads one capture with decoding on a second thread that deals packets to <paramref name="shards"/>, while the
    /// caller's thread merges the flows they end and feeds the consumers. Same flows, in the same order, as
    /// <see cref="ReadPipelined"/>.
    /// </summary>
    internal void ReadSharded(ICaptureReader reader, FlowShards shards, int input, CancellationToken cancel) =>
        BesideThread.Run(DecodingThread,
            () =>
            {
                shards.BeginInput(input);
                ProduceSharded(reader, shards, cancel);
            },
            shards.MergeInput,
            () => shards.EndInput(Ordinal));

    /// <summary>
    /// Reads one capture file with each of <paramref name="shards"/> reading it on a thread of its own through a reader
    /// of its own (<see cref="ShardReplica"/>; <paramref name="reopen"/> opens one), while the caller's thread merges the
    /// flows they end. Same flows, in the same order, as <see cref="ReadSharded"/>. A file that cannot be opened again is
    /// dealt by <see cref="ReadSharded"/>.
    /// </summary>
    /// <remarks>
    /// A stop request ends each replica at the next hand-over to the merger, so shards may stop a few thousand records
    /// apart: the run ends there, and every flow holds the packets its shard read.
    /// </remarks>
    internal void ReadReplicated(ICaptureReader reader, Func<ICaptureReader> reopen, FlowShards shards, int input, CancellationToken cancel)
    {
        var readers = new ICaptureReader[shards.Count];
        readers[0] = reader;
        try
        {
            for (int i = 1; i < readers.Length; i++) readers[i] = reopen();
        }
        catch (InputException)
        {
            foreach (var opened in readers.Skip(1)) opened?.Dispose();
            ReadSharded(reader, shards, input, cancel);
            return;
        }
        long start = Ordinal;
        var sweeps = shards.Sweeps;
        var ends = new (long Ordinal, SweepSchedule Sweeps)[readers.Length];
        BesideThread.Run(DecodingThread, () =>
        {
            shards.BeginReplicatedInput(input);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel, shards.Aborted);
            using var pace = new ReplicaPace(readers.Length, start, shards.Aborted);
            var replicas = new ShardReplica[readers.Length];
            for (int i = 0; i < replicas.Length; i++) replicas[i] = new ShardReplica(shards, i, pace, i == 0 ? this : null);
            var failures = new Exception?[readers.Length];
            var threads = new Thread[readers.Length - 1];
            for (int i = 1; i < readers.Length; i++)
            {
                int shard = i;
                threads[i - 1] = new Thread(() => failures[shard] = Replicate(shards, replicas[shard], readers[shard], start, sweeps, ends, stop.Token))
                {
                    IsBackground = true,
                    Name = $"portaudit-read-{shard}",
                };
                threads[i - 1].Start();
            }
            failures[0] = Replicate(shards, replicas[0], reader, start, sweeps, ends, stop.Token);
            foreach (var thread in threads) thread.Join();
            // The first replica counted every record, and the others the decoding of those it left to them.
            foreach (var replica in replicas.Skip(1)) Statistics.AddOutcomes(replica.Outcomes);
            // The failure that aborted the run, not the replicas it stopped.
            if ((failures.FirstOrDefault(f => f is not null and not OperationCanceledException) ?? failures.FirstOrDefault(f => f is not null))
                is { } failure)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            Progress?.Invoke(reader);
        }, shards.MergeInput);
        shards.Sweeps = ends[0].Sweeps;
        Ordinal = ends.Max(e => e.Ordinal);
    }

    // One replica's thread: its read (which releases its pace however it ends); a failure aborts the run, so that the
    // merger stops waiting for this shard's last batch.
    private static Exception? Replicate(FlowShards shards, ShardReplica replica, ICaptureReader reader, long start, SweepSchedule sweeps,
        (long Ordinal, SweepSchedule Sweeps)[] ends, CancellationToken stop)
    {
        try
        {
            ends[replica.Shard] = replica.Read(reader, start, sweeps, stop);
            return null;
        }
        catch (Exception ex)
        {
            shards.Abort();
            return ex;
        }
        finally
        {
            if (replica.Shard > 0) reader.Dispose();
        }
    }

    /// <summary>
    /// Counts one record of <paramref name="reader"/>, frame <paramref name="packets"/> of its input, in the run's statistics
    /// and reports progress now and then: for the read loops here and the first replica of a split read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Count(ICaptureReader reader, in PacketRecord record, DecodeStatus status, long packets)
    {
        Statistics.Record(record.Data.Length, record.TimestampNs, status, record.LinkType);
        ReportNowAndThen(reader, record, packets);
    }

    /// <summary>
    /// Counts one record of <paramref name="reader"/> that the first replica of a split read leaves to another shard: its
    /// decode outcome is that shard's to count (<see cref="ShardReplica.Outcomes"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CountUndecoded(ICaptureReader reader, in PacketRecord record, long packets)
    {
        Statistics.RecordUndecoded(record.Data.Length, record.TimestampNs);
        ReportNowAndThen(reader, record, packets);
    }

    // Progress every 65,536 frames of an input: when the record's frame number, packets, reaches or passes a multiple
    // of it (the frames a pcapng holds without a packet may step over the multiple itself).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ReportNowAndThen(ICaptureReader reader, in PacketRecord record, long packets)
    {
        if ((packets >> 16) != ((packets - 1 - record.FramesPassed) >> 16)) Progress?.Invoke(reader);
    }

    /// <summary>Keeps the damage a read met; a split read's threads may meet it at once.</summary>
    internal void Fail(CaptureFormatException error)
    {
        lock (Errors) Errors.Add(error);
    }

    private void ProduceSharded(ICaptureReader reader, FlowShards shards, CancellationToken cancel)
    {
        int count = shards.Count;
        // A reader about to wait (a pipe whose writer is silent) has the round so far sent first, complete up to the last
        // packet dealt, so that the shards work the packets read instead of holding them until more come. Unlike a live
        // interface, a pipe loses nothing while the decoder waits here for an empty batch.
        reader.Waiting = () =>
        {
            if (shards.HoldsDealt()) shards.SendRound(Ordinal);
        };
        try
        {
            long packets = 0;
            while (reader.TryRead(out var record))
            {
                if (!Decode(reader, record, ref packets, out var packet)) continue;
                shards.See(ref packet);
                int shard = FlowShards.ShardOf(packet, count);
                if (shards.IsRoundDue(shard, packet))
                {
                    // Checked once a round, off the per-packet path: a stop request ends the read at a round boundary.
                    if (cancel.IsCancellationRequested) break;
                    shards.SendRound(Ordinal - 1);
                }
                shards.Deal(shard, packet, record.Data, record.TimestampNs, packets, Ordinal);
            }
        }
        catch (CaptureFormatException ex)
        {
            Fail(ex);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // As in Produce: the stop heard by a pipe waiting for bytes ends the read at the record it was in.
        }
        finally
        {
            reader.Waiting = null;
        }
        Progress?.Invoke(reader);
    }

    /// <summary>
    /// The step both read loops share: decode, count, report progress now and then; true for a packet to count in a flow.
    /// <paramref name="packets"/> counts every record and the frames without a packet the reader passed over, so after
    /// the call it is the record's frame number as tshark gives it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Decode(ICaptureReader reader, in PacketRecord record, ref long packets, out DecodedPacket packet)
    {
        var status = PacketDecoder.Decode(record.LinkType, record.Data, out packet);
        Ordinal++;
        packets += record.FramesPassed + 1;
        Count(reader, record, status, packets);
        return status == DecodeStatus.Ok;
    }

    private void Consume(PacketBatch batch, HandOff<PacketBatch> empty)
    {
        var entries = batch.Entries;
        for (int i = 0; i < batch.Count; i++)
        {
            ref var entry = ref entries[i];
            _table.Add(ref entry.Packet, batch.Payload(entry), entry.TimestampNs, entry.FrameNumber, entry.Ordinal);
        }
        batch.Clear();
        empty.Add(batch);
    }

    /// <summary>
    /// Reads one capture to its end or its damage on the caller's thread alone: reading, decoding and the flow table in
    /// turn, each packet straight from the reader's buffer. A stop request ends the read within 4,096 records.
    /// </summary>
    public void Read(ICaptureReader reader, CancellationToken cancel = default)
    {
        try
        {
            long packets = 0;
            while (reader.TryRead(out var record))
            {
                // As often as a pipelined read hands over a batch: off the per-packet path.
                // Records, not frame numbers: those skip the frames a pcapng holds without a packet.
                if ((Ordinal & 0xFFF) == 0xFFF && cancel.IsCancellationRequested) break;
                if (Decode(reader, record, ref packets, out var packet))
                    _table.Add(ref packet, record.Data, record.TimestampNs, packets, Ordinal);
            }
        }
        catch (CaptureFormatException ex)
        {
            Fail(ex);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // As in Produce: the stop heard by a pipe waiting for bytes ends the read at the record it was in.
        }
        Progress?.Invoke(reader);
    }
}
