from pulumi_policy import EnforcementLevel, PolicyPack
from test_rules import POLICIES

PolicyPack(name="test-pack", enforcement_level=EnforcementLevel.ADVISORY, policies=POLICIES)
