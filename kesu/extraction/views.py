"""Pages of the extraction app."""
