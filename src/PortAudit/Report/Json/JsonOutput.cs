using System.Text.Json;

namespace PortAudit.Report.Json;

/// <summary>
/// The one way every JSON document is written (report.json, catalog, mappings, interfaces, suggestions): indented
/// UTF-8 ending in a newline, with relaxed escaping so that people reading it see '+' and quotes as they are.
/// Relaxed escaping is safe here because no JSON document is embedded in HTML; the HTML report escapes for itself.
/// Bidi controls from outside text are escaped all the same (<see cref="BidiEscapingEncoder"/>).
/// </summary>
public static class JsonOutput
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        Encoder = BidiEscapingEncoder.Instance,
    };

    /// <summary>Serializer settings for documents written from records (camelCase names), with the same escaping.</summary>
    public static readonly JsonSerializerOptions Serializer = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = BidiEscapingEncoder.Instance,
    };

    /// <summary>Writes one document to <paramref name="output"/> with <paramref name="write"/>, then a newline; leaves the stream open.</summary>
    public static void Write(Stream output, Action<Utf8JsonWriter> write)
    {
        using (var json = new Utf8JsonWriter(output, Options))
        {
            write(json);
        }
        output.WriteByte((byte)'\n');
        output.Flush();
    }

    /// <summary>As <see cref="Write(Stream, Action{Utf8JsonWriter})"/>, to a text writer (small documents: it is built in memory first).</summary>
    public static void Write(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        Write(buffer, write);
        output.Write(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    /// <summary>What a writer holds before <see cref="FlushIfFull"/> hands it to the stream.</summary>
    public const int FlushThreshold = 1 << 16;

    /// <summary>
    /// Hands what <paramref name="json"/> holds to its stream once it passes <see cref="FlushThreshold"/>: writers of
    /// long arrays (findings, flows) call it per element, so that a document is written as it is produced instead of
    /// growing one buffer to its whole size (79 MB for report.json of the bench corpus).
    /// </summary>
    public static void FlushIfFull(Utf8JsonWriter json)
    {
        if (json.BytesPending >= FlushThreshold) json.Flush();
    }

    /// <summary>A property holding an array of strings.</summary>
    public static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values) json.WriteStringValue(value);
        json.WriteEndArray();
    }
}
