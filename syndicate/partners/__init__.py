"""Partner rule sets (data files) for the readiness report."""
