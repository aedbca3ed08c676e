"""Demo records of 监督 (filled in below)."""
