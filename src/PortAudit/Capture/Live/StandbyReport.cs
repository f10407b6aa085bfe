namespace PortAudit.Capture.Live;

/// <summary>
/// What the standby reader did during a live read: how often it emptied the kernel's buffer while the capture thread
/// was late, how many packets it kept for it, and the most bytes it held at once. Packets it kept are packets a
/// buffer that was full at those moments would have lost.
/// </summary>
/// <param name="Takeovers">Times it emptied the kernel's buffer.</param>
/// <param name="Packets">Packets it moved into its spill buffer.</param>
/// <param name="PeakBytes">The most bytes its spill buffer held at once.</param>
public sealed record StandbyReport(long Takeovers, long Packets, int PeakBytes);
