"""Pages of the collection app."""
