"""Which task security groups the applied test environment's database admits (scripts/test-terraform.sh).

    python3 scripts/lib/database_clients.py <database security_group_id> \
        <services database_client_security_groups> <services blue_green_services> <services reconcile>

Each argument is a `terraform output -json` value. Exits 0 when the database's group admits
on 5432 exactly the groups of the services with a database login (documents, the worker),
not the ingest API's, and the reconciler's schedule runs its task in a group of its own
that the database does not admit; 1 otherwise. Asks the EC2 and Scheduler APIs (the
emulator, through the environment's AWS_ENDPOINT_URL).
"""
import json
import sys

import boto3

db_sg, clients, services, reconcile = (json.loads(a) for a in sys.argv[1:5])
group = boto3.client("ec2").describe_security_groups(GroupIds=[db_sg])["SecurityGroups"][0]
admitted = {pair["GroupId"] for perm in group["IpPermissions"]
            if perm.get("FromPort", 0) <= 5432 <= perm.get("ToPort", 65535)
            for pair in perm.get("UserIdGroupPairs", [])}
expected = set(clients.values())
ingest = services["ingest"]["security_group_id"]
schedule = boto3.client("scheduler").get_schedule(Name=reconcile["schedule"], GroupName=reconcile["schedule"])
reconcile_groups = schedule["Target"]["EcsParameters"]["NetworkConfiguration"]["awsvpcConfiguration"]["SecurityGroups"]
print("database admits:", sorted(admitted), "| documents and ingest-worker:", sorted(expected),
      "| ingest API:", ingest, "| reconciler's schedule runs in:", reconcile_groups)
sys.exit(0 if admitted == expected and len(expected) == 2 and ingest not in admitted
         and reconcile_groups == [reconcile["security_group_id"]] and not admitted & set(reconcile_groups) else 1)
