"""The bottom floor: helpers every other package may use, importing nothing of aa above them."""
