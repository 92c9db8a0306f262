"""Credentials and detection: long-lived IAM user credentials, secrets written in plain text where
anyone who can describe the resource reads them, and the account's threat detection turned off.

An access key or console password made by the program is a credential that never expires and
whose secret lands in the stack's state; roles (OIDC for CI, instance and task roles) and IAM
Identity Center give short-lived ones instead. Instance user data and String parameters are read
in plain text by anyone with `ec2:DescribeInstanceAttribute` or `ssm:GetParameter`, so a password
or key there is published to every reader of the account. A GuardDuty detector or Config recorder
switched off hides what happens next, and a weak account password policy lets the console
passwords that remain be short or recycled.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from pulumi_policy import ResourceValidationArgs, Severity

from .helpers import SECRET_NAME, get, number
from .registry import Controls, Report, config_value, resource_policy

LONG_LIVED: dict[str, str] = {
    "aws:iam/accessKey:AccessKey": "an access key (a secret that never expires, kept in the stack state)",
    "aws:iam/userLoginProfile:UserLoginProfile": "a console password for an IAM user",
    "aws:iam/serviceSpecificCredential:ServiceSpecificCredential": "a service-specific password (CodeCommit, Keyspaces)",
    "aws:iam/signingCertificate:SigningCertificate": "an X.509 signing certificate for an IAM user",
}
"""IAM user credentials the program creates: type -> what it is."""

PLAIN_AND_ENCODED = (("userData", False), ("userDataBase64", True))
USER_DATA: dict[str, tuple[tuple[str, bool], ...]] = {
    "aws:ec2/instance:Instance": PLAIN_AND_ENCODED,
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": PLAIN_AND_ENCODED,
    "aws:ec2/launchConfiguration:LaunchConfiguration": PLAIN_AND_ENCODED,
    "aws:ec2/launchTemplate:LaunchTemplate": (("userData", True),),
}
"""Where each type keeps its user data, and whether the SDK takes it base64-encoded (a launch
template's always is)."""
PARAMETER = "aws:ssm/parameter:Parameter"

DETECTION: dict[str, tuple[str, Any, str]] = {
    "aws:guardduty/detector:Detector": ("enable", False, "GuardDuty detector"),
    "aws:cfg/recorderStatus:RecorderStatus": ("isEnabled", False, "AWS Config recorder"),
    "aws:macie2/account:Account": ("status", "PAUSED", "Macie"),
    "aws:guardduty/detectorFeature:DetectorFeature": ("status", "DISABLED", "GuardDuty protection plan"),
    "aws:securityhub/standardsControl:StandardsControl": ("controlStatus", "DISABLED", "Security Hub control"),
    "aws:securityhub/standardsControlAssociation:StandardsControlAssociation": (
        "associationStatus",
        "DISABLED",
        "Security Hub control",
    ),
}
"""Detection services and the setting that switches them off (type -> property, value, name).

A disabled Security Hub control no longer runs its security check, so a failing one (CloudTrail
off, a public bucket) stops showing (`ControlStatus` of
https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_UpdateStandardsControl.html). A
disabled GuardDuty protection plan (S3, EKS, runtime, malware protection) stops that feature's
detections while the detector stays on:
https://docs.aws.amazon.com/guardduty/latest/APIReference/API_DetectorFeatureConfiguration.html."""

ACCESS_KEY_ID = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")
PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----")
ASSIGNMENT = re.compile(r"""(?m)^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*["']?([^\s"'$`{][^\s"']*)""")
"""A shell or env-file assignment of a literal: `DB_PASSWORD=hunter2`, `export TOKEN="abc"`. A value
that starts with `$`, a backquote or `{` is read at boot (`$(aws secretsmanager get-secret-value
...)`, `{{resolve:...}}`) and is not a literal."""


def secrets_in_text(text: str) -> list[str]:
    """What in a script or value is a secret written out: AWS access key ids, private keys and
    secret-named variables assigned a literal (named, never echoed)."""
    found = []
    if ACCESS_KEY_ID.search(text):
        found.append("an AWS access key id")
    if PRIVATE_KEY.search(text):
        found.append("a private key")
    found += [f"{name}=<literal>" for name, _ in ASSIGNMENT.findall(text) if SECRET_NAME.search(name)]
    return found


def _decoded(value: str) -> str:
    try:
        return base64.b64decode(value, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return value


def _long_lived(args: ResourceValidationArgs, report: Report) -> None:
    report(
        f"{args.resource_type.split(':')[-1]} '{args.name}' creates {LONG_LIVED[args.resource_type]}. Use roles instead: "
        "OIDC federation for CI, instance and task roles for workloads, IAM Identity Center for people."
    )


long_lived = resource_policy(
    "iam-no-long-lived-user-credentials",
    category="least-privilege",
    description="The program creates no IAM user access keys, console passwords, service-specific credentials or signing certificates: people sign in through IAM Identity Center and machines assume roles.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1", "CC6.2"), iso27001=("A.5.17", "A.8.5"), pci=("8.2.2", "8.3.1"), cis=("1.11",)),
    remediation="Delete the credential; give CI an OIDC role (aws-actions/configure-aws-credentials), workloads an instance or task role, and people IAM Identity Center access.",
    validate=_long_lived,
    types=tuple(LONG_LIVED),
    covers=("CKV_AWS_273",),
)


def _plaintext(args: ResourceValidationArgs, report: Report) -> None:
    t = args.resource_type
    if t == PARAMETER:
        if str(get(args.props, "type") or "String") == "SecureString":
            return
        name = str(get(args.props, "name") or args.name).rstrip("/").rsplit("/", 1)[-1]
        value = get(args.props, "value") or get(args.props, "insecureValue")
        hits = secrets_in_text(str(value)) if isinstance(value, str) else []
        if SECRET_NAME.search(name.replace("-", "_")) or hits:
            report(
                f"SSM parameter '{args.name}' holds a secret ({', '.join(hits) or f'named {name}'}) as a plain "
                f"{get(args.props, 'type') or 'String'}: anyone with ssm:GetParameter reads it. Make it a "
                "SecureString encrypted with a customer-managed key, or a Secrets Manager secret."
            )
        return
    for prop, encoded in USER_DATA[t]:
        value = get(args.props, prop)
        if not isinstance(value, str) or not value:
            continue
        hits = secrets_in_text(_decoded(value) if encoded else value)
        if hits:
            report(
                f"{t.split(':')[-1]} '{args.name}' writes secrets into its user data ({', '.join(hits)}): anyone "
                "with ec2:DescribeInstanceAttribute or ec2:DescribeLaunchTemplateVersions reads them. Fetch them at "
                "boot from Secrets Manager or SSM SecureString with the instance role."
            )


plaintext = resource_policy(
    "no-plaintext-secrets-in-user-data-or-parameters",
    category="workload-hardening",
    description="EC2 user data (instances, spot requests, launch templates and configurations) and SSM String parameters hold no AWS access keys, private keys or secret-named literals.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC6.1",), iso27001=("A.5.17", "A.8.24"), pci=("8.3.2",)),
    remediation="Keep the secret in Secrets Manager or an SSM SecureString and read it at boot with the instance role; make secret parameters SecureString.",
    validate=_plaintext,
    types=(*USER_DATA, PARAMETER),
    covers=("CKV_AWS_46",),
)


def _detection_off(args: ResourceValidationArgs, report: Report) -> None:
    prop, off, service = DETECTION[args.resource_type]
    value = get(args.props, prop)
    if value is off or (isinstance(off, str) and str(value).upper() == off):
        report(
            f"{service} '{args.name}' is switched off ({prop}={value!r}): threats, configuration changes or failed "
            "security checks in the account go unreported. Leave it enabled."
        )


detection = resource_policy(
    "threat-detection-not-disabled",
    category="logging",
    description="GuardDuty detectors and protection plans, AWS Config recorders, Macie and Security Hub controls are not switched off.",
    severity=Severity.HIGH,
    controls=Controls(soc2=("CC7.2", "CC7.3"), iso27001=("A.8.16", "A.5.25"), pci=("10.7.2", "11.5.1"), cis=("3.3",)),
    remediation="Set enable=True on the GuardDuty detector and status='ENABLED' on its features, is_enabled=True on the Config recorder status, status='ENABLED' on the Macie account and control_status / association_status 'ENABLED' on Security Hub controls.",
    validate=_detection_off,
    types=tuple(DETECTION),
)

ACCOUNT_LOGIN_RULES = "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"
PASSWORD_DEFAULTS = {"minimumLength": 14, "reusePrevention": 24}
"""CIS AWS Foundations 1.8 (at least 14 characters) and 1.9 (the last 24 passwords not reused)."""


def _password_policy(args: ResourceValidationArgs, report: Report) -> None:
    # Unset settings are the API's defaults: a 6-character minimum and no reuse prevention
    # (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html).
    length = number(get(args.props, "minimumPasswordLength"), 6) or 6
    reuse = number(get(args.props, "passwordReusePrevention"), 0) or 0
    want_length = float(config_value(args, "minimumLength", PASSWORD_DEFAULTS["minimumLength"]))
    want_reuse = float(config_value(args, "reusePrevention", PASSWORD_DEFAULTS["reusePrevention"]))
    weak = []
    if length < want_length:
        weak.append(f"minimum_password_length {length:g} (at least {want_length:g})")
    if reuse < want_reuse:
        weak.append(f"password_reuse_prevention {reuse:g} (at least {want_reuse:g})")
    if weak:
        report(
            f"Account password policy '{args.name}' is weaker than the benchmark: {', '.join(weak)}. Console passwords "
            "of every IAM user in the account follow it."
        )


password_policy = resource_policy(
    "iam-password-policy-strong",
    category="least-privilege",
    description="The account password policy asks for at least 14 characters and prevents reuse of the last 24 passwords.",
    severity=Severity.MEDIUM,
    controls=Controls(soc2=("CC6.1",), iso27001=("A.5.17",), pci=("8.3.6", "8.3.7"), cis=("1.8", "1.9")),
    remediation="Set minimum_password_length=14 (or more) and password_reuse_prevention=24 on aws.iam.AccountPasswordPolicy.",
    validate=_password_policy,
    types=(ACCOUNT_LOGIN_RULES,),
    config={
        "minimumLength": {
            "type": "number",
            "default": PASSWORD_DEFAULTS["minimumLength"],
            "description": "Fewest characters a console password may have.",
        },
        "reusePrevention": {
            "type": "number",
            "default": PASSWORD_DEFAULTS["reusePrevention"],
            "description": "How many previous passwords a user may not reuse.",
        },
    },
)

POLICIES = [long_lived, plaintext, detection, password_policy]
