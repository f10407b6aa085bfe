#!/usr/bin/env bash
# Records captures/sip-lab.pcapng: real SIP between two sipp peers on loopback addresses, one acting as a
# Lync Front End (UAS on 5060/udp and 5060/tcp), one as a client (UAC), plus one refused TCP connection
# (to 5061, where nothing listens) so the sample shows a rejected flow. Needs root, sipp (sip-tester) and tcpdump.
# The loopback addresses 127.0.1.10 and 127.0.8.20 stand for the Front End and a client; see sip-lab.yaml.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/captures/sip-lab.pcapng}
fe=127.0.1.10
client=127.0.8.20
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
tcpdump -i lo -n -s 0 -w "$work/lab.pcapng" --time-stamp-precision=micro "host $fe" 2>/dev/null &
sleep 1
sipp -sn uas -i $fe -p 5060 -nostdin >/dev/null 2>&1 &
sipp -sn uas -i $fe -p 5060 -t t1 -nostdin >/dev/null 2>&1 &
sleep 0.5
sipp -sn uac $fe:5060 -i $client -p 15060 -m 3 -r 3 -d 200 -timeout 20 -nostdin >/dev/null
sipp -sn uac $fe:5060 -i $client -p 15061 -t t1 -m 2 -r 2 -d 200 -timeout 20 -nostdin >/dev/null
# Nothing listens on 5061: the kernel answers the SYN with a RST.
timeout 2 bash -c "exec 3<>/dev/tcp/$fe/5061" 2>/dev/null || true
sleep 1
pkill -f "sipp -sn uas -i $fe" || true
sleep 0.5
pkill -INT -f "tcpdump -i lo -n -s 0 -w $work" || true
wait 2>/dev/null || true
mv "$work/lab.pcapng" "$out"
echo "wrote $out ($(stat -c %s "$out") bytes)"
