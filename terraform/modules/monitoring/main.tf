data "aws_region" "current" {}

module "topic" {
  source = "../alarm-topic"
  count  = var.alarm_topic_arn == null ? 1 : 0

  name        = "${var.name_prefix}-alarms"
  kms_key_arn = var.topic_kms_key_arn
  emails      = var.alarm_emails
  tags        = var.tags
}

locals {
  topic_arn = var.alarm_topic_arn != null ? var.alarm_topic_arn : module.topic[0].arn
  actions   = [local.topic_arn]

  # Plain single-metric alarms: key => settings. Metric-math alarms follow below.
  rds_alarms = var.rds == null ? {} : {
    "rds-cpu" = {
      namespace = "AWS/RDS", metric = "CPUUtilization", stat = "Average", op = "GreaterThanThreshold"
      threshold = var.rds.cpu_percent, periods = 3, period = 300, unit = "%"
      dims      = { DBInstanceIdentifier = var.rds.identifier }
    }
    "rds-disk-queue-depth" = {
      namespace = "AWS/RDS", metric = "DiskQueueDepth", stat = "Average", op = "GreaterThanThreshold"
      threshold = var.rds.disk_queue_depth, periods = 3, period = 300, unit = "requests"
      dims      = { DBInstanceIdentifier = var.rds.identifier }
    }
    "rds-read-latency" = {
      namespace = "AWS/RDS", metric = "ReadLatency", stat = "Average", op = "GreaterThanThreshold"
      threshold = var.rds.read_latency_seconds, periods = 3, period = 300, unit = "s"
      dims      = { DBInstanceIdentifier = var.rds.identifier }
    }
    "rds-write-latency" = {
      namespace = "AWS/RDS", metric = "WriteLatency", stat = "Average", op = "GreaterThanThreshold"
      threshold = var.rds.write_latency_seconds, periods = 3, period = 300, unit = "s"
      dims      = { DBInstanceIdentifier = var.rds.identifier }
    }
    "rds-freeable-memory" = {
      namespace = "AWS/RDS", metric = "FreeableMemory", stat = "Average", op = "LessThanThreshold"
      threshold = var.rds.freeable_memory_bytes, periods = 3, period = 300, unit = "bytes"
      dims      = { DBInstanceIdentifier = var.rds.identifier }
    }
    "rds-swap-usage" = {
      namespace = "AWS/RDS", metric = "SwapUsage", stat = "Average", op = "GreaterThanThreshold"
      threshold = var.rds.swap_usage_bytes, periods = 3, period = 300, unit = "bytes"
      dims      = { DBInstanceIdentifier = var.rds.identifier }
    }
    "rds-network-receive" = {
      namespace = "AWS/RDS", metric = "NetworkReceiveThroughput", stat = "Average", op = "GreaterThanThreshold"
      threshold = var.rds.network_throughput_bytes_s, periods = 3, period = 300, unit = "bytes/s"
      dims      = { DBInstanceIdentifier = var.rds.identifier }
    }
    "rds-network-transmit" = {
      namespace = "AWS/RDS", metric = "NetworkTransmitThroughput", stat = "Average", op = "GreaterThanThreshold"
      threshold = var.rds.network_throughput_bytes_s, periods = 3, period = 300, unit = "bytes/s"
      dims      = { DBInstanceIdentifier = var.rds.identifier }
    }
  }

  alb_alarms = var.alb == null ? {} : merge(
    {
      "alb-elb-5xx" = {
        namespace = "AWS/ApplicationELB", metric = "HTTPCode_ELB_5XX_Count", stat = "Sum", op = "GreaterThanThreshold"
        threshold = var.alb.elb_5xx_per_minute, periods = 3, period = 60, unit = "responses/min"
        dims      = { LoadBalancer = var.alb.arn_suffix }
      }
      "alb-target-5xx" = {
        namespace = "AWS/ApplicationELB", metric = "HTTPCode_Target_5XX_Count", stat = "Sum", op = "GreaterThanThreshold"
        threshold = var.alb.target_5xx_per_minute, periods = 3, period = 60, unit = "responses/min"
        dims      = { LoadBalancer = var.alb.arn_suffix }
      }
      "alb-target-response-time-p99" = {
        namespace = "AWS/ApplicationELB", metric = "TargetResponseTime", stat = "p99", op = "GreaterThanThreshold"
        threshold = var.alb.p99_latency_seconds, periods = 5, period = 60, unit = "s"
        dims      = { LoadBalancer = var.alb.arn_suffix }
      }
    },
    { for name, tg in var.alb.target_groups : "alb-unhealthy-${name}" => {
      namespace = "AWS/ApplicationELB", metric = "UnHealthyHostCount", stat = "Maximum", op = "GreaterThanOrEqualToThreshold"
      threshold = var.alb.unhealthy_host_minimum, periods = 3, period = 60, unit = "hosts"
      dims      = { LoadBalancer = var.alb.arn_suffix, TargetGroup = tg }
    } },
  )

  ecs_alarms = var.ecs == null ? {} : merge(
    { for s in var.ecs.services : "ecs-${s}-cpu" => {
      namespace = "AWS/ECS", metric = "CPUUtilization", stat = "Average", op = "GreaterThanThreshold"
      threshold = var.ecs.cpu_percent, periods = 3, period = 300, unit = "%"
      dims      = { ClusterName = var.ecs.cluster_name, ServiceName = s }
    } },
    { for s in var.ecs.services : "ecs-${s}-memory" => {
      namespace = "AWS/ECS", metric = "MemoryUtilization", stat = "Average", op = "GreaterThanThreshold"
      threshold = var.ecs.memory_percent, periods = 3, period = 300, unit = "%"
      dims      = { ClusterName = var.ecs.cluster_name, ServiceName = s }
    } },
  )

  sqs_alarms = var.sqs == null ? {} : {
    "sqs-oldest-message" = {
      namespace = "AWS/SQS", metric = "ApproximateAgeOfOldestMessage", stat = "Maximum", op = "GreaterThanThreshold"
      threshold = var.sqs.oldest_message_seconds, periods = 3, period = 300, unit = "s"
      dims      = { QueueName = var.sqs.queue_name }
    }
    "sqs-dlq-not-empty" = {
      namespace = "AWS/SQS", metric = "ApproximateNumberOfMessagesVisible", stat = "Maximum", op = "GreaterThanThreshold"
      threshold = 0, periods = 1, period = 300, unit = "messages"
      dims      = { QueueName = var.sqs.dlq_name }
    }
  }

  dynamodb_alarms = var.dynamodb == null ? {} : merge(
    { for t in var.dynamodb.table_names : "dynamodb-${t}-read-throttles" => {
      namespace = "AWS/DynamoDB", metric = "ReadThrottleEvents", stat = "Sum", op = "GreaterThanThreshold"
      threshold = 0, periods = 2, period = 300, unit = "events"
      dims      = { TableName = t }
    } },
    { for t in var.dynamodb.table_names : "dynamodb-${t}-write-throttles" => {
      namespace = "AWS/DynamoDB", metric = "WriteThrottleEvents", stat = "Sum", op = "GreaterThanThreshold"
      threshold = 0, periods = 2, period = 300, unit = "events"
      dims      = { TableName = t }
    } },
  )

  alarms = merge(local.rds_alarms, local.alb_alarms, local.ecs_alarms, local.sqs_alarms, local.dynamodb_alarms)

  # Operations whose ThrottledRequests are summed per table.
  dynamodb_operations = ["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchWriteItem", "BatchGetItem", "TransactWriteItems"]
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name_prefix}-${each.key}"
  alarm_description   = "${each.value.namespace} ${each.value.metric} (${each.value.stat}) ${each.value.op} ${each.value.threshold} ${each.value.unit} for ${each.value.periods} x ${each.value.period}s"
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  statistic           = contains(["Average", "Sum", "Minimum", "Maximum", "SampleCount"], each.value.stat) ? each.value.stat : null
  extended_statistic  = contains(["Average", "Sum", "Minimum", "Maximum", "SampleCount"], each.value.stat) ? null : each.value.stat
  comparison_operator = each.value.op
  threshold           = each.value.threshold
  evaluation_periods  = each.value.periods
  period              = each.value.period
  dimensions          = each.value.dims
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "rds_total_iops" {
  count = var.rds == null ? 0 : 1

  alarm_name          = "${var.name_prefix}-rds-total-iops"
  alarm_description   = "AWS/RDS ReadIOPS + WriteIOPS above ${var.rds.total_iops} for 3 x 300s"
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.rds.total_iops
  evaluation_periods  = 3
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  metric_query {
    id          = "total"
    expression  = "read + write"
    label       = "TotalIOPS"
    return_data = true
  }

  metric_query {
    id = "read"
    metric {
      namespace   = "AWS/RDS"
      metric_name = "ReadIOPS"
      stat        = "Average"
      period      = 300
      dimensions  = { DBInstanceIdentifier = var.rds.identifier }
    }
  }

  metric_query {
    id = "write"
    metric {
      namespace   = "AWS/RDS"
      metric_name = "WriteIOPS"
      stat        = "Average"
      period      = 300
      dimensions  = { DBInstanceIdentifier = var.rds.identifier }
    }
  }

  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "dynamodb_throttled_requests" {
  for_each = var.dynamodb == null ? toset([]) : toset(var.dynamodb.table_names)

  alarm_name          = "${var.name_prefix}-dynamodb-${each.value}-throttled-requests"
  alarm_description   = "AWS/DynamoDB ThrottledRequests summed over operations above 0 for 2 x 300s"
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.actions
  ok_actions          = local.actions

  metric_query {
    id          = "throttled"
    expression  = "SUM([${join(", ", [for i, _ in local.dynamodb_operations : "op${i}"])}])"
    label       = "ThrottledRequests"
    return_data = true
  }

  dynamic "metric_query" {
    for_each = local.dynamodb_operations
    content {
      id = "op${metric_query.key}"
      metric {
        namespace   = "AWS/DynamoDB"
        metric_name = "ThrottledRequests"
        stat        = "Sum"
        period      = 300
        dimensions  = { TableName = each.value, Operation = metric_query.value }
      }
    }
  }

  tags = var.tags
}

locals {
  region = data.aws_region.current.name

  widget_groups = {
    "PostgreSQL"    = [for k, a in local.rds_alarms : a]
    "Load balancer" = [for k, a in local.alb_alarms : a]
    "ECS services"  = [for k, a in local.ecs_alarms : a]
    "Queue"         = [for k, a in local.sqs_alarms : a]
    "DynamoDB"      = [for k, a in local.dynamodb_alarms : a]
  }

  # One graph per watched metric (with its alarm threshold as an annotation), grouped by
  # component under a text header. Each widget is encoded on its own: the components'
  # metrics have different dimension sets, so they do not unify into one list type.
  widgets = flatten([
    for title, metrics in local.widget_groups : concat(
      [for _ in range(length(metrics) > 0 ? 1 : 0) : jsonencode({
        type       = "text", width = 24, height = 1
        properties = { markdown = "## ${title}" }
      })],
      [for m in metrics : jsonencode({
        type = "metric", width = 8, height = 6
        properties = {
          title   = "${m.metric} ${join(" ", values(m.dims))}"
          region  = local.region
          view    = "timeSeries"
          stat    = m.stat
          period  = m.period
          metrics = [concat([m.namespace, m.metric], flatten([for k, v in m.dims : [k, v]]))]
          annotations = {
            horizontal = [{ label = "alarm", value = m.threshold }]
          }
        }
      })]
    )
  ])
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name_prefix
  dashboard_body = "{\"widgets\":[${join(",", local.widgets)}]}"
}
