using System.Buffers.Binary;

namespace PortAudit.Store;

/// <summary>
/// A local file that holds batches the store could not take, in order, until they are replayed. The file starts with
/// a header naming the format and the schema version its rows have; each frame is the batch as it would have been
/// sent (binary COPY rows) behind a small header: row count, days, length. Replay may send a frame twice (the store
/// took it but the answer was lost); ingest adds nothing for rows it already holds.
/// </summary>
/// <remarks>
/// A spool is read only after it was checked whole, frame by frame and row by row (<see cref="SpoolFrame"/>): a file
/// that is damaged anywhere (a frame torn by a crash, a flipped byte, another build's rows) is quarantined, renamed
/// aside with a warning that names it, and the intact frames before the damage are kept; it never crashes the run and
/// is never skipped silently. A frame the store refuses (<see cref="Quarantine"/>) is quarantined the same way.
/// </remarks>
internal sealed class FlowSpool
{
    private readonly Action<string> _notice;

    /// <summary>A spool in <paramref name="path"/>; intact frames a previous run left there are kept, damage is quarantined.</summary>
    /// <param name="path">The file.</param>
    /// <param name="notice">Receives the warning that names a quarantined file.</param>
    public FlowSpool(string path, Action<string> notice)
    {
        Path = path;
        _notice = notice;
        // An empty file is a spool created by a run that crashed before its first frame: nothing to keep, nothing damaged.
        if (File.Exists(path) && new FileInfo(path).Length > 0) Check();
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
        if (file.Length == 0) file.Write(SpoolFrame.FileHeader);
        Span<byte> header = stackalloc byte[SpoolFrame.HeaderBytes];
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
        file.Seek(SpoolFrame.FileHeader.Length, SeekOrigin.Begin);
        // Checked when opened, appended by this run since: a frame that does not read now was changed under the run.
        while (file.Position < file.Length)
        {
            var frame = SpoolFrame.Read(file) ?? throw new InvalidDataException($"spool {Path} changed while the run held it");
            scratch.Load(frame.Count, frame.Days, frame.Rows);
            send(scratch);
        }
    }

    /// <summary>Removes the file once every frame was taken.</summary>
    public void Clear()
    {
        File.Delete(Path);
        Frames = 0;
        Flows = 0;
    }

    /// <summary>
    /// Renames the whole spool aside because the store refused a frame of it (<paramref name="reason"/>): it is kept
    /// for the user, and the run goes on with an empty spool. Frames sent before the refused one are sent again if the
    /// file is replayed later; the store adds them once.
    /// </summary>
    public void Quarantine(string reason)
    {
        string aside = AsidePath();
        File.Move(Path, aside);
        _notice($"spool {Path}: {reason}: the spool ({Flows} flows) is quarantined as {aside} and not sent again");
        Frames = 0;
        Flows = 0;
    }

    // Reads the file through; at the first damage, moves it aside and keeps the intact frames before the damage.
    private void Check()
    {
        long intact;
        SpoolDamage? damage;
        using (var file = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            damage = SpoolFrame.CheckFileHeader(file) is { } header ? new SpoolDamage(0, header) : null;
            intact = damage is null ? file.Position : 0;
            while (damage is null && file.Position < file.Length)
            {
                if (SpoolFrame.Read(file, Frames + 1, out damage) is not { } frame) break;
                intact = file.Position;
                Frames++;
                Flows += frame.Count;
            }
        }
        if (damage is not { } found) return;
        string aside = AsidePath();
        File.Move(Path, aside);
        if (Frames > 0) CopyStart(aside, Path, intact);
        _notice($"spool {Path} is damaged at byte {found.Offset}: {found.What}; the file is quarantined as {aside}" +
                (Frames > 0 ? $", and the {Flows} flows of the {Frames} intact frames before the damage (its first {intact} bytes) are kept in the spool" : ""));
    }

    private static void CopyStart(string from, string to, long bytes)
    {
        using var source = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var target = new FileStream(to, FileMode.CreateNew, FileAccess.Write);
        var buffer = new byte[81920];
        for (long left = bytes; left > 0;)
        {
            int read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0) break;
            target.Write(buffer, 0, read);
            left -= read;
        }
        target.Flush(flushToDisk: true);
    }

    // Beside the spool, named by the time it was set aside: a later quarantine never overwrites an earlier one.
    private string AsidePath()
    {
        string stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmssfff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        string aside = $"{Path}.quarantined-{stamp}";
        for (int n = 2; File.Exists(aside); n++) aside = $"{Path}.quarantined-{stamp}-{n}";
        return aside;
    }
}
