// Usage: PortAudit.Bench parquet-writers WRITER FLOWS CAPTURE OUT (ParquetWriterBench, run by parquet-writers-bench.sh).
// The flow store's own benchmark (store-bench.sh) runs the published tool instead, so that its memory is the tool's.
if (args is ["parquet-writers", ..]) return ParquetWriterBench.Run(args[1..]);
Console.Error.WriteLine("usage: PortAudit.Bench parquet-writers WRITER FLOWS CAPTURE OUT");
return 2;
