#!/usr/bin/env python3
"""Do to an emulated ecs-service what a CodeDeploy blue/green deployment does in AWS.

Usage: terraform output -json <output holding the ecs-service module> | simulate_codedeploy.py [TASKDEF_ARN]

The input is the ecs-service module's outputs as JSON (service_id, service_name,
container_name, container_port, task_definition_family, subnet_ids, security_group_id,
target_group_names, prod_listener_rule_arn, test_listener_rule_arn). Against the endpoint in
AWS_ENDPOINT_URL (the local emulator) it:

1. registers a new revision of the family with another image (as the pipeline does), or
   uses TASKDEF_ARN, a revision already registered (the release rehearsal's rendered one),
2. creates a task set on it in the idle target group and makes it primary (as CodeDeploy),
3. rewrites both listener rules to a weighted forward, old group at weight 0 (as CodeDeploy),
4. changes the desired count (as the autoscaler).

A `terraform plan` of the root afterwards must report no changes: that is what the module's
ignore_changes are for. `terraform plan -refresh-only` shows the drift really happened.
"""
import json
import os
import sys

import boto3


def main() -> int:
    out = json.load(sys.stdin)
    if os.environ.get("AWS_ENDPOINT_URL") is None:
        print("simulate_codedeploy.py: AWS_ENDPOINT_URL is not set; refusing to touch a real account", file=sys.stderr)
        return 2
    region = os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    elb = boto3.client("elbv2", region_name=region)
    ecs = boto3.client("ecs", region_name=region)

    cluster = out["service_id"].split("/")[1]
    service = out["service_name"]
    names = out["target_group_names"]
    groups = {g["TargetGroupName"]: g["TargetGroupArn"] for g in elb.describe_target_groups(Names=list(names.values()))["TargetGroups"]}

    # Whichever group the prod rule forwards to now is the original; the other is the replacement.
    prod_rule = elb.describe_rules(RuleArns=[out["prod_listener_rule_arn"]])["Rules"][0]
    current = prod_rule["Actions"][0].get("TargetGroupArn") or max(
        prod_rule["Actions"][0]["ForwardConfig"]["TargetGroups"], key=lambda g: g.get("Weight", 0)
    )["TargetGroupArn"]
    original = current
    replacement = next(arn for arn in groups.values() if arn != original)

    given = sys.argv[1] if len(sys.argv) > 1 else None
    family = ecs.describe_task_definition(taskDefinition=given or out["task_definition_family"])["taskDefinition"]
    containers = family["containerDefinitions"]
    containers[0]["image"] = "registry.invalid/corpus/simulated:" + family["taskDefinitionArn"].rsplit(":", 1)[1]
    containers[0].pop("command", None)
    revision = given or ecs.register_task_definition(
        family=family["family"],
        containerDefinitions=containers,
        networkMode=family["networkMode"],
        requiresCompatibilities=family.get("requiresCompatibilities", ["FARGATE"]),
        cpu=family["cpu"],
        memory=family["memory"],
        executionRoleArn=family["executionRoleArn"],
        taskRoleArn=family["taskRoleArn"],
        volumes=family.get("volumes", []),
    )["taskDefinition"]["taskDefinitionArn"]

    task_set = ecs.create_task_set(
        cluster=cluster,
        service=service,
        taskDefinition=revision,
        launchType="FARGATE",
        loadBalancers=[{"targetGroupArn": replacement, "containerName": out["container_name"], "containerPort": out["container_port"]}],
        networkConfiguration={"awsvpcConfiguration": {"subnets": out["subnet_ids"], "securityGroups": [out["security_group_id"]], "assignPublicIp": "DISABLED"}},
    )["taskSet"]
    ecs.update_service_primary_task_set(cluster=cluster, service=service, primaryTaskSet=task_set["taskSetArn"])

    weighted = [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
        {"TargetGroupArn": original, "Weight": 0},
        {"TargetGroupArn": replacement, "Weight": 100},
    ]}}]
    for rule in (out["test_listener_rule_arn"], out["prod_listener_rule_arn"]):
        elb.modify_rule(RuleArn=rule, Actions=weighted)

    desired = ecs.describe_services(cluster=cluster, services=[service])["services"][0]["desiredCount"]
    ecs.update_service(cluster=cluster, service=service, desiredCount=desired + 1)

    print(f"simulated deployment of {service}: revision {revision}, traffic {original.split('/')[-2]} -> {replacement.split('/')[-2]}, desired {desired} -> {desired + 1}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
