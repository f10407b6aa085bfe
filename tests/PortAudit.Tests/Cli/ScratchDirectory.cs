using PortAudit.Tests.Builders;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Cli;

/// <summary>A temporary directory for one test class's inputs and outputs, deleted with the class.</summary>
internal sealed class ScratchDirectory(string prefix) : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory(prefix);

    /// <summary>Three packets, two flows: a TCP handshake 10.0.0.1:50000 → 10.0.0.2:5061 and a UDP packet to 10.0.0.4:3478.</summary>
    public static readonly byte[] TwoFlows = new PcapBuilder()
        .Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(50000, 5061, Syn))), 0.000001)
        .Add(Ethernet(Ipv4("10.0.0.2", "10.0.0.1", 6, Tcp(5061, 50000, Syn | Ack))), 0.5)
        .Add(Ethernet(Ipv4("10.0.0.3", "10.0.0.4", 17, Udp(40000, 3478))), 1)
        .Build();

    public string FullName => _dir.FullName;

    /// <summary>Writes <paramref name="bytes"/> at <paramref name="name"/> (subdirectories created); returns the full path.</summary>
    public string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir.FullName, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
