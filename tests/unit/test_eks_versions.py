"""The EKS version calendar: every stack runs a Kubernetes version in standard support today."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml

from secure_platform.compute.eks import versions as eks_versions
from secure_platform.config import EKS_VERSIONS

REPO = Path(__file__).resolve().parents[2]
STACKS = ("dev", "staging", "prod")


def configured_version(stack: str) -> str:
    raw = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))["config"]
    return str(raw["platform:compute"]["eks"]["version"])


@pytest.mark.parametrize("stack", STACKS)
def test_the_configured_eks_version_is_in_standard_support_today(stack):
    """Fails on the day the configured version's standard support ends: with the STANDARD upgrade
    policy EKS would upgrade the control plane on its own from then on."""
    version = configured_version(stack)
    today = datetime.datetime.now(datetime.UTC).date()
    window = eks_versions.support_window(version)
    assert eks_versions.in_standard_support(version, today), (
        f"Pulumi.{stack}.yaml: Kubernetes {version} left EKS standard support on {window.end_of_standard}"
    )


def test_standard_support_ends_on_the_calendar_date():
    end = eks_versions.SUPPORT_CALENDAR["1.34"].end_of_standard
    assert end == datetime.date(2026, 12, 2)
    assert eks_versions.in_standard_support("1.34", end - datetime.timedelta(days=1))
    assert not eks_versions.in_standard_support("1.34", end)
    assert not eks_versions.in_standard_support("1.35", datetime.date(2026, 1, 1))  # not released yet


def test_every_window_is_14_months_of_standard_then_12_of_extended():
    for version, w in eks_versions.SUPPORT_CALENDAR.items():
        months = (w.end_of_standard.year - w.released.year) * 12 + w.end_of_standard.month - w.released.month
        assert months == 14, version
        assert (w.end_of_extended.year - w.end_of_standard.year, w.end_of_extended.month) == (
            1,
            w.end_of_standard.month,
        ), version


def test_every_version_config_accepts_has_dates_add_ons_and_an_autoscaler():
    for version in EKS_VERSIONS:
        eks_versions.support_window(version)
        eks_versions.addon_versions(version)
        eks_versions.cluster_autoscaler_tag(version)


def test_an_unknown_version_is_named_with_the_known_ones():
    with pytest.raises(eks_versions.VersionError, match=r"'1\.99'.*1\.35"):
        eks_versions.support_window("1.99")


def test_the_notice_warns_sixty_days_ahead_and_after_the_end():
    end = eks_versions.SUPPORT_CALENDAR["1.35"].end_of_standard
    assert eks_versions.support_notice("1.35", end - datetime.timedelta(days=61)) is None
    soon = eks_versions.support_notice("1.35", end - datetime.timedelta(days=30))
    assert soon is not None and "30 days" in soon and "2027-03-27" in soon
    late = eks_versions.support_notice("1.34", datetime.date(2026, 12, 7))
    assert late is not None and "ended on 2026-12-02" in late
