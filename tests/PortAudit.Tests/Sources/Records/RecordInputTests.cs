using System.IO.Compression;
using PortAudit.Flows;
using PortAudit.Sources;
using PortAudit.Sources.Records;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// Flow records as the field keeps them: Zeek's archived <c>conn.log.gz</c> and gzip'd firewall logs, detected by their
/// decompressed content; IPFIX and NetFlow v9 templates in one file and data in the next, read as one run.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class RecordInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Gzipped(string path)
    {
        string gz = _dir.File(Path.GetFileName(path) + ".gz");
        using (var output = new GZipStream(File.Create(gz), CompressionLevel.Optimal))
        using (var input = File.OpenRead(path))
            input.CopyTo(output);
        return gz;
    }

    private static string Keys(RecordRun run) =>
        string.Join('\n', run.Flows.Select(f => $"{f.Client}:{f.ClientPort}>{f.Server}:{f.ServerPort} {f.BytesToServer}/{f.BytesToClient} {f.App?.Name}").Order());

    [SharedDataFact("flowdata")]
    public void A_gzipped_log_is_read_as_its_content()
    {
        foreach (var (sample, format) in new[]
                 {
                     ("zeek/ftp-ipv4/conn.log", RecordFormat.ZeekTsv), ("zeek/json-lines-elastic-beats/connection-json.log", RecordFormat.ZeekJson),
                 })
        {
            string plain = SharedData.Path("flowdata/" + sample)!;
            var expected = RecordRun.File(plain);
            var source = new RecordFileSource(Gzipped(plain));
            var run = RecordRun.Of(source);

            Assert.Equal(format, source.Format);
            Assert.NotEmpty(run.Flows);
            Assert.Equal(Keys(expected), Keys(run));
            Assert.Empty(run.Summary.Errors);
        }
    }

    [Fact]
    public void A_gzipped_log_cut_short_keeps_its_flows_and_says_where_it_stopped()
    {
        var lines = Enumerable.Range(0, 2000).Select(i =>
            $"{{\"ts\":1700000000.{i:D6},\"uid\":\"C{i}\",\"id.orig_h\":\"10.0.0.1\",\"id.orig_p\":{40000 + i},\"id.resp_h\":\"10.0.0.2\",\"id.resp_p\":443,\"proto\":\"tcp\",\"conn_state\":\"SF\"}}");
        string plain = _dir.File("conn.log");
        File.WriteAllLines(plain, lines);
        var bytes = File.ReadAllBytes(Gzipped(plain));
        string cut = _dir.File("cut.log.gz");
        File.WriteAllBytes(cut, bytes[..(bytes.Length * 2 / 3)]);

        var run = RecordRun.File(cut);

        Assert.InRange(run.Flows.Count, 1, 1999);
        Assert.Contains(run.Summary.Errors, e => e.Message.StartsWith(cut, StringComparison.Ordinal));
    }

    [SharedDataFact("flowdata")]
    public void Templates_in_one_file_decode_the_data_of_the_next()
    {
        string Sample(string name) => SharedData.Path("flowdata/ipfix/logstash-codec-netflow/" + name)!;
        foreach (var files in new[]
                 {
                     new[] { "ipfix_test_openbsd_pflow_tpl.dat", "ipfix_test_openbsd_pflow_data.dat" },
                     ["netflow9_test_paloalto_panos_tpl.dat", "netflow9_test_paloalto_panos_data.dat"],
                 })
        {
            var apart = RecordRun.Of([.. RecordFileSource.Of(files.Select(Sample))]);
            var together = RecordRun.Bytes(files.SelectMany(f => File.ReadAllBytes(Sample(f))).ToArray());
            Assert.NotEmpty(apart.Flows);
            Assert.Equal(Keys(together), Keys(apart));
            // Each file alone knows no template: its data is not decoded.
            Assert.Empty(RecordRun.File(Sample(files[1]), RecordFormat.Ipfix).Flows);
        }
    }
}
