"""Draws docs/diagrams/*.svg from the Terraform and its config (scripts/doc.sh runs it).

    python3 scripts/lib/diagrams_gen.py <repo> <out-dir>

Writes, for each environment of terraform/live with an ALB (test, prod):
  infrastructure-<env>.svg  one box per root of terraform/live/<env>, in dependency order;
                            one node per module call (its icon from the module's source,
                            its label from the call's arguments evaluated against
                            config/<env>.yaml: sizes, read replica, WAF, EC2 capacity...);
                            an arrow A -> B where A's arguments use B (directly, or through
                            locals and another root's outputs); arrows to the plumbing every
                            root uses (KMS keys, the VPC) are left out
and delivery.svg: the stages and actions of every aws_codepipeline of modules/pipeline as
the shared/pipeline root calls it (environments, approvals, services and workers from
config/shared.yaml), and the image repositories the build pushes to.

Nothing is listed by hand: a new module call, root, stage or action, or a flipped config
switch, changes the pictures. The SVGs are byte-for-byte reproducible for the pinned
versions (scripts/requirements.txt, Graphviz from Debian): node ids are derived from the
code, and scripts/lib/diagrams_svg.py renders without the machine's fonts or paths.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from diagrams import Cluster, Diagram, Edge, Node
from diagrams.aws.compute import ECR, ECS, EC2AutoScaling, ElasticContainerServiceService, Fargate, Lambda
from diagrams.aws.cost import Budgets
from diagrams.aws.database import RDS, Dynamodb
from diagrams.aws.devtools import Codebuild, Codecommit, Codedeploy, Codepipeline
from diagrams.aws.general import General, User, Users
from diagrams.aws.integration import SNS, SQS, EventbridgeScheduler
from diagrams.aws.management import Cloudwatch, SystemsManagerParameterStore
from diagrams.aws.network import ALB, VPC, CloudFront, NATGateway, Route53
from diagrams.aws.security import KMS, WAF, CertificateManager
from diagrams.aws.storage import S3
from diagrams.onprem.vcs import Git

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, str(Path(__file__).resolve().parent))
from tfexpr import UNKNOWN, ModelError, Scope, _one  # noqa: E402
from tfmodel import Model, ModuleCode, Ref, Root  # noqa: E402
from diagrams_svg import graphviz_env, self_contained  # noqa: E402

# The icon of a module call, by the module's directory name; any other module is drawn with
# the generic icon (and still drawn).
ICONS = {
    "alarm-topic": SNS,
    "alb": ALB,
    "budget": Budgets,
    "deploy-hook": Lambda,
    "dns-cert": CertificateManager,
    "dynamodb-table": Dynamodb,
    "ecr": ECR,
    "ecs-cluster": ECS,
    "ecs-service": ElasticContainerServiceService,
    "ecs-worker": ElasticContainerServiceService,
    "kms-key": KMS,
    "monitoring": Cloudwatch,
    "network": VPC,
    "pipeline": Codepipeline,
    "rds-postgres": RDS,
    "s3-bucket": S3,
    "scheduled-task": EventbridgeScheduler,
    "sqs-queue": SQS,
    "state-backend": S3,
    "static-site": CloudFront,
}
# Resources of a root drawn when a module call uses them (through an output).
RESOURCE_ICONS = {
    "aws_route53_zone": (Route53, "DNS zone"),
    "aws_ssm_parameter": (SystemsManagerParameterStore, "SSM parameters"),
}
# Modules every root uses: drawn (but tags), and arrows to them would cross the whole
# picture; so would the arguments naming where logs, alarms and keys go.
PLUMBING = {"kms-key", "network", "tags"}
PLUMBING_ARG = re.compile(r"(^|_)(logs?|logging|kms_key_arns?)(_|$)|^alarm_actions$|^exec_")
# Where requests come from: the modules serving the internet.
ENTRY = {"static-site"}

GRAPH = {"fontsize": "20", "pad": "0.5", "nodesep": "0.9", "ranksep": "1.0", "newrank": "true"}
NODE = {"fontsize": "11"}


@dataclass
class Spec:
    id: str
    icon: type
    label: str
    extras: list = field(default_factory=list)  # (Spec, edge label, reverse?) drawn beside it


def _ident(*parts: str) -> str:
    return re.sub(r"\W", "_", "_".join(parts))


def _known(value, default=None):
    return default if value is UNKNOWN else value


def _yes(value) -> bool:
    return value is True


# ---------------------------------------------------------------------------------------
# Infrastructure of an environment
# ---------------------------------------------------------------------------------------
def capacity_icon(root: Root):
    provider = root.scope.eval("${try(local.config.cluster.service_capacity_provider, \"FARGATE\")}")
    return (Fargate, "Fargate") if provider != "EC2" else (ElasticContainerServiceService, "EC2 capacity")


def module_spec(root: Root, name: str) -> Spec:
    source = root.module_source(name)
    nid = _ident(root.key, name)
    icon = ICONS.get(source, General)
    arg = lambda a, d=None: _known(root.arg(name, a), d)  # noqa: E731
    lines = [name, f"({source})"]
    extras: list = []

    if source in ("ecs-service", "ecs-worker"):
        icon, where = capacity_icon(root)
        lines = [arg("service_name", name), arg("base_path", ""), f"{arg('cpu', '?')} CPU, {arg('memory', '?')} MiB",
                 f"{arg('min_capacity', '?')}-{arg('max_capacity', '?')} tasks, {where}",
                 "blue/green" if source == "ecs-service" else "scales on queue"]
    elif source == "rds-postgres":
        lines = [f"{name}: PostgreSQL {arg('engine_version', '?')}", arg("instance_class", "?")]
        if _yes(root.arg(name, "multi_az")):
            lines.append("Multi-AZ")
        if _yes(root.arg(name, "read_replica")):
            extras.append((Spec(nid + "_replica", RDS, f"{name} read replica\n{arg('instance_class', '?')}"), "replicates", False))
    elif source == "sqs-queue":
        lines = [f"{arg('name', name)}", "ingest queue" if "ingest" in str(arg("name", "")) else name]
        receives = arg("max_receive_count", "?")
        extras.append((Spec(nid + "_dlq", SQS, f"{arg('name', name)}-dlq\ndead-letter queue"), f"after {receives} receives", False))
    elif source == "dynamodb-table":
        lines = [arg("name", name), "jobs table" if "jobs" in str(arg("name", "")) else name]
    elif source == "s3-bucket":
        lines = [name + " bucket", str(arg("name", "")).replace("${", "")]
        notification = root.arg(name, "notification", None)
        if isinstance(notification, dict) and isinstance(notification.get("prefixes"), list):
            lines.append("notifies: " + " ".join(notification["prefixes"]))
    elif source == "alb":
        lines = ["ALB", "HTTPS + VPC-only test listener"]
        if _yes(root.arg(name, "enable_waf")):
            extras.append((Spec(nid + "_waf", WAF, "WAF web ACL"), "filters", True))
    elif source == "ecs-cluster":
        lines = ["ECS cluster", str(arg("name", ""))]
        if _yes(root.arg(name, "enable_ec2_capacity")):
            extras.append((Spec(nid + "_asg", EC2AutoScaling, "EC2 capacity provider\nAuto Scaling group"), "", False))
    elif source == "network":
        azs = arg("azs", [])
        nats = 1 if _yes(root.arg(name, "single_nat_gateway")) else len(azs)
        lines = ["VPC " + str(arg("cidr_block", "")), f"{len(azs)} AZs, public + private subnets"]
        extras.append((Spec(nid + "_nat", NATGateway, f"{nats} NAT gateway{'s' if nats != 1 else ''}"), "", False))
    elif source == "static-site":
        lines = ["CloudFront", ", ".join(arg("aliases", []) or []), str(arg("price_class", ""))]
        extras.append((Spec(nid + "_bucket", S3, "web app bucket\n" + str(arg("bucket_name", ""))), "", False))
    elif source == "scheduled-task":
        enabled = "" if _yes(root.arg(name, "enabled")) else " (disabled)"
        lines = [f"{name} schedule{enabled}", str(arg("schedule_expression", "")),
                 "runs: " + " ".join(arg("command", []) or [])]
    elif source == "dns-cert":
        lines = [f"{name}", str(arg("domain_name", "")), "ACM certificate + DNS"]
    elif source == "deploy-hook":
        lines = ["deploy hook (Lambda)", "AfterAllowTestTraffic"]
    elif source == "monitoring":
        lines = ["CloudWatch alarms", "and dashboard"]
    elif source == "budget":
        lines = ["monthly budget", f"{arg('amount_usd', '?')} USD"]
    elif source == "alarm-topic":
        lines = ["alarm topic (SNS)", ", ".join(arg("emails", []) or [])]
    elif source == "ecr":
        lines = ["ECR repositories"] + [str(n) for n in (arg("names", []) or [])]
    return Spec(nid, icon, "\n".join(l for l in lines if l), extras)


def infrastructure(model: Model, env: str, out: Path) -> Path:
    roots = [model.root(f"{env}/{r}") for r in model.root_names(env)]
    # Every module call of the environment that exists (count/for_each not zero).
    calls: dict[Ref, Spec] = {}
    by_root: dict[str, list[Ref]] = {}
    kms: dict[str, list[str]] = {}
    for root in roots:
        for name in root.modules:
            if root.count(root.modules[name]) == 0:
                continue
            ref = Ref("module", root.key, name)
            if root.module_source(name) == "tags":
                continue
            if root.module_source(name) == "kms-key":
                kms.setdefault(root.key, []).append(name)
                continue
            calls[ref] = module_spec(root, name)
            by_root.setdefault(root.key, []).append(ref)

    def target(ref: Ref) -> tuple[Ref, Spec] | None:
        if ref.kind == "module":
            root = model.root(ref.root)
            if root.module_source(ref.name) in PLUMBING:
                return None
            if ref not in calls:  # a module call of another root (shared/ecr)
                calls[ref] = module_spec(root, ref.name)
                by_root.setdefault(ref.root, []).append(ref)
            return ref, calls[ref]
        typ = ref.name.split(".")[0]
        if typ not in RESOURCE_ICONS:
            return None
        grouped = Ref("resource", ref.root, typ)
        if grouped not in calls:
            icon, label = RESOURCE_ICONS[typ]
            calls[grouped] = Spec(_ident(ref.root, typ), icon, label)
            by_root.setdefault(ref.root, []).append(grouped)
        return grouped, calls[grouped]

    edges: set[tuple[str, str]] = set()
    for ref in list(calls):
        if ref.kind != "module" or not ref.root.startswith(env + "/"):
            continue
        root = model.root(ref.root)
        # Sorted: a set's order changes from one run to the next (string hashing), and the
        # order nodes are declared in moves them in the picture.
        for used in sorted(root.uses(ref.name, skip=PLUMBING_ARG.search), key=lambda r: (r.kind, r.root, r.name)):
            hit = target(used)
            if hit and hit[0] != ref:
                edges.add((calls[ref].id, hit[1].id))

    name = f"infrastructure-{env}"
    with Diagram(f"corpus {env}: terraform/live/{env} (arrow: uses)", filename=str(out / name), outformat="svg",
                 show=False, direction="TB", curvestyle="curved", graph_attr=GRAPH, node_attr=NODE):
        nodes: dict[str, Node] = {}
        users = Users("internet", nodeid="internet")
        root_keys = [r.key for r in roots] + sorted(k for k in by_root if not k.startswith(env + "/"))
        for key in root_keys:
            with Cluster(f"{key}  (terraform/live/{key})"):
                if key in kms:
                    nodes[_ident(key, "kms")] = KMS("KMS keys\n" + "\n".join(kms[key]), nodeid=_ident(key, "kms"))
                for ref in by_root.get(key, []):
                    spec = calls[ref]
                    nodes[spec.id] = spec.icon(spec.label, nodeid=spec.id)
                    for extra, label, reverse in spec.extras:
                        nodes[extra.id] = extra.icon(extra.label, nodeid=extra.id)
                        if reverse:
                            nodes[extra.id] >> Edge(label=label, style="dashed") >> nodes[spec.id]
                        else:
                            nodes[spec.id] >> Edge(label=label, style="dashed") >> nodes[extra.id]
                    if ref.kind == "module" and model.root(ref.root).module_source(ref.name) in ENTRY:
                        users >> nodes[spec.id]
        for src, dst in sorted(edges):
            back = (dst, src) in edges
            if back and src > dst:
                continue
            nodes[src] >> Edge(dir="both" if back else "forward") >> nodes[dst]
    return out / f"{name}.svg"


# ---------------------------------------------------------------------------------------
# Delivery: the pipelines of modules/pipeline as shared/pipeline calls them
# ---------------------------------------------------------------------------------------
@dataclass
class Action:
    name: str
    category: str
    provider: str
    run_order: int
    detail: str


def _dynamic(body: dict, kind: str, scope: Scope) -> list[tuple[dict, Scope]]:
    """The blocks `kind` of a body, static and dynamic, each with the scope of its content."""
    out = [(b, scope) for b in body.get(kind, [])]
    for entry in body.get("dynamic", []):
        if kind not in entry:
            continue
        dyn = entry[kind]
        items = scope.eval(dyn["for_each"])
        if items is UNKNOWN:
            raise ModelError(f"cannot evaluate the for_each of a dynamic {kind!r}: {_one(dyn['for_each'])}")
        pairs = items.items() if isinstance(items, dict) else [(v, v) for v in items]
        for key, value in pairs:
            child = scope.child({kind: {"key": key, "value": value}})
            for content in dyn["content"]:
                out.append((content, child))
    return out


def _action(body: dict, scope: Scope) -> Action:
    ev = lambda k, d="": _known(scope.eval(body[k]), d) if k in body else d  # noqa: E731
    config = body.get("configuration")
    config = _one(config) if config is not None else {}
    detail = ""
    if isinstance(config, dict):
        if "ApplicationName" in config:
            detail = "CodeDeploy " + str(_known(scope.eval(config["ApplicationName"]), ""))
        elif "ProjectName" in config:
            m = re.search(r"aws_codebuild_project\.(\w+)(?:\[\\?\"?([^\]\"]*)\\?\"?\])?", str(config["ProjectName"]))
            if m:
                key = m.group(2)
                if key and "${" in key:
                    key = _known(scope.eval(key), key)
                detail = "CodeBuild " + (f"{m.group(1)}[{key}]" if key else m.group(1))
    return Action(ev("name"), ev("category"), ev("provider"), int(ev("run_order", 1) or 1), detail)


ACTION_ICONS = {
    ("Source", "CodeStarSourceConnection"): Git,
    ("Source", "CodeCommit"): Codecommit,
    ("Approval", "Manual"): User,
    ("Deploy", "CodeDeployToECS"): Codedeploy,
}


def delivery(model: Model, out: Path) -> Path:
    root = model.root("shared/pipeline")
    call = next(n for n in root.modules if root.module_source(n) == "pipeline")
    code = ModuleCode(root, call)
    pipelines = []
    for (typ, rname), body in sorted(code.resources.items(), key=lambda kv: (kv[0][1] != "this", kv[0][1])):
        if typ != "aws_codepipeline":
            continue
        scope = code.scope.child({("var", "emulator_compatible"): False})
        count = _known(scope.eval(body["count"]), 1) if "count" in body else 1
        if count == 0:
            continue
        stages = []
        for sbody, sscope in _dynamic(body, "stage", scope):
            actions = [_action(a, ascope) for a, ascope in _dynamic(sbody, "action", sscope)]
            stages.append((_known(sscope.eval(sbody["name"]), "?"), sorted(actions, key=lambda a: a.run_order)))
        pipelines.append((str(_known(scope.eval(body["name"]), rname)), stages))

    ecr_refs = sorted({r for r in root.uses(call) if r.kind == "module" and model.root(r.root).module_source(r.name) == "ecr"},
                      key=lambda r: (r.root, r.name))

    name = "delivery"
    with Diagram("corpus delivery: terraform/modules/pipeline as terraform/live/shared/pipeline calls it",
                 filename=str(out / name), outformat="svg", show=False, direction="LR", graph_attr=GRAPH,
                 node_attr=NODE):
        registry = []
        for ref in ecr_refs:
            spec = module_spec(model.root(ref.root), ref.name)
            with Cluster(f"{ref.root}  (terraform/live/{ref.root})"):
                registry.append(spec.icon(spec.label, nodeid=spec.id))
        for pname, stages in pipelines:
            with Cluster(f"CodePipeline {pname}"):
                previous: list[Node] = []
                for sname, actions in stages:
                    # Cluster names are global in a graph: the pipeline's name keeps them apart.
                    with Cluster(f"{pname} {sname}", graph_attr={"label": f"stage {sname}"}):
                        groups: dict[int, list[Node]] = {}
                        for a in actions:
                            icon = ACTION_ICONS.get((a.category, a.provider), Codebuild if a.provider == "CodeBuild" else General)
                            nid = _ident(pname, sname, a.name)
                            label = "\n".join(x for x in (a.name, a.detail) if x)
                            groups.setdefault(a.run_order, []).append(icon(label, nodeid=nid))
                    for order in sorted(groups):
                        for p in previous:
                            for n in groups[order]:
                                p >> n
                        previous = groups[order]
                        if any(a.name == "Build" and a.category == "Build" for a in actions) and registry:
                            for n in groups[order]:
                                if n.label.startswith("Build\n"):
                                    for r in registry:
                                        n >> Edge(label="images", style="dashed") >> r
    return out / f"{name}.svg"


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: diagrams_gen.py <repo> <out-dir>", file=sys.stderr)
        return 2
    repo, out = Path(argv[1]).resolve(), Path(argv[2]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    model = Model(repo)
    with tempfile.TemporaryDirectory(prefix="corpus-diagrams-") as tmp:
        work = Path(tmp)
        os.environ.update(graphviz_env(work))
        # An infrastructure diagram for each environment with a load balancer, then delivery.
        drawn = [infrastructure(model, env, work) for env in model.envs()
                 if any(model.root(f"{env}/{r}").module_source(m) == "alb"
                        for r in model.root_names(env) for m in model.root(f"{env}/{r}").modules)]
        drawn.append(delivery(model, work))
        for svg in drawn:
            (out / svg.name).write_text(self_contained(svg.read_text(), work))
            print(svg.name)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except ModelError as e:
        print(f"diagrams_gen: {e}", file=sys.stderr)
        sys.exit(1)
