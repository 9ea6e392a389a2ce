"""Reader module (being written)."""
