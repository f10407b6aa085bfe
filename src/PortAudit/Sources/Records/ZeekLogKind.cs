namespace PortAudit.Sources.Records;

/// <summary>What a Zeek log, named by its <c>#path</c> (TSV) or <c>_path</c> (JSON), is to a run.</summary>
public enum ZeekLogKind
{
    /// <summary>Connections: conn.log (and conn_long.log, which has its columns), or our own TSV (<c>#path flows</c>).</summary>
    Connections,
    /// <summary>
    /// ssl.log: each TLS connection's <c>server_name</c>, the SNI its client sent, by the connection's uid, and its
    /// server's leaf certificate (the first of <c>cert_chain_fps</c> or, in Zeek 3, <c>cert_chain_fuids</c>).
    /// </summary>
    Tls,
    /// <summary>http.log: each HTTP request's <c>host</c>, by the connection's uid.</summary>
    Http,
    /// <summary>dce_rpc.log: each DCE/RPC call's interface (<c>endpoint</c>) and <c>operation</c>, by the connection's uid.</summary>
    DceRpc,
    /// <summary>
    /// x509.log: each certificate Zeek saw, by its <c>fingerprint</c> (or, in Zeek 3, its file id, <c>id</c>): its
    /// key and signature algorithm, which ssl.log's connections join by their leaf's.
    /// </summary>
    X509,
    /// <summary>Any other log (dns, files, weird...): its records are not connections, and no flow is read from them.</summary>
    Other,
}

/// <summary>The kinds of Zeek's logs by their names.</summary>
public static class ZeekLogKinds
{
    /// <summary>
    /// The kind of the log named <paramref name="path"/>; a log that names none (a JSON line without <c>_path</c>, a TSV
    /// without <c>#path</c>) is taken for connections, as it was before logs were told apart.
    /// </summary>
    public static ZeekLogKind Of(ReadOnlySpan<char> path) => path switch
    {
        [] or "flows" => ZeekLogKind.Connections,
        "ssl" => ZeekLogKind.Tls,
        "http" => ZeekLogKind.Http,
        "dce_rpc" => ZeekLogKind.DceRpc,
        "x509" => ZeekLogKind.X509,
        _ when path.StartsWith("conn") => ZeekLogKind.Connections,
        _ => ZeekLogKind.Other,
    };

    /// <summary>
    /// The log a JSON key is of, for a record without <c>_path</c>: ssl.log's <c>server_name</c> and <c>resumed</c>,
    /// http.log's <c>trans_depth</c>, dce_rpc.log's <c>endpoint</c>, x509.log's <c>certificate.serial</c>;
    /// <see cref="ZeekLogKind.Connections"/> for any other key.
    /// </summary>
    public static ZeekLogKind OfKey(ReadOnlySpan<char> key) => key switch
    {
        "server_name" or "resumed" => ZeekLogKind.Tls,
        "trans_depth" => ZeekLogKind.Http,
        "endpoint" => ZeekLogKind.DceRpc,
        "certificate.serial" => ZeekLogKind.X509,
        _ => ZeekLogKind.Connections,
    };

    /// <summary>
    /// The kind of a JSON record: its <c>_path</c>'s when it has one, else connections when it has <c>proto</c> (every
    /// conn.log record has), else what its keys told (<see cref="OfKey"/>).
    /// </summary>
    public static ZeekLogKind OfRecord(string? path, bool hasProto, ZeekLogKind keyed) =>
        path is not null ? Of(path) : hasProto ? ZeekLogKind.Connections : keyed;
}
