using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Inspect;
using PortAudit.Tests.Flows;
using static PortAudit.Tests.Builders.DecodedPackets;

namespace PortAudit.Tests.Inspect;

/// <summary>Runs one inspector over crafted bytes, as the engine would show them.</summary>
public static class InspectorHarness
{
    /// <summary>A flow between two documentation addresses.</summary>
    public static Flow NewFlow(bool tcp, ushort serverPort = 40000) =>
        new(1, tcp ? IpProtocol.Tcp : IpProtocol.Udp, IpAddr.FromV4(0xC0000201), 50000, IpAddr.FromV4(0xC0000202), serverPort, 0, tcp);

    /// <summary>Shows <paramref name="messages"/> in turn (each one the whole data of its call) and returns the last result.</summary>
    public static InspectResult Run(IInspector inspector, Flow flow, bool tcp, bool fromClient, params byte[][] messages)
    {
        ulong scratch = 0;
        var result = InspectResult.NeedMore;
        for (int i = 0; i < messages.Length; i++)
        {
            var input = new InspectionInput(flow, messages[i], fromClient, tcp, i, ref scratch);
            result = inspector.Inspect(ref input);
            if (result is InspectResult.Match or InspectResult.NoMatch) break;
        }
        return result;
    }

    /// <summary>
    /// Shows the turns of a conversation in order, each the whole data of its direction so far, with one scratch word for
    /// both directions as the engine keeps it; returns the last result.
    /// </summary>
    public static InspectResult Conversation(IInspector inspector, Flow flow, bool tcp, params (bool FromClient, byte[] Data)[] turns)
    {
        ulong scratch = 0;
        var result = InspectResult.NeedMore;
        for (int i = 0; i < turns.Length; i++)
        {
            var input = new InspectionInput(flow, turns[i].Data, turns[i].FromClient, tcp, i, ref scratch);
            result = inspector.Inspect(ref input);
            if (result is InspectResult.Match or InspectResult.NoMatch) break;
        }
        return result;
    }

    /// <summary>
    /// <see cref="Conversation"/> on a fresh flow to <paramref name="port"/>: the last result and the detail the inspector
    /// left on the flow.
    /// </summary>
    public static (InspectResult Result, string? Detail) Converse(IInspector inspector, bool tcp, ushort port, params (bool FromClient, byte[] Data)[] turns)
    {
        var flow = NewFlow(tcp, port);
        var result = Conversation(inspector, flow, tcp, turns);
        return (result, flow.AppDetail?.ToString());
    }

    /// <summary>Shows one message on a fresh flow; returns the result and the flow.</summary>
    public static (InspectResult Result, Flow Flow) Once(IInspector inspector, byte[] data, bool tcp, bool fromClient = true)
    {
        var flow = NewFlow(tcp);
        return (Run(inspector, flow, tcp, fromClient, data), flow);
    }

    /// <summary>
    /// A TCP flow joined midstream (no SYN seen), run through a flow table and the whole engine: the segments in turn,
    /// each from the client (<paramref name="client"/>:<paramref name="clientPort"/>) or the server; the flow it gave.
    /// With both ports 1024 or more, the first segment's sender is taken for the client.
    /// </summary>
    public static Flow Midstream(IpAddr client, ushort clientPort, IpAddr server, ushort serverPort, params (bool FromClient, byte[] Bytes)[] segments)
    {
        var collector = new FlowCollector();
        var table = new FlowTable(new FlowTableOptions(), new InspectionEngine(), collector);
        uint clientSeq = 1000, serverSeq = 9000;
        long time = 1_700_000_000_000_000_000;
        foreach (var (fromClient, bytes) in segments)
        {
            if (fromClient) SendTcp(table, time++, client, clientPort, server, serverPort, clientSeq, TcpFlags.Ack | TcpFlags.Psh, bytes);
            else SendTcp(table, time++, server, serverPort, client, clientPort, serverSeq, TcpFlags.Ack | TcpFlags.Psh, bytes);
            if (fromClient) clientSeq += (uint)bytes.Length;
            else serverSeq += (uint)bytes.Length;
        }
        table.Flush();
        return Assert.Single(collector.Flows);
    }

    /// <summary>Bytes from hex text, spaces allowed.</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    /// <summary>ASCII bytes.</summary>
    public static byte[] Ascii(string text) => System.Text.Encoding.ASCII.GetBytes(text);
}
