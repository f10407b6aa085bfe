using System.Buffers.Binary;
using PortAudit.Report.Ipfix;
using PortAudit.Sources.Records.Ipfix;

namespace PortAudit.Tests.Report.Ipfix;

/// <summary>Keeps a copy of every message an exporter sends, in order.</summary>
internal sealed class CollectingTransport : IIpfixTransport
{
    public List<byte[]> Messages { get; } = [];

    public string Name => "test";

    public bool TrySend(ReadOnlySpan<byte> message, out string? problem)
    {
        Messages.Add(message.ToArray());
        problem = null;
        return true;
    }

    public void Dispose() { }
}

/// <summary>
/// What a collector sees of one message, read with the exporter's own layout: the header, whether it announces
/// templates, and each data record as its values by (enterprise, element). Our reader keeps only what a flow needs;
/// this reads the audit's elements too.
/// </summary>
internal sealed record ExportedMessage(ushort Version, int Length, uint ExportSeconds, uint Sequence, uint Domain, bool HasTemplates,
    List<Dictionary<(uint Enterprise, ushort Id), byte[]>> Records)
{
    public static ExportedMessage Read(byte[] message, IpfixExportLayout layout)
    {
        var records = new List<Dictionary<(uint, ushort), byte[]>>();
        bool templates = false;
        int position = IpfixMessage.IpfixHeaderLength;
        int length = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(2));
        while (position < length)
        {
            ushort setId = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(position));
            int setLength = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(position + 2));
            Assert.True(setLength >= 4 && position + setLength <= length, $"set {setId} of {setLength} bytes at {position} overruns the message");
            if (setId == 2) templates = true;
            else
            {
                var template = setId == IpfixExportLayout.V4TemplateId ? layout.V4 : layout.V6;
                int at = position + 4;
                while (at < position + setLength) records.Add(ReadRecord(message, ref at, template));
                Assert.Equal(position + setLength, at);
            }
            position += setLength;
        }
        var header = message.AsSpan();
        return new ExportedMessage(BinaryPrimitives.ReadUInt16BigEndian(header), length, BinaryPrimitives.ReadUInt32BigEndian(header[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(header[8..]), BinaryPrimitives.ReadUInt32BigEndian(header[12..]), templates, records);
    }

    private static Dictionary<(uint, ushort), byte[]> ReadRecord(byte[] message, ref int at, IpfixTemplate template)
    {
        var values = new Dictionary<(uint, ushort), byte[]>();
        foreach (var field in template.Fields)
        {
            int length = field.Length == IpfixTemplate.VariableLength ? message[at++] : field.Length;
            values[(field.Enterprise, field.Id)] = message.AsSpan(at, length).ToArray();
            at += length;
        }
        return values;
    }
}
