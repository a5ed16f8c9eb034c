#!/usr/bin/env python3
"""Writes test/corpus/zones from bare mirrors of six DNS projects: their
test zone files, the files those $INCLUDE, each project's licence and
commit, and pairs.tsv ("SOURCE/FILE<TAB>ZONE"; ZONE "-" where nothing
names the zone, and dns-zone-diff decides it as a user's run would).

The zone a file holds is taken from where its server is told it: a
named.conf (BIND, PowerDNS's bind backend), an nsd.conf, PowerDNS's
ZONEMD test configs, Knot's <zone>.zone naming. Files are read blob by
blob (git cat-file), as a mirror may lack its largest blobs.

usage: zonepairs.py MIRROR OUT"""
import glob
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

SOA = re.compile(r"^[^;\n]*\bSOA\b", re.M | re.I)
MAX = 2_000_000  # bytes: a larger file is a benchmark's, not a test's


def materialise(git_dir, commit, keep, dest):
    """Writes the files of commit whose path matches keep into dest."""
    names = subprocess.run(["git", "-C", git_dir, "ls-tree", "-r", "--name-only", commit],
                           capture_output=True, text=True, check=True).stdout.split("\n")
    names = [n for n in names if n and keep.search(n)]
    p = subprocess.Popen(["git", "-C", git_dir, "cat-file", "--batch"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    for n in names:
        p.stdin.write(f"{commit}:{n}\n".encode())
        p.stdin.flush()
        head = p.stdout.readline().decode().split()
        if len(head) < 3 or head[1] != "blob":
            continue  # missing from the mirror
        data = p.stdout.read(int(head[2]))
        p.stdout.read(1)
        os.makedirs(os.path.join(dest, os.path.dirname(n)), exist_ok=True)
        with open(os.path.join(dest, n), "wb") as f:
            f.write(data)
    p.stdin.close()
    p.wait()


def text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read(MAX + 1)
    except OSError:
        return ""


def zone_file(path):
    t = text(path)
    return os.path.isfile(path) and not os.path.islink(path) and len(t) <= MAX and SOA.search(t)


def bind_conf(root, pattern, out):
    for conf in sorted(glob.glob(os.path.join(root, pattern), recursive=True)):
        d = os.path.dirname(conf)
        for m in re.finditer(r'zone\s+"([^"]+)"[^{]*\{(.*?)\};', text(conf), re.S):
            f = re.search(r'file\s+"([^"]+)"', m.group(2))
            if not f:
                continue
            path = os.path.normpath(os.path.join(d, f.group(1)))
            if os.path.isfile(path) and not os.path.islink(path) and not path.endswith(".signed"):
                out.setdefault(os.path.relpath(path, root), m.group(1))


def nsd_conf(root, out):
    for conf in sorted(glob.glob(os.path.join(root, "tpkg/**/*.conf*"), recursive=True)):
        d = os.path.dirname(conf)
        for block in re.split(r"\n\s*zone:\s*\n", text(conf))[1:]:
            n = re.search(r'^\s*name:\s*"?([^"\s]+)"?', block, re.M)
            f = re.search(r'^\s*zonefile:\s*"?([^"\s]+)"?', block, re.M)
            if n and f:
                path = os.path.normpath(os.path.join(d, f.group(1)))
                if zone_file(path):
                    out.setdefault(os.path.relpath(path, root), n.group(1))


def pdns_conf(root, out):
    bind_conf(root, "regression-tests*/**/named.conf", out)
    for cfg in sorted(glob.glob(os.path.join(root, "regression-tests*/**/config"), recursive=True)):
        kv = dict(l.split("=", 1) for l in text(cfg).split("\n") if "=" in l)
        if "zonefile" in kv:
            path = os.path.join(os.path.dirname(cfg), kv["zonefile"].strip())
            if zone_file(path):
                out.setdefault(os.path.relpath(path, root), kv.get("origin", ".").strip() or ".")


def soa_zone(path):
    """The owner of the first SOA where the file writes it out (or an
    $ORIGIN before it does), else "-"."""
    origin = None
    for line in text(path).split("\n"):
        f = line.split(";")[0].split()
        if len(f) >= 2 and f[0].upper() == "$ORIGIN":
            origin = f[1]
        elif f and not line[0].isspace() and not f[0].startswith("$") and "SOA" in (x.upper() for x in f[1:5]):
            if f[0].endswith("."):
                return f[0]
            return origin if f[0] == "@" and origin and origin.endswith(".") else "-"
    return "-"


def unnamed(root, under, name, out):
    """Adds the zone files under under whose path matches name, not yet
    named: the zone is the SOA's owner where the file writes it out, else
    "-" (dns-zone-diff decides, from the file's name)."""
    for path in sorted(glob.glob(os.path.join(root, under, "**", "*"), recursive=True)):
        rel = os.path.relpath(path, root)
        if rel not in out and name.search(rel) and zone_file(path):
            z = soa_zone(path)
            base = re.sub(r"^db\.", "", re.sub(r"(\.zone|\.db)+$", "", os.path.basename(path)))
            if z != "-" or "." in base.rstrip("."):
                out[rel] = z  # else nothing tells which zone it is: a user passes --zone


def knot(root, out):
    for path in sorted(glob.glob(os.path.join(root, "**", "*"), recursive=True)):
        m = re.match(r"(.*)\.zone(\.\d+)?$", os.path.basename(path))
        if m and zone_file(path):
            z = m.group(1)
            out.setdefault(os.path.relpath(path, root), z if re.match(r"^[A-Za-z0-9._-]+$", z) else "-")


# name, mirror, commit, licence files, what to read, how to pair.
SOURCES = [
    ("bind9", "isc-projects+bind9", "bf74540", ["COPYING", "LICENSE"], r"^bin/tests/system/",
     lambda r, o: bind_conf(r, "bin/tests/system/**/named*.conf*", o)),
    ("nsd", "NLnetLabs+nsd", "6ed8470be5", ["LICENSE"], r"^tpkg/",
     lambda r, o: (nsd_conf(r, o), unnamed(r, "tpkg", re.compile(r"\.(zone|zone_?\d+|zone\.signed|signed|db)$"), o))),
    ("pdns", "PowerDNS+pdns", "20096dc7c9", ["COPYING", "NOTICE"], r"^regression-tests[^/]*/",
     lambda r, o: (pdns_conf(r, o), unnamed(r, ".", re.compile(r"(regression-tests/zones/[^/]+$|\.zone$)"), o))),
    ("ldns", "NLnetLabs+ldns", "310ae27b23", ["LICENSE"], r"^test/",
     lambda r, o: unnamed(r, "test", re.compile(r"\.(db|zone1|zone2|inputzone|outputzone)$|25-ZONEMD\.tpkg/[A-Zr]|/jelte\.nlnetlabs\.nl$"), o)),
    ("dnscontrol", "StackExchange+dnscontrol", "7a079bc2a3", ["LICENSE"], r"\.zone$",
     lambda r, o: unnamed(r, ".", re.compile(r"\.zone$"), o)),
    ("knot", "CZ-NIC+knot", "242eeaa135", ["COPYING"], r"\.zone(\.[0-9]+)?$|^tests/knot/semantic_check_data/",
     lambda r, o: (knot(r, o), unnamed(r, "tests/knot/semantic_check_data", re.compile("."), o))),
    ("unbound", "NLnetLabs+unbound", "7fb79b0677", ["LICENSE"], r"^testdata/.*\.(zone|db)$",
     lambda r, o: unnamed(r, "testdata", re.compile(r"\.(zone|db)$"), o)),
    ("hickory-dns", "hickory-dns+hickory-dns", "557e87d6de", ["LICENSE-APACHE", "LICENSE-MIT"], r"\.(zone|db)$",
     lambda r, o: unnamed(r, ".", re.compile(r"\.(zone|db)$"), o)),
]


def main(mirror, out):
    os.makedirs(out, exist_ok=True)  # exceptions.tsv, the test's, stays
    rows, seen = [], set()  # a file copied verbatim into five tests is tested once
    for name, repo, commit, licences, keep, pair in SOURCES:
        git_dir = os.path.join(mirror, repo, "repo")
        full = subprocess.run(["git", "-C", git_dir, "rev-parse", commit],
                              capture_output=True, text=True, check=True).stdout.strip()
        with tempfile.TemporaryDirectory() as tmp:
            materialise(git_dir, full, re.compile(keep), tmp)
            pairs = {}
            pair(tmp, pairs)
            dest = os.path.join(out, name)
            shutil.rmtree(dest, ignore_errors=True)
            for rel in sorted(list(pairs)):
                with open(os.path.join(tmp, rel), "rb") as f:
                    key = (hashlib.sha256(f.read()).hexdigest(), pairs[rel])
                if key in seen:
                    del pairs[rel]
                    continue
                seen.add(key)
                files = [rel]
                # and what it includes, beside it or from the server's directory
                for inc in re.findall(r'^\$INCLUDE[ \t]+"?([^"\s;]+)', text(os.path.join(tmp, rel)), re.M):
                    for base in (os.path.dirname(rel), "."):
                        cand = os.path.normpath(os.path.join(base, inc))
                        if not cand.startswith("..") and os.path.isfile(os.path.join(tmp, cand)):
                            files.append(cand)
                            break
                for f in files:
                    os.makedirs(os.path.join(dest, os.path.dirname(f)), exist_ok=True)
                    shutil.copyfile(os.path.join(tmp, f), os.path.join(dest, f))
                rows.append(f"{name}/{rel}\t{pairs[rel]}")
            for lic in licences:
                with open(os.path.join(dest, lic), "wb") as f:
                    f.write(subprocess.run(["git", "-C", git_dir, "show", f"{full}:{lic}"],
                                           capture_output=True, check=True).stdout)
            with open(os.path.join(dest, "COMMIT"), "w") as f:
                f.write(full + "\n")
            print(f"{name}: {len(pairs)} zone files", file=sys.stderr)
    with open(os.path.join(out, "pairs.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
