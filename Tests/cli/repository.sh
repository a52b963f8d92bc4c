#!/usr/bin/env bash
# The repository itself: no merge-conflict markers left in a tracked file (one once sat in
# Docs/simulator.md for a whole stop, unseen, because nothing reads prose for them).
set -euo pipefail
cd "$(dirname "$0")/../.."
# Markers are seven of <, = or > at the start of a line; a = line must stand alone to be one
# (Markdown setext headings underline with = too, but never with exactly seven and nothing else).
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  found=$(git grep -n -I -E '^(<<<<<<<( |$)|>>>>>>>( |$)|=======$)' -- . ':!*.img' || true)
else
  found=$(grep -rn -I -E '^(<<<<<<<( |$)|>>>>>>>( |$)|=======$)' --exclude-dir=.build . || true)
fi
if [ -n "$found" ]; then
  echo "FAIL merge-conflict markers in tracked files:"
  echo "$found"
  exit 1
fi
echo "ok   no merge-conflict markers in tracked files"
