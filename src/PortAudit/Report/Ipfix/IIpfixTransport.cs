namespace PortAudit.Report.Ipfix;

/// <summary>Where an <see cref="IpfixExporter"/>'s messages go: a UDP socket to a collector, or a test's list.</summary>
public interface IIpfixTransport : IDisposable
{
    /// <summary>The destination as messages name it (HOST:PORT).</summary>
    string Name { get; }

    /// <summary>Sends one message; false with the reason when it could not be sent (the exporter counts it as lost).</summary>
    bool TrySend(ReadOnlySpan<byte> message, out string? problem);
}
