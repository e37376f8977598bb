"""Config plumbing: where the YAML lives, custom resolvers, schemas and validation (no torch here)."""
