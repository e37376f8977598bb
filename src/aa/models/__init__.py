"""Plain nn.Modules, one file per architecture family; none of them knows about Lightning or Hydra."""
