"""Checks a rendered release against the environment it was rendered for (the release
rehearsal of scripts/test-terraform.sh, against the emulator).

usage: rehearse_release.py <render-dir> <env> < blue_green_services.json

For every rendered task definition: it registers with the ECS API and keeps the release's
image. For every rendered appspec: it parses, and its container, port, subnets, security
groups and hook match the services root's outputs and the deployment parameter, and the
hook function exists. Prints {"<service>": "<registered task definition ARN>"} last.
"""

import json
import sys
from pathlib import Path

import boto3
import yaml

REGISTER_KEYS = (
    "family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions", "volumes",
    "placementConstraints", "requiresCompatibilities", "cpu", "memory", "tags", "pidMode", "ipcMode",
    "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage", "runtimePlatform",
)


def main() -> int:
    render, env = Path(sys.argv[1]), sys.argv[2]
    services = json.load(sys.stdin)
    ecs, ssm, lam = boto3.client("ecs"), boto3.client("ssm"), boto3.client("lambda")
    problems, registered = [], {}
    dirs = sorted(p for p in (render / env).iterdir() if p.is_dir())
    if not dirs:
        problems.append(f"nothing rendered under {render / env}")
    for d in dirs:
        name = d.name
        param = json.loads(ssm.get_parameter(Name=f"/corpus/{env}/deploy/{name}")["Parameter"]["Value"])
        td = json.loads((d / "taskdef.json").read_text())
        unknown = set(td) - set(REGISTER_KEYS)
        if unknown:
            problems.append(f"{name}: taskdef.json has keys register-task-definition refuses: {sorted(unknown)}")
            continue
        arn = ecs.register_task_definition(**td)["taskDefinition"]["taskDefinitionArn"]
        back = ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]
        app = next(c for c in back["containerDefinitions"] if c["name"] == param["container"])
        want = next(c for c in td["containerDefinitions"] if c["name"] == param["container"])
        if app["image"] != want["image"] or not app["image"].endswith(":rehearsal"):
            problems.append(f"{name}: registered image {app['image']!r}, rendered {want['image']!r}")
        if param.get("command") and app.get("command") != param["command"]:
            problems.append(f"{name}: command {app.get('command')} instead of {param['command']}")
        registered[name] = arn
        print(f"{name}: registered {arn} ({app['image']})")
        if name not in services:
            continue  # a worker: no appspec
        out = services[name]
        spec = yaml.safe_load((d / "appspec.yaml").read_text())
        props = spec["Resources"][0]["TargetService"]["Properties"]
        net = props["NetworkConfiguration"]["AwsvpcConfiguration"]
        checks = {
            "container": (props["LoadBalancerInfo"]["ContainerName"], out["container_name"]),
            "port": (props["LoadBalancerInfo"]["ContainerPort"], out["container_port"]),
            "subnets": (net["Subnets"], out["subnet_ids"]),
            "security groups": (net["SecurityGroups"], [out["security_group_id"]]),
            "hook": (spec.get("Hooks", [{}])[0].get("AfterAllowTestTraffic"), param.get("hook_function")),
            "task definition placeholder": (props["TaskDefinition"], "<TASK_DEFINITION>"),
        }
        for what, (got, expected) in checks.items():
            if got != expected or got in (None, "", []):
                problems.append(f"{name}: appspec {what} is {got!r}, expected {expected!r}")
        if not any("hook" in p for p in problems if p.startswith(name)):
            lam.get_function(FunctionName=param["hook_function"])
        print(f"{name}: appspec has container {props['LoadBalancerInfo']['ContainerName']}:{props['LoadBalancerInfo']['ContainerPort']}, "
              f"{len(net['Subnets'])} subnets, {len(net['SecurityGroups'])} security group(s), hook {param.get('hook_function')}")
    for p in problems:
        print("PROBLEM:", p)
    print(json.dumps(registered))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
