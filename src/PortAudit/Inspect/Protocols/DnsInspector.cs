using System.Buffers.Binary;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// DNS (RFC 1035) over UDP and TCP (two-byte length first): a header with a sane opcode and counts, then a question
/// whose name, type and class read cleanly, or for an mDNS announcement (a response with no question) its first answer
/// record. Also covers mDNS and LLMNR, which share the format. appDetail: <c>query</c> or <c>response</c>, then the name
/// asked for (an announcement's: its record's) and its type, as Zeek's dns.log keeps them:
/// <c>query; name=_ldap._tcp.dc._msdcs.corp.example; type=SRV</c>. A name is written as its labels joined by dots, each
/// percent-escaped as every wire value in a detail (UTF-8, ';', '%' and control bytes as %XX, so that decoding gives
/// tshark's dns.qry.name: <see cref="AppDetailBuilder.AppendEscaped"/>), at most 253 bytes of name; a compression
/// pointer is followed once, backwards. The QR bit says which side sent the message (<see cref="InspectionInput.SentByClient"/>)
/// where the flow's sides were taken from its ports.
/// </summary>
public sealed class DnsInspector() : Inspector(new(AppLabel.Dns, AnyTransport, [53, 5353, 5355], InspectorPrecision.Loose, 10))
{
    private const int Header = 12;
    // RFC 1035 2.3.4: a name is at most 255 bytes on the wire, 253 characters written with dots.
    private const int MaxName = 253;
    private const int MaxLabels = 128;
    private static readonly string[] Words = ["query", "response"];

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        int declared = int.MaxValue;
        if (input.IsTcp)
        {
            if (data.Length < 2 + Header) return !input.AtLimit && data.Length < 2 + Header ? InspectResult.NeedMore : InspectResult.NoMatch;
            declared = BinaryPrimitives.ReadUInt16BigEndian(data);
            if (declared < Header) return InspectResult.NoMatch;
            data = data[2..];
            if (data.Length > declared) data = data[..declared];
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
        // Over TCP the length prefix declares the message: a question takes 5 bytes at least (the root's name, type,
        // class) and a record 11, so counts that cannot fit it are no DNS header (base.pcap's HART-IP on TCP 5094, whose
        // header 01 00 | 00 00 00 02 00 0d 01 00 00 75 30 01 reads as 13 questions and 12,662 records in 256 bytes).
        int records = answers + BinaryPrimitives.ReadUInt16BigEndian(data[8..]) + BinaryPrimitives.ReadUInt16BigEndian(data[10..]);
        if (questions * 5 + records * 11 > declared - Header) return InspectResult.NoMatch;
        int at = SkipName(data, Header);
        // An answer record carries TTL and RDLENGTH after type and class, and its data must fit.
        int fixedPart = announcement ? 10 : 4;
        if (at < 0 || at + fixedPart > data.Length) return input.IsTcp && !input.AtLimit && at == -2 ? InspectResult.NeedMore : InspectResult.NoMatch;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(data[at..]);
        int klass = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]) & 0x7FFF;
        if (type == 0 || klass is not (1 or 3 or 4 or 254 or 255)) return InspectResult.NoMatch;
        if (announcement && at + fixedPart + BinaryPrimitives.ReadUInt16BigEndian(data[(at + 8)..]) > data.Length) return InspectResult.NoMatch;
        input.Flow.AppDetail = Detail(data, response, type);
        input.SentByClient = SentByClient(input, response);
        return InspectResult.Match;
    }

    // RFC 1035 4.1.1's QR bit says who sent the message: a query comes from the client, a response from the server. It
    // turns a flow whose sides the ports guessed wrong (a resolver that queries from port 53 a server on a high port),
    // never one whose opening named them, and says nothing of a message to a group: an mDNS response goes unasked to
    // 224.0.0.251, which is no client.
    private static bool? SentByClient(in InspectionInput input, bool response)
    {
        var flow = input.Flow;
        var destination = input.FromClient ? flow.Server : flow.Client;
        return flow.Sides == FlowSides.Ports && !destination.IsGroup ? !response : null;
    }

    private static AppDetail? Detail(ReadOnlySpan<byte> message, bool response, ushort type)
    {
        var text = new AppDetailBuilder(stackalloc char[AppDetailBuilder.DefaultCapacity]);
        text.Append(Words[response ? 1 : 0]);
        text.Part("name");
        AppendName(ref text, message, Header);
        text.Part("type");
        AppendType(ref text, type);
        return text.Build();
    }

    // The name at offset at, its labels joined by dots ("." for the root); a compression pointer is followed once, back
    // into the message, as the first question's name rarely needs it.
    private static void AppendName(ref AppDetailBuilder text, ReadOnlySpan<byte> message, int at)
    {
        int written = 0;
        bool followed = false;
        for (int labels = 0; labels < MaxLabels && at < message.Length; labels++)
        {
            byte length = message[at];
            if (length == 0) break;
            if ((length & 0xC0) == 0xC0)
            {
                if (followed || at + 1 >= message.Length) break;
                int target = (length & 0x3F) << 8 | message[at + 1];
                if (target >= at) break;
                followed = true;
                at = target;
                continue;
            }
            if (length > 63 || at + 1 + length > message.Length || written + length + 1 > MaxName + 1) break;
            if (written > 0) text.Append('.');
            text.AppendEscaped(message.Slice(at + 1, length), 3 * length);
            written += length + 1;
            at += 1 + length;
        }
        if (written == 0) text.Append('.');
    }

    // The type's mnemonic, or RFC 3597's TYPEn for one without.
    private static void AppendType(ref AppDetailBuilder text, ushort type)
    {
        string? name = type switch
        {
            1 => "A", 2 => "NS", 5 => "CNAME", 6 => "SOA", 10 => "NULL", 12 => "PTR", 13 => "HINFO", 15 => "MX", 16 => "TXT",
            28 => "AAAA", 33 => "SRV", 35 => "NAPTR", 43 => "DS", 46 => "RRSIG", 47 => "NSEC", 48 => "DNSKEY", 64 => "SVCB",
            65 => "HTTPS", 99 => "SPF", 251 => "IXFR", 252 => "AXFR", 255 => "ANY", 257 => "CAA",
            _ => null,
        };
        if (name is not null)
        {
            text.Append(name);
            return;
        }
        Span<char> digits = stackalloc char[5];
        type.TryFormat(digits, out int written, default, System.Globalization.CultureInfo.InvariantCulture);
        text.Append("TYPE");
        text.Append(digits[..written]);
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
