#!/usr/bin/env bash
# Installs what PortAudit and its tests need on a fresh Debian machine (run as root), then builds.
# Idempotent: packages already present are not reinstalled.
set -euo pipefail
cd "$(dirname "$0")/.."
# postgresql-15: the flow store tests start a server of their own (initdb, pg_ctl from /usr/lib/postgresql/15/bin).
# krb5-kdc, krb5-admin-server, krb5-user: the kpasswd lab test runs krb5kdc, kadmind and kpasswd on a realm of its own
# in a temporary directory; the packages' services find no realm database and do not run. samba-ad-provision,
# samba-dsdb-modules, samba-vfs-modules, samba-testsuite: the WINS replication lab test provisions a Samba AD DC in a
# temporary directory and opens associations with its wrepl server from smbtorture. ldap-utils,
# libsasl2-modules-gssapi-mit: the Windows lab's members search the directory with ldapsearch, bound with Kerberos.
# gcc, libc6-dev: tools/publish.sh links the ahead-of-time compiled tool into a native executable.
# wireguard-go, wireguard-tools, openvpn, dante-server, tinyproxy: the WireGuard, OpenVPN, SOCKS and HTTP proxy lab
# tests run tunnels and proxies between two network namespaces.
# afl++: the coverage-guided fuzz tier (tools/fuzz/afl.sh, docs/fuzz.md), with the sharpfuzz dotnet tool restored below.
# fonts-dejavu-core: the font of the plot pictures (audit --plots, docs/plots.md); their native libraries, published
# beside the executable, need only libc6 otherwise.
# exim4-daemon-light, prosody: the TLS lab runs exim and prosody in a network namespace, a mail server and an XMPP
# federation partner whose certificates follow STARTTLS; the packages' own daemons are not needed.
# tzdata: `--log-zone Europe/Berlin` reads the system's IANA time zone database (docs/sources.md).
packages=(tzdata gcc libc6-dev libgomp1 fonts-dejavu-core libpcap0.8 postgresql-15 tshark tcpdump libndpi-bin chromium sip-tester coturn samba smbclient nftables iptables ipset dnsmasq-base bind9-dnsutils krb5-kdc krb5-admin-server krb5-user samba-ad-provision samba-dsdb-modules samba-vfs-modules samba-testsuite ldap-utils libsasl2-modules-gssapi-mit socat curl iproute2 openssl tcpreplay zsh tmux softflowd nfdump afl++ wireguard-go wireguard-tools openvpn dante-server tinyproxy exim4-daemon-light prosody)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  echo "setup: installing ${missing[*]}" >&2
  apt-get update -qq
  # tshark asks whether non-root users may capture; the answer does not matter here.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The sharpfuzz instrumenting tool, pinned in .config/dotnet-tools.json.
dotnet tool restore >/dev/null
dotnet build PortAudit.sln -c Release -nologo -v quiet >/dev/null
echo "setup: built, and published $(tools/publish.sh)" >&2
