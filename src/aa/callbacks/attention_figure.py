"""A ViT's attention rollout on test images in TensorBoard: each image beside the share of attention its
patches receive, rolled out over the layers (added by model=vit's config; other models are left alone)."""
from __future__ import annotations

import pytorch_lightning as pl
import torch
from torch import nn

from aa.base.plotting import pyplot
from aa.callbacks.figures import publish
from aa.data.contract import InMemory
from aa.models.vit import ViT


class AttentionRollout(pl.Callback):
    """After testing: the first ``count`` test images, true and predicted class in the titles."""

    def __init__(self, count: int = 8) -> None:
        self.count = count

    @torch.no_grad()
    def on_test_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        dm, model = trainer.datamodule, pl_module.model
        vit = model[-1] if isinstance(model, nn.Sequential) else model
        if not isinstance(vit, ViT) or not isinstance(dm, InMemory) or dm.x_test.dim() != 4:
            return
        x, y = dm.x_test[: self.count], dm.y_test[: self.count]
        x_in = dm.batch_transform(x) if dm.batch_transform is not None else x
        was_training = pl_module.training
        pl_module.eval()
        prep = model[:-1] if isinstance(model, nn.Sequential) else nn.Identity()
        inputs = prep(x_in.to(pl_module.device))
        maps, pred = vit.attention_rollout(inputs).cpu(), vit(inputs).argmax(1).cpu()
        pl_module.train(was_training)
        names = list(dm.class_names) or [str(i) for i in range(int(y.max()) + 1)]
        plt = pyplot()
        fig, axes = plt.subplots(2, len(x), figsize=(1.5 * len(x), 3.4), squeeze=False)
        for i in range(len(x)):
            image = x_in[i].float().cpu()
            axes[0][i].imshow(image[0] if image.shape[0] == 1 else image[:3].permute(1, 2, 0).clamp(0, 1),
                              cmap="gray", interpolation="nearest")
            axes[0][i].set_title(f"{names[int(y[i])]} -> {names[int(pred[i])]}", fontsize=10)
            axes[1][i].imshow(maps[i], cmap="magma", interpolation="nearest")
            for ax in (axes[0][i], axes[1][i]):
                ax.set_xticks([]), ax.set_yticks([])
        axes[1][0].set_ylabel("rollout", fontsize=10)
        publish(trainer, "test/attention_rollout", fig, trainer.current_epoch, "attention_rollout.png")
