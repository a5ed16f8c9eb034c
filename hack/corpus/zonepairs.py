#!/usr/bin/env python3
"""Prints "FILE<TAB>ZONE" for every zone file of BIND's system tests that a
test's named.conf (or its template) names with its zone: the zone a file
holds is named there, not in the file."""
import glob
import os
import re
import sys

root = sys.argv[1]
pairs = {}
for conf in sorted(glob.glob(os.path.join(root, "bin/tests/system/**/named*.conf*"), recursive=True)):
    d = os.path.dirname(conf)
    try:
        text = open(conf, errors="replace").read()
    except OSError:
        continue
    for m in re.finditer(r'zone\s+"([^"]+)"[^{]*\{(.*?)\};', text, re.S):
        name, body = m.group(1), m.group(2)
        f = re.search(r'file\s+"([^"]+)"', body)
        if not f:
            continue
        path = os.path.normpath(os.path.join(d, f.group(1)))
        if os.path.isfile(path) and not os.path.islink(path) and not path.endswith(".signed"):
            pairs.setdefault(os.path.relpath(path, root), name)
for f, z in sorted(pairs.items()):
    print(f"{f}\t{z}")
