"""Shared machinery of the Beam jobs: records and rejects, splits, statistics, the sink, options."""
