using System.Buffers;
using System.Diagnostics;
using PortAudit.Flows;

namespace PortAudit.Inspect.DceRpc;

/// <summary>Reads one PDU of an association's direction: <paramref name="pdu"/> starts at its header and holds the part wanted.</summary>
internal delegate void RpcPduReader(Flow flow, in CoHeader header, ReadOnlySpan<byte> pdu);

/// <summary>
/// Cuts one direction of a connection-oriented DCE/RPC association into PDUs as its bytes come, in pieces of any size: a
/// PDU may be cut anywhere, inside its header included, by TCP segments or by the writes of a pipe (Metasploit's
/// SMB::pipe_evasion), and one piece may hold several PDUs. Of each PDU only the part its reader wants is read (a
/// request's head, a bind's whole fragment); the rest is passed unread, and a caller streaming the bytes may drop it
/// uncopied (<see cref="TakeSkip"/>). Bounded: the PDU being put together, one fragment of at most 64 KiB, held only when
/// it comes in pieces.
/// </summary>
internal sealed class RpcPduFraming
{
    private readonly Func<CoHeader, int> _wanted;
    private readonly RpcPduReader _read;
    private readonly int _smallest;

    // The PDU being put together from pieces: its first _held bytes, _want of which are needed to read it.
    private byte[] _pdu;
    private int _held, _want;
    private long _skip;

    /// <summary>
    /// A framing that reads <paramref name="wanted"/> bytes of each PDU (at least its header) and hands them to
    /// <paramref name="read"/>; <paramref name="smallest"/> is the buffer kept between PDUs (the part most PDUs want).
    /// </summary>
    public RpcPduFraming(Func<CoHeader, int> wanted, RpcPduReader read, int smallest)
    {
        Debug.Assert(smallest >= CoHeader.Size);
        _wanted = wanted;
        _read = read;
        _smallest = smallest;
        _pdu = new byte[smallest];
    }

    /// <summary>True once bytes were taken that are no PDU: the framing is lost and nothing more is read.</summary>
    public bool Lost { get; private set; }

    /// <summary>True while the start of a PDU is held, waiting for the rest of the part to read.</summary>
    public bool Holding => _held > 0;

    /// <summary>Reads the direction's next bytes, in order; false once they are no PDU (nothing is read after).</summary>
    public bool Take(Flow flow, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && !Lost)
        {
            if (_skip > 0)
            {
                int passed = (int)Math.Min(_skip, data.Length);
                _skip -= passed;
                data = data[passed..];
                continue;
            }
            // A PDU wholly present is read where it lies; pieces are put together first.
            if (_held == 0 && data.Length >= CoHeader.Size)
            {
                if (!CoHeader.TryRead(data, out var header)) return Lose();
                if (data.Length >= _wanted(header))
                {
                    int used = Math.Min(header.FragLength, data.Length);
                    _read(flow, header, data[..used]);
                    _skip = header.FragLength - used;
                    data = data[used..];
                    continue;
                }
            }
            data = Gather(flow, data);
        }
        return !Lost;
    }

    /// <summary>Bytes of the current PDU still to come that need no reading: the caller drops them unread, and they are no longer expected here.</summary>
    public long TakeSkip()
    {
        long skip = _skip;
        _skip = 0;
        return skip;
    }

    /// <summary>
    /// Notes that <paramref name="count"/> bytes were lost before the next ones: only bytes of the current PDU's unread
    /// tail may go missing; anything else loses the framing. False when it is lost.
    /// </summary>
    public bool Missed(long count)
    {
        if (count <= 0) return !Lost;
        if (_held == 0 && _skip >= count)
        {
            _skip -= count;
            return true;
        }
        return Lose();
    }

    /// <summary>Gives the framing up: nothing more is read.</summary>
    public bool Lose()
    {
        Lost = true;
        _held = _want = 0;
        _skip = 0;
        Shrink();
        return false;
    }

    // Adds the next bytes to the PDU being put together; reads it once the part wanted is in. Returns what is left.
    private ReadOnlySpan<byte> Gather(Flow flow, ReadOnlySpan<byte> data)
    {
        int need = (_held < CoHeader.Size ? CoHeader.Size : _want) - _held;
        int taken = Math.Min(need, data.Length);
        Hold(_held + taken);
        data[..taken].CopyTo(_pdu.AsSpan(_held));
        _held += taken;
        data = data[taken..];
        if (_held == CoHeader.Size && _want == 0)
        {
            if (!CoHeader.TryRead(_pdu, out var first))
            {
                Lose();
                return default;
            }
            _want = _wanted(first);
        }
        if (_want == 0 || _held < _want) return data;
        CoHeader.TryRead(_pdu, out var header);
        _read(flow, header, _pdu.AsSpan(0, _held));
        _skip = header.FragLength - _held;
        _held = _want = 0;
        Shrink();
        return data;
    }

    private void Hold(int size)
    {
        if (size <= _pdu.Length) return;
        // Only a PDU read whole that comes in pieces needs more than the smallest part: up to its fragment, 64 KiB.
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1024));
        _pdu.AsSpan(0, _held).CopyTo(bigger);
        if (_pdu.Length > _smallest) ArrayPool<byte>.Shared.Return(_pdu);
        _pdu = bigger;
    }

    private void Shrink()
    {
        if (_pdu.Length <= _smallest) return;
        ArrayPool<byte>.Shared.Return(_pdu);
        _pdu = new byte[_smallest];
    }
}
