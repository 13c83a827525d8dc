"""Models of this app: see docs/app-design.md for what it owns."""
