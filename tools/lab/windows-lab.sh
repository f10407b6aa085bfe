#!/usr/bin/env bash
# The Windows lab: a small Active Directory domain of network namespaces on one bridge, real Samba peers doing what a
# domain's members do at logon and at work, and `portaudit capture` auditing it live on the bridge. It is the second
# real deployment the role drafter is fitted and held out on (tests/.../Scenarios/LabelledDeployments.cs).
#
#   sudo tools/lab/windows-lab.sh [--out DIR] [--report DIR] [--prefix NAME]
#
#   --out DIR      where windows-lab.pcapng and windows-lab.yaml go (default: captures/ of this repository)
#   --report DIR   where the live audit writes report.json, report.md, flows.jsonl (default: a temporary directory)
#   --prefix NAME  prefix of every namespace this run creates (default: pawin); runs with different prefixes
#                  can overlap, since the addresses only exist inside the namespaces
#
# PORTAUDIT may name the command to run (e.g. "dotnet /path/portaudit.dll"); by default the Release build of
# this repository, built when missing. Everything the script creates is removed on exit, whatever the exit: the
# namespaces, their processes, a temporary directory, and the files it puts in /etc/netns/PREFIX-HOST/ (which
# `ip netns exec` mounts over /etc in that namespace only: resolv.conf, krb5.conf, and the file server's passwd).
#
# Hosts (all on 10.78.0.0/24, inside the namespaces only; domain WINLAB, realm WINLAB.TEST):
#   dc    10.78.0.10   dc01: Samba AD DC provisioned per run (samba-tool domain provision, internal DNS): Kerberos 88
#                      and kpasswd 464, LDAP 389 (and CLDAP), global catalog 3268, DNS 53, SMB 445 (sysvol, netlogon),
#                      endpoint mapper 135 and RPC on 49152+, NetBIOS 137/138/139; registers with the WINS server
#   fs    10.78.0.20   fs01: standalone file server: smbd with a share (445, 139), samba-dcerpcd (135), nmbd (137/138)
#                      registering with WINS
#   wins  10.78.0.30   wins01: WINS server (nmbd, wins support), with smbd and samba-dcerpcd as on any Windows server
#   ws1..ws3  10.78.0.101-103  ws01..ws03: domain members' logon and work, one user each: nmbd registering the
#                      workstation with WINS; DNS SRV lookups of the DC; a CLDAP DC locator ping; kinit (AS) and the
#                      service tickets that follow (TGS); LDAP searches with Kerberos on 389 and the global catalog's
#                      3268; sysvol and netlogon over SMB with Kerberos; NETLOGON over RPC (endpoint mapper, then its port)
#                      and LSA on its named pipe;
#                      WINS queries; the file server's share over SMB (NTLM, a local account) and its shares listed
#                      through the Server service's pipe; ws03 changes its user's password (kpasswd)
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
lab_name=windows-lab
out=$repo/captures
report=
prefix=pawin
. "$repo/tools/lab/lib.sh"
lab_args "$@"

hosts=(dc fs wins ws1 ws2 ws3)
clients=(ws1 ws2 ws3)
declare -A addr=([dc]=10.78.0.10 [fs]=10.78.0.20 [wins]=10.78.0.30 [ws1]=10.78.0.101 [ws2]=10.78.0.102 [ws3]=10.78.0.103)
declare -A name=([dc]=dc01 [fs]=fs01 [wins]=wins01 [ws1]=ws01 [ws2]=ws02 [ws3]=ws03)
declare -A user=([ws1]=alice [ws2]=bob [ws3]=carol)
realm=WINLAB.TEST domain=WINLAB dns=winlab.test base=DC=winlab,DC=test
adminpass='Winlab-Adm1n!' userpass='Winlab-Us3r!'
# Peers come from Debian's packages; tools/setup.sh installs the same list for CI.
lab_need samba:samba samba-tool:samba nmbd:samba smbd:samba /usr/libexec/samba/samba-dcerpcd:samba \
  /usr/share/samba/setup/ad-schema:samba-ad-provision "/usr/lib/*/samba/ldb/samba_secrets.so:samba-dsdb-modules" \
  "/usr/lib/*/samba/vfs/acl_xattr.so:samba-vfs-modules" smbclient:smbclient rpcclient:smbclient nmblookup:smbclient \
  kinit:krb5-user kpasswd:krb5-user ldapsearch:ldap-utils "/usr/lib/*/sasl2/libgssapiv2.so:libsasl2-modules-gssapi-mit" \
  dig:bind9-dnsutils ip:iproute2
lab_portaudit

lab_cleanup_extra() { local h; for h in "${hosts[@]}"; do rm -rf "/etc/netns/$prefix-$h"; done; }
lab_setup
[ -n "$report" ] || report=$work/report
mkdir -p "$out" "$report"
# The domain's users reach sysvol and the share under $work through their own uids: they may pass, not list.
chmod 711 "$work"

# Fails the lab with what the command said: a peer that did not do its part would leave a capture that lies.
must() {
  local what=$1; shift
  "$@" >"$work/must.out" 2>&1 || { cat "$work/must.out" >&2; log "$what failed"; exit 1; }
}
# Per-namespace files over /etc: every host resolves names with the DC's DNS, as domain members do.
etc() { mkdir -p "/etc/netns/$prefix-$1"; cat >"/etc/netns/$prefix-$1/$2"; }
for h in "${hosts[@]}"; do printf 'search %s\nnameserver %s\n' "$dns" "${addr[dc]}" | etc "$h" resolv.conf; done

# Samba's daemons keep sockets and pid files in /run/samba, which every namespace shares: each runs with a /run/samba
# of its own (a tmpfs in a mount namespace of its own), so no host's daemon finds another's (the file server's smbd
# would ask the DC's winbindd for its users' uids) and the host's /run/samba is left as it was. And with the host's
# name as its own (a UTS namespace): the NTLM challenge names the server by it, not by the machine running the lab.
daemon() { # host, log file, command...
  local h=$1 log=$2; shift 2
  on "$h" unshare -mu sh -c 'hostname "$0" && mount -t tmpfs tmpfs /run/samba && exec "$@"' "${name[$h]}" "$@" \
    </dev/null >"$log" 2>&1 &
}
mkdir -p /run/samba
log "provisioning the domain controller"
dcdir=$work/dc
must "samba-tool domain provision" on dc samba-tool domain provision --targetdir="$dcdir" --realm=$realm --domain=$domain \
  --server-role=dc --adminpass="$adminpass" --dns-backend=SAMBA_INTERNAL --host-ip="${addr[dc]}" --host-name="${name[dc]}" \
  --option="interfaces=${addr[dc]}" --option="bind interfaces only=yes" --option="wins server=${addr[wins]}" \
  --option="server services=-wrepl" --option="dns forwarder=" --option="log file=$dcdir/log.%m" \
  --option="ntp signd socket directory=$dcdir/ntp_signd"
dcconf=$dcdir/etc/smb.conf
# The users were made a moment ago: ws03's password change must not wait for the default minimum age of a day.
must "samba-tool domain passwordsettings" on dc samba-tool domain passwordsettings set --min-pwd-age=0 -s "$dcconf"
for h in "${clients[@]}"; do
  must "samba-tool user create ${user[$h]}" on dc samba-tool user create "${user[$h]}" "$userpass" -s "$dcconf"
done

# A Samba configuration of a member or standalone host: its name, WINS, and every file of its own under $work/HOST.
smbconf() { # host, then lines of its own
  local h=$1; shift
  mkdir -p "$work/$h/ncalrpc"
  {
    printf '[global]\n  workgroup = %s\n  realm = %s\n  netbios name = %s\n' $domain $realm "${name[$h]^^}"
    printf '  interfaces = %s\n  bind interfaces only = yes\n  wins server = %s\n' "${addr[$h]}" "${addr[wins]}"
    printf '  name resolve order = wins host bcast\n  rpc start on demand helpers = no\n'
    for d in lock state cache pid; do printf '  %s directory = %s\n' $d "$work/$h"; done
    printf '  private dir = %s\n  ncalrpc dir = %s/ncalrpc\n  log file = %s/log.%%m\n' "$work/$h" "$work/$h" "$work/$h"
    printf '  %s\n' "$@"
  } >"$work/$h/smb.conf"
}
# Workstations take part in no browse election: the WINS server keeps the browse list.
for h in "${clients[@]}"; do
  smbconf "$h" "server role = standalone server" "local master = no" "preferred master = no" "domain master = no" "os level = 0"
  # The realm's KDCs come from DNS SRV records, as on a domain member.
  printf '[libdefaults]\n  default_realm = %s\n  dns_lookup_kdc = true\n  dns_lookup_realm = false\n  rdns = false\n' $realm \
    | etc "$h" krb5.conf
done
smbconf wins "server role = standalone server" "wins support = yes"
sed -i '/wins server = /d' "$work/wins/smb.conf"
mkdir -p "$work/fs/share"
echo "winlab budget" >"$work/fs/share/budget.txt"
smbconf fs "server role = standalone server" "passdb backend = tdbsam:$work/fs/passdb.tdb" "local master = no" \
  "os level = 0"
printf '[share]\n  path = %s/fs/share\n  read only = no\n  valid users = %s\n' "$work" "${user[*]}" >>"$work/fs/smb.conf"
# The file server's local accounts, the same names and password as in the domain (its users type one password);
# Samba maps each to a Unix account, which only this namespace's /etc/passwd holds.
{ cat /etc/passwd; uid=3001; for u in "${user[@]}"; do echo "$u:x:$uid:$uid::/nonexistent:/usr/sbin/nologin"; uid=$((uid + 1)); done; } | etc fs passwd
{ cat /etc/group; gid=3001; for u in "${user[@]}"; do echo "$u:x:$gid:"; gid=$((gid + 1)); done; } | etc fs group
for u in "${user[@]}"; do
  printf '%s\n%s\n' "$userpass" "$userpass" | must "smbpasswd -a $u" on fs smbpasswd -c "$work/fs/smb.conf" -s -a "$u"
done
chmod 1777 "$work/fs/share"

# The WINS server and the DC are up before the capture starts; the file server and the workstations start inside it,
# so it holds their WINS registrations.
log "starting the WINS server and the domain controller"
daemon wins "$work/wins/nmbd.out" nmbd -F -s "$work/wins/smb.conf"
daemon wins "$work/wins/smbd.out" smbd -F -s "$work/wins/smb.conf"
daemon wins "$work/wins/dcerpcd.out" /usr/libexec/samba/samba-dcerpcd -s "$work/wins/smb.conf" -F --libexec-rpcds
daemon dc "$dcdir/samba.out" samba -s "$dcconf" -i -M single
wait_port wins udp 137; wait_port wins tcp 445; wait_port wins tcp 135
for p in tcp/53 udp/53 tcp/88 udp/88 tcp/135 tcp/389 udp/389 tcp/445 tcp/464 tcp/3268; do wait_port dc "${p%/*}" "${p#*/}" 300; done
# The file server and the WINS server by name in the domain's DNS, as an administrator adds them.
for h in fs wins; do
  must "samba-tool dns add ${name[$h]}" on dc samba-tool dns add "${addr[dc]}" $dns "${name[$h]}" A "${addr[$h]}" \
    -U "Administrator%$adminpass" -s "$dcconf"
done

cat >"$out/windows-lab.yaml" <<EOF
# Inventory for windows-lab.pcapng, made by tools/lab/windows-lab.sh: namespaces on one bridge, addresses inside the
# lab only. Roles as in tests/PortAudit.Tests/Scenarios/Inventories/windows-domain.yaml: every Windows computer is a
# windows-host, except the DC, whose role holds what that one adds.
hosts:
  # Samba AD DC: KDC, LDAP, global catalog (3268; its rootDSE says isGlobalCatalogReady), internal DNS, sysvol.
  - name: ${name[dc]}
    addresses: [${addr[dc]}]
    roles: [domain-controller, global-catalog, dns-server]
  # Standalone file server: a share on SMB (and the Server service on its pipe), the endpoint mapper, NetBIOS.
  - name: ${name[fs]}
    addresses: [${addr[fs]}]
    roles: [file-server, windows-host]
  # WINS (nmbd with wins support), with SMB and the endpoint mapper of any Windows server.
  - name: ${name[wins]}
    addresses: [${addr[wins]}]
    roles: [wins-server, windows-host]
EOF
for h in "${clients[@]}"; do
  printf '  - name: %s\n    addresses: [%s]\n    roles: [workstation, windows-host]\n' "${name[$h]}" "${addr[$h]}" >>"$out/windows-lab.yaml"
done
cat >>"$out/windows-lab.yaml" <<EOF
segments:
  - name: winlab
    cidrs: [10.78.0.0/24]
    zone: internal
features: []
EOF

lab_capture_start "$work/windows-lab.pcapng" --inventory "$out/windows-lab.yaml" --out "$report" --fail-on none

log "starting the file server and the workstations' NetBIOS"
daemon fs "$work/fs/nmbd.out" nmbd -F -s "$work/fs/smb.conf"
daemon fs "$work/fs/smbd.out" smbd -F -s "$work/fs/smb.conf"
daemon fs "$work/fs/dcerpcd.out" /usr/libexec/samba/samba-dcerpcd -s "$work/fs/smb.conf" -F --libexec-rpcds
for h in "${clients[@]}"; do daemon "$h" "$work/$h/nmbd.out" nmbd -F -s "$work/$h/smb.conf"; done
wait_port fs tcp 445; wait_port fs tcp 135
for h in fs "${clients[@]}"; do wait_port "$h" udp 137; done
# nmbd registers its names with the WINS server within a few seconds of starting.
sleep 5

log "traffic"
for h in "${clients[@]}"; do
  u=${user[$h]} conf=$work/$h/smb.conf
  export KRB5CCNAME=FILE:$work/$h/ccache
  # The DC locator: SRV records, then a CLDAP ping to the DC they name.
  must "$h dig" on "$h" dig +short +time=2 +tries=1 SRV _ldap._tcp.dc._msdcs.$dns
  must "$h CLDAP ping" on "$h" samba-tool domain info "${addr[dc]}" -s "$conf"
  # Logon: a TGT (the KDC found through _kerberos SRV records), then service tickets for LDAP, SMB and RPC.
  echo "$userpass" | must "$h kinit" on "$h" kinit "$u@$realm"
  must "$h LDAP" on "$h" ldapsearch -N -Q -Y GSSAPI -H "ldap://dc01.$dns" -b "$base" "(sAMAccountName=$u)" memberOf
  must "$h GC rootDSE" on "$h" ldapsearch -x -LLL -H "ldap://dc01.$dns:3268" -s base -b "" isGlobalCatalogReady dnsHostName
  must "$h GC search" on "$h" ldapsearch -N -Q -Y GSSAPI -H "ldap://dc01.$dns:3268" -b "" "(sAMAccountName=$u)" cn
  # Group policy comes from sysvol; logon scripts from netlogon.
  must "$h sysvol" on "$h" smbclient -s "$conf" --use-kerberos=required "//dc01.$dns/sysvol" -c "ls $dns/Policies/*"
  must "$h netlogon" on "$h" smbclient -s "$conf" --use-kerberos=required "//dc01.$dns/netlogon" -c ls
  # RPC to the DC: NETLOGON's DC locator call over TCP (the endpoint mapper names its port), and LSA's name lookup over
  # the named pipe, as Windows does (Samba's DC refuses LSA over TCP to a user).
  must "$h dsr_getdcname" on "$h" rpcclient -s "$conf" --use-kerberos=required "ncacn_ip_tcp:dc01.$dns" -c "dsr_getdcname $dns"
  must "$h lookupnames" on "$h" rpcclient -s "$conf" --use-kerberos=required "ncacn_np:dc01.$dns" -c "lookupnames $u"
  # NetBIOS names through WINS: the file server, and the domain's controllers (WINLAB<1c>).
  must "$h WINS query" on "$h" nmblookup -s "$conf" -U "${addr[wins]}" --recursion FS01
  must "$h WINS query" on "$h" nmblookup -s "$conf" -U "${addr[wins]}" --recursion "$domain#1c"
  # Work on the file server: a local account, so NTLM.
  printf 'report of %s\n' "$u" >"$work/$h/report.txt"
  must "$h share" on "$h" smbclient -s "$conf" --use-kerberos=off -U "$u%$userpass" "//fs01.$dns/share" \
    -c "lcd $work/$h; get budget.txt; put report.txt $u.txt; ls"
  # Its shares through the Server service, on the named pipe as Windows Explorer asks.
  must "$h netshareenumall" on "$h" rpcclient -s "$conf" --use-kerberos=off -U "$u%$userpass" "ncacn_np:fs01.$dns" -c netshareenumall
done
printf '%s\n%s\n%s\n' "$userpass" "$userpass-2" "$userpass-2" | must "ws3 kpasswd" on ws3 env KRB5CCNAME=FILE:$work/ws3/ccache2 kpasswd "${user[ws3]}@$realm"
unset KRB5CCNAME
# TCP flows end with their FIN exchange; a moment lets the last packets reach the capture.
sleep 1

lab_capture_stop
mv "$work/windows-lab.pcapng" "$out/windows-lab.pcapng"
log "wrote $out/windows-lab.pcapng ($(stat -c %s "$out/windows-lab.pcapng") bytes) and $out/windows-lab.yaml"
[ "$report" = "$work/report" ] && log "the reports go with the run's temporary directory: --report DIR keeps them"
true
