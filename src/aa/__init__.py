"""aa: config-driven experiments for the multilayer-networks course."""

__version__ = "0.1.0"
