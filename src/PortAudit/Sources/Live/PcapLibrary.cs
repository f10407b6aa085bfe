using SharpPcap;
using SharpPcap.LibPcap;

namespace PortAudit.Sources.Live;

/// <summary>
/// The interfaces libpcap offers, through SharpPcap, and the one message for a machine without libpcap: SharpPcap
/// loads it on its first call, and a missing library surfaces there as a loader exception.
/// </summary>
internal static class PcapLibrary
{
    /// <summary>What a user is told when libpcap cannot be loaded.</summary>
    internal const string NotFound = "libpcap not found: install libpcap0.8 (Debian/Ubuntu) or libpcap (other systems)";

    /// <summary>Every interface pcap_findalldevs reports, in its order; a fresh list on each call.</summary>
    public static IReadOnlyList<PcapInterface> Interfaces()
    {
        try
        {
            return PcapInterface.GetAllPcapInterfaces();
        }
        catch (PcapException ex)
        {
            throw new LiveCaptureException($"cannot list interfaces: {ex.Message}");
        }
        catch (Exception ex) when (IsMissingLibrary(ex))
        {
            throw Missing(ex);
        }
    }

    /// <summary>True for the exceptions the runtime throws when SharpPcap's first call finds no libpcap.</summary>
    internal static bool IsMissingLibrary(Exception ex) => ex is DllNotFoundException
        || (ex is TypeInitializationException { InnerException: { } inner } && IsMissingLibrary(inner));

    /// <summary>The input error for a missing libpcap, keeping the loader's exception.</summary>
    internal static LiveCaptureException Missing(Exception ex) => new(NotFound, ex);
}
