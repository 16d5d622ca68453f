"""The release render step (scripts/release-render.sh explains the inputs and outputs)."""

import json
import os
import sys
from pathlib import Path

import boto3

# What describe-task-definition returns that register-task-definition does not take.
READ_ONLY = (
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
)


def fail(message: str) -> None:
    sys.exit(f"release-render: {message}")


def need(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        fail(f"{name} is required (see scripts/release-render.sh)")
    return value


def image_of(image: str, tag: str) -> str:
    var = "IMAGE_REPO_" + image.upper().replace("-", "_")
    return f"{need(var)}:{tag}"


def session_for(env: str) -> boto3.session.Session:
    role = os.environ.get(f"DEPLOY_ROLE_{env.upper()}", "none").strip() or "none"
    if role == "none":
        return boto3.session.Session()
    creds = boto3.client("sts").assume_role(RoleArn=role, RoleSessionName=f"render-{env}")["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def deploy_parameter(ssm, env: str, name: str) -> dict:
    path = f"/corpus/{env}/deploy/{name}"
    try:
        value = ssm.get_parameter(Name=path)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        fail(f"{path} does not exist: is terraform/live/{env}/services applied?")
    try:
        return json.loads(value)
    except ValueError:
        fail(f"{path} is not JSON")
    raise AssertionError("unreachable")


def taskdef(ecs, family: str, container: str, image: str, command) -> dict:
    td = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]
    for key in READ_ONLY:
        td.pop(key, None)
    names = [c["name"] for c in td["containerDefinitions"]]
    if container not in names:
        fail(f"task definition {family} has no container {container} (it has {', '.join(names)})")
    for c in td["containerDefinitions"]:
        if c["name"] == container:
            c["image"] = image
            if command is None:
                c.pop("command", None)
            else:
                c["command"] = command
    return td


def appspec(template: str, p: dict) -> str:
    hook = p.get("hook_function") or ""
    text = (
        template.replace("<CONTAINER_NAME>", p["container"])
        .replace("<CONTAINER_PORT>", str(p["port"]))
        .replace("<SUBNETS>", json.dumps(p["subnets"]))
        .replace("<SECURITY_GROUPS>", json.dumps(p["security_groups"]))
        .replace("<HOOK_FUNCTION>", hook)
    )
    if not hook:
        # No hook function in this environment: drop the Hooks section.
        text = text[: text.index("\nHooks:")] + "\n" if "\nHooks:" in text else text
    return text


def main() -> None:
    template_path, out = Path(sys.argv[1]), Path(sys.argv[2])
    template = template_path.read_text()
    tag = os.environ.get("TAG", "").strip() or os.environ.get("CODEBUILD_RESOLVED_SOURCE_VERSION", "")[:12]
    if not tag:
        fail("TAG (or CODEBUILD_RESOLVED_SOURCE_VERSION) is required")
    services = need("SERVICES").split()
    workers = [w.split("=", 1) for w in os.environ.get("WORKERS", "").split()]
    for pair in workers:
        if len(pair) != 2 or not all(pair):
            fail(f"WORKERS entries are worker=image, got {'='.join(pair)!r}")
    for env in need("DEPLOY_ENVIRONMENTS").split():
        session = session_for(env)
        ssm, ecs = session.client("ssm"), session.client("ecs")
        for svc in services:
            p = deploy_parameter(ssm, env, svc)
            target = out / env / svc
            target.mkdir(parents=True, exist_ok=True)
            td = taskdef(ecs, p["family"], p["container"], image_of(p["image_repo"], tag), None)
            (target / "taskdef.json").write_text(json.dumps(td, indent=2, sort_keys=True) + "\n")
            (target / "appspec.yaml").write_text(appspec(template, p))
            print(f"release-render: {target}/taskdef.json, appspec.yaml")
        for worker, image in workers:
            p = deploy_parameter(ssm, env, worker)
            target = out / env / worker
            target.mkdir(parents=True, exist_ok=True)
            td = taskdef(ecs, p["family"], p["container"], image_of(image, tag), p.get("command"))
            (target / "taskdef.json").write_text(json.dumps(td, indent=2, sort_keys=True) + "\n")
            print(f"release-render: {target}/taskdef.json")


if __name__ == "__main__":
    main()
