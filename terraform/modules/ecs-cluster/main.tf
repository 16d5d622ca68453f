data "aws_partition" "current" {}

locals {
  ec2_enabled = var.enable_ec2_capacity
  ec2_name    = "${var.name}-ec2"
}

# ---------------------------------------------------------------------------------------
# Cluster
# ---------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "exec" {
  name              = "/ecs/${var.name}/exec"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = var.tags
}

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = var.container_insights
  }

  # ECS Exec sessions (when a service enables them) are encrypted and logged.
  configuration {
    execute_command_configuration {
      kms_key_id = var.log_kms_key_arn
      logging    = "OVERRIDE"

      log_configuration {
        cloud_watch_encryption_enabled = true
        cloud_watch_log_group_name     = aws_cloudwatch_log_group.exec.name
      }
    }
  }

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name = aws_ecs_cluster.this.name

  capacity_providers = concat(
    ["FARGATE", "FARGATE_SPOT"],
    local.ec2_enabled ? [aws_ecs_capacity_provider.ec2[0].name] : [],
  )

  default_capacity_provider_strategy {
    capacity_provider = var.default_capacity_provider == "EC2" ? aws_ecs_capacity_provider.ec2[0].name : var.default_capacity_provider
    base              = 1
    weight            = 1
  }

  lifecycle {
    precondition {
      condition     = var.default_capacity_provider != "EC2" || var.enable_ec2_capacity
      error_message = "default_capacity_provider EC2 needs enable_ec2_capacity = true."
    }
  }
}

# ---------------------------------------------------------------------------------------
# Optional EC2 capacity provider: ECS-optimized instances in an auto-scaling group,
# IMDSv2 only, encrypted EBS, no inbound traffic (tasks use awsvpc and their own groups).
# ---------------------------------------------------------------------------------------

data "aws_ssm_parameter" "ami" {
  count = local.ec2_enabled ? 1 : 0

  name = var.ami_ssm_parameter
}

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "ec2" {
  count = local.ec2_enabled ? 1 : 0

  name_prefix        = "${substr(var.name, 0, 24)}-ec2-"
  description        = "ECS container instances of ${var.name}"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "ec2_ecs" {
  # Skipped against the emulator unless it loads AWS managed policies.
  count = local.ec2_enabled && !var.emulator_compatible ? 1 : 0

  role       = aws_iam_role.ec2[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
}

resource "aws_iam_role_policy_attachment" "ec2_ssm" {
  # Skipped against the emulator unless it loads AWS managed policies.
  count = local.ec2_enabled && !var.emulator_compatible ? 1 : 0

  role       = aws_iam_role.ec2[0].name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "ec2" {
  count = local.ec2_enabled ? 1 : 0

  name_prefix = "${substr(var.name, 0, 24)}-ec2-"
  role        = aws_iam_role.ec2[0].name

  tags = var.tags
}

resource "aws_security_group" "ec2" {
  count = local.ec2_enabled ? 1 : 0

  name_prefix = "${local.ec2_name}-"
  description = "ECS container instances of ${var.name}: no inbound, HTTPS out (ECS agent, ECR, SSM)"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = local.ec2_name })

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = var.vpc_id != null && length(var.subnet_ids) > 0
      error_message = "vpc_id and subnet_ids are required when enable_ec2_capacity is true."
    }
  }
}

resource "aws_vpc_security_group_egress_rule" "ec2_https" {
  count = local.ec2_enabled ? 1 : 0

  security_group_id = aws_security_group.ec2[0].id
  description       = "HTTPS to the ECS, ECR, SSM and CloudWatch endpoints"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = var.tags
}

resource "aws_launch_template" "ec2" {
  count = local.ec2_enabled ? 1 : 0

  name_prefix            = "${local.ec2_name}-"
  description            = "ECS-optimized container instances of ${var.name}"
  image_id               = nonsensitive(data.aws_ssm_parameter.ami[0].value)
  instance_type          = var.instance_type
  ebs_optimized          = true
  update_default_version = true
  vpc_security_group_ids = [aws_security_group.ec2[0].id]

  user_data = base64encode(<<-EOT
    #!/bin/bash
    cat >> /etc/ecs/ecs.config <<'CFG'
    ECS_CLUSTER=${aws_ecs_cluster.this.name}
    ECS_ENABLE_TASK_IAM_ROLE=true
    ECS_AWSVPC_BLOCK_IMDS=true
    ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM=ec2_instance
    CFG
  EOT
  )

  iam_instance_profile {
    arn = aws_iam_instance_profile.ec2[0].arn
  }

  # IMDSv2 only; a hop limit of 1 keeps containers from reaching the instance's credentials.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
    instance_metadata_tags      = "disabled"
  }

  monitoring {
    enabled = true
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_size           = var.root_volume_size
      volume_type           = "gp3"
      encrypted             = true
      kms_key_id            = var.ebs_kms_key_arn
      delete_on_termination = true
    }
  }

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = local.ec2_name })
  }

  tag_specifications {
    resource_type = "volume"
    tags          = merge(var.tags, { Name = local.ec2_name })
  }

  tags = var.tags
}

resource "aws_autoscaling_group" "ec2" {
  count = local.ec2_enabled ? 1 : 0

  name_prefix               = "${local.ec2_name}-"
  min_size                  = var.asg_min_size
  max_size                  = var.asg_max_size
  vpc_zone_identifier       = var.subnet_ids
  health_check_type         = "EC2"
  health_check_grace_period = 120
  protect_from_scale_in     = true # managed termination protection drains tasks first
  # The emulator does not return the instance warmup (a perpetual diff there).
  default_instance_warmup = var.emulator_compatible ? null : 120

  launch_template {
    id      = aws_launch_template.ec2[0].id
    version = aws_launch_template.ec2[0].latest_version
  }

  instance_refresh {
    strategy = "Rolling"

    preferences {
      min_healthy_percentage = 50
    }
  }

  tag {
    key                 = "AmazonECSManaged"
    value               = "true"
    propagate_at_launch = true
  }

  dynamic "tag" {
    for_each = var.tags

    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }

  lifecycle {
    # ECS managed scaling owns the desired capacity.
    ignore_changes = [desired_capacity]

    precondition {
      condition     = var.asg_max_size >= var.asg_min_size
      error_message = "asg_max_size must be greater than or equal to asg_min_size."
    }
  }
}

resource "aws_ecs_capacity_provider" "ec2" {
  count = local.ec2_enabled ? 1 : 0

  name = local.ec2_name

  auto_scaling_group_provider {
    auto_scaling_group_arn         = aws_autoscaling_group.ec2[0].arn
    managed_termination_protection = "ENABLED"
    managed_draining               = "ENABLED"

    managed_scaling {
      status                    = "ENABLED"
      target_capacity           = 100
      minimum_scaling_step_size = 1
      maximum_scaling_step_size = 2
    }
  }

  tags = var.tags
}
