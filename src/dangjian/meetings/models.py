"""会议学习: models."""
