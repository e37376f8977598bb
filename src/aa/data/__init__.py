"""Data modules: each knows its input shape, its classes and its task, and nothing about models."""
