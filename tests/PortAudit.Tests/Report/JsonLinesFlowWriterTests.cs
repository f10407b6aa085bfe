using System.Globalization;
using System.Text;
using System.Text.Json;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Report;
using PortAudit.Report.Records;

namespace PortAudit.Tests.Report;

/// <summary>
/// The JSON lines writer writes UTF-8 itself and hands only text that needs escaping to the framework; its bytes
/// must stay exactly those of a <see cref="Utf8JsonWriter"/> writing every field, hostile text included, but for the
/// verbatim fields, written as they are (a Community ID keeps its '+').
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class JsonLinesFlowWriterTests
{
    private static readonly string[] Hostile =
    [
        "<script>alert(1)</script>", "\"quoted\" & 'single' + `tick`", "back\\slash", "line\nbreak\r\ttab\b\f",
        "\0nul\u001f\u007f", "caf\u00e9 \u2028 \ufeff \U0001F600", "lone \ud800 high", "lone \udc00 low", "", " ",
        new string('x', 5000) + "<",
    ];

    [Fact]
    public void Every_character_in_free_text_is_written_as_Utf8JsonWriter_writes_it()
    {
        var flows = Enumerable.Range(0, 0x10000).Select(c => NewFlow(app: "a" + (char)c + "b", detail: ((char)c).ToString())).ToList();
        Assert.Equal(Reference(flows), Written(flows));
    }

    [Fact]
    public void Hostile_text_is_escaped_as_Utf8JsonWriter_escapes_it()
    {
        var flows = Hostile.Select(text => NewFlow(app: "sip", detail: text)).ToList();
        string written = Encoding.UTF8.GetString(Written(flows));
        Assert.Equal(Encoding.UTF8.GetString(Reference(flows)), written);
        Assert.DoesNotContain("<script>", written);
        Assert.Contains("\\u003Cscript\\u003E", written);
    }

    [Fact]
    public void Extra_fields_and_lists_follow_the_flow_fields_as_Utf8JsonWriter_writes_them()
    {
        var extras = new[] { "verdict", "roles", "none", "host" };
        var lists = new[] { new List<string>(), ["one"], ["a", "b<c", ""], Hostile.ToList() };
        var flows = lists.Select(_ => NewFlow(app: null, detail: null)).ToList();

        var output = new MemoryStream();
        using (var writer = new JsonLinesFlowWriter(output, extras))
        {
            foreach (var (flow, list) in flows.Zip(lists)) writer.Write(flow, new Extra(list));
            writer.Complete();
        }
        var reference = new ReferenceWriter(extras);
        foreach (var (flow, list) in flows.Zip(lists)) reference.Write(flow, new Extra(list));

        Assert.Equal(Encoding.UTF8.GetString(reference.Bytes), Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public void Texts_repeated_by_the_same_strings_and_a_list_changed_in_place_are_written_as_Utf8JsonWriter_writes_them()
    {
        // The writer keeps what it wrote for the strings of the record before: the same string objects repeat, a hostile
        // one among them, and one list object is changed between records (grown, an item replaced, emptied, refilled).
        var extras = new[] { "verdict", "roles", "none", "host" };
        string app = "sip", hostile = Hostile[1];
        var roles = new List<string> { "front-end" };
        var steps = new List<(Flow Flow, List<string> Roles)>();
        void Record(string? detail) => steps.Add((NewFlow(app, detail), [.. roles]));
        Record(hostile);
        Record(hostile);
        roles.Add("edge<");
        Record(hostile);
        roles[0] = "dns";
        Record("plain");
        roles.Clear();
        Record("plain");
        roles.AddRange(["dns", "edge<"]);
        Record(hostile);

        var output = new MemoryStream();
        using (var writer = new JsonLinesFlowWriter(output, extras))
        {
            roles.Clear();
            foreach (var (flow, snapshot) in steps)
            {
                // The same list object each time, holding what the step held.
                roles.Clear();
                roles.AddRange(snapshot);
                writer.Write(flow, new Extra(roles));
            }
            writer.Complete();
        }
        var reference = new ReferenceWriter(extras);
        foreach (var (flow, snapshot) in steps) reference.Write(flow, new Extra(snapshot));

        Assert.Equal(Encoding.UTF8.GetString(reference.Bytes), Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public void Flows_written_together_with_their_extra_fields_are_the_records_written_one_by_one()
    {
        // Past the write threshold, in a count that is no multiple of the Community ID's lanes, with escaped text.
        var extras = new[] { "verdict", "roles", "none", "host" };
        var flows = Enumerable.Range(0, 1003)
            .Select(i => NewFlow(app: "app" + i, detail: i % 7 == 0 ? "<" + i : "d" + i, clientPort: (ushort)(1024 + i))).ToArray();
        var lists = flows.Select((_, i) => new Extra(i % 3 == 0 ? [] : ["r" + i, "<" + i])).ToArray();

        var together = new MemoryStream();
        using (var writer = new JsonLinesFlowWriter(together, extras))
        {
            writer.WriteAll<Extra>(flows, lists);
            writer.Complete();
        }
        var reference = new ReferenceWriter(extras);
        foreach (var (flow, list) in flows.Zip(lists)) reference.Write(flow, list);

        Assert.Equal(Encoding.UTF8.GetString(reference.Bytes), Encoding.UTF8.GetString(together.ToArray()));
        Assert.Throws<ArgumentException>(() => new JsonLinesFlowWriter(Stream.Null, extras).WriteAll<Extra>(flows, lists[1..]));
    }

    [Fact]
    public void Flows_ending_together_on_one_core_are_the_records_written_one_by_one()
    {
        // Fewer than the parallel path takes (two chunks): formatted a few at a time on this thread.
        var flows = Enumerable.Range(0, 2047).Select(i => NewFlow(app: "app" + i, detail: "d" + i, clientPort: (ushort)(1024 + i))).ToArray();
        var output = new MemoryStream();
        using (var writer = new JsonLinesFlowWriter(output))
        {
            writer.WriteAll(flows.AsMemory());
            writer.Complete();
        }
        Assert.Equal(Reference(flows), output.ToArray());
    }

    [Fact]
    public void Records_reach_the_stream_whole_and_in_order_past_the_write_threshold()
    {
        var flows = Enumerable.Range(0, 3000).Select(i => NewFlow(app: "app" + i, detail: i % 7 == 0 ? "<" + i : "d" + i)).ToList();
        Assert.Equal(Reference(flows), Written(flows));
    }

    [Fact]
    public void Flows_ending_together_are_formatted_in_parallel_and_written_in_their_order()
    {
        // Many more chunks than the writer formats ahead (each slot reused) and a short last one, with escaped text here
        // and there.
        var flows = Enumerable.Range(0, 40_000).Select(i => NewFlow(app: "app" + i, detail: i % 11 == 0 ? "<\"" + i : "d" + i)).ToArray();
        var output = new MemoryStream();
        using (var writer = new JsonLinesFlowWriter(output))
        {
            writer.Write(flows[0]);
            writer.WriteAll(flows.AsMemory(1));
            writer.Complete();
        }
        Assert.Equal(Reference(flows), output.ToArray());
    }

    [Fact]
    public void Ids_and_Community_IDs_are_written_and_read_back_with_their_plus_signs()
    {
        // 1.2.3.4:1122 -> 5.6.7.8:3344 over TCP: "1:wCb3OG7yAFWelaUydu0D+125CLM=" in the specification's baseline.
        var flow = new Flow(42, IpProtocol.Tcp, IpAddr.FromV4(0x0102_0304), 1122, IpAddr.FromV4(0x0506_0708), 3344, 0, opened: true);
        string line = Encoding.UTF8.GetString(Written([flow]));
        Assert.StartsWith("{\"id\":42,", line);
        Assert.Contains(",\"serverPort\":3344,\"communityId\":\"1:wCb3OG7yAFWelaUydu0D+125CLM=\",", line);
        var record = JsonDocument.Parse(line).RootElement;
        Assert.Equal("1:wCb3OG7yAFWelaUydu0D+125CLM=", record.GetProperty("communityId").GetString());
    }

    [Fact]
    public void Writing_records_of_IPv4_flows_allocates_nothing()
    {
        var flows = Enumerable.Range(0, 2000).Select(i => NewFlow(app: "sip", detail: i % 2 == 0 ? "INVITE" : "from=<sip:a@b>")).ToList();
        using var writer = new JsonLinesFlowWriter(Stream.Null);
        foreach (var flow in flows) writer.Write(flow); // warm up: buffers reach their size, the JIT settles
        long allocated = ThreadAllocation.Least(3, () =>
        {
            for (int i = 0; i < 5; i++)
                foreach (var flow in flows) writer.Write(flow);
        });
        Assert.True(allocated < 1024, $"{allocated} bytes allocated for {5 * flows.Count} records");
    }

    [Fact]
    public void Every_transport_and_state_is_written_as_Utf8JsonWriter_writes_it()
    {
        var flows = Enumerable.Range(0, 256)
            .Select(protocol => new Flow(protocol, (byte)protocol, IpAddr.FromV4(1), 1, IpAddr.FromV4(2), 2, 0, opened: true))
            .Append(new Flow(256, IpProtocol.Tcp, IpAddr.FromV4(1), 1, IpAddr.FromV4(2), 2, 0, opened: false))
            .ToList();
        flows[IpProtocol.Udp].Count(fromClient: true, 60, 1, TcpFlags.None, sequence: 0);
        flows[IpProtocol.Udp].Count(fromClient: false, 60, 1, TcpFlags.None, sequence: 0);
        flows[IpProtocol.Tcp].Count(fromClient: false, 60, 1, TcpFlags.Rst, sequence: 0);
        Assert.Equal(4, flows.Select(flow => flow.State).Distinct().Count());
        Assert.Equal(Reference(flows), Written(flows));
    }

    [Fact]
    public async Task A_failed_write_of_many_flows_ends_with_its_error()
    {
        var flows = Enumerable.Range(0, 9 * 1024).Select(i => NewFlow(app: "sip", detail: "n" + i, clientPort: (ushort)(1024 + i))).ToArray();
        using var writer = new JsonLinesFlowWriter(new FailingStream(afterBytes: 3 << 20));
        var error = await Assert.ThrowsAsync<IOException>(() => TimeBound.Within(TimeSpan.FromSeconds(30), "the failed write",
            () => { writer.WriteAll(flows); return true; }));
        Assert.Equal("disk full", error.Message);
    }

    // The records a failed write held are not written again when the writer is closed, nor after later records: closing
    // after a failure raises nothing more.
    [Fact]
    public void Records_whose_write_failed_are_not_written_again()
    {
        var writer = new JsonLinesFlowWriter(new FailingStream(afterBytes: 0));
        writer.Write(NewFlow(app: "sip", detail: null));
        Assert.Equal("disk full", Assert.Throws<IOException>(writer.Complete).Message);
        writer.Dispose();
    }

    private sealed class FailingStream(long afterBytes) : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            if (Length + count > afterBytes) throw new IOException("disk full");
            base.Write(buffer, offset, count);
        }
    }

    private static Flow NewFlow(string? app, string? detail, ushort clientPort = 50000)
    {
        var flow = new Flow(1, IpProtocol.Tcp, IpAddr.FromV4(0x0A00_0001), clientPort, IpAddr.FromV4(0xC0A8_64FE), 5060,
            1_700_000_000_123_456_789L, opened: true);
        flow.Count(fromClient: true, 60, 1_700_000_001_000_000_000L, TcpFlags.Syn, sequence: 1000);
        flow.Count(fromClient: false, 60, 1_700_000_001_500_000_000L, TcpFlags.Syn | TcpFlags.Ack, sequence: 9000);
        flow.App = app is null ? null : AppLabel.Of(app);
        flow.AppDetail = detail is null ? null : AppDetail.Of(detail);
        return flow;
    }

    private static byte[] Written(IEnumerable<Flow> flows)
    {
        var output = new MemoryStream();
        using (var writer = new JsonLinesFlowWriter(output))
        {
            foreach (var flow in flows) writer.Write(flow);
            writer.Complete();
        }
        return output.ToArray();
    }

    private static byte[] Reference(IEnumerable<Flow> flows)
    {
        var reference = new ReferenceWriter([]);
        foreach (var flow in flows) reference.Write(flow, new Extra([]));
        return reference.Bytes;
    }

    private sealed class Extra(List<string> list) : IFlowFieldSource
    {
        public void Write<TSink>(TSink sink, int firstField) where TSink : IFlowFieldSink
        {
            sink.Text(firstField, list.Count.ToString(CultureInfo.InvariantCulture));
            sink.TextList(firstField + 1, list);
            sink.Null(firstField + 2);
            FlowFields.Optional(sink, firstField + 3, list.LastOrDefault());
        }
    }

    /// <summary>Every field through a <see cref="Utf8JsonWriter"/> with default options: the bytes to match.</summary>
    private sealed class ReferenceWriter(string[] extraFields) : IFlowFieldSink
    {
        private readonly MemoryStream _output = new();
        private readonly string[] _names = [.. FlowFields.Names, .. extraFields];
        private Utf8JsonWriter _json = null!;

        public byte[] Bytes => _output.ToArray();

        public void Write(Flow flow, Extra extra)
        {
            using (_json = new Utf8JsonWriter(_output))
            {
                _json.WriteStartObject();
                FlowFields.Write(flow, this);
                if (extraFields.Length > 0) extra.Write(this, FlowFields.Names.Length);
                _json.WriteEndObject();
            }
            _output.WriteByte((byte)'\n');
        }

        public void Text(int field, ReadOnlySpan<char> value) => _json.WriteString(_names[field], value);

        // Verbatim fields are plain ASCII that JSON needs no escape for: checked here, then written raw.
        public void Verbatim(int field, ReadOnlySpan<byte> ascii)
        {
            Assert.True(ascii.IndexOfAnyExceptInRange((byte)' ', (byte)'~') < 0 && ascii.IndexOfAny("\"\\"u8) < 0,
                $"{_names[field]} is not verbatim text: {Encoding.ASCII.GetString(ascii)}");
            _json.WritePropertyName(_names[field]);
            _json.WriteRawValue([(byte)'"', .. ascii, (byte)'"'], skipInputValidation: true);
        }

        public void Number(int field, long value) => _json.WriteNumber(_names[field], value);

        public void Flag(int field, bool value) => _json.WriteBoolean(_names[field], value);

        // A JSON number, validated as one by the framework.
        public void Seconds(int field, long nanoseconds)
        {
            Span<byte> text = stackalloc byte[FlowFields.MaxSecondsLength];
            _json.WritePropertyName(_names[field]);
            _json.WriteRawValue(text[..FlowFields.FormatSeconds(nanoseconds, text)]);
        }

        public void Null(int field) => _json.WriteNull(_names[field]);

        public void TextList(int field, IReadOnlyList<string> values)
        {
            _json.WriteStartArray(_names[field]);
            foreach (var value in values) _json.WriteStringValue(value);
            _json.WriteEndArray();
        }
    }
}
