using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PortAudit.Catalog.Loading;

/// <summary>
/// Opens one catalog file as a YAML mapping. YamlDotNet's representation model is used instead of
/// its deserializer because it keeps the line and column of every node for error messages. The text is read
/// strictly (<see cref="YamlText"/>), its tags read as the files mean them (<see cref="CoreTagParser"/>) and parsed
/// within limits (<see cref="BoundedParser"/>).
/// </summary>
internal static class YamlDocumentReader
{
    /// <summary>The top-level mapping, or null after reporting why there is none.</summary>
    public static YamlMappingNode? ReadRoot(string path, string displayName, ErrorList errors)
    {
        if (YamlText.Read(path, displayName, errors) is not { } text)
            return null;
        var stream = new YamlStream();
        var parser = new BoundedParser(new CoreTagParser(new Parser(new StringReader(text))));
        try
        {
            stream.Load(parser);
        }
        catch (YamlRefusedException ex)
        {
            errors.Add(SourceSpot.At(displayName, ex.Start), ex.Message);
            return null;
        }
        catch (YamlException ex)
        {
            errors.Add(SourceSpot.At(displayName, ex.Start), $"malformed YAML: {InnermostMessage(ex)}");
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's scanner fails this way on some unterminated flow collections, and its representation model
            // on an alias glued to a flow collection (`[a]*x`, found by tools/fuzz); the last event it parsed is the
            // closest place we can name.
            errors.Add(SourceSpot.At(displayName, parser.LastGood), "malformed YAML: unterminated or invalid construct after this point");
            return null;
        }
        if (stream.Documents.Count == 0)
        {
            errors.Add(new SourceSpot(displayName, 1, 1), "empty file: expected a mapping");
            return null;
        }
        if (stream.Documents.Count > 1)
        {
            // Read as one, the documents after the first were dropped without a word: hosts of an inventory, rules of a
            // catalog file, gone from the audit.
            errors.Add(SourceSpot.At(displayName, stream.Documents[1].RootNode.Start),
                $"a second YAML document (after '---'): the file is one document, and {stream.Documents.Count - 1} more would be left out; join them into one");
            return null;
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add(SourceSpot.At(displayName, stream.Documents[0].RootNode.Start), "expected a mapping at the top of the file");
            return null;
        }
        return root;
    }

    private static string InnermostMessage(YamlException ex)
    {
        Exception inner = ex;
        while (inner.InnerException is YamlException deeper)
            inner = deeper;
        // YamlDotNet prefixes its own "(Line: l, Col: c, Idx: i) - (...)" position; ours comes first already.
        string message = inner.Message;
        int dash = message.IndexOf("): ", StringComparison.Ordinal);
        return dash >= 0 ? message[(dash + 3)..] : message;
    }
}
