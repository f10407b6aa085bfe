namespace PortAudit.Pipeline;

/// <summary>
/// Where a run stands, as handed to <see cref="TrafficRun.Progress"/> now and then during a long read: on the decoding
/// thread, so a receiver only stores it and draws elsewhere.
/// </summary>
/// <param name="Input">The input being read, as named.</param>
/// <param name="InputNumber">Its number among the run's inputs, from 1.</param>
/// <param name="InputCount">How many inputs the run reads.</param>
/// <param name="Position">Bytes read of this input (decompressed bytes for gzip and standard input).</param>
/// <param name="Packets">Packets read so far, over all inputs.</param>
/// <param name="Bytes">Captured bytes read so far, over all inputs.</param>
/// <param name="Flows">Flows created so far (read across threads: may lag by one update).</param>
/// <param name="Finished">
/// True once, when every input was read and the open flows ended: what the command does next (an audit's reports) is
/// no longer reading, and a display says so.
/// </param>
public readonly record struct RunProgress(string Input, int InputNumber, int InputCount, long Position, long Packets, long Bytes, long Flows,
    bool Finished = false);
