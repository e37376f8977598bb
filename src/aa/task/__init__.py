"""The Lightning task module and what it composes: losses, regularisers, optimiser and schedule."""
