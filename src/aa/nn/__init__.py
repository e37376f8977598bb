"""Building blocks from the lecture: activations with their derivatives, normalization layers."""
