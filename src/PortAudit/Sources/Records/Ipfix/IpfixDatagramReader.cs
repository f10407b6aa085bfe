using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Sources.Records.Ipfix;

/// <summary>
/// Flow records from export datagrams, each from a known exporter: a capture of the exporter's UDP packets, or a
/// collector's socket. Templates are kept per exporter address, so that two exporters that use the same template ids
/// do not mix.
/// </summary>
public abstract class IpfixDatagramReader : IRecordReader
{
    private readonly IpfixDecoder _decoder;
    private bool _flushed;
    private long _offset;

    /// <summary>A reader named <paramref name="name"/> in problems; <paramref name="serverPorts"/> places clients where record times tie.</summary>
    protected IpfixDatagramReader(string name, RecordStatistics statistics, IServerPortHint? serverPorts)
    {
        Name = name;
        Pairer = new IpfixFlowPairer(serverPorts);
        _decoder = new IpfixDecoder(statistics, Pairer);
    }

    /// <summary>The input as problems name it.</summary>
    public string Name { get; }

    /// <summary>Where one-way records wait for their reverse.</summary>
    public IpfixFlowPairer Pairer { get; }

    /// <summary>Export datagrams decoded.</summary>
    public long Datagrams { get; private set; }

    /// <inheritdoc />
    public bool TryRead(ref FlowRecord record)
    {
        while (true)
        {
            if (Pairer.TryTake(out record)) return true;
            if (_flushed) return false;
            if (TryReceive(out var exporter, out var datagram))
            {
                Datagrams++;
                _decoder.Decode(datagram, datagram: true, exporter, Name, _offset, ReceivedMs);
                _offset += datagram.Length;
            }
            else
            {
                Pairer.Flush();
                _flushed = true;
            }
        }
    }

    /// <summary>
    /// When the last datagram arrived, in milliseconds of a steady clock, for template lifetimes (RFC 7011 §8.4);
    /// negative when unknown (templates then never expire, bounded by number alone).
    /// </summary>
    protected virtual long ReceivedMs => -1;

    /// <summary>The next export datagram and its sender; false at the end. The span is valid until the next call.</summary>
    protected abstract bool TryReceive(out IpAddr exporter, out ReadOnlySpan<byte> datagram);

    /// <inheritdoc />
    public virtual void Dispose() => GC.SuppressFinalize(this);
}
