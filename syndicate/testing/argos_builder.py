"""Build real Argos Translate packages whose CTranslate2 weights are written from numpy.

Five kinds, all real ``.argosmodel`` zips (metadata.json, sentencepiece.model, CTranslate2
model/) that argostranslate installs and CTranslate2 runs:

- ``copy``: the output tokens are exactly the input tokens;
- ``pseudo``: the output projection permutes word pieces, so every word changes while digits,
  punctuation and placeholders stay;
- ``base``: transformer-base sized (6+6 layers, d_model 512, 32k vocabulary, int8) with random
  weights around the copy circuit, so its output length is fixed (the input's): for benchmarks;
- ``mute``: a broken model that ends every output at once (empty text), as a damaged or
  mis-built package does;
- ``unsure``: the copy with flattened logits, so the engine's own confidence is low.

How one layer copies (pre-norm Transformer, all other weights zero): the residual stream is
``[code | position | pad]``. Encoder embeddings carry a balanced +-1 code per token, position
encodings carry each position's bits as balanced +-1 pairs, so every vector has mean zero and
a fixed norm and layer norms only rescale. Decoder embeddings are zero, so decoder step t knows
only its position; its cross-attention compares position bits, so step t attends to source
position t, and the value carries that token's code. The output projection maps codes back to
vocabulary logits. ``add_source_eos`` makes the copy of ``</s>`` end the output.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sentencepiece as spm

from . import corpus

SPECIALS = ("<unk>", "<s>", "</s>")
POSITION_BITS = 10  # up to 1024 positions


@dataclass(frozen=True)
class ModelShape:
    """Sizes of a built model."""

    d_model: int
    heads: int
    layers: int
    ffn: int
    vocab_size: int | None  # pad the CTranslate2 vocabulary to this size (None: SP size)
    quantization: str | None
    noise: float


COPY_SHAPE = ModelShape(d_model=256, heads=1, layers=1, ffn=64, vocab_size=None,
                        quantization=None, noise=0.0)
BASE_SHAPE = ModelShape(d_model=512, heads=8, layers=6, ffn=2048, vocab_size=32000,
                        quantization="int8", noise=0.02)


def train_sentencepiece(vocab_size: int = 2000, extra_text: tuple[str, ...] = ()) -> bytes:
    """Train a lossless SentencePiece model (identity normalization, byte fallback)."""
    text = [*corpus.sentences(6000, seed=11), *extra_text]
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(text), model_writer=model, vocab_size=vocab_size,
        model_type="unigram", normalization_rule_name="identity", byte_fallback=True,
        character_coverage=1.0, split_digits=True, unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
        hard_vocab_limit=False, minloglevel=2, num_threads=1,
    )
    return model.getvalue()


def pieces_of(sp_model: bytes) -> list[str]:
    """Return the pieces of a SentencePiece model, by id."""
    processor = spm.SentencePieceProcessor(model_proto=sp_model)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def pseudo_permutation(vocab: list[str], seed: int = 3) -> np.ndarray:
    """Return a permutation that moves every word piece to another piece of the same class.

    Word-initial alphabetic pieces ("▁word") and continuation pieces ("ing") are each deranged
    among themselves; digits, punctuation, byte pieces and special tokens stay put.
    """
    perm = np.arange(len(vocab))
    rng = np.random.default_rng(seed)
    initial = [i for i, p in enumerate(vocab) if p.startswith("▁") and p[1:].isalpha()]
    continuation = [i for i, p in enumerate(vocab) if p.isalpha() and not p.startswith("<")]
    for group in (initial, continuation):
        if len(group) < 2:
            continue
        order = rng.permutation(group)
        perm[order] = np.roll(order, 1)  # a cycle through the shuffled order: no fixed point
    return perm


def build_model(model_dir: Path, vocab: list[str], shape: ModelShape, *, kind: str,
                seed: int = 5) -> None:
    """Write a CTranslate2 Transformer model to ``model_dir`` from numpy weights."""
    from ctranslate2.specs import transformer_spec

    vocab = list(vocab)
    if shape.vocab_size is not None:
        vocab += [f"<extra_{i}>" for i in range(shape.vocab_size - len(vocab))]
    rng = np.random.default_rng(seed)
    d, h = shape.d_model, shape.heads
    dh = d // h
    p = 2 * POSITION_BITS
    c_head = (dh if h > 1 else d - p) // 2 * 2  # code dims carried per head
    if h > 1:
        c_head = min(c_head, (d - p) // h // 2 * 2)
    code_dims = c_head * h
    n = len(vocab)

    codes = _balanced_codes(n, code_dims, rng) * 4.0
    positions = _position_codes(1024) * 4.0

    spec = transformer_spec.TransformerSpec.from_config((shape.layers, shape.layers), h)
    spec.config.add_source_eos = True
    spec.encoder.scale_embeddings = False
    spec.decoder.scale_embeddings = False

    def noise(*dims: int) -> np.ndarray:
        return (rng.standard_normal(dims) * shape.noise).astype(np.float32)

    def zeros(*dims: int) -> np.ndarray:
        return np.zeros(dims, dtype=np.float32)

    def norm(layer_norm: object) -> None:
        layer_norm.gamma = np.ones(d, dtype=np.float32)  # type: ignore[attr-defined]
        layer_norm.beta = zeros(d)  # type: ignore[attr-defined]

    def fill_attention(att: object, fused: int) -> None:
        norm(att.layer_norm)  # type: ignore[attr-defined]
        linears = att.linear  # type: ignore[attr-defined]
        if fused == 3:  # self-attention: fused qkv, then output
            linears[0].weight, linears[0].bias = noise(3 * d, d), zeros(3 * d)
            linears[1].weight, linears[1].bias = noise(d, d), zeros(d)
        else:  # cross-attention: q, fused kv, output
            linears[0].weight, linears[0].bias = noise(d, d), zeros(d)
            linears[1].weight, linears[1].bias = noise(2 * d, d), zeros(2 * d)
            linears[2].weight, linears[2].bias = noise(d, d), zeros(d)

    def fill_ffn(ffn: object) -> None:
        norm(ffn.layer_norm)  # type: ignore[attr-defined]
        ffn.linear_0.weight = noise(shape.ffn, d)  # type: ignore[attr-defined]
        ffn.linear_0.bias = zeros(shape.ffn)  # type: ignore[attr-defined]
        ffn.linear_1.weight = noise(d, shape.ffn)  # type: ignore[attr-defined]
        ffn.linear_1.bias = zeros(d)  # type: ignore[attr-defined]

    # Residual layout: [code: 0..code_dims | position: code_dims..code_dims+p | pad].
    enc_embed = zeros(n, d)
    enc_embed[:, :code_dims] = codes
    pos_table = zeros(1024, d)
    pos_table[:, code_dims:code_dims + p] = positions
    spec.encoder.embeddings[0].weight = enc_embed
    spec.encoder.position_encodings.encodings = pos_table
    for layer in spec.encoder.layer:
        fill_attention(layer.self_attention, 3)
        fill_ffn(layer.ffn)
    norm(spec.encoder.layer_norm)

    spec.decoder.embeddings.weight = zeros(n, d)
    spec.decoder.position_encodings.encodings = pos_table
    for layer in spec.decoder.layer:
        fill_attention(layer.self_attention, 3)
        fill_attention(layer.attention, 2)
        fill_ffn(layer.ffn)
    _copy_circuit(spec.decoder.layer[0].attention, d, h, dh, c_head, code_dims, p)
    norm(spec.decoder.layer_norm)

    out_codes = codes if kind != "pseudo" else codes[np.argsort(pseudo_permutation(vocab))]
    projection = zeros(n, d)
    # "unsure": the same copy, its logits flattened, so every token is barely the likeliest
    projection[:, :code_dims] = out_codes * (0.002 if kind == "unsure" else 1.0)
    spec.decoder.projection.weight = projection
    spec.decoder.projection.bias = zeros(n)
    if kind == "mute":  # a broken model: nothing but control tokens, whatever the input
        spec.decoder.projection.bias[vocab.index("</s>")] = 1000.0
        spec.decoder.projection.bias[vocab.index("<s>")] = 999.0  # when </s> may not come yet

    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    spec.optimize(quantization=shape.quantization)
    model_dir.mkdir(parents=True, exist_ok=True)
    spec.save(str(model_dir))


def _copy_circuit(att: object, d: int, h: int, dh: int, c_head: int, code_dims: int,
                  p: int) -> None:
    """Make every head attend from decoder position t to source position t and carry codes."""
    sharp = 40.0  # softmax temperature: the matching position wins by a wide margin
    q = np.zeros((d, d), dtype=np.float32)
    kv = np.zeros((2 * d, d), dtype=np.float32)
    out = np.zeros((d, d), dtype=np.float32)
    for head in range(h):
        base = head * dh
        q[base:base + p, code_dims:code_dims + p] = np.eye(p) * sharp
        kv[base:base + p, code_dims:code_dims + p] = np.eye(p)  # keys: positions
        start = head * c_head
        kv[d + base:d + base + c_head, start:start + c_head] = np.eye(c_head)  # values: codes
        out[start:start + c_head, base:base + c_head] = np.eye(c_head) * 4.0
    linears = att.linear  # type: ignore[attr-defined]
    linears[0].weight, linears[1].weight, linears[2].weight = q, kv, out


def _balanced_codes(n: int, dims: int, rng: np.random.Generator) -> np.ndarray:
    """Return n distinct +-1 rows with as many +1 as -1 (mean zero, fixed norm)."""
    base = np.array([1.0, -1.0] * (dims // 2), dtype=np.float32)
    rows = np.stack([rng.permutation(base) for _ in range(n)])
    return rows


def _position_codes(count: int) -> np.ndarray:
    """Return each position's bits as (+1, -1) / (-1, +1) pairs: mean zero, fixed norm."""
    out = np.zeros((count, 2 * POSITION_BITS), dtype=np.float32)
    for t in range(count):
        for b in range(POSITION_BITS):
            bit = (t >> b) & 1
            out[t, 2 * b], out[t, 2 * b + 1] = (1.0, -1.0) if bit else (-1.0, 1.0)
    return out


def build_package(out_dir: Path, from_code: str, to_code: str, *, kind: str = "copy",
                  version: str = "1.0", sp_model: bytes | None = None,
                  shape: ModelShape | None = None) -> Path:
    """Write ``translate-<from>_<to>-<version>.argosmodel`` into out_dir and return its path."""
    sp_model = sp_model if sp_model is not None else train_sentencepiece()
    shape = shape or (BASE_SHAPE if kind == "base" else COPY_SHAPE)
    name = f"translate-{from_code}_{to_code}-{version.replace('.', '_')}"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / name
        build_model(root / "model", pieces_of(sp_model), shape, kind=kind)
        (root / "sentencepiece.model").write_bytes(sp_model)
        metadata = {
            "package_version": version, "argos_version": "1.9", "type": "translate",
            "from_code": from_code, "from_name": from_code, "to_code": to_code,
            "to_name": to_code, "links": [],
            # Not a translation model: the service labels it so, wherever it lists models.
            "syndicate_test_package": kind,
        }
        (root / "metadata.json").write_text(json.dumps(metadata, indent=2))
        (root / "README.md").write_text(f"syndicate test package ({kind}): not a real model.\n")
        out_dir.mkdir(parents=True, exist_ok=True)
        archive = out_dir / f"{name}.argosmodel"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(root.rglob("*")):
                zf.write(path, path.relative_to(root.parent).as_posix())
    return archive



def main(argv: list[str] | None = None) -> int:
    """Build a test package from the command line (for demos and manual checks)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m syndicate.testing.argos_builder",
        description="Build a syndicate test package (.argosmodel): not a real translation model.")
    parser.add_argument("--from", dest="source", default="en")
    parser.add_argument("--to", dest="target", default="es")
    parser.add_argument("--kind", choices=("copy", "pseudo", "base", "mute", "unsure"),
                        default="copy")
    parser.add_argument("--version", default="1.0")
    parser.add_argument("--out", type=Path, default=Path("."))
    args = parser.parse_args(argv)
    path = build_package(args.out, args.source, args.target, kind=args.kind, version=args.version)
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
