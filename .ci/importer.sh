#!/usr/bin/env bash
# Build the collection tarball and run galaxy-importer on it; any ERROR or WARNING line fails.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIST=$ROOT/dist
rm -rf "$DIST" && mkdir -p "$DIST"
ansible-galaxy collection build --force --output-path "$DIST"
cd "$DIST"
GALAXY_IMPORTER_CONFIG=$ROOT/.ci/galaxy-importer.cfg python -m galaxy_importer.main conductors-nessus_compliance-*.tar.gz 2>&1 | tee importer.log
if grep -E "^(ERROR|WARNING)" importer.log; then
  echo "galaxy-importer reported problems" >&2; exit 1
fi
grep -q "Importer processing completed successfully" importer.log
