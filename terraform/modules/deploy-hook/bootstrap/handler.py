"""Bootstrap CodeDeploy AfterAllowTestTraffic hook (terraform/modules/deploy-hook).

Probes every URL in PROBE_URLS (the services' readiness through the test listener, which
routes to the replacement task set), retrying for up to PROBE_SECONDS, and reports
Succeeded or Failed for the lifecycle event: a failure rolls the deployment back.
The pipeline replaces this code with the build of services/deploy-hook.
"""

import os
import ssl
import time
import urllib.request

import boto3

codedeploy = boto3.client("codedeploy")


def probe(url: str, deadline: float) -> str | None:
    # The test listener serves the certificate of the origin name; the probe goes to the
    # load balancer by that name, so verification stays on.
    context = ssl.create_default_context()
    last = "not tried"
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5, context=context) as response:
                if response.status == 200:
                    return None
                last = f"status {response.status}"
        except Exception as error:  # noqa: BLE001 - every failure is a reason to retry
            last = str(error)
        time.sleep(5)
    return f"{url}: {last}"


def handler(event, _context):
    deadline = time.time() + int(os.environ.get("PROBE_SECONDS", "120"))
    urls = [u for u in os.environ.get("PROBE_URLS", "").split(",") if u]
    failures = [f for f in (probe(u, deadline) for u in urls) if f]
    status = "Failed" if failures else "Succeeded"
    for failure in failures:
        print(f"probe failed: {failure}")
    codedeploy.put_lifecycle_event_hook_execution_status(
        deploymentId=event["DeploymentId"],
        lifecycleEventHookExecutionId=event["LifecycleEventHookExecutionId"],
        status=status,
    )
    return {"status": status, "failures": failures}
