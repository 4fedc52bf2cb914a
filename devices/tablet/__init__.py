"""Managed student tablets: an agent on each advertises ``_classroom-tablet._tcp`` with its name and battery."""
