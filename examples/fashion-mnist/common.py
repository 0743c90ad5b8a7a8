"""What train.py and evaluate.py share: the dataset of PNG files in class folders, the model, and
the device choice (the GPU the agent bound through CUDA_VISIBLE_DEVICES, else the CPU)."""
import io
import os

import torch
from PIL import Image
from torch import nn

CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]


class PngFolder(torch.utils.data.Dataset):
    """SPLIT_DIR/<label>/<index>.png → (1×28×28 float tensor in [0, 1], label). Files are read with
    plain open()/read(), as any loader reading a mounted dataset would."""

    def __init__(self, split_dir):
        self.items = []
        for label in sorted(os.listdir(split_dir), key=int):
            folder = os.path.join(split_dir, label)
            for name in sorted(os.listdir(folder)):
                self.items.append((os.path.join(folder, name), int(label)))
        if not self.items:
            raise SystemExit(f"{split_dir}: no images (is the dataset loaded and mounted?)")

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        path, label = self.items[i]
        with open(path, "rb") as f:
            img = Image.open(io.BytesIO(f.read()))
            img.load()
        x = torch.frombuffer(bytearray(img.tobytes()), dtype=torch.uint8).reshape(1, 28, 28).float() / 255.0
        return x, label


class SmallCnn(nn.Module):
    """Two convolutions and two linear layers: ~85 % on Fashion-MNIST after one epoch."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def device():
    if torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


def log(msg):
    print(msg, flush=True)
