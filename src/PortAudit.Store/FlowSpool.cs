using System.Buffers.Binary;

namespace PortAudit.Store;

/// <summary>
/// A local file that holds batches the store could not take, in order, until they are replayed. Each frame is the
/// batch as it would have been sent (binary COPY rows) behind a small header: row count, days, length. Replay may send
/// a frame twice (the store took it but the answer was lost); ingest adds nothing for rows it already holds.
/// </summary>
internal sealed class FlowSpool
{
    /// <summary>A spool in <paramref name="path"/>; frames a previous run left there are kept.</summary>
    public FlowSpool(string path)
    {
        Path = path;
        if (File.Exists(path)) CountFrames();
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Frames held.</summary>
    public int Frames { get; private set; }

    /// <summary>Flows held.</summary>
    public long Flows { get; private set; }

    /// <summary>Appends <paramref name="batch"/> and flushes it to disk: once this returns, the flows survive a crash of the run.</summary>
    public void Append(FlowBatch batch)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
        using var file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteInt32BigEndian(header, batch.Count);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], batch.Days.Count);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], batch.Rows.Length);
        file.Write(header);
        Span<byte> day = stackalloc byte[4];
        foreach (int d in batch.Days)
        {
            BinaryPrimitives.WriteInt32BigEndian(day, d);
            file.Write(day);
        }
        file.Write(batch.Rows);
        file.Flush(flushToDisk: true);
        Frames++;
        Flows += batch.Count;
    }

    /// <summary>Hands every frame to <paramref name="send"/> in order, loaded into <paramref name="scratch"/>.</summary>
    public void Replay(FlowBatch scratch, Action<FlowBatch> send)
    {
        using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read);
        while (ReadFrame(file, scratch)) send(scratch);
    }

    /// <summary>Removes the file once every frame was taken.</summary>
    public void Clear()
    {
        File.Delete(Path);
        Frames = 0;
        Flows = 0;
    }

    private void CountFrames()
    {
        using var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> header = stackalloc byte[12];
        while (file.Position < file.Length)
        {
            if (file.ReadAtLeast(header, 12, throwOnEndOfStream: false) < 12) break;
            int count = BinaryPrimitives.ReadInt32BigEndian(header);
            long skip = 4L * BinaryPrimitives.ReadInt32BigEndian(header[4..]) + BinaryPrimitives.ReadInt32BigEndian(header[8..]);
            if (file.Position + skip > file.Length) break; // a frame cut by a crash mid-write: what was flushed before stays
            file.Seek(skip, SeekOrigin.Current);
            Frames++;
            Flows += count;
        }
    }

    private static bool ReadFrame(FileStream file, FlowBatch batch)
    {
        Span<byte> header = stackalloc byte[12];
        if (file.ReadAtLeast(header, 12, throwOnEndOfStream: false) < 12) return false;
        int count = BinaryPrimitives.ReadInt32BigEndian(header);
        var days = new int[BinaryPrimitives.ReadInt32BigEndian(header[4..])];
        var rows = new byte[BinaryPrimitives.ReadInt32BigEndian(header[8..])];
        Span<byte> day = stackalloc byte[4];
        for (int i = 0; i < days.Length; i++)
        {
            if (file.ReadAtLeast(day, 4, throwOnEndOfStream: false) < 4) return false;
            days[i] = BinaryPrimitives.ReadInt32BigEndian(day);
        }
        if (file.ReadAtLeast(rows, rows.Length, throwOnEndOfStream: false) < rows.Length) return false;
        batch.Load(count, days, rows);
        return true;
    }
}
