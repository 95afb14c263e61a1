"""Schema registry: Confluent-compatible subjects, versions and compatibility checks."""
