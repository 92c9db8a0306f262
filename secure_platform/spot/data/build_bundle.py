"""Rebuild the bundled market data from its public sources (a maintainer tool, not used at run time).

    venv/bin/python -m secure_platform.spot.data.build_bundle --shared DIR   # DIR: a snapshot of AWS's market data

Sources: the AWS Spot Advisor feed and the on-demand price table in `--shared` (see
the snapshot's README), and the EC2 catalogue and per-AZ offerings that moto ships (moto's
maintainers dump them from the real `DescribeInstanceTypes` / `DescribeInstanceTypeOfferings`).
Only Linux and only instance types the Spot Advisor knows are kept: a type without an
interruption bucket is never selected offline, so carrying it would only grow the package.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ADVISOR_SOURCE = (
    "AWS Spot Instance Advisor feed (spot-advisor-data.json), Linux only, as embedded in the Apache-2.0 "
    "project alexei-led/spotinfo; data as of July 2025 (see ../shared/data/README.md)"
)
ACCELERATOR_KEYS = ("GpuInfo", "InferenceAcceleratorInfo", "FpgaInfo", "NeuronInfo", "MediaAcceleratorInfo")


def _moto_resources() -> Path:
    spec = importlib.util.find_spec("moto")
    if spec is None or spec.origin is None:
        raise SystemExit("moto is not installed (it is a dev dependency: pip install -r requirements-dev.txt)")
    return Path(spec.origin).parent / "ec2" / "resources"


def _load_gz(path: Path) -> Any:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _is_record(value: Any) -> bool:
    return isinstance(value, dict) and len(value) <= 16 and not any(isinstance(v, dict) for v in value.values())


def _lines(value: Any) -> str:
    """JSON with one line per record (small dicts of scalars): compact, and a refresh reads as a diff."""
    if not isinstance(value, dict) or not value or _is_record(value):
        return _compact(value)
    inner = ",\n".join(f"{_compact(k)}:{_lines(v)}" for k, v in sorted(value.items()))
    return "{\n" + inner + "\n}"


def _write(path: Path, data: Any) -> None:
    text = _lines(data)
    json.loads(text)  # never ship a broken file
    path.write_text(text + "\n", encoding="utf-8")


def build(shared: Path, moto: Path, out: Path) -> dict[str, int]:
    advisor = json.loads((shared / "spot-advisor-data.json").read_text(encoding="utf-8"))
    prices = json.loads((shared / "ec2-on-demand-prices.json").read_text(encoding="utf-8"))
    linux = {region: body["Linux"] for region, body in advisor["spot_advisor"].items() if "Linux" in body}
    known = {t for types in linux.values() for t in types}

    _write(
        out / "spot-advisor-data.json",
        {
            "source": ADVISOR_SOURCE,
            "instance_types": {t: v for t, v in advisor["instance_types"].items() if t in known},
            "ranges": advisor["ranges"],
            "global_rate": advisor.get("global_rate"),
            "spot_advisor": {region: {"Linux": types} for region, types in linux.items()},
        },
    )
    _write(
        out / "ec2-on-demand-prices.json",
        {
            "source": prices["source"],
            "unit": prices["unit"],
            "prices": {
                region: {t: p for t, p in table.items() if t in known} for region, table in prices["prices"].items()
            },
        },
    )

    catalogue = _load_gz(moto / "instance_types.json.gz")
    types: dict[str, dict[str, Any]] = {}
    for name, info in catalogue.items():
        if name not in known:
            continue
        archs = [a for a in info["ProcessorInfo"]["SupportedArchitectures"] if a in ("x86_64", "arm64")]
        if len(archs) != 1:
            continue
        types[name] = {
            "vcpus": info["VCpuInfo"]["DefaultVCpus"],
            "memoryMib": info["MemoryInfo"]["SizeInMiB"],
            "architecture": archs[0],
            "burstable": bool(info.get("BurstablePerformanceSupported", False)),
            "currentGeneration": bool(info.get("CurrentGeneration", False)),
            "bareMetal": bool(info.get("BareMetal", False)),
            "accelerated": any(k in info for k in ACCELERATOR_KEYS),
            "spot": "spot" in info.get("SupportedUsageClasses", []),
            "manufacturer": info["ProcessorInfo"].get("Manufacturer", ""),
        }
    _write(
        out / "instance-types.json",
        {
            "source": "EC2 DescribeInstanceTypes, as shipped in moto 5.2.5 (moto/ec2/resources/instance_types.json.gz)",
            "types": types,
        },
    )

    offerings: dict[str, Any] = {}
    by_name_dir = moto / "instance_type_offerings" / "availability-zone"
    by_id_dir = moto / "instance_type_offerings" / "availability-zone-id"
    for path in sorted(by_id_dir.glob("*.json.gz")):
        region = path.name.split(".")[0]
        by_id: dict[str, set[str]] = defaultdict(set)
        for row in _load_gz(path):
            by_id[row["Location"]].add(row["InstanceType"])
        by_name: dict[str, set[str]] = defaultdict(set)
        for row in _load_gz(by_name_dir / path.name):
            by_name[row["Location"]].add(row["InstanceType"])
        # Both files come from one account: pair names with ids by their (identical) type sets;
        # zones with identical sets are interchangeable for offerings, so pair them in order.
        unpaired = sorted(by_id)
        zones: list[dict[str, str]] = []
        for name in sorted(by_name):
            match = next(z for z in unpaired if by_id[z] == by_name[name])
            unpaired.remove(match)
            zones.append({"name": name, "id": match})
        region_types = set(linux.get(region, {}))
        # Each type maps to the indexes (into `zones`) of the zones offering it, as a string: "0135".
        offered: dict[str, str] = defaultdict(str)
        for index, zone in enumerate(zones):
            for t in sorted(by_id[zone["id"]] & region_types):
                offered[t] += str(index)
        offerings[region] = {"zones": zones, "types": dict(offered)}
    _write(
        out / "instance-type-offerings.json",
        {
            "source": "EC2 DescribeInstanceTypeOfferings (availability-zone and availability-zone-id), as shipped in moto 5.2.5",
            "regions": offerings,
        },
    )
    return {"advisorRegions": len(linux), "types": len(types), "offeringRegions": len(offerings)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, required=True, help="directory with the original market data")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    print(build(args.shared, _moto_resources(), args.out))


if __name__ == "__main__":
    main()
