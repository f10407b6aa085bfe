using PortAudit.Store;
using static PortAudit.Tests.Store.StoreUnitTests;

namespace PortAudit.Tests.Store;

/// <summary>
/// The spool against what a disk and earlier builds leave: frames torn by a crash, any byte changed, another format,
/// and text no store takes. Never a crash, never a frame skipped without a warning naming the file.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class StoreSpoolTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("portaudit-spool-");
    private readonly List<string> _notices = [];

    private string SpoolPath => Path.Combine(_dir.FullName, "edge.spool");

    private static FlowBatch Batch(int flows, string? recordId = null)
    {
        var batch = new FlowBatch("edge");
        for (int i = 0; i < flows; i++) batch.Add(SomeFlow(i, recordId), "cap.pcap"u8);
        return batch;
    }

    private FlowSpool Open() => new(SpoolPath, _notices.Add);

    private List<(int Count, byte[] Rows)> Replayed(FlowSpool spool)
    {
        var replayed = new List<(int, byte[])>();
        spool.Replay(new FlowBatch("edge"), b => replayed.Add((b.Count, b.Rows.ToArray())));
        return replayed;
    }

    [Fact]
    public void The_spool_keeps_batches_across_runs()
    {
        var batch = Batch(3);
        Open().Append(batch);
        Open().Append(batch);

        var reopened = Open();
        Assert.Equal((2, 6L), (reopened.Frames, reopened.Flows));
        Assert.All(Replayed(reopened), r =>
        {
            Assert.Equal(3, r.Count);
            Assert.Equal(batch.Rows.ToArray(), r.Rows);
        });
        Assert.Empty(_notices);
    }

    [Fact]
    public void A_frame_torn_by_a_crash_is_quarantined_with_a_warning_and_the_frames_before_it_are_kept()
    {
        var batch = Batch(3);
        Open().Append(batch);
        Open().Append(batch);
        long whole = new FileInfo(SpoolPath).Length;
        Open().Append(batch);
        using (var file = new FileStream(SpoolPath, FileMode.Open)) file.SetLength(whole + 20);

        var reopened = Open();
        Assert.Equal((2, 6L), (reopened.Frames, reopened.Flows));
        Assert.Equal(whole, new FileInfo(SpoolPath).Length);
        string notice = Assert.Single(_notices);
        string aside = Assert.Single(_dir.GetFiles("edge.spool.quarantined-*")).FullName;
        Assert.Contains($"spool {SpoolPath} is damaged at byte {whole}", notice);
        Assert.Contains(aside, notice);
        Assert.Equal(whole + 20, new FileInfo(aside).Length);
        Assert.Equal(2, Replayed(reopened).Count);
    }

    [Fact]
    public void Any_byte_of_a_spool_changed_or_cut_is_found_never_a_crash_and_what_is_kept_reads_back_whole()
    {
        Open().Append(Batch(1));
        Open().Append(Batch(1));
        byte[] good = File.ReadAllBytes(SpoolPath);
        int found = 0;
        // Every byte, its bits turned: found, or a change the rows' structure cannot show (a counter, a letter).
        for (int at = 0; at < good.Length; at++)
        {
            var spool = Reopened(Changed(good, at));
            if (_notices.Count > 0) found++;
            else Assert.Equal((2, 2L), (spool.Frames, spool.Flows));
        }
        // Every length the file can be cut to: found, or cut where a frame ends (a shorter spool, whole).
        for (int length = 1; length < good.Length; length++)
        {
            var spool = Reopened(good[..length]);
            if (_notices.Count > 0) found++;
            else Assert.True(spool.Frames < 2 && new FileInfo(SpoolPath).Length == length);
        }
        Assert.True(found > good.Length, $"{found} damaged spools found");
    }

    // The spool reopened from bytes: a quarantine is named in one warning, and what the spool keeps replays frame by frame.
    private FlowSpool Reopened(byte[] bytes)
    {
        foreach (var file in _dir.GetFiles()) file.Delete();
        _notices.Clear();
        File.WriteAllBytes(SpoolPath, bytes);
        var spool = Open();
        if (_notices.Count > 0) Assert.Contains(_dir.GetFiles("edge.spool.quarantined-*").Single().FullName, Assert.Single(_notices));
        Assert.Equal(spool.Frames, File.Exists(SpoolPath) ? Replayed(spool).Count : 0);
        return spool;
    }

    [Fact]
    public void A_spool_of_another_format_or_schema_version_is_quarantined_by_name()
    {
        File.WriteAllBytes(SpoolPath, [0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 9, 1, 2, 3]);
        var spool = Open();
        Assert.Equal(0, spool.Frames);
        Assert.Contains("does not start as a spool of this build does", Assert.Single(_notices));
        Assert.False(File.Exists(SpoolPath));

        _notices.Clear();
        byte[] header = SpoolFrame.FileHeader.ToArray();
        header[^1] = 1;
        File.WriteAllBytes(SpoolPath, header);
        Open();
        Assert.Contains($"schema version 1, this build writes version {StoreSchema.Version}", Assert.Single(_notices));
    }

    [Fact]
    public void A_nul_in_a_records_text_is_stored_as_a_replacement_character()
    {
        var batch = Batch(1, recordId: "C\0uid\0");
        Assert.Equal(-1, batch.Rows.IndexOf("C\0uid"u8));
        Assert.True(batch.Rows.IndexOf("C\uFFFDuid\uFFFD"u8) > 0);
        Open().Append(batch);
        Assert.Equal(1, Open().Frames);
        Assert.Empty(_notices);
    }

    private static byte[] Changed(byte[] bytes, int at)
    {
        var copy = bytes.ToArray();
        copy[at] ^= 0xFF;
        return copy;
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
