using System.Text;

namespace PortAudit.Tests.Builders;

/// <summary>Zeek conn.log text with good and rejected records, for the tests of what rejected records do to a run.</summary>
internal static class ConnLogs
{
    private const string Header =
        "#separator \\x09\n#empty_field\t(empty)\n#unset_field\t-\n" +
        "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state\n";

    /// <summary>
    /// <paramref name="good"/> records, one flow each (10.0.8.5 to 10.0.0.10 port 135, from ports 10000 up), then
    /// <paramref name="bad"/> ones the reader rejects (an address that is none).
    /// </summary>
    public static string WithRejected(int good, int bad)
    {
        var log = new StringBuilder(Header);
        for (int i = 0; i < good; i++) log.Append($"1700000000.{i:D6}\tC{i}\t10.0.8.5\t{10000 + i}\t10.0.0.10\t135\ttcp\tSF\n");
        for (int i = 0; i < bad; i++) log.Append($"1700000001\tB{i}\tnot-an-address\t5000\t10.0.0.10\t135\ttcp\tSF\n");
        return log.ToString();
    }
}
