"""The lecture's BackProp by hand (``backprop=manual``): the delta rule instead of autograd.

``engine.ManualBackprop`` trains; ``support`` (pure Python) says which configs it can train.
"""
