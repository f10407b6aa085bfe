using System.Buffers.Binary;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// DNS (RFC 1035) over UDP and TCP (two-byte length first): a header with a sane opcode and counts, then a question
/// whose name, type and class read cleanly, or for an mDNS announcement (a response with no question) its first answer
/// record. Also covers mDNS and LLMNR, which share the format.
/// </summary>
public sealed class DnsInspector() : Inspector(new(AppLabel.Dns, AnyTransport, [53, 5353, 5355], InspectorPrecision.Loose, 10))
{
    private const int Header = 12;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (input.IsTcp)
        {
            if (data.Length < 2 + Header) return !input.AtLimit && data.Length < 2 + Header ? InspectResult.NeedMore : InspectResult.NoMatch;
            int length = BinaryPrimitives.ReadUInt16BigEndian(data);
            if (length < Header) return InspectResult.NoMatch;
            data = data[2..];
            if (data.Length > length) data = data[..length];
        }
        if (data.Length < Header + 5) return InspectResult.NoMatch;
        int opcode = (data[2] >> 3) & 0x0F;
        if (opcode is not (0 or 1 or 2 or 4 or 5)) return InspectResult.NoMatch;
        int questions = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
        int answers = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        bool response = (data[2] & 0x80) != 0;
        // An mDNS announcement (RFC 6762 8.3) is a response without a question: its first answer record is read instead.
        bool announcement = questions == 0 && response && answers > 0;
        if ((questions == 0 && !announcement) || questions > 16 || answers > 256) return InspectResult.NoMatch;
        int at = SkipName(data, Header);
        // An answer record carries TTL and RDLENGTH after type and class, and its data must fit.
        int fixedPart = announcement ? 10 : 4;
        if (at < 0 || at + fixedPart > data.Length) return input.IsTcp && !input.AtLimit && at == -2 ? InspectResult.NeedMore : InspectResult.NoMatch;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(data[at..]);
        int klass = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]) & 0x7FFF;
        if (type == 0 || klass is not (1 or 3 or 4 or 254 or 255)) return InspectResult.NoMatch;
        if (announcement && at + fixedPart + BinaryPrimitives.ReadUInt16BigEndian(data[(at + 8)..]) > data.Length) return InspectResult.NoMatch;
        input.Flow.AppDetail = AppDetail.Word(response ? "response" : "query");
        return InspectResult.Match;
    }

    // The offset after a question name; -1 when malformed, -2 when it runs past the bytes at hand.
    private static int SkipName(ReadOnlySpan<byte> data, int at)
    {
        int total = 0;
        for (int labels = 0; labels < 128; labels++)
        {
            if (at >= data.Length) return -2;
            byte length = data[at];
            if (length == 0) return at + 1;
            if ((length & 0xC0) == 0xC0) return at + 2 <= data.Length ? at + 2 : -2;
            if (length > 63) return -1;
            total += length + 1;
            if (total > 255) return -1;
            at += 1 + length;
        }
        return -1;
    }
}
