"""Pages of the regions app."""
