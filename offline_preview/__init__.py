"""Offline preview: run any Pulumi Python program without cloud or CLI, judge it with a CrossGuard
pack, and report. `run_program` is the single capture engine shared by the CLI and the tests."""

from secure_platform.config.stack_files import UserError

from .capture import Capture, CapturedResource, ProgramError, run_program
from .cli import preview, register_estimator
from .policy_runner import PolicyReport, Violation, evaluate, load_policy_pack
from .report import PreviewResult

__all__ = [
    "Capture",
    "CapturedResource",
    "PolicyReport",
    "PreviewResult",
    "ProgramError",
    "UserError",
    "Violation",
    "evaluate",
    "load_policy_pack",
    "preview",
    "register_estimator",
    "run_program",
]
