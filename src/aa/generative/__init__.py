"""What generative models share outside training: sample quality (Frechet distance, mode counting,
class accuracy of conditional samples), the reference classifier, figures, loading a run's model."""
