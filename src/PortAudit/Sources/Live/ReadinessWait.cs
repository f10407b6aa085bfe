using System.Runtime.InteropServices;

using PortAudit.Common;

namespace PortAudit.Sources.Live;

/// <summary>
/// Waits on the selectable descriptors of several interfaces at once (poll(2)), so that one thread serves them all and
/// reads each only when it has packets: SharpPcap's own wait covers one device per call.
/// </summary>
internal sealed class ReadinessWait
{
    private readonly PollSyscall.PollFd[] _fds;
    private readonly int[] _descriptors;

    /// <summary>A wait on <paramref name="descriptors"/>, one per interface in the reader's order.</summary>
    public ReadinessWait(int[] descriptors)
    {
        _descriptors = descriptors;
        _fds = descriptors.Select(fd => new PollSyscall.PollFd { Fd = fd, Events = PollSyscall.In }).ToArray();
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for any interface not <paramref name="done"/>, then marks in
    /// <paramref name="ready"/> those to read: those with packets, or all of them after a timeout, which also releases
    /// the kernel's partly filled batch. Returns the index of an interface whose descriptor was closed, or -1.
    /// </summary>
    public unsafe int Wait(int timeoutMs, bool[] ready, Func<int, bool> done)
    {
        int result;
        fixed (PollSyscall.PollFd* fds = _fds)
        {
            for (int i = 0; i < _fds.Length; i++)
            {
                fds[i].ReturnedEvents = 0;
                // poll() skips negative descriptors: an interface finished at the stop must not wake the wait.
                fds[i].Fd = done(i) ? -1 : _descriptors[i];
            }
            result = PollSyscall.Poll(fds, (nuint)_fds.Length, timeoutMs);
        }
        if (result < 0 && Marshal.GetLastSystemError() is var errno and not PollSyscall.Interrupted)
            throw new LiveCaptureException($"waiting for packets failed: errno {errno}");
        for (int i = 0; i < _fds.Length; i++)
        {
            short events = _fds[i].ReturnedEvents;
            if ((events & PollSyscall.Invalid) != 0) return i;
            // Errors surface from the next read.
            ready[i] = result == 0 || events != 0;
        }
        return -1;
    }
}
