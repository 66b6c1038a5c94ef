"""Shared building blocks for Samverkan's services."""
