using PortAudit.Audit.Anomaly;

namespace PortAudit.Tests.Audit;

/// <summary>
/// DNS over TCP as the anomaly models read it: messages framed by a two-byte length (RFC 1035 4.2.2), several to a
/// segment or one split across segments, in sequence order.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class DnsTcpStreamTests
{
    private const string Random = "k3j9x0qv7m2z8w4r1t6y5u0p9o8i7n3b2v1c4x5z6a7s8d9f0g1h2j3k4l5q.t.corp.example";

    private static byte[] Framed(params byte[][] messages)
    {
        var stream = new List<byte>();
        foreach (var message in messages)
        {
            stream.Add((byte)(message.Length >> 8));
            stream.Add((byte)message.Length);
            stream.AddRange(message);
        }
        return [.. stream];
    }

    [Fact]
    public void SeveralQueriesInOneSegmentAreEachCounted()
    {
        var rhythm = new Rhythm();
        new DnsTcpStream().Read(1000, Framed(Builders.Packets.DnsQuery("www.corp.example"), Builders.Packets.DnsQuery(Random), Builders.Packets.DnsQuery("dc01.corp.example")), true, rhythm);
        Assert.Equal(3, rhythm.DnsQueries);
        Assert.Equal((16 + Random.Length + 17) / 3.0, rhythm.DnsNameLength, 9);
    }

    [Fact]
    public void AQuerySplitAnywhereIsCountedOnceAsIfWhole()
    {
        var bytes = Framed(Builders.Packets.DnsQuery(Random), Builders.Packets.DnsQuery("www.corp.example"));
        var whole = new Rhythm();
        new DnsTcpStream().Read(0, bytes, true, whole);
        // Every cut, the length prefix's two bytes among them, and a third piece a byte long after it.
        for (int cut = 1; cut < bytes.Length - 1; cut++)
        {
            var rhythm = new Rhythm();
            var stream = new DnsTcpStream();
            uint sequence = uint.MaxValue - 10; // across the sequence numbers' wrap too
            stream.Read(sequence, bytes.AsSpan(0, cut), true, rhythm);
            stream.Read(unchecked(sequence + (uint)cut), bytes.AsSpan(cut, 1), true, rhythm);
            stream.Read(unchecked(sequence + (uint)cut + 1), bytes.AsSpan(cut + 1), true, rhythm);
            Assert.Equal(2, rhythm.DnsQueries);
            Assert.Equal(whole.DnsNameLength, rhythm.DnsNameLength, 9);
            Assert.Equal(whole.DnsNameEntropy, rhythm.DnsNameEntropy, 9);
        }
    }

    [Fact]
    public void ARetransmittedSegmentIsReadOnceAndAnOverlapOnlyForItsNewBytes()
    {
        var bytes = Framed(Builders.Packets.DnsQuery(Random), Builders.Packets.DnsQuery("www.corp.example"));
        var rhythm = new Rhythm();
        var stream = new DnsTcpStream();
        stream.Read(500, bytes.AsSpan(0, 40), true, rhythm);
        stream.Read(500, bytes.AsSpan(0, 40), true, rhythm);
        stream.Read(520, bytes.AsSpan(20), true, rhythm);
        stream.Read(500, bytes, true, rhythm);
        Assert.Equal(2, rhythm.DnsQueries);
        Assert.False(stream.Lost);
    }

    [Fact]
    public void AfterASegmentTheCaptureMissedNothingMoreIsCounted()
    {
        var first = Framed(Builders.Packets.DnsQuery("www.corp.example"));
        var rest = Framed(Builders.Packets.DnsQuery(Random), Builders.Packets.DnsQuery(Random));
        var rhythm = new Rhythm();
        var stream = new DnsTcpStream();
        stream.Read(0, first, true, rhythm);
        // The next segment starts 100 bytes later than the stream's next byte: a name read there would be read out of
        // the middle of whatever the missing bytes framed.
        stream.Read((uint)first.Length + 100, rest, true, rhythm);
        stream.Read((uint)first.Length, rest, true, rhythm);
        Assert.Equal(1, rhythm.DnsQueries);
        Assert.True(stream.Lost);
    }

    [Fact]
    public void ASegmentTheSnapLengthCutEndsTheReadingAfterWhatItHolds()
    {
        var bytes = Framed(Builders.Packets.DnsQuery("www.corp.example"), Builders.Packets.DnsQuery(Random));
        var rhythm = new Rhythm();
        var stream = new DnsTcpStream();
        stream.Read(0, bytes.AsSpan(0, 40), complete: false, rhythm);
        stream.Read(40, bytes.AsSpan(40), true, rhythm);
        Assert.Equal(1, rhythm.DnsQueries);
        Assert.True(stream.Lost);
    }

    [Fact]
    public void HostileLengthsCountNothingFalseAndKeepTheFraming()
    {
        var rhythm = new Rhythm();
        var stream = new DnsTcpStream();
        // Zero-length messages, one too short for a header, one of 11 bytes that is no query, then a query.
        var bytes = Framed([], [], [1, 2, 3], new byte[11], Builders.Packets.DnsQuery("www.corp.example"));
        stream.Read(0, bytes, true, rhythm);
        Assert.Equal(1, rhythm.DnsQueries);
        // A message of 65,535 bytes, the most a length can claim, that is no query (its second label's length is 'a'):
        // skipped over 45 segments without being kept, and what follows it is framed from its end.
        var huge = new byte[65_535];
        huge[5] = 1; // one question
        huge[12] = 63;
        for (int at = 13; at < huge.Length; at++) huge[at] = (byte)'a';
        var next = Framed(huge, Builders.Packets.DnsQuery(Random));
        uint sequence = (uint)bytes.Length;
        for (int at = 0; at < next.Length; at += 1460)
        {
            int length = Math.Min(1460, next.Length - at);
            stream.Read(sequence + (uint)at, next.AsSpan(at, length), true, rhythm);
        }
        Assert.Equal(2, rhythm.DnsQueries);
        Assert.Equal((16 + Random.Length) / 2.0, rhythm.DnsNameLength, 9);
    }

    [Fact]
    public void AQueryWhoseNameEndsOnlyPastTheHeadLimitIsNoQuery()
    {
        // Labels of 63 bytes to 12 + 5 * 64 bytes: longer than any name RFC 1035 allows, so not measured.
        var message = new List<byte>(Builders.Packets.DnsQuery("x"));
        message.RemoveRange(12, message.Count - 12);
        for (int label = 0; label < 5; label++)
        {
            message.Add(63);
            message.AddRange(Enumerable.Repeat((byte)'b', 63));
        }
        message.AddRange(new byte[] { 0, 0, 16, 0, 1 });
        var rhythm = new Rhythm();
        new DnsTcpStream().Read(0, Framed([.. message]), true, rhythm);
        Assert.Equal(0, rhythm.DnsQueries);
    }
}
