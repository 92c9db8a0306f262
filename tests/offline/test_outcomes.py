"""Exit codes tell the truth: 0 ran without a mandatory finding, 1 mandatory finding, 2 program or
configuration error; every error names the program's file:line, and the JSON and Markdown reports
are written whatever the outcome."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline_preview.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PACK = EXAMPLES / "test_pack"


def _program(directory: Path, body: str) -> Path:
    directory.mkdir(exist_ok=True)
    (directory / "Pulumi.yaml").write_text("name: outcome\nruntime: python\n")
    (directory / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    (directory / "__main__.py").write_text(
        "import os\nimport sys\n\nimport pulumi\nimport pulumi_aws as aws\n\n" + body
    )
    return directory


def _preview(program: Path, tmp_path: Path, *extra: str) -> tuple[int, dict, str]:
    out, md = tmp_path / "report.json", tmp_path / "report.md"
    code = main(
        ["dev", "--program", str(program), "--no-policy", "--quiet", "--json", str(out), "--markdown", str(md), *extra]
    )
    return code, json.loads(out.read_text()), md.read_text()


def test_a_program_that_runs_exits_0_and_says_its_mode(tmp_path):
    program = _program(tmp_path / "p", "aws.s3.Bucket('one')\n")
    code, doc, md = _preview(program, tmp_path)
    assert code == 0 and doc["error"] is None and doc["mode"] == "preview"
    assert "(preview)" in md
    code, doc, _ = _preview(program, tmp_path, "--mode", "up")
    assert code == 0 and doc["mode"] == "up"


def test_a_mandatory_finding_exits_1(tmp_path):
    program = _program(tmp_path / "p", "aws.s3.Bucket('data', bucket_prefix='other-')\n")
    (program / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    out = tmp_path / "r.json"
    code = main(["dev", "--program", str(program), "--policy-pack", str(PACK), "--quiet", "--json", str(out)])
    doc = json.loads(out.read_text())
    assert code == 1, doc["policy"]
    assert any(v["enforcement"] == "mandatory" for v in doc["policy"]["violations"])


EXITS = {
    "sys.exit(0)": ("sys.exit(0)", "sys.exit(0)"),
    "sys.exit(msg)": ("sys.exit('stopping here')", "sys.exit('stopping here')"),
    "raise SystemExit": ("raise SystemExit(3)", "sys.exit(3)"),
    "os._exit": ("os._exit(0)", "os._exit(0)"),
    "KeyboardInterrupt": ("raise KeyboardInterrupt", "interrupted"),
    "BaseException": ("class Stop(BaseException):\n    pass\n\n\nraise Stop('custom')", "Stop: custom"),
}


@pytest.mark.parametrize("case", sorted(EXITS))
def test_a_program_that_stops_part_way_is_a_program_error(tmp_path, capsys, case):
    statement, expected = EXITS[case]
    program = _program(tmp_path / "p", f"aws.s3.Bucket('one')\naws.s3.Bucket('two')\n{statement}\n")
    line = 9 + statement.count("\n")
    code, doc, md = _preview(program, tmp_path)
    assert code == 2
    assert doc["error"]["kind"] == "program" and expected in doc["error"]["message"]
    assert doc["error"]["location"] == f"__main__.py:{line}"
    assert len(doc["resources"]) >= 2  # what was registered before the exit is still reported
    assert "program error" in md and f"__main__.py:{line}" in md
    err = capsys.readouterr().err
    assert f"__main__.py:{line}" in err and "Traceback" not in err


def test_an_exit_inside_an_apply_is_a_program_error(tmp_path):
    program = _program(
        tmp_path / "p", "b = aws.s3.Bucket('one', tags={'a': 'b'})\nb.tags.apply(lambda t: sys.exit(0))\n"
    )
    code, doc, _ = _preview(program, tmp_path)
    assert code == 2 and doc["error"]["location"] == "__main__.py:8"


def test_duplicate_urns_are_a_program_error_naming_both_places(tmp_path):
    program = _program(tmp_path / "p", "aws.s3.Bucket('same')\naws.s3.Bucket('same')\n")
    code, doc, _ = _preview(program, tmp_path)
    assert code == 2
    message = doc["error"]["message"]
    assert "duplicate resource URN urn:pulumi:dev::outcome::aws:s3/bucket:Bucket::same" in message
    assert "__main__.py:7" in message and "__main__.py:8" in message
    assert doc["error"]["resource"] == "urn:pulumi:dev::outcome::aws:s3/bucket:Bucket::same"


def test_a_program_that_registers_nothing_is_a_program_error(tmp_path):
    program = _program(tmp_path / "p", "config = pulumi.Config()\n")
    code, doc, _ = _preview(program, tmp_path)
    assert code == 2 and "registered no resources and exported nothing" in doc["error"]["message"]


def test_a_program_that_only_exports_values_previews_cleanly(tmp_path):
    body = "pulumi.export('region', pulumi.Config('aws').get('region'))\n"
    program = _program(tmp_path / "p", body)
    code, doc, _ = _preview(program, tmp_path)
    assert code == 0 and doc["error"] is None
    assert [r["type"] for r in doc["resources"]] == ["pulumi:pulumi:Stack"] and doc["outputs"]["region"] == "eu-west-1"
    # A value that is None (config not set) is left out of what the SDK sends; it was still exported.
    _program(tmp_path / "p", "pulumi.export('unset', pulumi.Config().get('unset'))\n")
    for mode in ("preview", "up"):
        code, doc, _ = _preview(program, tmp_path, "--mode", mode)
        assert code == 0 and doc["error"] is None and doc["outputs"] == {}


def test_an_error_in_a_constructor_names_the_line_and_the_resource(tmp_path, capsys):
    program = _program(tmp_path / "p", "aws.ec2.Subnet('web', cidr_block='10.0.0.0/24')\n")
    code, doc, _ = _preview(program, tmp_path)
    assert code == 2
    assert doc["error"]["location"] == "__main__.py:7"
    assert "pulumi_aws.Subnet 'web'" in doc["error"]["message"]
    assert "Traceback" not in capsys.readouterr().err


def test_a_failure_after_an_unanswered_invoke_names_the_call_in_the_error_and_the_report(tmp_path, capsys):
    program = _program(
        tmp_path / "p",
        "offering = aws.ec2.get_instance_type(instance_type='t3.micro')\n"
        "aws.s3.Bucket('one')\n"
        "cores = offering.default_cores + 1\n",  # a number: the placeholder has none
    )
    code, doc, md = _preview(program, tmp_path)
    assert code == 2 and doc["error"]["location"] == "__main__.py:9"
    assert doc["unansweredInvokeSites"] == {"aws:ec2/getInstanceType:getInstanceType": ["__main__.py:7"]}
    assert "aws:ec2/getInstanceType:getInstanceType (at __main__.py:7)" in doc["error"]["message"]
    assert "cannot answer" in capsys.readouterr().err
    assert "__main__.py:7" in md


def test_the_organization_is_the_one_a_self_managed_backend_gives(tmp_path):
    program = _program(tmp_path / "p", "aws.s3.Bucket('one')\npulumi.export('org', pulumi.get_organization())\n")
    code, doc, _ = _preview(program, tmp_path)
    assert code == 0 and doc["outputs"]["org"] == "organization"


def test_a_programs_own_key_error_is_not_blamed_on_its_stack_reference(tmp_path):
    program = _program(
        tmp_path / "p",
        "ref = pulumi.StackReference('organization/network/dev')\n"
        "aws.s3.Bucket('one', tags={'vpc': ref.get_output('vpcId')})\n"
        "settings = {'Owner': 'team'}\n"
        "aws.s3.Bucket('two', tags={'ManagedBy': settings['ManagedBy']})\n",
    )
    code, doc, _ = _preview(program, tmp_path)
    assert code == 2 and doc["error"]["location"] == "__main__.py:10"
    assert "KeyError: 'ManagedBy'" in doc["error"]["message"]
    assert "StackReference" not in doc["error"]["message"]


def test_an_output_missing_from_a_referenced_stack_points_at_stack_outputs(tmp_path):
    program = _program(
        tmp_path / "p",
        "ref = pulumi.StackReference('organization/network/dev')\n"
        "aws.s3.Bucket('one', tags={'vpc': ref.require_output('vpcId')})\n",
    )
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"organization/network/dev": {"subnetIds": []}}))
    code, doc, _ = _preview(program, tmp_path, "--mode", "up", "--stack-outputs", str(outputs))
    assert code == 2 and "KeyError: 'vpcId'" in doc["error"]["message"]
    assert "a stack output missing from a StackReference of organization/network/dev?" in doc["error"]["message"]


def test_a_missing_stack_output_awaited_by_several_resources_still_points_at_stack_outputs(tmp_path):
    program = _program(
        tmp_path / "p",
        "ref = pulumi.StackReference('organization/network/dev')\n"
        "aws.ec2.SecurityGroup('sg', vpc_id=ref.require_output('vpcId'))\n"
        "group = aws.rds.SubnetGroup('db', subnet_ids=ref.require_output('subnetIds'))\n"
        "aws.rds.Cluster('c', engine='aurora-postgresql', db_subnet_group_name=group.name)\n",
    )
    code, doc, _ = _preview(program, tmp_path, "--mode", "up")
    assert code == 2 and "KeyError: 'subnetIds'" in doc["error"]["message"]
    assert "a stack output missing from a StackReference of organization/network/dev?" in doc["error"]["message"]


def test_a_missing_module_names_both_the_environment_and_the_programs_own_files(tmp_path):
    program = _program(tmp_path / "p", "import network\n\naws.s3.Bucket('one')\n")
    code, doc, _ = _preview(program, tmp_path)
    assert code == 2 and doc["error"]["location"] == "__main__.py:7"
    message = doc["error"]["message"]
    assert "not installed in this environment" in message and "network.py or network/" in message


def test_encrypted_config_read_as_placeholders_is_named_as_not_covered(tmp_path):
    program = _program(
        tmp_path / "p",
        "cert = pulumi.Config().require('certArn')\naws.s3.Bucket('one', tags={'cert': cert})\n",
    )
    (program / "Pulumi.dev.yaml").write_text(
        "config:\n  aws:region: eu-west-1\n  outcome:certArn:\n    secure: AAABAN6ivw4G5URv79N4bpUVqwZb\n"
    )
    code, doc, md = _preview(program, tmp_path)
    assert code == 0
    assert doc["encryptedConfig"] == ["outcome:certArn"]
    assert "encrypted config values read as placeholders: 1" in doc["notCovered"]
    assert "`outcome:certArn`" in md


def test_a_failure_inside_an_sdk_callback_names_the_line_that_set_it_up(tmp_path):
    program = _program(
        tmp_path / "p",
        "aws.s3.Bucket('one')\n"
        "missing = pulumi.Output.from_input(None)\n"
        "pulumi.export('url', pulumi.Output.concat('http://', missing, '/'))\n",  # the SDK's join fails
    )
    code, doc, _ = _preview(program, tmp_path)
    assert code == 2 and "NoneType found" in doc["error"]["message"]
    assert doc["error"]["location"] == "__main__.py:9"


def test_debug_prints_the_traceback(tmp_path, capsys):
    program = _program(tmp_path / "p", "aws.s3.Bucket('one')\nraise ValueError('boom')\n")
    code, doc, _ = _preview(program, tmp_path, "--debug")
    assert code == 2 and "ValueError: boom" in doc["error"]["message"]
    assert "Traceback" in capsys.readouterr().err


def test_a_configuration_error_still_writes_both_reports(tmp_path):
    program = _program(tmp_path / "p", "aws.s3.Bucket('one')\n")
    out, md = tmp_path / "r.json", tmp_path / "r.md"
    code = main(
        ["nostack", "--program", str(program), "--no-policy", "--quiet", "--json", str(out), "--markdown", str(md)]
    )
    assert code == 2
    doc = json.loads(out.read_text())
    assert doc["error"]["kind"] == "configuration" and "Pulumi.nostack.yaml" in doc["error"]["message"]
    assert "configuration error" in md.read_text()


def test_a_program_in_a_main_folder_runs_there_and_imports_its_neighbours(tmp_path):
    """With `main: app/`, the CLI starts the program in app/ and runpy puts app/ on sys.path, so
    the program imports its sibling modules and opens files relative to that folder."""
    program = tmp_path / "p"
    (program / "app").mkdir(parents=True)
    (program / "Pulumi.yaml").write_text("name: nested\nruntime: python\nmain: app/\n")
    (program / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    (program / "app" / "naming.py").write_text("PREFIX = open('prefix.txt').read().strip()\n")
    (program / "app" / "prefix.txt").write_text("site\n")
    (program / "app" / "__main__.py").write_text(
        "import pulumi\nimport pulumi_aws as aws\nfrom naming import PREFIX\n\naws.s3.Bucket(PREFIX)\n"
    )
    code, doc, _ = _preview(program, tmp_path)
    assert code == 0 and doc["error"] is None
    assert [r["name"] for r in doc["resources"] if r["type"] == "aws:s3/bucket:Bucket"] == ["site"]


def test_a_main_outside_the_project_is_an_argument_error(tmp_path, capsys):
    program = tmp_path / "p"
    program.mkdir()
    (program / "Pulumi.yaml").write_text("name: escape\nruntime: python\nmain: ../elsewhere/\n")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "__main__.py").write_text("raise SystemExit('must not run')\n")
    code = main(["dev", "--program", str(program), "--no-policy", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "outside the project" in err and "Traceback" not in err
    (program / "Pulumi.yaml").write_text(f"name: escape\nruntime: python\nmain: {program}/\n")
    (program / "__main__.py").write_text("raise SystemExit('must not run')\n")
    assert main(["dev", "--program", str(program), "--no-policy", "--quiet"]) == 2  # absolute: refused too
    assert "absolute" in capsys.readouterr().err


def test_stack_files_in_the_stack_config_dir_and_project_wide_values_are_read(tmp_path):
    """Pulumi.yaml's `stackConfigDir` holds the stack files; a project-level value written as is
    (`aws:region: ...`) or with `default:` applies to every stack that does not set its own."""
    program = tmp_path / "p"
    (program / "config").mkdir(parents=True)
    (program / "Pulumi.yaml").write_text(
        "name: layout\nruntime: python\nstackConfigDir: config\n"
        "config:\n  aws:region: ap-southeast-2\n  size:\n    type: string\n    default: small\n  tier: gold\n"
    )
    (program / "config" / "Pulumi.dev.yaml").write_text("config:\n  layout:tier: silver\n")
    (program / "__main__.py").write_text(
        "import pulumi\n\ncfg = pulumi.Config()\n"
        "pulumi.export('region', pulumi.Config('aws').require('region'))\n"
        "pulumi.export('size', cfg.require('size'))\npulumi.export('tier', cfg.require('tier'))\n"
    )
    code, doc, _ = _preview(program, tmp_path)
    assert code == 0 and doc["outputs"] == {"region": "ap-southeast-2", "size": "small", "tier": "silver"}
    code = main(["prod", "--program", str(program), "--no-policy", "--quiet"])
    assert code == 2  # no config/Pulumi.prod.yaml: the stacks that exist are named


def test_a_value_from_an_esc_environment_is_named_as_unreadable_offline(tmp_path):
    program = _program(tmp_path / "p", "pulumi.export('db', pulumi.Config().require('dbHost'))\n")
    (program / "Pulumi.dev.yaml").write_text("environment:\n  - platform/dev\nconfig:\n  aws:region: eu-west-1\n")
    code, doc, _ = _preview(program, tmp_path)
    message = doc["error"]["message"]
    assert code == 2 and "outcome:dbHost" in message
    assert "Pulumi ESC environment(s) platform/dev" in message and "--config" in message


def test_resources_no_policy_reads_are_named_as_not_covered(tmp_path):
    """A clean verdict says nothing of resources the pack has no rule for (another provider's
    types): the report counts them under "Not covered" and the JSON lists them by type. A pack
    whose policies declare no types reads everything, so nothing is claimed for it."""
    program = _program(
        tmp_path / "p",
        "import pulumi_random as random\n\naws.s3.Bucket('data')\nrandom.RandomPet('pet')\n"
        # An AWS type only the tagging rule reads: its widgets may show anything.
        "aws.cloudwatch.Dashboard('board', dashboard_name='board', dashboard_body='{\"widgets\": []}')\n",
    )
    out, md = tmp_path / "report.json", tmp_path / "report.md"
    main(["dev", "--program", str(program), "--quiet", "--json", str(out), "--markdown", str(md)])
    doc = json.loads(out.read_text())
    assert doc["policy"]["unjudgedTypes"] == {
        "aws:cloudwatch/dashboard:Dashboard": 1,
        "random:index/randomPet:RandomPet": 1,
    }
    assert "resources no policy reads: 2" in doc["notCovered"]
    assert "`random:index/randomPet:RandomPet` x1" in md.read_text()
    pack = Path(__file__).resolve().parents[1] / "examples" / "test_pack"
    main(["dev", "--program", str(program), "--quiet", "--json", str(out), "--policy-pack", str(pack)])
    assert json.loads(out.read_text())["policy"]["unjudgedTypes"] == {}
