using System.Text;
using PortAudit.Flows;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Builders;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// An HTTP request's Host, as tshark's http.host gives it, however the client cut its head into segments: read once
/// the head has ended, or at the inspection's limits from the lines whole by then.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class HttpHostTests
{
    private const string Request = "GET /index.html HTTP/1.1\r\nUser-Agent: curl/8.5.0\r\nHost: www.example.com\r\nAccept: */*\r\n\r\n";
    private static readonly byte[] Answer = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");

    // The flow of a conversation with a web server on 80: the client's bytes in the segments given, then the answer.
    private static string? Detail(params byte[][] segments) => Assert.Single(InspectTestData.Inspect(Smb1Messages.Conversation(
        "10.0.0.50", "10.0.0.80", 80, [.. segments.Select(s => (true, s)), (false, Answer)])), f => f.ServerPort == 80).AppDetail?.ToString();

    // `text` cut into segments of 1 to 12 bytes, in turn.
    private static byte[][] Small(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        var segments = new List<byte[]>();
        for (int at = 0, size = 1; at < bytes.Length; at += size, size = size % 12 + 1)
            segments.Add(bytes[at..Math.Min(bytes.Length, at + size)]);
        return [.. segments];
    }

    [Fact]
    public void TheHostOfAHeadCutIntoSmallSegmentsIsRead()
    {
        // The request line came whole in the sixth segment: the flow was labelled then, "GET" without its host.
        Assert.Equal("GET; host=www.example.com", Detail(Small(Request)));
        Assert.Equal("GET; host=www.example.com", Detail(Encoding.ASCII.GetBytes(Request)));
    }

    [Fact]
    public void AHostLineCutShortIsNoHost()
    {
        // The flow ends inside the Host line: "www.exam" was no host the client sent (and the server's answer, which
        // came while the head was awaited, does not label the flow in its place).
        Assert.Equal("GET", Detail(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: www.exam")));
        // A whole Host line in a head that never ended is read at the flow's end.
        Assert.Equal("GET; host=www.example.com", Detail(Small("GET / HTTP/1.1\r\nHost: www.example.com\r\nAccept: */*")));
    }

    [Fact]
    public void AHostPastTheBytesInspectedIsNotRead()
    {
        // The inspectors see 4 KiB of a direction: a Host after them is not waited for.
        string padded = $"GET / HTTP/1.1\r\nX-Pad: {new string('a', 5000)}\r\nHost: late.example\r\n\r\n";
        Assert.Equal("GET", Detail([.. Encoding.ASCII.GetBytes(padded).Chunk(1000)]));
    }

    [Fact]
    public void TheInspectorWaitsForTheHeadsEnd()
    {
        var inspector = new HttpInspector();
        Assert.Equal(InspectResult.NeedMore, InspectorHarness.Once(inspector, Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: a.example\r\n"), tcp: true).Result);
        var (result, flow) = InspectorHarness.Once(inspector, Encoding.ASCII.GetBytes("GET / HTTP/1.1\nHost: a.example\n\n"), tcp: true);
        Assert.Equal((InspectResult.Match, "GET; host=a.example"), (result, flow.AppDetail?.ToString()));
    }
}
