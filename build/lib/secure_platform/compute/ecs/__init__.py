"""ECS Fargate: the cluster, the three-container task, the service, autoscaling and schedules."""
