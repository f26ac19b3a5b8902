"""Model sizes. One architecture, two widths: `paper` (base 64 channels) and the CPU default `cpu`."""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class ModelConfig:
    name: str = "cpu"
    image_size: int = 128
    base_channels: int = 16
    channel_mults: tuple[int, ...] = (1, 2, 4, 8)
    sdb_layers: int = 3            # layers of each slim dense block
    sdb_scale: float = 0.2         # beta of Equation 1
    psa_max_tokens: int = 256      # keys/values of PSA are pooled to at most this many positions
    attention_head_dim: int = 32
    num_classes: int = 2           # gate classes: no_tumor, tumor
    dropout: float = 0.0
    num_train_timesteps: int = 1000
    beta_start: float = 1e-4
    beta_end: float = 2e-2
    # What the denoiser graph predicts: epsilon (the paper), v_prediction or sample (docs/model.md).
    prediction_type: str = "epsilon"

    @property
    def channels(self) -> list[int]:
        return [self.base_channels * m for m in self.channel_mults]

    @property
    def prior_channels(self) -> int:
        return self.channels[-1]

    @property
    def bottleneck_size(self) -> int:
        return self.image_size // (2 ** len(self.channel_mults))

    def to_dict(self) -> dict:
        d = asdict(self)
        d["channel_mults"] = list(self.channel_mults)
        return d

    @staticmethod
    def from_dict(d: dict) -> "ModelConfig":
        d = dict(d)
        d["channel_mults"] = tuple(d["channel_mults"])
        return ModelConfig(**d)


SIZES: dict[str, ModelConfig] = {
    "cpu": ModelConfig(),
    "paper": ModelConfig(name="paper", base_channels=64, dropout=0.1),
    # Random-weight graphs for unit tests: the same architecture at its smallest useful width.
    "tiny": ModelConfig(name="tiny", image_size=32, base_channels=4, sdb_layers=2, psa_max_tokens=16,
                        attention_head_dim=8),
}


def size(name: str, **overrides) -> ModelConfig:
    if name not in SIZES:
        raise ValueError(f"unknown model size {name!r}, expected one of {sorted(SIZES)}")
    return replace(SIZES[name], **overrides)
