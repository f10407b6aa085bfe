#!/usr/bin/env bash
# The PortAudit lab: a small Lync/Windows deployment of network namespaces on one bridge, real peers talking,
# a host firewall (nftables) with one mistake each way, and `portaudit capture` auditing it live on the bridge.
#
#   sudo tools/lab/lab.sh [--out DIR] [--report DIR] [--prefix NAME]
#
#   --out DIR      where lab.pcapng, lab.yaml and lab-fe01.json (the Front End's `nft -j list ruleset`) go
#                  (default: captures/ of this repository)
#   --report DIR   where the live audit writes report.json, report.md, flows.jsonl (default: a temporary directory)
#   --prefix NAME  prefix of every namespace this run creates (default: palab); runs with different prefixes
#                  can overlap, since the addresses only exist inside the namespaces
#
# PORTAUDIT may name the command to run (e.g. "dotnet /path/portaudit.dll"); by default the Release build of
# this repository, built when missing. Everything the script creates is removed on exit, whatever the exit.
#
# Hosts (all on 10.77.0.0/24, inside the namespaces only):
#   fe      10.77.0.10   Front End: sipp UAS on 5060/tcp (SIP) and 5061/tcp (SIP over TLS, through socat); nftables;
#                        a forgotten test web server on 8000/tcp
#   edge    10.77.0.20   Edge internal interface: coturn turnserver on 3478/udp; sipp UAC to the Front End over TLS
#   dc      10.77.0.30   domain controller: Samba's samba-dcerpcd (endpoint mapper on 135/tcp, RPC services on
#                        49152+), dnsmasq on 53 (DNS), 67 (DHCP) and 69 (TFTP, answering from a new port)
#   client  10.77.0.100  workstation: SIP calls, TURN allocations, rpcclient, dig, a TFTP download (curl), a DHCP
#                        discover, and a web request
#   out     10.77.0.200  a host outside the inventory: web server on 8000/tcp
# The Front End's firewall (tools/lab/fe01.nft) allows what the catalog requires of a Front End but rejects SIP over
# TLS from the client (a required flow: required-blocked, policy-blocks-required) and accepts 8000/tcp (which no catalog
# rule allows: unexpected, policy-unjustified).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
lab_name=lab
out=$repo/captures
report=
prefix=palab
. "$repo/tools/lab/lib.sh"
lab_args "$@"

hosts=(fe edge dc client out)
declare -A addr=([fe]=10.77.0.10 [edge]=10.77.0.20 [dc]=10.77.0.30 [client]=10.77.0.100 [out]=10.77.0.200)
# Peers come from Debian's packages; tools/setup.sh installs the same list for CI.
lab_need sipp:sip-tester turnserver:coturn turnutils_uclient:coturn rpcclient:smbclient nft:nftables dnsmasq:dnsmasq-base \
  dig:bind9-dnsutils socat:socat ip:iproute2 openssl:openssl curl:curl python3:python3 /usr/libexec/samba/samba-dcerpcd:samba
lab_portaudit
lab_setup
[ -n "$report" ] || report=$work/report

# The Front End's host firewall (tools/lab/fe01.nft): what the catalog requires of it, with one rule too many and one
# in the wrong place; listed back as `nft -j list ruleset` for `audit --firewall` (captures/lab-fe01.json).
sed "s/palab_fw/${prefix}_fw/" "$repo/tools/lab/fe01.nft" | on fe nft -f -

# Throwaway TLS material, made per run and removed with $work.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=fe.palab.test" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
cd "$work"

mkdir -p "$out" "$report" "$work/samba"
on fe nft -j list ruleset >"$out/lab-fe01.json"
cat >"$out/lab.yaml" <<EOF
# Inventory for lab.pcapng, made by tools/lab/lab.sh: namespaces on one bridge, addresses inside the lab only.
hosts:
  - name: fe01
    addresses: [${addr[fe]}]
    roles: [lync-front-end]
  - name: edge01
    addresses: [${addr[edge]}]
    roles: [lync-edge-internal]
  - name: dc01
    addresses: [${addr[dc]}]
    roles: [domain-controller, dns-server, dhcp-server, ris-server]
  - name: client01
    addresses: [${addr[client]}]
    roles: [workstation, lync-client]
segments:
  - name: lab-outside
    cidrs: [10.77.0.128/25]
features: []
EOF

lab_capture_start "$work/lab.pcapng" --inventory "$out/lab.yaml" --firewall fe01="$out/lab-fe01.json":nft-json \
  --out "$report" --fail-on none

log "starting servers"
on fe sipp -sn uas -i "${addr[fe]}" -p 5060 -t t1 -nostdin >/dev/null 2>&1 &
# Debian's sipp is built without TLS: socat terminates TLS on 5061 in front of a second UAS on the Front End's
# loopback, and opens it from a loopback port on each caller, so SIP crosses the bridge inside TLS.
on fe sipp -sn uas -i 127.0.0.1 -p 5070 -t t1 -nostdin >/dev/null 2>&1 &
on fe socat OPENSSL-LISTEN:5061,bind="${addr[fe]}",reuseaddr,fork,cert="$work/cert.pem",key="$work/key.pem",verify=0 \
  TCP:127.0.0.1:5070 >/dev/null 2>&1 &
for h in edge client; do
  on $h socat TCP-LISTEN:5071,bind=127.0.0.1,reuseaddr,fork OPENSSL:"${addr[fe]}":5061,verify=0 >/dev/null 2>&1 &
done
on fe python3 -m http.server 8000 --bind "${addr[fe]}" --directory "$work" >/dev/null 2>&1 &
on out python3 -m http.server 8000 --bind "${addr[out]}" --directory "$work" >/dev/null 2>&1 &
on edge turnserver -n --no-cli --no-tls --no-dtls --listening-ip "${addr[edge]}" --relay-ip "${addr[edge]}" \
  --listening-port 3478 --min-port 49152 --max-port 49200 --lt-cred-mech --user palab:palab --realm palab.test \
  --pidfile "$work/turnserver.pid" --log-file stdout --simple-log >"$work/turnserver.log" 2>&1 &
cat >"$work/samba/smb.conf" <<EOF
[global]
  workgroup = PALAB
  netbios name = DC01
  server role = standalone server
  interfaces = ${addr[dc]}
  bind interfaces only = yes
  disable netbios = yes
  rpc start on demand helpers = no
  lock directory = $work/samba
  state directory = $work/samba
  cache directory = $work/samba
  private dir = $work/samba
  pid directory = $work/samba
  ncalrpc dir = $work/samba/ncalrpc
  log file = $work/samba/log.%m
EOF
on dc /usr/libexec/samba/samba-dcerpcd -s "$work/samba/smb.conf" -F --libexec-rpcds >"$work/samba/dcerpcd.log" 2>&1 &
mkdir -p "$work/tftp"
echo "palab boot file" >"$work/tftp/boot.txt"
on dc dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address="${addr[dc]}" \
  --interface=eth0 --dhcp-range=10.77.0.150,10.77.0.160,255.255.255.0,1h --dhcp-leasefile="$work/dnsmasq.leases" \
  --enable-tftp --tftp-root="$work/tftp" \
  --user=root --pid-file="$work/dnsmasq.pid" --address=/fe.palab.test/${addr[fe]} \
  --srv-host=_sipinternaltls._tcp.palab.test,fe.palab.test,5061 >/dev/null 2>&1 &

wait_port fe tcp 5060; wait_port fe tcp 5061; wait_port edge tcp 5071; wait_port client tcp 5071; wait_port fe tcp 8000; wait_port out tcp 8000
wait_port edge udp 3478; wait_port dc tcp 135; wait_port dc udp 53; wait_port dc udp 69

log "traffic"
# DNS: the client finds the Front End as Lync clients do.
on client dig +short +time=2 +tries=1 @"${addr[dc]}" SRV _sipinternaltls._tcp.palab.test >/dev/null
on client dig +short +time=2 +tries=1 @"${addr[dc]}" fe.palab.test >/dev/null
# SIP over TCP, client to Front End: allowed.
on client sipp -sn uac "${addr[fe]}:5060" -i "${addr[client]}" -t t1 -m 2 -r 2 -d 200 -timeout 15 -nostdin >/dev/null 2>&1
# SIP over TLS, Edge to Front End: allowed.
on edge sipp -sn uac 127.0.0.1:5071 -i 127.0.0.1 -t t1 -m 2 -r 2 -d 200 -timeout 15 -nostdin >/dev/null 2>&1
# SIP over TLS, client to Front End: the firewall's misplaced rule resets it.
on client sipp -sn uac 127.0.0.1:5071 -i 127.0.0.1 -t t1 -m 1 -timeout 3 -nostdin >/dev/null 2>&1 || true
# STUN binding and TURN allocations with relayed data, client to the Edge internal interface.
on client turnutils_stunclient -p 3478 "${addr[edge]}" >/dev/null
on client turnutils_uclient -u palab -w palab -y -n 5 -m 1 -l 160 -p 3478 "${addr[edge]}" >/dev/null 2>&1
# DCE/RPC: the endpoint mapper on 135 names LSARPC's dynamic port, then the client binds to it there.
printf '[global]\n  workgroup = PALAB\n' >"$work/client.conf"
on client rpcclient -s "$work/client.conf" -U% -N "ncacn_ip_tcp:${addr[dc]}" -c lsaquery >/dev/null 2>&1 || true
on client rpcclient -s "$work/client.conf" -U% -N "ncacn_ip_tcp:${addr[dc]}" -c epmmap >/dev/null 2>&1 || true
# TFTP: the request goes to 69, the file comes back from a port the server picks (an announced flow).
on client curl -s -o /dev/null --max-time 5 "tftp://${addr[dc]}/boot.txt"
# DHCP: a discover from the client's port 68, broadcast; dnsmasq offers an address. No DHCP client is installed:
# the discover is written here, the server is real.
on client python3 - <<'EOF'
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b"eth0")
s.bind(("0.0.0.0", 68))
header = struct.pack("!BBBBIHH16s16s64s128s", 1, 1, 6, 0, 0x70616c62, 0, 0x8000, bytes(16),
                     bytes.fromhex("020000aabbcc") + bytes(10), bytes(64), bytes(128))
s.sendto(header + bytes.fromhex("63825363") + bytes([53, 1, 1, 55, 3, 1, 3, 6, 255]), ("255.255.255.255", 67))
s.settimeout(2)
try: s.recvfrom(2048)
except OSError: pass
EOF
# Through the firewall though no rule allows it, and out of the inventory.
on client curl -s -o /dev/null --max-time 5 "http://${addr[fe]}:8000/"
on fe curl -s -o /dev/null --max-time 5 "http://${addr[out]}:8000/"
# TCP flows end with their FIN exchange; a moment lets the last packets reach the capture.
sleep 1

lab_capture_stop
mv "$work/lab.pcapng" "$out/lab.pcapng"
log "wrote $out/lab.pcapng ($(stat -c %s "$out/lab.pcapng") bytes) and $out/lab.yaml"
[ "$report" = "$work/report" ] && log "the reports go with the run's temporary directory: --report DIR keeps them"
true
