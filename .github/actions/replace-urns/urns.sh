#!/usr/bin/env bash
# Turns the deploy workflow's `replace` input (one resource per line, written as its URN after
# `urn:pulumi:<stack>::<project>::`, e.g. `platform:index:Storage$random:index/randomPassword:RandomPassword::cache-auth-token`)
# into the stack's full URNs for `pulumi up --replace`, one per line, in $GITHUB_OUTPUT as `urns`.
# A line that is not a type chain and a name (`<type>[$<type>...]::<name>`) fails the job.
# Environment: STACK, PROJECT, RESOURCES.
set -euo pipefail

urns=()
while IFS= read -r line || [[ -n "${line}" ]]; do
  line="${line#"${line%%[![:space:]]*}"}"
  line="${line%"${line##*[![:space:]]}"}"
  [[ -z "${line}" ]] && continue
  if [[ "${line}" == urn:* ]]; then
    echo "::error title=replace::'${line}': give the URN after urn:pulumi:<stack>::${PROJECT}:: (it is the same for every stack)"
    exit 1
  fi
  if [[ ! "${line}" =~ ^[A-Za-z0-9_.-]+:[A-Za-z0-9_./-]*:[A-Za-z0-9_.-]+(\$[A-Za-z0-9_.-]+:[A-Za-z0-9_./-]*:[A-Za-z0-9_.-]+)*::[A-Za-z0-9_.:-]+$ ]]; then
    echo "::error title=replace::'${line}' is not <type>[\$<type>...]::<name> (see: pulumi stack --show-urns)"
    exit 1
  fi
  urns+=("urn:pulumi:${STACK}::${PROJECT}::${line}")
done <<< "${RESOURCES}"

{
  echo "urns<<URNS_END"
  if [[ ${#urns[@]} -gt 0 ]]; then
    printf '%s\n' "${urns[@]}"
  fi
  echo "URNS_END"
} >> "${GITHUB_OUTPUT}"
if [[ ${#urns[@]} -gt 0 ]]; then
  printf 'replacing in %s:\n' "${STACK}"
  printf '  %s\n' "${urns[@]}"
fi
