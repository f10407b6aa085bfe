using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Sources.Records.Ipfix;

/// <summary>
/// Export datagrams recorded in a packet capture (tcpdump of the exporter's UDP to its collector): each UDP payload
/// that begins as an IPFIX message or a NetFlow v9 packet is decoded, with the packet's source as the exporter.
/// </summary>
public sealed class IpfixCaptureReader : IpfixDatagramReader
{
    private readonly ICaptureReader _capture;
    private long _receivedMs = -1;

    /// <summary>A reader of the capture <paramref name="capture"/>, which it owns; <paramref name="serverPorts"/> places unpaired clients.</summary>
    public IpfixCaptureReader(ICaptureReader capture, RecordStatistics statistics, IServerPortHint? serverPorts = null)
        : base(capture.Name, statistics, serverPorts) => _capture = capture;

    /// <inheritdoc />
    protected override bool TryReceive(out IpAddr exporter, out ReadOnlySpan<byte> datagram)
    {
        while (_capture.TryRead(out var record))
        {
            if (PacketDecoder.Decode(record.LinkType, record.Data, out var packet) != DecodeStatus.Ok || packet.Protocol != IpProtocol.Udp)
                continue;
            var payload = packet.Payload(record.Data);
            if (!IpfixMessage.LooksLikeExport(payload)) continue;
            exporter = packet.Source;
            // The capture's clock is the collector's: templates expire by packet time, however fast the file is read.
            _receivedMs = record.TimestampNs >= 0 ? record.TimestampNs / 1_000_000 : -1;
            datagram = payload;
            return true;
        }
        exporter = default;
        datagram = default;
        return false;
    }

    /// <inheritdoc />
    protected override long ReceivedMs => _receivedMs;

    /// <inheritdoc />
    public override void Dispose()
    {
        _capture.Dispose();
        base.Dispose();
    }
}
