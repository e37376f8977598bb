"""Tiny data files in the real on-disk formats the loaders read (MNIST IDX, CIFAR pickles, an ImageFolder
tree, COCO and Penn-Fudan folders, Planetoid pickles, CSV/TSV tables and texts, AG News, text8, cached
surnames), written by the tests that need them so nothing is ever downloaded."""
from __future__ import annotations

import csv
import gzip
import json
import pickle
import random
import struct
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

from aa.data.names import cache_dir


def patterns(n: int, side: int, channels: int, classes: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images whose class is a bright square at one of ``classes`` places, on noise."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    x = rng.integers(0, 60, (n, channels, side, side), dtype=np.uint8)
    cell = side // 4
    for i, k in enumerate(y):
        r, c = divmod(int(k), 4)
        x[i, :, r * cell:(r + 1) * cell, c * cell:(c + 1) * cell] = 230
    return x, y.astype(np.uint8)


def write_idx(path: Path, array: np.ndarray, compress: bool = False) -> None:
    """LeCun's IDX format: magic (0, 0, type 0x08 = uint8, ndim), big-endian sizes, then the bytes."""
    data = bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress:
        with gzip.open(f"{path}.gz", "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)


def write_mnist(root: Path, folder: str = "MNIST", n_train: int = 200, n_test: int = 60, compress: bool = False) -> Path:
    raw = root / folder / "raw"
    for prefix, n, seed in (("train", n_train, 0), ("t10k", n_test, 1)):
        x, y = patterns(n, 28, 1, seed=seed)
        write_idx(raw / f"{prefix}-images-idx3-ubyte", x[:, 0], compress)
        write_idx(raw / f"{prefix}-labels-idx1-ubyte", y, compress)
    return root


def write_cifar(root: Path, hundred: bool = False, per_batch: int = 40, n_test: int = 60) -> Path:
    """CIFAR's python pickles: dicts with 'data' (N, 3072) uint8 and a label list, plus the meta file."""
    folder = root / ("cifar-100-python" if hundred else "cifar-10-batches-py")
    folder.mkdir(parents=True)
    key = "fine_labels" if hundred else "labels"
    names = ["train"] if hundred else [f"data_batch_{i}" for i in range(1, 6)]
    for i, name in enumerate(names + ["test"] if hundred else names + ["test_batch"]):
        n = n_test if "test" in name else per_batch
        x, y = patterns(n, 32, 3, classes=100 if hundred else 10, seed=i)
        with open(folder / name, "wb") as f:
            pickle.dump({"data": x.reshape(n, -1), key: [int(v) for v in y]}, f)
    meta = {"fine_label_names": [f"c{i}" for i in range(100)]} if hundred else {"label_names": list("abcdefghij")}
    with open(folder / ("meta" if hundred else "batches.meta"), "wb") as f:
        pickle.dump(meta, f)
    return root


def write_image_folder(root: Path, per_class: dict[str, int] = {"train": 24, "val": 10}) -> Path:
    """root/{train,val}/{ants,bees}/*.png: 'ants' images are reddish, 'bees' bluish, sizes vary."""
    rng = np.random.default_rng(0)
    for split, n in per_class.items():
        for k, name in enumerate(("ants", "bees")):
            (root / split / name).mkdir(parents=True)
            for i in range(n):
                h, w = rng.integers(36, 60, 2)
                img = rng.integers(0, 90, (h, w, 3), dtype=np.uint8)
                img[..., 0 if k == 0 else 2] += 150
                Image.fromarray(img).save(root / split / name / f"{i}.png")
    return root


def write_coco(root: Path, annotations: list[dict], images: int = 3, size: int = 40) -> Path:
    (root / "images").mkdir(parents=True, exist_ok=True)
    for i in range(images):
        Image.new("RGB", (size, size), (i * 40, 10, 10)).save(root / "images" / f"{i}.png")
    coco = {"images": [{"id": i + 1, "file_name": f"{i}.png", "width": size, "height": size} for i in range(images)],
            "annotations": annotations, "categories": [{"id": 7, "name": "box"}, {"id": 3, "name": "dot"}]}
    path = root / "annotations.json"
    path.write_text(json.dumps(coco))
    return path


def write_planetoid(root: Path, name: str = "cora", n_train: int = 20, n_val: int = 500, n_test: int = 10,
                    features: int = 6, classes: int = 3) -> Path:
    """A small graph in Planetoid's raw format (pickled scipy/numpy objects), as PyG reads it."""
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    n_all = n_train + n_val
    labels = rng.integers(0, classes, n_all + n_test)
    onehot = np.eye(classes)[labels]
    words = rng.random((n_all + n_test, features)) < 0.5  # binary bag of words, as Cora's
    words[:, 0] = True
    feats = sp.csr_matrix(words.astype(np.float32))
    graph = defaultdict(list)
    for i in range(n_all + n_test):
        for j in rng.integers(0, n_all + n_test, 3):
            graph[i].append(int(j)), graph[int(j)].append(i)
    raw = root / "Cora" / "raw"
    raw.mkdir(parents=True)
    objects = {"x": feats[:n_train], "allx": feats[:n_all], "tx": feats[n_all:], "y": onehot[:n_train],
               "ally": onehot[:n_all], "ty": onehot[n_all:], "graph": graph}
    for key, obj in objects.items():
        with open(raw / f"ind.{name}.{key}", "wb") as f:
            pickle.dump(obj, f)
    (raw / f"ind.{name}.test.index").write_text("\n".join(str(i) for i in range(n_all, n_all + n_test)) + "\n")
    return root


TOPICS = {"sport": "goal match team coach league score", "politics": "vote minister election party law senate",
          "tech": "chip software robot data cloud code"}
FILLER = "the a of today new big report says after more".split()


def write_topics(path: Path, n: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = list(TOPICS)[i % 3]
        words = rng.sample(TOPICS[label].split(), 2) + rng.sample(FILLER, rng.randint(2, 6))
        rng.shuffle(words)
        rows.append([label, " ".join(words)])
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([["label", "text"], *rows])
    return str(path)


SYLLABLES = {"JP": (["ka", "ta", "mo", "shi", "ya", "na", "ri", "ko", "su", "to"], ["moto", "da", "ta", "ra", "shi"]),
             "PL": (["now", "kow", "wal", "ma", "zur", "wo", "jcik", "le", "ban"], ["ski", "wicz", "czyk", "ak"]),
             "IT": (["ros", "bian", "fer", "ma", "ri", "co", "gal", "lu", "ber"], ["ini", "etti", "one", "ello", "ucci"])}


def write_surnames(root: Path, per_country: int) -> Path:
    """A names fixture in the cached per-country format: made-up surnames with each country's endings."""
    rng = random.Random(0)
    folder = Path(cache_dir(str(root), per_country))
    folder.mkdir(parents=True)
    for country, (stems, endings) in SYLLABLES.items():
        names = {"".join(rng.choices(stems, k=rng.randint(1, 2))).title() + rng.choice(endings) for _ in range(per_country * 3)}
        (folder / f"{country}.txt").write_text("\n".join(sorted(names)[:per_country]) + "\n", encoding="utf-8")
    return root


def write_penn_fudan(root: Path, n: int = 7, seed: int | None = None) -> Path:
    """root/PennFudanPed/{PNGImages,PedMasks}: grey photos, palette masks whose values 1, 2 are two pedestrians.
    With ``seed`` the two stand at random places, drawn brighter than a noisy background (something to learn)."""
    folder = root / "PennFudanPed"
    (folder / "PNGImages").mkdir(parents=True)
    (folder / "PedMasks").mkdir()
    rng = np.random.default_rng(seed)
    for i in range(1, n + 1):
        mask = np.zeros((50, 60), np.uint8)
        if seed is None:
            mask[10:40, 5:15] = 1
            mask[20:45, 30:50] = 2  # pedestrian 2
            Image.new("RGB", (60, 50), (90, 90, 90)).save(folder / "PNGImages" / f"FudanPed{i:05d}.png")
        else:
            for k, x in ((1, int(rng.integers(0, 20))), (2, int(rng.integers(32, 50)))):
                y = int(rng.integers(0, 20))
                mask[y:y + 28, x:x + 9] = k
            photo = rng.integers(40, 110, (50, 60, 3)).astype(np.uint8)
            photo[mask > 0] = (200, 150, 120)
            Image.fromarray(photo).save(folder / "PNGImages" / f"FudanPed{i:05d}.png")
        png = Image.fromarray(mask, mode="L").convert("P")  # the data set's masks are palette PNGs
        png.save(folder / "PedMasks" / f"FudanPed{i:05d}_mask.png")
    return root


def write_coco_boxes(root: Path, images: int = 6, size: int = 40) -> Path:
    """A COCO folder whose every image holds one square 'box' instance, as a polygon."""
    square = [[8, 8, 28, 8, 28, 28, 8, 28]]
    annotations = [{"id": i + 1, "image_id": i + 1, "category_id": 7, "bbox": [8, 8, 20, 20], "area": 400,
                    "iscrowd": 0, "segmentation": square} for i in range(images)]
    return write_coco(root, annotations, images=images, size=size)


def write_pairs(path: Path, n: int = 40) -> Path:
    """A translation TSV, source TAB target per line, as the PyTorch tutorial's eng-fra.txt."""
    words = ["home", "now", "away", "here", "there"]
    path.write_text("".join(f"go {words[i % 5]} .\tva {words[i % 5]} !\n" for i in range(n)))
    return path


def write_corpus(path: Path, n: int = 60) -> Path:
    """Plain text, one sentence per line, whose words each occur often enough for min_count=5."""
    rng = random.Random(0)
    words = "the cat dog sat ran on a mat rug big small".split()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(" ".join(rng.choices(words, k=8)) + "\n" for _ in range(n)))
    return path


def write_ag_news(root: Path, n: int = 40) -> Path:
    """root/ag_news/{train,test}.csv as AG News ships them: no header; class 1-4, title, description."""
    folder = root / "ag_news"
    folder.mkdir(parents=True)
    for name, count in (("train.csv", n), ("test.csv", n // 2)):
        with open(folder / name, "w", newline="") as f:
            csv.writer(f).writerows([[i % 4 + 1, f"title {i % 4}", f"news about topic {i % 4} today"]
                                     for i in range(count)])
    return root


def write_text8(root: Path, words: int = 30000) -> Path:
    """root/text8/text8: one line of lower-case words, as the unpacked text8.zip (long enough to be cut
    into the three pieces that train, val and test need)."""
    rng = random.Random(0)
    vocabulary = "the cat dog sat ran on a mat rug big small".split()
    (root / "text8").mkdir(parents=True)
    (root / "text8" / "text8").write_text(" ".join(rng.choices(vocabulary, k=words)))
    return root


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_segmentation_folder(root: Path, splits: dict[str, int], palette: bool = False, size: int = 24) -> Path:
    """root/[split/]{images,masks}/i.png: an 8x8 square of class 1 or 2 per image, the top row unlabelled (255);
    masks as grey (L) or palette (P) PNGs. An empty split name writes images/ and masks/ at the root."""
    rng = np.random.default_rng(0)
    for split, n in splits.items():
        base = root / split if split else root
        (base / "images").mkdir(parents=True, exist_ok=True)
        (base / "masks").mkdir(parents=True, exist_ok=True)
        for i in range(n):
            mask = np.zeros((size, size), np.uint8)
            x0, y0 = rng.integers(2, size // 2, 2)
            mask[y0:y0 + 8, x0:x0 + 8] = 1 + i % 2
            mask[0, :] = 255  # an unlabelled row
            shade = np.where(mask == 255, 0, mask).astype(np.int64)
            image = np.stack([shade * 100, shade * 50, np.full_like(shade, 30)], -1).astype(np.uint8)
            Image.fromarray(image).save(base / "images" / f"{i}.png")
            m = Image.fromarray(mask, mode="L")
            if palette:
                m = m.convert("P")
                m.putpalette([0, 0, 0, 200, 0, 0, 0, 200, 0] + [255, 255, 255] * 253)
            m.save(base / "masks" / f"{i}.png")
    return root


def write_conll(path: Path, n: int = 30) -> Path:
    """CoNLL-2003 style: a -DOCSTART- line, then sentences of 'token POS tag' lines, blank lines between."""
    rows = [("Ana NNP B-PER", "lives VBZ O", "in IN O", "Valencia NNP B-LOC"),
            ("Acme NNP B-ORG", "Corp NNP I-ORG", "hired VBD O", "Luis NNP B-PER")]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("-DOCSTART- -X- O\n\n" + "".join("\n".join(rows[i % 2]) + "\n\n" for i in range(n)))
    return path


def write_tiny_hf(root: Path, words: list[str] | None = None) -> Path:
    """A tiny BERT for sequence classification saved with save_pretrained, and its WordPiece tokenizer
    (the given words, else the grammar corpus's, plus the specials)."""
    import transformers

    from aa.data.grammar import CLASSES

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *(words or sorted({w for ws in CLASSES.values() for w in ws}))]
    config = transformers.BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                     intermediate_size=64, max_position_embeddings=64)
    root.mkdir(parents=True, exist_ok=True)
    transformers.BertForSequenceClassification(config).save_pretrained(root)
    (root / "vocab.txt").write_text("\n".join(vocab) + "\n")
    transformers.BertTokenizer(str(root / "vocab.txt")).save_pretrained(root)
    return root


def write_line_images(root: Path, n: int = 30, seed: int = 0) -> Path:
    """PNG text lines of sklearn digits (dark ink on white, 3x scaled) and transcripts.txt."""
    import torch
    from PIL import Image

    from aa.data.digit_strings import compose_lines

    from sklearn.datasets import load_digits

    d = load_digits()
    x, y = compose_lines(torch.tensor(d.images, dtype=torch.float32) / 16, torch.tensor(d.target), n, 3, 5, 3, 1,
                         torch.Generator().manual_seed(seed))
    root.mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(n):
        pixels = ((1 - x[i, 0]).clamp(0, 1) * 255).to(torch.uint8).numpy()
        Image.fromarray(pixels).resize((pixels.shape[1] * 3, pixels.shape[0] * 3)).save(root / f"line{i}.png")
        lines.append(f"line{i}.png\t" + "".join(str(int(k) - 1) for k in y[i] if k > 0))
    (root / "transcripts.txt").write_text("\n".join(lines) + "\n")
    return root


def write_dtmf_wavs(root: Path, n: int = 20, rate: int = 8000, seed: int = 0) -> Path:
    """16-bit PCM WAV files of keypad tone sequences and transcripts.txt."""
    import wave

    import torch

    from aa.data.dtmf import ALPHABET, synthesize

    waves, y = synthesize(n, rate, 2, 4, (60, 100), (40, 80), (15.0, 25.0), torch.Generator().manual_seed(seed))
    root.mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(n):
        pcm = (waves[i] / waves[i].abs().max() * 30000).to(torch.int16).numpy().tobytes()
        with wave.open(str(root / f"keys{i}.wav"), "wb") as w:
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(rate), w.writeframes(pcm)
        lines.append(f"keys{i}.wav " + "".join(ALPHABET[int(k) - 1] for k in y[i] if k > 0))
    (root / "transcripts.txt").write_text("\n".join(lines) + "\n")
    return root


def write_video_folder(root: Path, clips: dict[str, int], frames: int = 6, size: int = 16) -> Path:
    """root/<split>/{left,right}/<clip>/NNN.png: a bright bar moving left or right over ``frames`` frames."""
    for split, n in clips.items():
        for k, name in enumerate(("left", "right")):
            for c in range(n):
                folder = root / split / name / f"clip{c}"
                folder.mkdir(parents=True)
                for t in range(frames):
                    frame = np.zeros((size, size), np.uint8)
                    x = 2 + t if name == "right" else size - 3 - t
                    frame[:, x] = 255
                    Image.fromarray(frame).save(folder / f"{t:03d}.png")
    return root


def write_video_file(path: Path, pictures: np.ndarray, codec: str = "mpeg4", rate: int = 10) -> Path:
    """A real video file of uint8 RGB pictures (frames, H, W, 3), encoded with PyAV (H and W even)."""
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = pictures.shape[2], pictures.shape[1], "yuv420p"
        for picture in pictures:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")))
        container.mux(stream.encode())
    return path


def moving_square(direction: str, frames: int, size: int, start: int = 2, side: int = 4) -> np.ndarray:
    """uint8 RGB pictures of a yellow square on dark grey moving one pixel a frame "left" or "right"."""
    pictures = np.full((frames, size, size, 3), 30, np.uint8)
    top = (size - side) // 2
    for t in range(frames):
        x = start + t if direction == "right" else size - side - start - t
        pictures[t, top:top + side, x:x + side] = (230, 210, 40)
    return pictures


def write_video_files(root: Path, clips: dict[str, int], frames: int = 8, size: int = 16,
                      suffixes: tuple[str, ...] = (".mp4", ".avi")) -> Path:
    """root/<split>/{left,right}/clipN<suffix>: a square moving left or right, the suffixes taken in turn."""
    for split, n in clips.items():
        for name in ("left", "right"):
            for c in range(n):
                write_video_file(root / split / name / f"clip{c}{suffixes[c % len(suffixes)]}",
                                 moving_square(name, frames, size, start=c % 3))
    return root


def voc_palette() -> list[int]:
    """Pascal VOC's colour map: class c's colour from its bits, 255 (unlabelled) cream."""
    palette = []
    for c in range(256):
        r = g = b = 0
        for shift in range(8):
            r |= ((c >> 0) & 1) << (7 - shift)
            g |= ((c >> 1) & 1) << (7 - shift)
            b |= ((c >> 2) & 1) << (7 - shift)
            c >>= 3
        palette += [r, g, b]
    return palette


def write_voc(root: Path, n_train: int = 8, n_val: int = 4, classes: tuple[int, ...] = (1, 15)) -> Path:
    """root/VOCdevkit/VOC2012 as the VOC 2012 archive lays it out: JPEGImages/*.jpg, SegmentationClass/*.png
    (palette PNGs: a square of one of ``classes`` on background, its border unlabelled, 255) and
    ImageSets/Segmentation/{train,val}.txt. Images alternate between two sizes, as VOC's photos differ."""
    base = root / "VOCdevkit" / "VOC2012"
    for sub in ("JPEGImages", "SegmentationClass", "ImageSets/Segmentation"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for split, n in (("train", n_train), ("val", n_val)):
        names = []
        for i in range(n):
            name = f"2012_{split}{i:04d}"
            h, w = (40, 48) if i % 2 else (48, 40)
            k = classes[i % len(classes)]
            y0, x0 = int(rng.integers(2, h - 22)), int(rng.integers(2, w - 22))
            mask = np.zeros((h, w), np.uint8)
            mask[y0:y0 + 20, x0:x0 + 20] = 255  # the border, unlabelled
            mask[y0 + 1:y0 + 19, x0 + 1:x0 + 19] = k
            colour = np.array([40, 40, 40]) + (np.array([180, 30, 30]) if k == classes[0] else np.array([30, 30, 180]))
            image = np.where((mask > 0)[..., None], colour, 40).astype(np.uint8)
            Image.fromarray(image).save(base / "JPEGImages" / f"{name}.jpg", quality=95)
            png = Image.fromarray(mask, mode="P")
            png.putpalette(voc_palette())
            png.save(base / "SegmentationClass" / f"{name}.png")
            names.append(name)
        (base / "ImageSets" / "Segmentation" / f"{split}.txt").write_text("\n".join(names) + "\n")
    return root
