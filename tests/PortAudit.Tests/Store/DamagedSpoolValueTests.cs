using System.Buffers.Binary;
using PortAudit.Store;
using static PortAudit.Tests.Store.StoreUnitTests;

namespace PortAudit.Tests.Store;

/// <summary>
/// Spools whose rows are whole but whose values are not of their columns' shapes, one case per crash the
/// coverage-guided spool harness found (tools/fuzz/afl.sh spool, docs/fuzz.md): the spool check passed them and the
/// replay threw reading them back (<see cref="StoreRows"/>) or naming their days' partitions. Each is made from our
/// writer's spool of one flow with one value or day changed, and must be quarantined with a warning naming the file,
/// the byte, the row, the field and what is wrong.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class DamagedSpoolValueTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("portaudit-spool-values-");
    private readonly List<string> _notices = [];

    private string SpoolPath => Path.Combine(_dir.FullName, "edge.spool");

    // Where the frame's rows start: the file's header, the frame's header and its one day.
    private static readonly int RowsAt = SpoolFrame.FileHeader.Length + SpoolFrame.HeaderBytes + 4;

    public static TheoryData<string, string, string> WrongShapes => new()
    {
        // Numbers and times one width short of their type's, as ReadInt*BigEndian threw on.
        { "client_port", "01", "1 bytes where its type has 4" },
        { "icmp_type", "00", "1 bytes where its type has 2" },
        { "start_ns", "000102", "3 bytes where its type has 8" },
        { "end", "00", "1 bytes where its type has 8" },
        // A boolean of no byte: the index past the value threw.
        { "first_from_server", "", "0 bytes where its type has 1" },
        // Addresses neither of an IPv4 nor of an IPv6 host's shape: a slice past the value threw.
        { "client", "0220000400", "5 bytes where an address has 8 (IPv4) or 20 (IPv6)" },
        { "client", "072000040A000001", "an address headed 7 32 0 4, not an IPv4 host's 2 32 0 4" },
        // Text the store's text refuses, found at the spool rather than by the server at replay.
        { "transport", "75FF70", "text that is not UTF-8" },
        { "state", "6100", "text holding a NUL, which the store's text cannot" },
        // A text array whose one element claims 100 bytes where 3 follow.
        { "rpc_calls", "00000001" + "00000000" + "00000019" + "00000001" + "00000001" + "00000064" + "616263",
            "element 1 of 100 bytes, which the array does not hold" },
    };

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public void A_value_not_of_its_columns_shape_is_named_by_byte_row_and_field(string column, string hex, string what)
    {
        var (spool, fieldAt) = SpoolWith(column, Convert.FromHexString(hex));

        Assert.Equal(0, Reopened(spool).Frames);

        int field = FlowColumns.IndexOf(column);
        string named = $"field {field + 1} ({column} {FlowColumns.All[field].SqlType})";
        Assert.StartsWith($"spool {SpoolPath} is damaged at byte {fieldAt}: frame 1: row 1 {named}: {what}; the file is quarantined as ",
            Assert.Single(_notices));
    }

    [Fact]
    public void A_text_array_claiming_two_billion_elements_is_named_without_allocating_them()
    {
        // Found as an out-of-memory crash: StoreRows allocated the array's claimed count before reading an element.
        byte[] array = Convert.FromHexString("00000001" + "00000000" + "00000019" + "7FFFFFFF" + "00000001" + "FFFFFFFF");
        var (spool, fieldAt) = SpoolWith("app_detail_values", array);

        long allocated = ThreadAllocation.Least(3, () => Reopened(spool));

        Assert.Contains($"damaged at byte {fieldAt}: frame 1: row 1 field", Assert.Single(_notices));
        Assert.Contains("(app_detail_values text[]): element 2 of 2147483647 missing", _notices[0]);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated");
    }

    [Fact]
    public void A_frame_naming_a_day_no_date_has_is_named_by_its_byte()
    {
        // Found as ArgumentOutOfRangeException naming the day's partition: a day beyond the year 9999 the frame's rows never start on.
        var (spool, _) = SpoolWith("client_port", null);
        var withDay = new List<byte>(spool[..RowsAt]);
        withDay.AddRange(BigEndian(3_000_000));
        withDay.AddRange(spool[RowsAt..]);
        byte[] file = [.. withDay];
        BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(SpoolFrame.FileHeader.Length + 4), 2);

        Assert.Equal(0, Reopened(file).Frames);

        Assert.StartsWith($"spool {SpoolPath} is damaged at byte {RowsAt}: frame 1: day 3000000 of its days is no date of the years 1 to 9999;",
            Assert.Single(_notices));
    }

    // Our writer's spool of one flow with the value of column replaced by value (unchanged when null), the frame's
    // length mended to match; and the byte of the file where that field starts (its length word).
    private (byte[] Spool, int FieldAt) SpoolWith(string column, byte[]? value)
    {
        var batch = new FlowBatch("edge");
        batch.Add(SomeFlow(0), "cap.pcap"u8);
        new FlowSpool(SpoolPath, _notices.Add).Append(batch);
        byte[] good = File.ReadAllBytes(SpoolPath);
        int at = RowsAt + 2;
        for (int field = 0; field < FlowColumns.IndexOf(column); field++)
            at += 4 + Math.Max(0, BinaryPrimitives.ReadInt32BigEndian(good.AsSpan(at)));
        if (value is null) return (good, at);
        int oldSize = Math.Max(0, BinaryPrimitives.ReadInt32BigEndian(good.AsSpan(at)));
        byte[] changed = [.. good[..at], .. BigEndian(value.Length), .. value, .. good[(at + 4 + oldSize)..]];
        int rowsLength = changed.Length - RowsAt;
        BinaryPrimitives.WriteInt32BigEndian(changed.AsSpan(SpoolFrame.FileHeader.Length + 8), rowsLength);
        return (changed, at);
    }

    // The spool reopened from bytes, as a run opens one an earlier run left.
    private FlowSpool Reopened(byte[] bytes)
    {
        foreach (var file in _dir.GetFiles()) file.Delete();
        _notices.Clear();
        File.WriteAllBytes(SpoolPath, bytes);
        return new FlowSpool(SpoolPath, _notices.Add);
    }

    private static byte[] BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
