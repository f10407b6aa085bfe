using PortAudit.Flows;
using PortAudit.Inspect;
using PortAudit.Sources.Files;
using PortAudit.Tests.Flows;

namespace PortAudit.Tests.Inspect;

/// <summary>Runs shared captures through the flow table with inspection.</summary>
public static class InspectTestData
{
    /// <summary>Full path of a shared capture.</summary>
    public static string Capture(string name) =>
        SharedData.Path("captures/" + name) ?? throw new InvalidOperationException("PortAudit.sln not found above the test binaries");

    /// <summary>Full path of a capture of the second shared set (../shared/captures-extra).</summary>
    public static string Extra(string name) =>
        SharedData.Path("captures-extra/" + name) ?? throw new InvalidOperationException("PortAudit.sln not found above the test binaries");

    /// <summary>Reads captures through the flow table with an inspection engine; returns every flow ended and the engine.</summary>
    public static (List<Flow> Flows, InspectionEngine Engine) Inspect(params string[] paths)
    {
        var engine = new InspectionEngine();
        var runner = new FlowRunner(null, engine);
        runner.ReadFiles(paths);
        return (runner.Flows, engine);
    }

    /// <summary>Reads a capture held in memory (a built one) through the flow table with an inspection engine; returns every flow ended.</summary>
    public static List<Flow> Inspect(byte[] capture)
    {
        var runner = new FlowRunner(null, new InspectionEngine());
        using (var reader = CaptureFile.Open("built.pcap", new MemoryStream(capture))) runner.Reader.Read(reader);
        runner.Table.Flush();
        return runner.Flows;
    }
}
