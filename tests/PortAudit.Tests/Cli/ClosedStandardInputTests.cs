using System.Diagnostics;

namespace PortAudit.Tests.Cli;

/// <summary>Standard input closed by the caller (<c>&lt;&amp;-</c>): '-' must fail at once, not wait on a descriptor the runtime reused.</summary>
[Trait("Tier", "cli")]
public sealed class ClosedStandardInputTests
{
    [Fact]
    public void FlowsFromClosedStandardInputFailsFast()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "portaudit.dll");
        var start = ExternalProgram.Start("/bin/sh", ["-c", "exec dotnet \"$0\" flows - <&-", dll]);
        var watch = Stopwatch.StartNew();
        var result = ExternalProgram.Run(start, TimeSpan.FromSeconds(30));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("portaudit: -: cannot open: standard input is closed", result.StandardError.Trim());
        Assert.Empty(result.StandardOutput);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(20));
    }

    [Theory]
    [InlineData("flows --input-format ipfix -")]
    [InlineData("flows --input-format zeek -")]
    public void FlowRecordsFromClosedStandardInputFailFast(string arguments)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "portaudit.dll");
        var start = ExternalProgram.Start("/bin/sh", ["-c", $"exec dotnet \"$0\" {arguments} <&-", dll]);
        var result = ExternalProgram.Run(start, TimeSpan.FromSeconds(30));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("portaudit: -: cannot open: standard input is closed", result.StandardError.Trim());
    }
}
