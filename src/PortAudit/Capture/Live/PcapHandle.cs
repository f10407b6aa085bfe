using System.Runtime.InteropServices;

namespace PortAudit.Capture.Live;

/// <summary>A pcap_t: closed exactly once, even when the reader is never disposed.</summary>
internal sealed class PcapHandle : SafeHandle
{
    /// <summary>Used by the marshaller for pcap_create's result.</summary>
    public PcapHandle() : base(0, ownsHandle: true) { }

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        LibPcap.Close(handle);
        return true;
    }
}
