"""Small builders for model repositories in tests: python models, ensembles, tiny ONNX files."""

from __future__ import annotations

from pathlib import Path

PY_MODEL = "import numpy as np\n\n\nclass TritonPythonModel:\n    def execute(self, requests):\n        return []\n"


def tensors(kind: str, *specs: tuple[str, str, list[int]]) -> str:
    items = ",\n".join(f'  {{ name: "{n}" data_type: {t} dims: {list(d)} }}' for n, t, d in specs)
    return f"{kind} [\n{items}\n]\n"


def python_config(name: str, mbs: int = 8, inputs=(("X", "TYPE_FP32", [4]),), outputs=(("Y", "TYPE_FP32", [4]),),
                  extra: str = "") -> str:
    return (f'name: "{name}"\nbackend: "python"\nmax_batch_size: {mbs}\n'
            + tensors("input", *inputs) + tensors("output", *outputs) + extra)


def python_model(name: str, config: str | None = None, **kwargs) -> dict[str, str | bytes]:
    return {f"{name}/config.pbtxt": config if config is not None else python_config(name, **kwargs),
            f"{name}/1/model.py": PY_MODEL}


def ensemble_config(name: str, steps: str, mbs: int = 8, inputs=(("IN", "TYPE_FP32", [4]),),
                    outputs=(("OUT", "TYPE_FP32", [4]),), extra: str = "") -> str:
    return (f'name: "{name}"\nplatform: "ensemble"\nmax_batch_size: {mbs}\n' + tensors("input", *inputs)
            + tensors("output", *outputs) + f"ensemble_scheduling {{\n  step [\n{steps}\n  ]\n}}\n" + extra)


def step(model: str, inputs: dict[str, str], outputs: dict[str, str], version: int | None = -1) -> str:
    lines = [f'      model_name: "{model}"']
    if version is not None:
        lines.append(f"      model_version: {version}")
    lines += [f'      input_map {{ key: "{k}" value: "{v}" }}' for k, v in inputs.items()]
    lines += [f'      output_map {{ key: "{k}" value: "{v}" }}' for k, v in outputs.items()]
    return "    {\n" + "\n".join(lines) + "\n    }"


def ensemble_model(name: str, steps: list[str], **kwargs) -> dict[str, str | bytes]:
    return {f"{name}/config.pbtxt": ensemble_config(name, ",\n".join(steps), **kwargs), f"{name}/1/": ""}


def chain_repo() -> dict[str, str | bytes]:
    """a: X->Y, b: Y->Z (FP32 [4], max_batch_size 8), and the ensemble e: IN -a-> mid -b-> OUT."""
    return {
        **python_model("a"),
        **python_model("b", inputs=(("Y", "TYPE_FP32", [4]),), outputs=(("Z", "TYPE_FP32", [4]),)),
        **ensemble_model("e", [step("a", {"X": "IN"}, {"Y": "mid"}), step("b", {"Y": "mid"}, {"Z": "OUT"})]),
    }


def onnx_bytes(inputs: list[tuple[str, int, list]], outputs: list[tuple[str, int, list]]) -> bytes:
    """A tiny ONNX graph: each output is Identity of the first input (shapes as declared)."""
    from onnx import TensorProto, helper  # noqa: F401  (TensorProto constants are what callers pass)

    ins = [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs]
    outs = [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs]
    nodes = [helper.make_node("Identity", [inputs[0][0]], [n]) for n, _t, _s in outputs]
    graph = helper.make_graph(nodes, "g", ins, outs)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString()


def onnx_model(name: str, config: str, model: bytes, filename: str = "1/model.onnx") -> dict[str, str | bytes]:
    return {f"{name}/config.pbtxt": config, f"{name}/{filename}": model}


def write_repo(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        if rel.endswith("/"):
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root
