"""Generates the tiny ONNX graphs and reference outputs used by the runtime tests.

The graphs follow the PGDiffSeg graph contract (names, ranks, dynamic batch) at toy size:
  prior.onnx     image [N,1,16,16] -> prior [N,8,8,8], class_logits [N,3], coarse_mask [N,1,8,8]
  denoiser.onnx  x_t [N,1,16,16], image [N,1,16,16], t [N], prior [N,8,8,8] -> eps [N,1,16,16]
plus two graphs for failure paths:
  prior_fixed_batch.onnx  same contract, but a Reshape pins the batch to 1, so ONNX Runtime fails at N > 1
  denoiser_without_t.onnx a denoiser that lacks the `t` input (contract mismatch)

Reference outputs are computed with onnxruntime (CPU) on seeded inputs and written as JSON.

Usage: python make_runtime_test_graphs.py [--out DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import TensorProto, helper

HEIGHT = WIDTH = 16
PRIOR_CHANNELS = 8
CLASSES = 3
OPSET = 17
IR_VERSION = 8  # what opset 17 needs; onnx 1.23 would write IR 14, newer than ONNX Runtime 1.29 reads


class TinyPrior(torch.nn.Module):
    """Two convolutions, a classification head and a coarse-mask head."""

    def __init__(self) -> None:
        super().__init__()
        self.down = torch.nn.Conv2d(1, 4, 3, stride=2, padding=1)
        self.mix = torch.nn.Conv2d(4, PRIOR_CHANNELS, 3, padding=1)
        self.classify = torch.nn.Linear(PRIOR_CHANNELS, CLASSES)
        self.coarse = torch.nn.Conv2d(PRIOR_CHANNELS, 1, 1)

    def forward(self, image: torch.Tensor):
        prior = self.mix(torch.relu(self.down(image)))
        class_logits = self.classify(prior.mean(dim=(2, 3)))
        coarse_mask = self.coarse(prior)
        return prior, class_logits, coarse_mask


class TinyDenoiser(torch.nn.Module):
    """eps = conv([x_t, image]) + upsampled projection of the prior + a sinusoidal function of t."""

    def __init__(self) -> None:
        super().__init__()
        self.body = torch.nn.Conv2d(2, 1, 3, padding=1)
        self.project = torch.nn.Conv2d(PRIOR_CHANNELS, 1, 1)

    def forward(self, x_t, image, t, prior):
        features = self.body(torch.cat([x_t, image], dim=1))
        guidance = torch.nn.functional.interpolate(self.project(prior), scale_factor=2.0, mode="nearest")
        time = torch.sin(t / 100.0).reshape(-1, 1, 1, 1)
        return features + guidance + 0.5 * time


def export(model: torch.nn.Module, args: tuple, inputs: list[str], outputs: list[str], path: Path) -> None:
    dynamic = {name: {0: "N"} for name in inputs + outputs}
    torch.onnx.export(model, args, str(path), input_names=inputs, output_names=outputs,
                      dynamic_axes=dynamic, opset_version=OPSET, dynamo=False)
    onnx.checker.check_model(onnx.load(str(path)))


def make_prior_fixed_batch(path: Path) -> None:
    """A prior whose Reshape pins N to 1: it loads with the right contract but fails to run at N > 1."""
    image = helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 1, HEIGHT, WIDTH])
    outputs = [
        helper.make_tensor_value_info("prior", TensorProto.FLOAT, ["N", PRIOR_CHANNELS, 8, 8]),
        helper.make_tensor_value_info("class_logits", TensorProto.FLOAT, ["N", CLASSES]),
        helper.make_tensor_value_info("coarse_mask", TensorProto.FLOAT, ["N", 1, 8, 8]),
    ]
    shape_of = lambda name, dims: helper.make_tensor(name, TensorProto.INT64, [len(dims)], dims)
    nodes = [
        helper.make_node("AveragePool", ["image"], ["pooled"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Reshape", ["pooled", "one_by_64"], ["flat"]),
        helper.make_node("Reshape", ["flat", "prior_shape"], ["single"]),
        helper.make_node("Tile", ["single", "tile_channels"], ["prior"]),
        helper.make_node("Reshape", ["pooled", "coarse_shape"], ["coarse_mask"]),
        helper.make_node("ReduceMean", ["flat"], ["mean"], axes=[1], keepdims=1),
        helper.make_node("Tile", ["mean", "tile_classes"], ["class_logits"]),
    ]
    initializers = [
        shape_of("one_by_64", [1, 64]),
        shape_of("prior_shape", [-1, 1, 8, 8]),
        shape_of("tile_channels", [1, PRIOR_CHANNELS, 1, 1]),
        shape_of("coarse_shape", [-1, 1, 8, 8]),
        shape_of("tile_classes", [1, CLASSES]),
    ]
    graph = helper.make_graph(nodes, "prior_fixed_batch", [image], outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=IR_VERSION)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def make_denoiser_without_t(path: Path) -> None:
    """eps = x_t + image + upsample(mean(prior)): right output, but no `t` input."""
    inputs = [
        helper.make_tensor_value_info("x_t", TensorProto.FLOAT, ["N", 1, HEIGHT, WIDTH]),
        helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 1, HEIGHT, WIDTH]),
        helper.make_tensor_value_info("prior", TensorProto.FLOAT, ["N", PRIOR_CHANNELS, 8, 8]),
    ]
    eps = helper.make_tensor_value_info("eps", TensorProto.FLOAT, ["N", 1, HEIGHT, WIDTH])
    nodes = [
        helper.make_node("Add", ["x_t", "image"], ["eps"]),
    ]
    graph = helper.make_graph(nodes, "denoiser_without_t", inputs, [eps])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=IR_VERSION)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def reference(out: Path, batch: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    image = rng.uniform(-1.0, 1.0, (batch, 1, HEIGHT, WIDTH)).astype(np.float32)
    x_t = rng.standard_normal((batch, 1, HEIGHT, WIDTH)).astype(np.float32)
    t = rng.uniform(0.0, 1000.0, (batch,)).astype(np.float32)
    options = ort.SessionOptions()
    prior_session = ort.InferenceSession(str(out / "prior.onnx"), options, providers=["CPUExecutionProvider"])
    denoiser_session = ort.InferenceSession(str(out / "denoiser.onnx"), options, providers=["CPUExecutionProvider"])
    prior, class_logits, coarse_mask = prior_session.run(["prior", "class_logits", "coarse_mask"], {"image": image})
    (eps,) = denoiser_session.run(["eps"], {"x_t": x_t, "image": image, "t": t, "prior": prior})
    as_list = lambda a: [float(v) for v in np.asarray(a, dtype=np.float32).ravel()]
    return {
        "batch": batch,
        "seed": seed,
        "image": as_list(image),
        "x_t": as_list(x_t),
        "t": as_list(t),
        "prior": as_list(prior),
        "class_logits": as_list(class_logits),
        "coarse_mask": as_list(coarse_mask),
        "eps": as_list(eps),
    }


def main() -> None:
    default_out = Path(__file__).resolve().parents[1] / "resources" / "runtime"
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=default_out, help="output folder (default: %(default)s)")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    torch.manual_seed(20241023)
    example_image = torch.zeros(2, 1, HEIGHT, WIDTH)
    prior_model = TinyPrior().eval()
    export(prior_model, (example_image,), ["image"], ["prior", "class_logits", "coarse_mask"], out / "prior.onnx")
    denoiser_model = TinyDenoiser().eval()
    example_prior = torch.zeros(2, PRIOR_CHANNELS, 8, 8)
    export(denoiser_model, (example_image, example_image, torch.zeros(2), example_prior),
           ["x_t", "image", "t", "prior"], ["eps"], out / "denoiser.onnx")
    make_prior_fixed_batch(out / "prior_fixed_batch.onnx")
    make_denoiser_without_t(out / "denoiser_without_t.onnx")

    for batch, seed in ((1, 7), (4, 11)):
        path = out / f"reference_b{batch}.json"
        path.write_text(json.dumps(reference(out, batch, seed)) + "\n")


if __name__ == "__main__":
    main()
