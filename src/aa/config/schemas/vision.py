"""Schemas of the vision options: convolutional models, image data sets, augmentations, run callbacks."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from aa.config.schema import NodeSchema, opt, schema

M = "aa.models."
STEMS = ("auto", "imagenet", "small")


class ConvModel(NodeSchema):
    info = {"inputs": ("image",), "uses": ("activation", "normalization")}


@schema(M + "lenet.LeNet5")
class LeNet5(ConvModel):
    pooling: str = opt("avg", choices=("avg", "max"), doc="S2 and S4 subsampling: average (LeCun) or max")


@dataclass
class ConvBlock(NodeSchema):
    """One block of model=cnn (each list item is checked against it)."""

    channels: int = opt(ge=1, doc="feature maps of the conv")
    kernel: int = opt(3, ge=1)
    stride: int = opt(1, ge=1)
    padding: int = opt(1, ge=0)
    pool: str = opt("max", choices=("max", "avg", "none"))
    pool_size: int = opt(2, ge=1)
    pool_stride: int = opt(0, ge=0, doc="0: the pool size")
    reduce: int = opt(0, ge=0, doc="channels of a 1x1 conv before the block's conv; 0: none")


@schema(M + "cnn.CNN")
class CNN(ConvModel):
    blocks: list[ConvBlock] = opt([{"channels": c, "kernel": 3, "stride": 1, "padding": 1, "pool": "max", "pool_size": 2,
                                    "pool_stride": 2, "reduce": 0} for c in (16, 32)], nonempty=True, doc="conv blocks, input to output")
    hidden: list[int] = opt([], ge=1, doc="fully connected widths between the blocks and the output layer")


class Torchvision(ConvModel):
    stem: str = opt("auto", choices=STEMS, doc="small: 3x3 stride-1 stem for images up to 64 px (auto picks)")
    pretrained: bool = opt(False, doc="start from torchvision's ImageNet weights (local hub cache or weights_path)")
    weights_path: Optional[str] = opt(None, doc="a state_dict file to start from")
    freeze: str = opt("none", choices=("none", "backbone"),
                      doc="backbone: train only the classifier head (and any layer initialised afresh)")

    @staticmethod
    def check(path: str, node: dict) -> None:
        if node.get("weights_path"):
            from aa.config.files import require_file

            require_file(f"{path}.weights_path", node["weights_path"], "a state_dict file (.pth) to start from")


@schema(M + "alexnet.AlexNet")
class AlexNet(Torchvision):
    dropout: float = opt(0.5, ge=0, lt=1)


@schema(M + "vgg.VGG")
class VGG(Torchvision):
    depth: int = opt(16, choices=(11, 13, 16, 19))
    dropout: float = opt(0.5, ge=0, lt=1)


@schema(M + "resnet.ResNet")
class ResNet(Torchvision):
    depth: int = opt(18, choices=(18, 34, 50))


@schema(M + "inception.InceptionV1")
class InceptionV1(Torchvision):
    aux_logits: bool = opt(True, doc="the two auxiliary classifiers, used in training only")
    aux_weight: float = opt(0.3, ge=0, le=1, doc="weight of each auxiliary loss")
    dropout: float = opt(0.2, ge=0, lt=1)


D = "aa.data."


class ImageSet(NodeSchema):
    info = {"task": "classification", "inputs": ("image", "vector")}
    root: Optional[str] = opt(None, doc="data directory; default $AA_DATA, else ~/.cache/aa/data")
    download: bool = opt(True, doc="fetch the files when they are not under root")
    val_fraction: float = opt(0.1, gt=0, lt=1, doc="share of the training split held out for validation")
    standardize: bool = opt(True, doc="z-score inputs with training-split statistics")


@schema(D + "mnist.MNISTData", D + "mnist.FashionMNISTData", D + "cifar.CIFAR10Data", D + "cifar.CIFAR100Data")
class TorchvisionSet(ImageSet):
    pass


@schema(D + "image_folder.ImageFolderData")
class ImageFolder(NodeSchema):
    info = {"task": "classification", "inputs": ("image",)}
    root: str = opt("???", doc="folder with train/ and val/ (and optionally test/) class subfolders")
    image_size: Optional[int] = opt(None, ge=8, le=1024,
                                    doc="side images are resized and centre-cropped to; null: the images' own size")
    workers: Optional[int] = opt(None, ge=0, le=64, doc="DataLoader worker processes decoding images; null: the "
                                                         "machine's cores, at most 8")
    standardize: bool = opt(True, doc="z-score with ImageNet's channel statistics")
    test_fraction: float = opt(0.2, gt=0, lt=1, doc="without test/: this share of each class of train/ is held "
                                                    "out as the test split (seeded)")

    @staticmethod
    def check(path: str, node: dict) -> None:
        from aa.config.files import require_image_tree

        require_image_tree(f"{path}.root", node.get("root"))


A = "aa.data.augment."


class Augmentation(NodeSchema):
    info = {"inputs": ("image",)}
    p: float = opt(1.0, ge=0, le=1, doc="probability that a training image is transformed")


@schema(A + "Flip")
class Flip(Augmentation):
    p: float = opt(0.5, ge=0, le=1, doc="probability of a horizontal flip")


@schema(A + "Rotate")
class Rotate(Augmentation):
    degrees: float = opt(15.0, gt=0, le=180, doc="angle drawn uniformly from [-degrees, degrees]")


@schema(A + "Crop")
class Crop(Augmentation):
    padding: int = opt(4, ge=0, doc="shift by up to this many pixels, zeros filling in (pad + random crop)")
    scale: float = opt(1.0, gt=0, le=1, doc="smallest area fraction of a crop that is resized back")


@schema(A + "Color")
class Color(Augmentation):
    brightness: float = opt(0.2, ge=0, lt=1)
    contrast: float = opt(0.2, ge=0, lt=1)
    saturation: float = opt(0.2, ge=0, lt=1)


@schema(A + "Noise")
class Noise(Augmentation):
    std: float = opt(0.05, gt=0, le=1, doc="standard deviation of Gaussian pixel noise (pixels in [0, 1])")


@schema("pytorch_lightning.callbacks.RichModelSummary", "pytorch_lightning.callbacks.ModelSummary")
class RichModelSummary(NodeSchema):
    max_depth: int = opt(3, ge=-1, doc="module depth of the parameter table printed at the start")


@schema("aa.callbacks.model_graph.ModelGraph")
class ModelGraph(NodeSchema):
    pass


@schema("aa.callbacks.input_rate.InputRate")
class InputRate(NodeSchema):
    """Seconds waiting for input beside seconds training (train.log, metrics.json "input")."""


@schema(M + "vit.ViT")
class ViT(NodeSchema):
    info = {"inputs": ("image",)}
    patch_size: Optional[int] = opt(None, ge=1, le=64, doc="side of a patch (a token); null: 2 up to 16 px, 4 up to 64 px, else 16")
    hidden_dim: int = opt(128, ge=4, le=4096, doc="token width (a multiple of num_heads)")
    num_layers: int = opt(4, ge=1, le=48, doc="encoder blocks")
    num_heads: int = opt(4, ge=1, le=64, doc="attention heads per block")
    mlp_dim: int = opt(256, ge=1, le=16384, doc="hidden width of each block's MLP")
    dropout: float = opt(0.1, ge=0, lt=1, doc="dropout after the embeddings and in every MLP")
    attention_dropout: float = opt(0.0, ge=0, lt=1)
    pool: str = opt("mean", choices=("cls", "mean"), doc="classify the class token, or the mean of the patch tokens")
    overlap: bool = opt(True, doc="each token's window reaches patch_size // 2 pixels (at least 1) into its neighbours (same tokens)")
    pretrained: bool = opt(False, doc="start from torchvision's ViT-B/16 ImageNet weights (local hub cache or weights_path)")
    weights_path: Optional[str] = opt(None, doc="a state_dict file to start from")
    freeze: str = opt("none", choices=("none", "backbone"), doc="backbone: train only the head")

    @staticmethod
    def check(path: str, node: dict) -> None:
        from aa.base.errors import ConfigError

        if node.get("hidden_dim", 128) % node.get("num_heads", 4):
            raise ConfigError(f"{path}.hidden_dim", node.get("hidden_dim"), f"is not a multiple of num_heads "
                              f"({node.get('num_heads')}): each head takes hidden_dim / num_heads of every token",
                              f"a multiple of {node.get('num_heads')}")
        if node.get("overlap", True) and (node.get("pretrained") or node.get("weights_path")):
            raise ConfigError(f"{path}.overlap", True, "widens the patch windows, so the ImageNet patch projection "
                              "(16x16 windows) would not fit them", "model.overlap=false with pretrained weights")
        if node.get("weights_path"):
            from aa.config.files import require_file

            require_file(f"{path}.weights_path", node["weights_path"], "a state_dict file (.pth) to start from")


@schema("aa.callbacks.attention_figure.AttentionRollout")
class AttentionRollout(NodeSchema):
    count: int = opt(8, ge=1, le=32, doc="test images drawn")
