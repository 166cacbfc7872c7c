"""Local stand-ins for the external systems of the Nessus compliance runbook (not shipped)."""
