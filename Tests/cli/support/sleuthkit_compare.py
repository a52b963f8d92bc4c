#!/usr/bin/python3
"""Compares what docks of a mass-storage recorder put in a store with what The Sleuth Kit reads
from the same image:

    sleuthkit_compare.py IMAGE STORE [--partial] [--incomplete PATH]... [--volumes SECTOR,SECTOR...]

A medium of several volumes (--volumes: each volume's first 512-byte sector, what `fls -o`
takes) is sealed as one bag per volume: each bag is compared with the volume its custody
record's `source` describes (its one volume's startBlock), and every file of every volume must
be verified in the bag of its volume. Without --volumes the image is one volume at sector 0.
For every file of every bag's custody.json: its device path is exactly a path `fls -r -p`
lists, it is stored at data/ + that path as the evidence format's path rules write it
(Docs/evidence-format.md: each character other than ASCII letters, digits, `.`, `_`, `-` and
non-ASCII letters, numbers and combining marks becomes `_`, so `照片 0001.JPG` is stored as
`照片_0001.JPG`; the exact name stays in the custody record), and a verified file's bytes (and
its custody SHA-256) are `icat`'s.
A file that is not verified must be one named by --incomplete, and even then its stored bytes
must be a prefix of icat's (fewer bytes, never other bytes). Every file under data/ must be in
the custody record. Without --partial every file TSK lists must be verified in some bag; with
--partial (a dock cut short) fewer may be. Prints one line per problem and a summary; exits 1
on any problem.
"""
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import unicodedata


def sleuthkit_files(image, sector):
    """path -> inode of every allocated regular file (no volume label, no $ pseudo-files)."""
    out = subprocess.run(["fls", "-r", "-p", "-o", str(sector), image], capture_output=True, text=True, check=True).stdout
    files = {}
    for line in out.splitlines():
        m = re.match(r"^(\S)/(\S) (\*\s)?([0-9-]+)(?:\(realloc\))?:\t(.*)$", line)
        if not m:
            continue
        kind, deleted, inode, path = m.group(1), m.group(3), m.group(4), m.group(5)
        if kind != "r" or deleted or path.startswith("$") or "/$" in path or path.endswith("(Volume Label Entry)"):
            continue
        files[path] = inode
    return files


def bag_path(device_path):
    """data/ + the path as PathSanitizer writes a short, clean one (no clash, no length cut)."""
    def component(name):
        out = "".join(c if (c.isascii() and (c.isalnum() or c in "._-"))
                      or (not c.isascii() and unicodedata.category(c)[0] in "LNM") else "_" for c in name)
        if out.startswith("."):
            out = "_" + out[1:]
        if out.endswith("."):
            out = out[:-1] + "_"
        return out
    return "data/" + "/".join(component(c) for c in device_path.split("/") if c not in ("", ".", ".."))


def icat(image, sector, inode):
    return subprocess.run(["icat", "-o", str(sector), image, inode], capture_output=True, check=True).stdout


def bag_sector(custody, sectors):
    """The first sector of the volume a bag holds: its `source`'s one volume on a medium of
    several, else 0."""
    if len(sectors) == 1:
        return sectors[0]
    source = custody.get("source") or {}
    volumes = source.get("volumes") or []
    if len(volumes) != 1:
        return None
    return volumes[0]["startBlock"] * source["disk"]["blockSize"] // 512


def main():
    image, store = sys.argv[1], sys.argv[2]
    rest = sys.argv[3:]
    partial = "--partial" in rest
    allowed_incomplete = {rest[i + 1] for i, a in enumerate(rest) if a == "--incomplete"}
    given = [rest[i + 1] for i, a in enumerate(rest) if a == "--volumes"]
    sectors = [int(x) for x in given[0].split(",")] if given else [0]
    # (sector, path) -> inode, over every volume.
    want = {(sector, path): inode for sector in sectors for path, inode in sleuthkit_files(image, sector).items()}
    truth = {}
    problems = []
    verified = {}
    bags = sorted(glob.glob(os.path.join(store, "bags", "*", "")))
    for bag in bags:
        custody = json.load(open(os.path.join(bag, "custody.json"), encoding="utf-8"))
        listed = set()
        sector = bag_sector(custody, sectors)
        if sector not in sectors:
            problems.append("%s: its custody record's source names no one volume of the image (%s)" % (bag, custody.get("source")))
            continue
        for f in custody["files"]:
            path, stored = f["devicePath"], f["bagPath"]
            key = (sector, path)
            listed.add(stored)
            where = "%s %s" % (os.path.basename(bag.rstrip("/")), path)
            if key not in want:
                problems.append("%s: not a file on the volume at sector %d (fls -r -p)" % (where, sector))
                continue
            if stored != bag_path(path):
                problems.append("%s: stored at %s, not at %s (data/ + its path on the volume)" % (where, stored, bag_path(path)))
            if key not in truth:
                truth[key] = icat(image, sector, want[key])
            with open(os.path.join(bag, stored), "rb") as fh:
                got = fh.read()
            if f["verified"]:
                if got != truth[key]:
                    problems.append("%s: verified, but its %d bytes are not icat's %d (SHA-256 %s, icat %s)" % (
                        where, len(got), len(truth[key]), hashlib.sha256(got).hexdigest(), hashlib.sha256(truth[key]).hexdigest()))
                elif f["sha256"] != hashlib.sha256(got).hexdigest():
                    problems.append("%s: the custody SHA-256 is not the stored file's" % where)
                else:
                    verified[key] = bag
            else:
                if path not in allowed_incomplete:
                    problems.append("%s: not verified (quarantined %s, anomalies %s)" % (where, f.get("quarantined"), f.get("anomalies")))
                if not truth[key].startswith(got) or len(got) >= len(truth[key]):
                    problems.append("%s: not verified, and its %d stored bytes are not a proper prefix of icat's %d" % (
                        where, len(got), len(truth[key])))
        data = os.path.join(bag, "data")
        for top, _, names in os.walk(data):
            for name in names:
                rel = "data/" + os.path.relpath(os.path.join(top, name), data)
                if rel not in listed:
                    problems.append("%s: %s is in data/ but not in the custody record" % (bag, rel))
    if not partial:
        for key in sorted(set(want) - set(verified)):
            if key[1] in allowed_incomplete:
                continue
            problems.append("%s: on the volume at sector %d (inode %s) but verified in no bag" % (key[1], key[0], want[key]))
    for p in problems:
        print("  " + p)
    print("  %d files on the image (fls), %d verified in %d bags, %d problems" % (len(want), len(verified), len(bags), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
