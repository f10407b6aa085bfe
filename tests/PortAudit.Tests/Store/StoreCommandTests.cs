using PortAudit.Store;
using PortAudit.Tests.Cli;

namespace PortAudit.Tests.Store;

/// <summary>The store options as a user meets them when the store is not there: flows kept, password never shown.</summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class StoreCommandTests : IDisposable
{
    private const string Password = "pw-never-shown";
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("portaudit-store-cli");

    // A store on a port nothing listens on.
    private static string DownStore() => $"postgresql://audit:{Password}@127.0.0.1:{PostgresServer.FreePort()}/flows";

    [Fact]
    public void Flows_to_a_store_that_is_down_are_spooled_with_a_message_naming_the_store_without_its_password()
    {
        string url = DownStore(), spool = Path.Combine(_dir.FullName, "edge.spool");
        var result = CliProcess.Run($"flows \"{SharedData.InRepository("captures/lab.pcapng")}\" --store {url} --sensor edge --spool \"{spool}\" --store-wait 0");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"store {url.Replace(":" + Password, "")}", result.StandardError);
        Assert.Contains("Connection refused", result.StandardError);
        Assert.Contains("16 flows kept in the spool", result.StandardError);
        Assert.DoesNotContain(Password, result.StandardError + result.StandardOutput);
        Assert.Empty(result.StandardOutput); // the store is the output
        Assert.True(new FileInfo(spool).Length > 0);
    }

    [Fact]
    public void A_damaged_spool_is_quarantined_with_a_warning_naming_it_and_the_run_goes_on()
    {
        string url = DownStore(), spool = Path.Combine(_dir.FullName, "edge.spool");
        // A header of this build's schema version, then a frame cut short.
        File.WriteAllBytes(spool, [.. "PortAudit spool\n"u8, 0, 0, 0, (byte)StoreSchema.Version, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0xFF]);
        var result = CliProcess.Run($"flows \"{SharedData.InRepository("captures/lab.pcapng")}\" --store {url} --sensor edge --spool \"{spool}\" --store-wait 0");

        Assert.Equal(0, result.ExitCode);
        string aside = Assert.Single(_dir.GetFiles("edge.spool.quarantined-*")).FullName;
        Assert.Contains($"spool {spool} is damaged at byte 20: frame 1: 21 bytes where 13 are left", result.StandardError);
        Assert.Contains($"quarantined as {aside}", result.StandardError);
        Assert.Contains("16 flows kept in the spool", result.StandardError);
    }

    [Fact]
    public void An_audit_from_a_store_that_is_down_fails_as_bad_input_without_the_password()
    {
        var result = CliProcess.Run($"audit --from-store {DownStore()} --inventory \"{SharedData.InRepository("captures/lab.yaml")}\" --out \"{_dir.FullName}/out\"");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("postgresql://audit@127.0.0.1:", result.StandardError);
        Assert.DoesNotContain(Password, result.StandardError);
    }

    [Fact]
    public void An_audit_takes_captures_or_a_store_not_both_and_a_sensor_needs_the_store()
    {
        string inventory = SharedData.InRepository("captures/lab.yaml");
        Assert.Contains("not both", CliProcess.Run($"audit x.pcap --from-store postgresql://db/flows --inventory \"{inventory}\"").StandardError);
        Assert.Contains("--sensor needs --from-store", CliProcess.Run($"audit x.pcap --sensor edge --inventory \"{inventory}\"").StandardError);
        Assert.Contains("--sensor and --spool need --store", CliProcess.Run("flows x.pcap --sensor edge").StandardError);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
