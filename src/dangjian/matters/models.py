"""事项督办: models."""
