"""Sweeps: the launchers' checks, per-job records (failures, resume, threads) and the sweep summary."""
