"""`make bench`: what users feel, each figure beside a baseline measured in the same run."""
