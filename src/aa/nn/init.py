"""Initial weights theta^0, applied to a built model's linear and convolutional layers.

``Default`` keeps PyTorch's layer defaults (Kaiming-uniform with a=sqrt(5), i.e. weights and
biases in U(-1/sqrt(fan_in), 1/sqrt(fan_in))). The other schemes set weights and zero the biases.
``Constant`` (init=zeros) gives every unit of a layer the same start: their gradients are then
equal too, so the units stay copies of one another and the layer acts as a single unit.
"""
from __future__ import annotations

from typing import Iterator

from torch import nn

LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)


def layers(model: nn.Module) -> Iterator[nn.Module]:
    """The layers whose weights a scheme sets (normalisation layers keep gamma=1, beta=0)."""
    return (m for m in model.modules() if isinstance(m, LAYERS))


class Init:
    """Callable on a model; sets every layer's weight with ``weight`` and its bias to zero."""

    def __call__(self, model: nn.Module) -> nn.Module:
        for layer in layers(model):
            self.weight(layer.weight)
            if layer.bias is not None:
                self.bias(layer.bias)
        return model

    def weight(self, w: nn.Parameter) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def bias(self, b: nn.Parameter) -> None:
        nn.init.zeros_(b)


class Default(Init):
    """PyTorch's own initialisation, done when the layers were built: nothing to change."""

    def __call__(self, model: nn.Module) -> nn.Module:
        return model


class Xavier(Init):
    """Glorot & Bengio: Var(theta) = gain^2 * 2 / (fan_in + fan_out); for tanh/sigmoid nets."""

    def __init__(self, gain: float = 1.0, distribution: str = "uniform") -> None:
        self.gain, self.distribution = gain, distribution

    def weight(self, w: nn.Parameter) -> None:
        fill = nn.init.xavier_uniform_ if self.distribution == "uniform" else nn.init.xavier_normal_
        fill(w, gain=self.gain)


class Kaiming(Init):
    """He et al.: Var(theta) = gain^2 / fan, gain = sqrt(2) for ReLU; keeps ReLU activations' scale."""

    def __init__(self, nonlinearity: str = "relu", a: float = 0.0, mode: str = "fan_in",
                 distribution: str = "normal") -> None:
        self.nonlinearity, self.a, self.mode, self.distribution = nonlinearity, a, mode, distribution

    def weight(self, w: nn.Parameter) -> None:
        fill = nn.init.kaiming_uniform_ if self.distribution == "uniform" else nn.init.kaiming_normal_
        fill(w, a=self.a, mode=self.mode, nonlinearity=self.nonlinearity)


class Constant(Init):
    """Every weight and bias equal to ``value`` (0 for init=zeros): the symmetric start that fails."""

    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def weight(self, w: nn.Parameter) -> None:
        nn.init.constant_(w, self.value)

    def bias(self, b: nn.Parameter) -> None:
        nn.init.constant_(b, self.value)
