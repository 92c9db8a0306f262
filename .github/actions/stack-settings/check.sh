#!/usr/bin/env bash
# Checks one stack's CI settings before any credentials are requested, so a missing variable or a
# value copied from another environment fails with a message instead of previewing or deploying
# against the wrong state:
#   * STATE_URL must be the stack's own state bucket, as the stack's `stateBackendUrl` output gives
#     it: s3://<project>-<stack>-state-<account>-<region>?region=<region>&awssdk=v2
#   * ROLE_ARN must be an IAM role ARN in the same account as that bucket.
# Environment: STACK, STATE_URL, STATE_URL_VARIABLE, ROLE_ARN, ROLE_VARIABLE (the last two name the
# GitHub variables, for the messages).
set -euo pipefail

errors=0
fail() {
  echo "::error title=CI settings of stack ${STACK}::$*"
  errors=$((errors + 1))
}

if [[ ! "${STACK}" =~ ^[a-z0-9][a-z0-9-]*$ ]]; then
  fail "stack name '${STACK}' is not a valid stack name (lowercase letters, digits, '-')"
  exit 1
fi

expected="s3://<project>-${STACK}-state-<account>-<region>?region=<region>&awssdk=v2 (pulumi stack output --stack ${STACK} stateBackendUrl)"
bucket_account=""
if [[ -z "${STATE_URL}" ]]; then
  fail "${STATE_URL_VARIABLE} is not set; set it to ${expected}"
elif [[ "${STATE_URL}" =~ ^s3://([a-z0-9][a-z0-9-]*)-${STACK}-state-([0-9]{12})-([a-z0-9-]+)\?(.*\&)?region=([a-z0-9-]+)(\&|$) ]]; then
  bucket_account="${BASH_REMATCH[2]}"
  bucket_region="${BASH_REMATCH[3]}"
  query_region="${BASH_REMATCH[5]}"
  if [[ "${bucket_region}" != "${query_region}" ]]; then
    fail "${STATE_URL_VARIABLE}='${STATE_URL}': the bucket is in ${bucket_region} but the URL says region=${query_region}"
  fi
else
  fail "${STATE_URL_VARIABLE}='${STATE_URL}' is not the state bucket of stack ${STACK}; expected ${expected}"
fi

if [[ -z "${ROLE_ARN}" ]]; then
  fail "${ROLE_VARIABLE} is not set; set it to the ARN of the stack's IAM role (arn:aws:iam::<account>:role/<name>)"
elif [[ "${ROLE_ARN}" =~ ^arn:aws(-[a-z]+)*:iam::([0-9]{12}):role/[A-Za-z0-9+=,.@_/-]+$ ]]; then
  role_account="${BASH_REMATCH[2]}"
  if [[ -n "${bucket_account}" && "${role_account}" != "${bucket_account}" ]]; then
    fail "${ROLE_VARIABLE} is a role of account ${role_account} but the state of stack ${STACK} is in account ${bucket_account}"
  fi
else
  fail "${ROLE_VARIABLE}='${ROLE_ARN}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
fi

if [[ "${errors}" -gt 0 ]]; then
  exit 1
fi
echo "stack ${STACK}: state ${STATE_URL%%\?*} (account ${bucket_account}), role ${ROLE_ARN}"
