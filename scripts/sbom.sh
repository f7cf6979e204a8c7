#!/usr/bin/env bash
# Software bill of materials: every npm package Vigil ships or builds with, as CycloneDX 1.5 JSON, from the lockfile
# and the installed tree (`npm sbom`, npm >= 9.5; no network). Default output: .vigil/sbom.cdx.json.
#   scripts/sbom.sh [out.json]        the whole tree (runtime and dev: what CI builds and tests with)
#   VIGIL_SBOM_OMIT_DEV=1 scripts/sbom.sh   runtime packages only (what the Docker image runs)
# Fails when npm reports an inconsistent tree (missing or extraneous packages) or the output is not CycloneDX.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-.vigil/sbom.cdx.json}"
mkdir -p "$(dirname "$out")"
tmp="$(mktemp "${out}.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
args=(sbom --sbom-format cyclonedx --sbom-type application)
[ "${VIGIL_SBOM_OMIT_DEV:-0}" = "1" ] && args+=(--omit dev)
npm "${args[@]}" >"$tmp"
# A sanity check, so CI never publishes an empty or foreign file as the SBOM.
node -e '
  const bom = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  if (bom.bomFormat !== "CycloneDX" || !Array.isArray(bom.components) || bom.components.length === 0) {
    console.error("sbom: npm sbom did not produce a CycloneDX document with components"); process.exit(1);
  }
  console.log(`sbom: CycloneDX ${bom.specVersion}, ${bom.components.length} components, ${(bom.dependencies ?? []).length} dependency entries`);
' "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "sbom: written to $out"
