"""One run, from a validated config to metrics.json and the dashboard."""
