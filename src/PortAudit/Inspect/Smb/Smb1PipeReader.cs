using System.Buffers.Binary;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.DceRpc;

namespace PortAudit.Inspect.Smb;

/// <summary>
/// Reads SMB1 messages ([MS-CIFS], [MS-SMB]) for the named pipes they open and write, into the connection's
/// <see cref="SmbPipes"/>: NT_CREATE_ANDX or OPEN_ANDX names a pipe (UTF-16LE or OEM by the header's Flags2), its answer
/// gives the FID (paired by MID, PID, TID and UID); WRITE_ANDX, WRITE, WRITE_AND_UNLOCK, WRITE_AND_CLOSE (which ends the pipe
/// too) and TRANSACTION's TransactNmPipe, WriteNmPipe and RawWriteNmPipe on that FID carry the client's PDUs; the
/// answers to READ_ANDX, READ and TRANSACTION's TransactNmPipe, ReadNmPipe and RawReadNmPipe on it, paired with their
/// request by MID, PID, TID and UID as SMB2's READ is by message id, carry the server's (<see cref="SmbPipes.Reading"/>);
/// CLOSE ends the pipe. AndX chains are followed forward, at most
/// <see cref="MaxChain"/> commands; a command chained after an open acts on the file it opens, whatever FID it names
/// (the server's chain file, as Samba's chain_fsp).
/// </summary>
/// <remarks>
/// Fails closed: what a client sends on a pipe that cannot be read marks the flow's calls unseen (<see
/// cref="RpcCallLog.MissedCalls"/>, or <see cref="RpcCallLog.LoseCalls"/> when the pipe's bytes may have been cut): a
/// write to a FID never seen opened on a tree that holds pipes (IPC$ by its tree connect's answer, or a pipe opened on
/// it), unless it begins a call (then the FID is followed as a pipe, <see cref="SmbPipes.Unopened"/>), a write whose
/// data lies outside its message, WRITE_RAW or WRITE_MPX on a pipe (their data is not followed), a
/// transaction continued in secondary requests past a request's stub, CallNmPipe, an AndX chain that points back or runs
/// past <see cref="MaxChain"/> commands or past what is read.
/// </remarks>
internal sealed class Smb1PipeReader(SmbPipes pipes)
{
    /// <summary>Most commands of one AndX chain read.</summary>
    public const int MaxChain = 8;

    // CoreRead is SMB_COM_READ, the core protocol's READ (its name taken by the reader's own method).
    private const byte Close = 0x04, CoreRead = 0x0A, Write = 0x0B, WriteAndUnlock = 0x14, WriteRaw = 0x1D, WriteMpx = 0x1E, WriteMpxSecondary = 0x1F,
        Transaction = 0x25, WriteAndClose = 0x2C, OpenAndX = 0x2D, ReadAndX = 0x2E, WriteAndX = 0x2F,
        LockingAndX = 0x24, SessionSetupAndX = 0x73, LogoffAndX = 0x74, TreeConnectAndX = 0x75, NtCreateAndX = 0xA2;

    // Parameter words, from the block's words ([MS-CIFS] 2.2.4.64, 2.2.4.41, 2.2.4.43, 2.2.4.5, 2.2.4.33, 2.2.4.12).
    private const int NtCreateNameLength = 5, NtCreateWords = 48, NtCreateFid = 5, OpenAndXWords = 30, OpenAndXFid = 4;
    private const int WriteAndXFid = 4, WriteAndXMode = 14, WriteAndXLengthHigh = 18, WriteAndXLength = 20, WriteAndXDataOffset = 22, WriteAndXWords = 24;
    private const int WriteFid = 0, WriteCount = 2, WriteWords = 10, WriteDataHead = 3, WriteAndCloseWords = 12, WriteAndClosePad = 1;
    // WRITE_RAW and WRITE_MPX share the place of the FID and of the data their request carries ([MS-CIFS] 2.2.4.25.1, 2.2.4.26.1).
    private const int RawFid = 0, RawDataLength = 20, RawDataOffset = 22, RawWords = 24;
    private const int CloseFid = 0;
    private const int TransTotalData = 2, TransDataCount = 22, TransDataOffset = 24, TransSetupCount = 26, TransSetup = 28;
    // What reads the pipe, request and answer ([MS-CIFS] 2.2.4.42, 2.2.4.11, 2.2.4.33.2; [MS-SMB] 2.2.4.2.2 for DataLengthHigh).
    private const int ReadAndXFid = 4, ReadAndXWords = 20, ReadFid = 0, ReadWords = 10;
    private const int ReadAndXAnswerLength = 10, ReadAndXAnswerOffset = 12, ReadAndXAnswerLengthHigh = 14, ReadAndXAnswerWords = 24;
    private const int ReadAnswerCount = 0, ReadAnswerWords = 10, ReadAnswerDataHead = 3;
    private const int TransAnswerTotalData = 2, TransAnswerDataCount = 12, TransAnswerDataOffset = 14, TransAnswerDisplacement = 16,
        TransAnswerWords = 20;

    // Pipe subcommands of TRANSACTION on \PIPE\ ([MS-CIFS] 2.2.5): setup word 0 the subcommand, word 1 the FID.
    private const ushort RawReadNmPipe = 0x11, TransactNmPipe = 0x26, RawWriteNmPipe = 0x31, ReadNmPipe = 0x36, WriteNmPipe = 0x37,
        CallNmPipe = 0x54;

    // A success, or a pipe message longer than the read asked for, the rest to be read next: in an
    // NT status (STATUS_BUFFER_OVERFLOW) or a DOS error (ERRDOS, ERRmoredata).
    private const uint StatusBufferOverflow = 0x80000005, DosMoreData = 0x00EA0001;

    // WriteMode bits: a message-mode pipe's raw write begins with the message's 2-byte length.
    private const ushort RawMode = 0x4, MessageStart = 0x8;

    /// <summary>
    /// Reads one message of <paramref name="length"/> bytes, <paramref name="message"/> the part of it read. Returns the
    /// pipe whose written data runs past that part, with where the data lies from the header's start, for the rest to
    /// be streamed on; null when there is none.
    /// </summary>
    public SmbPipe? Read(Flow flow, bool fromClient, ReadOnlySpan<byte> message, long length, out long dataAt, out long dataLength)
    {
        dataAt = dataLength = 0;
        if (!Smb1Header.TryRead(message, out var header)) return null;
        SmbPipe? tail = null;
        var chain = new Chain();
        byte command = header.Command;
        int at = Smb1Header.Size;
        for (int links = 1; ; links++)
        {
            if (!header.TryBlock(at, out var words, out var bytes, out int bytesAt))
            {
                // A block cut off by the look window is not read; one that runs past its whole message is refused by the server.
                if (at < length && message.Length < length) Unseen(flow, fromClient, "an smb1 AndX command past what is read");
                return tail;
            }
            long writtenAt = 0, writtenLength = 0;
            var written = fromClient ? Request(flow, header, ref chain, command, words, bytes, bytesAt, length, out writtenAt, out writtenLength) : null;
            if (!fromClient) Response(flow, header, command, words, bytes, bytesAt);
            if (written is not null && writtenAt + writtenLength > message.Length)
            {
                if (tail is not null) Unseen(flow, fromClient, "two smb1 writes past what is read");
                (tail, dataAt, dataLength) = (written, writtenAt, writtenLength);
            }
            if (!IsAndX(command) || words.Length < Smb1Header.AndXSize || words[Smb1Header.AndXCommandOffset] == Smb1Header.NoAndXCommand)
                return tail;
            int next = BinaryPrimitives.ReadUInt16LittleEndian(words[Smb1Header.AndXOffsetOffset..]);
            // Forward only: a chain that points back could run in a loop, and one past the cap is a client hiding a call.
            if (next <= at)
            {
                Unseen(flow, fromClient, "an smb1 AndX chain that points back");
                return tail;
            }
            if (links == MaxChain)
            {
                Unseen(flow, fromClient, $"an smb1 AndX chain of more than {MaxChain} commands");
                return tail;
            }
            command = words[Smb1Header.AndXCommandOffset];
            at = next;
        }
    }

    private static bool IsAndX(byte command) => command is LockingAndX or OpenAndX or ReadAndX or WriteAndX
        or SessionSetupAndX or LogoffAndX or TreeConnectAndX or NtCreateAndX;

    // A client's command: an open names its pipe, a write feeds it the data read, which is returned with where it lies.
    private SmbPipe? Request(Flow flow, Smb1Header header, ref Chain chain, byte command, ReadOnlySpan<byte> words, ReadOnlySpan<byte> bytes,
        int bytesAt, long length, out long dataAt, out long dataLength)
    {
        dataAt = dataLength = 0;
        switch (command)
        {
            case NtCreateAndX when words.Length >= NtCreateWords:
                var name = Name(header, bytes, bytesAt);
                chain = new Chain(true, pipes.Create(header.RequestKey,
                    name[..Math.Min(name.Length, BinaryPrimitives.ReadUInt16LittleEndian(words[NtCreateNameLength..]))], header.Unicode, header.Tid));
                return null;
            case OpenAndX when words.Length >= OpenAndXWords:
                chain = new Chain(true, pipes.Create(header.RequestKey, Name(header, bytes, bytesAt), header.Unicode, header.Tid));
                return null;
            case Close when words.Length >= CloseFid + 2:
                pipes.Closed(SmbPipes.Smb1FileId(BinaryPrimitives.ReadUInt16LittleEndian(words[CloseFid..])));
                return null;
            case WriteAndX when words.Length >= WriteAndXWords:
                dataAt = BinaryPrimitives.ReadUInt16LittleEndian(words[WriteAndXDataOffset..]);
                dataLength = BinaryPrimitives.ReadUInt16LittleEndian(words[WriteAndXLength..])
                    | (long)BinaryPrimitives.ReadUInt16LittleEndian(words[WriteAndXLengthHigh..]) << 16;
                ushort mode = BinaryPrimitives.ReadUInt16LittleEndian(words[WriteAndXMode..]);
                if ((mode & (RawMode | MessageStart)) == (RawMode | MessageStart) && dataLength >= 2)
                {
                    dataAt += 2;
                    dataLength -= 2;
                }
                return Written(flow, header, chain, BinaryPrimitives.ReadUInt16LittleEndian(words[WriteAndXFid..]), length, ref dataAt, ref dataLength);
            // WRITE_AND_UNLOCK is WRITE's layout ([MS-CIFS] 2.2.4.21.1): a buffer format and length before the data.
            case Write or WriteAndUnlock when words.Length >= WriteWords:
                dataAt = bytesAt + WriteDataHead;
                dataLength = BinaryPrimitives.ReadUInt16LittleEndian(words[WriteCount..]);
                return Written(flow, header, chain, BinaryPrimitives.ReadUInt16LittleEndian(words[WriteFid..]), length, ref dataAt, ref dataLength);
            // A WRITE then a CLOSE ([MS-CIFS] 2.2.4.40.1): 6 or 12 words, a pad byte before the data.
            case WriteAndClose when words.Length >= WriteAndCloseWords:
                dataAt = bytesAt + WriteAndClosePad;
                dataLength = BinaryPrimitives.ReadUInt16LittleEndian(words[WriteCount..]);
                ushort closed = BinaryPrimitives.ReadUInt16LittleEndian(words[WriteFid..]);
                var pipe = Written(flow, header, chain, closed, length, ref dataAt, ref dataLength);
                pipes.Closed(SmbPipes.Smb1FileId(closed));
                return pipe;
            // Writes whose data is not followed: WRITE_RAW's comes after in frames of its own, without an SMB header, and
            // WRITE_MPX's in several requests, in any order. On a pipe, its calls from here on are not known.
            case WriteRaw or WriteMpx or WriteMpxSecondary when words.Length >= RawFid + 2:
                bool carries = command != WriteMpxSecondary && words.Length >= RawWords;
                var data = carries ? header.Slice(BinaryPrimitives.ReadUInt16LittleEndian(words[RawDataOffset..]),
                    BinaryPrimitives.ReadUInt16LittleEndian(words[RawDataLength..])) : default;
                if (pipes.MayBePipe(SmbPipes.Smb1FileId(BinaryPrimitives.ReadUInt16LittleEndian(words[RawFid..])), header.Tid, data))
                    RpcAssociation.Log(flow).LoseCalls($"an smb1 {(command == WriteRaw ? "WRITE_RAW" : "WRITE_MPX")} on a pipe");
                return null;
            case Transaction when words.Length >= TransSetup && words.Length >= TransSetup + 2 * words[TransSetupCount]:
                return Transact(flow, header, words, length, out dataAt, out dataLength);
            // A read of a pipe: its answer, paired by the request's ids, carries what the server sent.
            case ReadAndX when words.Length >= ReadAndXWords:
                NoteRead(chain.Opens ? chain.Pipe : pipes.Find(SmbPipes.Smb1FileId(BinaryPrimitives.ReadUInt16LittleEndian(words[ReadAndXFid..]))), header);
                return null;
            case CoreRead when words.Length >= ReadWords:
                NoteRead(pipes.Find(SmbPipes.Smb1FileId(BinaryPrimitives.ReadUInt16LittleEndian(words[ReadFid..]))), header);
                return null;
        }
        return null;
    }

    // A read of a pipe awaits its answer under the request's ids; a read of a file is no pipe's.
    private void NoteRead(SmbPipe? pipe, Smb1Header header)
    {
        if (pipe is not null) pipes.Reading(header.RequestKey, pipe);
    }

    // A TRANSACTION on a pipe: its data, the client's PDUs, when the subcommand writes them to a FID; a read of the
    // pipe's answer when the subcommand reads it.
    private SmbPipe? Transact(Flow flow, Smb1Header header, ReadOnlySpan<byte> words, long length, out long dataAt, out long dataLength)
    {
        dataAt = dataLength = 0;
        int setupCount = words[TransSetupCount];
        ushort subcommand = setupCount >= 1 ? BinaryPrimitives.ReadUInt16LittleEndian(words[TransSetup..]) : (ushort)0;
        if (subcommand == CallNmPipe)
        {
            // Opens a pipe by name, writes, reads and closes it in one: what it carries is not read.
            Unseen(flow, true, "an smb1 CallNamedPipe");
            return null;
        }
        if (setupCount < 2) return null;
        ushort fid = BinaryPrimitives.ReadUInt16LittleEndian(words[(TransSetup + 2)..]);
        SmbPipe? pipe = null;
        if (subcommand is TransactNmPipe or WriteNmPipe or RawWriteNmPipe)
        {
            dataAt = BinaryPrimitives.ReadUInt16LittleEndian(words[TransDataOffset..]);
            dataLength = BinaryPrimitives.ReadUInt16LittleEndian(words[TransDataCount..]);
            long total = BinaryPrimitives.ReadUInt16LittleEndian(words[TransTotalData..]);
            pipe = Written(flow, header, default, fid, length, ref dataAt, ref dataLength);
            // The rest of the data comes in TRANSACTION_SECONDARY requests, which are not read: passed over when it is only the
            // stub of a request whose head was read.
            if (pipe is not null && total > dataLength) SmbPipes.Miss(flow, pipe, total - dataLength, "an smb1 transaction continued in secondary requests");
        }
        // TransactNmPipe writes, then reads what the pipe answers; ReadNmPipe and RawReadNmPipe only read it. The read
        // is noted after the write, which may have shown the FID a pipe whose open was not seen.
        if (subcommand is TransactNmPipe or ReadNmPipe or RawReadNmPipe) NoteRead(pipes.Find(SmbPipes.Smb1FileId(fid)), header);
        return pipe;
    }

    // A write of the data at dataAt on fid (or the file the chain opened): fed to its pipe as far as read, the pipe
    // returned; null when the file is no pipe or the data cannot be read.
    private SmbPipe? Written(Flow flow, Smb1Header header, Chain chain, ushort fid, long length, ref long dataAt, ref long dataLength)
    {
        var pipe = chain.Opens ? chain.Pipe : pipes.Find(SmbPipes.Smb1FileId(fid))
            ?? pipes.Unopened(flow, SmbPipes.Smb1FileId(fid), header.Tid, header.Slice(dataAt, dataLength), dataLength,
                "an smb1 write on a pipe never seen opened");
        if (pipe is null || dataLength == 0) return null;
        if (dataAt < Smb1Header.Size || dataAt + dataLength > length)
        {
            RpcAssociation.Log(flow).LoseCalls("an smb1 write whose data lies outside its message");
            return null;
        }
        SmbPipes.Feed(flow, pipe, header.Slice(dataAt, dataLength));
        return pipe;
    }

    // The name of an open: after the pad byte that aligns UTF-16 on an even offset from the header's start.
    private static ReadOnlySpan<byte> Name(Smb1Header header, ReadOnlySpan<byte> bytes, int bytesAt) =>
        header.Unicode && bytesAt % 2 == 1 && !bytes.IsEmpty ? bytes[1..] : bytes;

    // A server's answer: an open's gives the FID of the pipe it opened (a refusal carries no words); a tree connect's
    // names the service of the share ([MS-CIFS] 2.2.4.55.2), IPC for the pipes', A: for a disk's, LPT1: for a printer's;
    // a read's carries what the pipe sent back (a refusal, and a transaction's interim answer, carry no words).
    private void Response(Flow flow, Smb1Header header, byte command, ReadOnlySpan<byte> words, ReadOnlySpan<byte> bytes, int bytesAt)
    {
        switch (command)
        {
            case TreeConnectAndX:
                if (header.Status == 0 && bytes.IndexOf((byte)0) > 0) pipes.Connected(header.Tid, pipes: bytes.StartsWith("IPC\0"u8));
                return;
            case ReadAndX when words.Length >= ReadAndXAnswerWords && Answers(header):
                Answer(flow, header, BinaryPrimitives.ReadUInt16LittleEndian(words[ReadAndXAnswerOffset..]),
                    BinaryPrimitives.ReadUInt16LittleEndian(words[ReadAndXAnswerLength..])
                    | (long)BinaryPrimitives.ReadUInt16LittleEndian(words[ReadAndXAnswerLengthHigh..]) << 16);
                return;
            case CoreRead when words.Length >= ReadAnswerWords && Answers(header):
                Answer(flow, header, bytesAt + ReadAnswerDataHead, BinaryPrimitives.ReadUInt16LittleEndian(words[ReadAnswerCount..]));
                return;
            // An answer longer than the client's buffer comes in several responses; the first (displacement 0) is paired,
            // the rest of its data is missed.
            case Transaction when words.Length >= TransAnswerWords && Answers(header)
                && BinaryPrimitives.ReadUInt16LittleEndian(words[TransAnswerDisplacement..]) == 0:
                long count = BinaryPrimitives.ReadUInt16LittleEndian(words[TransAnswerDataCount..]);
                Answer(flow, header, BinaryPrimitives.ReadUInt16LittleEndian(words[TransAnswerDataOffset..]),
                    Math.Max(count, BinaryPrimitives.ReadUInt16LittleEndian(words[TransAnswerTotalData..])));
                return;
        }
        int fidAt = command switch { NtCreateAndX => NtCreateFid, OpenAndX => OpenAndXFid, _ => -1 };
        if (fidAt < 0) return;
        bool opened = header.Status == 0 && words.Length >= fidAt + 2;
        pipes.Opened(flow, header.RequestKey, opened ? SmbPipes.Smb1FileId(BinaryPrimitives.ReadUInt16LittleEndian(words[fidAt..])) : null, header.Tid);
    }

    private static bool Answers(Smb1Header header) => header.Status is 0 or StatusBufferOverflow or DosMoreData;

    // Hands what the pipe sent back, `length` bytes at `dataAt` from the header's start, to the pipe whose read the
    // response answers.
    private void Answer(Flow flow, Smb1Header header, long dataAt, long length)
    {
        if (pipes.ReadAnswered(header.RequestKey) is { } pipe && dataAt >= Smb1Header.Size)
            SmbPipes.FeedAnswers(flow, pipe, header.Slice(dataAt, length), length);
    }

    // Whether a command earlier in the chain opened a file, and the pipe it is when it is one.
    private readonly record struct Chain(bool Opens = false, SmbPipe? Pipe = null);

    private static void Unseen(Flow flow, bool fromClient, string why)
    {
        // What the server answers names no call.
        if (fromClient) RpcAssociation.Log(flow).LoseCalls(why);
    }
}
