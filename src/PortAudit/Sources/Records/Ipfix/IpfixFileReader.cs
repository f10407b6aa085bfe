using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Sources.Records.Ipfix;

/// <summary>
/// An IPFIX file (RFC 5655: IPFIX messages back to back) or NetFlow v9 and v5 packets back to back (saved datagrams), read
/// message by message through a fixed buffer: the file is never loaded whole. A header that cannot be read ends the
/// input (a stream of messages has no marker to find the next one), counted with its byte offset.
/// </summary>
public sealed class IpfixFileReader : IRecordReader
{
    // A message is at most 65535 bytes (its length field); the buffer holds two, so that one is always whole.
    private const int BufferLength = 1 << 17;

    private readonly Stream _stream;
    private readonly string _name;
    private readonly RecordStatistics _statistics;
    private readonly IpfixFlowPairer _pairer;
    private readonly IpfixDecoder _decoder;
    private readonly byte[] _buffer = new byte[BufferLength];
    private int _start, _end;
    private long _offset;
    private bool _eof, _flushed;

    /// <summary>A reader of <paramref name="stream"/>, which it owns; <paramref name="serverPorts"/> places clients where record times tie.</summary>
    public IpfixFileReader(Stream stream, string name, RecordStatistics statistics, IServerPortHint? serverPorts = null,
        IpfixTemplateCache? templates = null)
    {
        _pairer = new IpfixFlowPairer(serverPorts);
        _stream = stream;
        _name = name;
        _statistics = statistics;
        _decoder = new IpfixDecoder(statistics, _pairer, templates);
    }

    /// <inheritdoc />
    public bool TryRead(ref FlowRecord record)
    {
        while (true)
        {
            if (_pairer.TryTake(out record)) return true;
            if (_flushed) return false;
            if (!NextMessage())
            {
                _pairer.Flush();
                _flushed = true;
            }
        }
    }

    private bool NextMessage()
    {
        Fill();
        int available = _end - _start;
        if (available == 0) return false;
        // A v9 packet has no length field: the file's next packet begins after its last flowset, wherever that is.
        int used = _decoder.Decode(_buffer.AsSpan(_start, available), datagram: false, default(IpAddr), _name, _offset);
        if (used <= 0)
        {
            _statistics.Reject(new RecordProblem(_name, $"byte {_offset}", "no message header here: the rest of the input is skipped"));
            _start = _end;
            _eof = true;
            return false;
        }
        _start += used;
        _offset += used;
        return true;
    }

    private void Fill()
    {
        if (_eof || _end - _start >= ushort.MaxValue) return;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        while (_end < _buffer.Length)
        {
            int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0) { _eof = true; break; }
            _end += read;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
