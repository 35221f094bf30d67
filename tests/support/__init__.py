"""Scaffolding shared by tests: synthetic plan JSONs (``planbuilder``)."""
