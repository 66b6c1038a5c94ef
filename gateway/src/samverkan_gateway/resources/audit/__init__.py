"""The audit trail of writes, for operators."""
