#!/usr/bin/env bash
# Docs/architecture.md's module graph is the one Package.swift declares, and each C system
# library is imported by exactly one Swift module (the rule in Docs/architecture.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 Tools/module-graph --check
