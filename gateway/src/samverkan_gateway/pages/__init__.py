"""The pages people use, rendered on the server; every page works without JavaScript."""
