#!/usr/bin/env bash
# Publishes the CLI into out/portaudit/ as one native executable, compiled ahead of time (Native AOT), and prints its path.
# No JIT at run time: the lab audit takes a quarter of the time the ready-to-run build took, and the corpus audit, which
# ready-to-run code ran until tiered compilation had recompiled its hot loops, takes 0.8 of the time with 0.8 of the
# memory (docs/performance.md, Startup). The native link needs a C toolchain (gcc or clang; tools/setup.sh installs gcc).
# The native libraries that draw the plot pictures (libSkiaSharp.so, libHarfBuzzSharp.so) land beside the executable,
# which loads them from its own directory: copy the directory, not the executable alone. So does DuckDB's
# (libduckdb.so, about 70 MB, for the embedded flow store), loaded only when a DuckDB store is used.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$repo/out/portaudit"
dotnet publish "$repo/src/PortAudit.Cli" -c Release -r linux-x64 -p:PublishAot=true -o "$repo/out/portaudit" -nologo -v quiet >&2
# The learning companion (portaudit learn) runs under the JIT: Microsoft.ML generates code at run time (docs/anomaly.md).
dotnet publish "$repo/src/PortAudit.Learn" -c Release -o "$repo/out/portaudit" -nologo -v quiet >&2
echo "$repo/out/portaudit/portaudit"
