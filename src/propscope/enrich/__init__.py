"""Document-level figures computed from spans (scores now; entities and slogans later)."""
