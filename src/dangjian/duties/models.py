"""责任体系: models."""
