"""The yearly follow-up report."""
