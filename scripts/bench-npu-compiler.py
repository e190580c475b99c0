#!/usr/bin/env python3
"""Quality figures of the NPU compiler (issue 4, "Quality").

Builds nothing: runs the tools of an existing build (gaon-compile and
gaon-sim in BUILD/bin) and prints

  1. per preset, a compute-bound GEMM 4096^3 at the preset's best tensor
     precision: simulated cycles, the roofline bound (the larger of the MACs
     at the chip's peak MAC rate and the operand bytes at DRAM peak) and
     bound / simulated (goal >= 0.85);
  2. per preset, a decode-style GEMV 1x4096x4096: useful DRAM bytes (the
     operands, each once) per simulated second over the DRAM peak
     (goal >= 0.80);
  3. a Llama-style decoder layer at Llama-3-8B sizes (generated here in the
     form of models/fixtures/decoder-layer.mlir) compiled with neither,
     either or both of fusion and double buffering: simulated cycles, so
     each pass's effect shows;
  4. the wall-clock time of gaon-compile --target npu:rngd on a stack of 32
     such layers, weights as function arguments (goal <= 10 s).

Labels: "simulated" comes from gaon-sim's event-driven timing, "modeled" is
arithmetic on the chip description (gaon-sim --describe), "measured" is wall
time on this machine.

    scripts/bench-npu-compiler.py [--build build] [--presets atom,rngd]
        [--skip gemm,gemv,decoder,compile] [--keep DIR]
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

PRESETS = ["rngd", "warboy", "atom", "rebel-quad", "x220", "systolic-32x32"]

# Tensor-engine precisions in order of preference, with the MLIR element
# type of the operands and of the accumulator / result.
PRECISIONS = [
    ("bf16", "bf16", "f32"),
    ("fp16", "f16", "f32"),
    ("int8", "i8", "i32"),
]
BYTES = {"bf16": 2, "f16": 2, "f32": 4, "i8": 1, "i32": 4}


def zero_of(elem):
    return "0" if elem.startswith("i") else "0.0"


def matmul_module(m, n, k, in_type, acc_type):
    """linalg.matmul (m x k) * (k x n) with a zero-filled accumulator."""
    return f"""func.func @main(%a: tensor<{m}x{k}x{in_type}>,
                %b: tensor<{k}x{n}x{in_type}>) -> tensor<{m}x{n}x{acc_type}> {{
  %zero = arith.constant {zero_of(acc_type)} : {acc_type}
  %empty = tensor.empty() : tensor<{m}x{n}x{acc_type}>
  %acc = linalg.fill ins(%zero : {acc_type})
      outs(%empty : tensor<{m}x{n}x{acc_type}>) -> tensor<{m}x{n}x{acc_type}>
  %c = linalg.matmul
      ins(%a, %b : tensor<{m}x{k}x{in_type}>, tensor<{k}x{n}x{in_type}>)
      outs(%acc : tensor<{m}x{n}x{acc_type}>) -> tensor<{m}x{n}x{acc_type}>
  return %c : tensor<{m}x{n}x{acc_type}>
}}
"""


def decoder_module(layers, seq, hidden, heads, ffn):
    """A stack of `layers` Llama-style decoder layers (prefill of `seq`
    tokens) in the linalg-on-tensors form of models/fixtures/decoder-layer.mlir:
    RMSNorm, Q/K/V projections, causal softmax attention over `heads` heads,
    output projection and residual, RMSNorm, SwiGLU feed-forward, residual.
    bf16, norms and softmax in f32; weights and the causal mask (additive,
    seq x seq) are function arguments, so nothing is materialised."""
    S, D, H, F = seq, hidden, heads, ffn
    Dh = D // H
    t = lambda *dims, e="bf16": "tensor<" + "x".join(map(str, dims)) + "x" + e + ">"
    args = [f"%x: {t(S, D)}", f"%mask: {t(S, S)}"]
    body = []
    emit = body.append
    emit("  %zero = arith.constant 0.0 : bf16")
    emit("  %ninf = arith.constant 0xFF80 : bf16")
    emit("  %zero32 = arith.constant 0.0 : f32")
    emit(f"  %eS = tensor.empty() : {t(S, e='f32')}")
    emit(f"  %zS = linalg.fill ins(%zero32 : f32) outs(%eS : {t(S, e='f32')}) -> {t(S, e='f32')}")
    emit(f"  %eD = tensor.empty() : {t(S, D)}")
    emit(f"  %zD = linalg.fill ins(%zero : bf16) outs(%eD : {t(S, D)}) -> {t(S, D)}")
    emit(f"  %eF = tensor.empty() : {t(S, F)}")
    emit(f"  %zF = linalg.fill ins(%zero : bf16) outs(%eF : {t(S, F)}) -> {t(S, F)}")
    emit(f"  %eH = tensor.empty() : {t(H, S, Dh)}")
    emit(f"  %eKT = tensor.empty() : {t(H, Dh, S)}")
    emit(f"  %eP = tensor.empty() : {t(H, S, S)}")
    emit(f"  %eP32 = tensor.empty() : {t(H, S, S, e='f32')}")
    emit(f"  %zP = linalg.fill ins(%zero : bf16) outs(%eP : {t(H, S, S)}) -> {t(H, S, S)}")
    emit(f"  %zH = linalg.fill ins(%zero : bf16) outs(%eH : {t(H, S, Dh)}) -> {t(H, S, Dh)}")
    emit(f"  %eR = tensor.empty() : {t(H, S)}")
    emit(f"  %minf = linalg.fill ins(%ninf : bf16) outs(%eR : {t(H, S)}) -> {t(H, S)}")
    emit(f"  %eR32 = tensor.empty() : {t(H, S, e='f32')}")
    emit(f"  %zR = linalg.fill ins(%zero32 : f32) outs(%eR32 : {t(H, S, e='f32')}) -> {t(H, S, e='f32')}")
    emit(f"  %eSHD = tensor.empty() : {t(S, H, Dh)}")

    def rmsnorm(p, x, g):
        emit(f"""  %{p}ss = linalg.generic {{indexing_maps = [#id2, #row2], iterator_types = ["parallel", "reduction"]}}
      ins({x} : {t(S, D)}) outs(%zS : {t(S, e='f32')}) {{
  ^bb0(%a: bf16, %acc: f32):
    %af = arith.extf %a : bf16 to f32
    %sq = arith.mulf %af, %af : f32
    %s = arith.addf %sq, %acc : f32
    linalg.yield %s : f32
  }} -> {t(S, e='f32')}
  %{p}n = linalg.generic {{indexing_maps = [#id2, #row2, #col2, #id2], iterator_types = ["parallel", "parallel"]}}
      ins({x}, %{p}ss, {g} : {t(S, D)}, {t(S, e='f32')}, {t(D)}) outs(%eD : {t(S, D)}) {{
  ^bb0(%a: bf16, %ss: f32, %g: bf16, %out: bf16):
    %dim = arith.constant {float(D)} : f32
    %eps = arith.constant 1.0e-05 : f32
    %mean = arith.divf %ss, %dim : f32
    %var = arith.addf %mean, %eps : f32
    %r = math.rsqrt %var : f32
    %af = arith.extf %a : bf16 to f32
    %yf = arith.mulf %af, %r : f32
    %y = arith.truncf %yf : f32 to bf16
    %z = arith.mulf %y, %g : bf16
    linalg.yield %z : bf16
  }} -> {t(S, D)}""")
        return f"%{p}n"

    def matmul(name, x, w, k, n, init):
        emit(f"  %{name} = linalg.matmul ins({x}, {w} : {t(S, k)}, {t(k, n)}) "
             f"outs({init} : {t(S, n)}) -> {t(S, n)}")
        return f"%{name}"

    def add(name, a, b):
        emit(f"""  %{name} = linalg.generic {{indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}}
      ins({a}, {b} : {t(S, D)}, {t(S, D)}) outs(%eD : {t(S, D)}) {{
  ^bb0(%a: bf16, %b: bf16, %o: bf16):
    %s = arith.addf %a, %b : bf16
    linalg.yield %s : bf16
  }} -> {t(S, D)}""")
        return f"%{name}"

    x = "%x"
    for layer in range(layers):
        p = f"l{layer}_"
        for name, shape in (("g1", [D]), ("wq", [D, D]), ("wk", [D, D]),
                            ("wv", [D, D]), ("wo", [D, D]), ("g2", [D]),
                            ("wg", [D, F]), ("wu", [D, F]), ("wd", [F, D])):
            args.append(f"%{p}{name}: {t(*shape)}")
        n1 = rmsnorm(p + "a", x, f"%{p}g1")
        heads_of = {}
        for proj in ("q", "k", "v"):
            y = matmul(p + proj, n1, f"%{p}w{proj}", D, D, "%zD")
            emit(f"  %{p}{proj}3 = tensor.expand_shape {y} [[0], [1, 2]] "
                 f"output_shape [{S}, {H}, {Dh}] : {t(S, D)} into {t(S, H, Dh)}")
            perm, out, empty = ("[1, 2, 0]", t(H, Dh, S), "%eKT") if proj == "k" \
                else ("[1, 0, 2]", t(H, S, Dh), "%eH")
            emit(f"  %{p}{proj}h = linalg.transpose ins(%{p}{proj}3 : {t(S, H, Dh)}) "
                 f"outs({empty} : {out}) permutation = {perm}")
            heads_of[proj] = f"%{p}{proj}h"
        emit(f"""  %{p}scores = linalg.batch_matmul ins({heads_of['q']}, {heads_of['k']} : {t(H, S, Dh)}, {t(H, Dh, S)})
      outs(%zP : {t(H, S, S)}) -> {t(H, S, S)}
  %{p}masked = linalg.generic {{indexing_maps = [#id3, #mask3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}}
      ins(%{p}scores, %mask : {t(H, S, S)}, {t(S, S)}) outs(%eP : {t(H, S, S)}) {{
  ^bb0(%s: bf16, %m: bf16, %out: bf16):
    %scale = arith.constant {1.0 / Dh ** 0.5:.6f} : bf16
    %u0 = arith.mulf %s, %scale : bf16
    %u = arith.addf %u0, %m : bf16
    linalg.yield %u : bf16
  }} -> {t(H, S, S)}
  %{p}max = linalg.generic {{indexing_maps = [#id3, #red3], iterator_types = ["parallel", "parallel", "reduction"]}}
      ins(%{p}masked : {t(H, S, S)}) outs(%minf : {t(H, S)}) {{
  ^bb0(%a: bf16, %acc: bf16):
    %m = arith.maximumf %a, %acc : bf16
    linalg.yield %m : bf16
  }} -> {t(H, S)}
  %{p}exp = linalg.generic {{indexing_maps = [#id3, #red3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}}
      ins(%{p}masked, %{p}max : {t(H, S, S)}, {t(H, S)}) outs(%eP32 : {t(H, S, S, e='f32')}) {{
  ^bb0(%a: bf16, %m: bf16, %out: f32):
    %af = arith.extf %a : bf16 to f32
    %mf = arith.extf %m : bf16 to f32
    %d = arith.subf %af, %mf : f32
    %e = math.exp %d : f32
    linalg.yield %e : f32
  }} -> {t(H, S, S, e='f32')}
  %{p}sum = linalg.generic {{indexing_maps = [#id3, #red3], iterator_types = ["parallel", "parallel", "reduction"]}}
      ins(%{p}exp : {t(H, S, S, e='f32')}) outs(%zR : {t(H, S, e='f32')}) {{
  ^bb0(%a: f32, %acc: f32):
    %s = arith.addf %a, %acc : f32
    linalg.yield %s : f32
  }} -> {t(H, S, e='f32')}
  %{p}probs = linalg.generic {{indexing_maps = [#id3, #red3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}}
      ins(%{p}exp, %{p}sum : {t(H, S, S, e='f32')}, {t(H, S, e='f32')}) outs(%eP : {t(H, S, S)}) {{
  ^bb0(%a: f32, %s: f32, %out: bf16):
    %pr = arith.divf %a, %s : f32
    %pb = arith.truncf %pr : f32 to bf16
    linalg.yield %pb : bf16
  }} -> {t(H, S, S)}
  %{p}ctx = linalg.batch_matmul ins(%{p}probs, {heads_of['v']} : {t(H, S, S)}, {t(H, S, Dh)})
      outs(%zH : {t(H, S, Dh)}) -> {t(H, S, Dh)}
  %{p}ctxs = linalg.transpose ins(%{p}ctx : {t(H, S, Dh)}) outs(%eSHD : {t(S, H, Dh)}) permutation = [1, 0, 2]
  %{p}ctx2 = tensor.collapse_shape %{p}ctxs [[0], [1, 2]] : {t(S, H, Dh)} into {t(S, D)}""")
        attn = matmul(p + "attn", f"%{p}ctx2", f"%{p}wo", D, D, "%zD")
        h = add(p + "h", x, attn)
        n2 = rmsnorm(p + "b", h, f"%{p}g2")
        gate = matmul(p + "gate", n2, f"%{p}wg", D, F, "%zF")
        up = matmul(p + "up", n2, f"%{p}wu", D, F, "%zF")
        emit(f"""  %{p}act = linalg.generic {{indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}}
      ins({gate}, {up} : {t(S, F)}, {t(S, F)}) outs(%eF : {t(S, F)}) {{
  ^bb0(%a: bf16, %b: bf16, %out: bf16):
    %one = arith.constant 1.0 : bf16
    %na = arith.negf %a : bf16
    %e = math.exp %na : bf16
    %d = arith.addf %one, %e : bf16
    %silu = arith.divf %a, %d : bf16
    %y = arith.mulf %silu, %b : bf16
    linalg.yield %y : bf16
  }} -> {t(S, F)}""")
        emit(f"  %{p}down = linalg.matmul ins(%{p}act, %{p}wd : {t(S, F)}, {t(F, D)}) "
             f"outs(%zD : {t(S, D)}) -> {t(S, D)}")
        x = add(p + "out", h, f"%{p}down")
    header = """#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row2 = affine_map<(d0, d1) -> (d0)>
#col2 = affine_map<(d0, d1) -> (d1)>
#id3 = affine_map<(h, i, j) -> (h, i, j)>
#red3 = affine_map<(h, i, j) -> (h, i)>
#mask3 = affine_map<(h, i, j) -> (i, j)>
"""
    return (header + "func.func @main(" + ",\n    ".join(args) +
            f") -> {t(S, D)} {{\n" + "\n".join(body) +
            f"\n  return {x} : {t(S, D)}\n}}\n")


class Bench:
    def __init__(self, build, work):
        self.bin = os.path.join(build, "bin")
        self.work = work
        for tool in ("gaon-compile", "gaon-sim"):
            if not os.access(os.path.join(self.bin, tool), os.X_OK):
                sys.exit(f"bench-npu-compiler: {self.bin}/{tool} is missing; "
                         "build it first (ninja -C build gaon-compile "
                         "gaon-sim)")
        self.chips = {}

    def tool(self, name):
        return os.path.join(self.bin, name)

    def run(self, args, what):
        result = subprocess.run(args, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{what} failed ({' '.join(args)}):\n"
                               f"{result.stderr.strip()}")
        return result

    def chip(self, preset):
        """The resolved chip description of `preset` (modeled peaks)."""
        if preset not in self.chips:
            out = self.run([self.tool("gaon-sim"), "--hw", preset,
                            "--describe"], "gaon-sim --describe").stdout
            self.chips[preset] = yaml.safe_load(out)
        return self.chips[preset]

    def precision(self, preset):
        macs = self.chip(preset)["core"]["tensor"]["macs_per_cycle"]
        for name, in_type, acc_type in PRECISIONS:
            if name in macs:
                return name, in_type, acc_type
        raise RuntimeError(f"{preset}: no bf16, fp16 or int8 tensor engine")

    def dram_bytes_per_cycle(self, preset):
        dram = self.chip(preset)["dram"]
        return dram["channels"] * dram["bytes_per_cycle_per_channel"]

    def compile_and_simulate(self, source, preset, name, options=None):
        """Compiles `source` (MLIR text or a path) for `preset`, simulates
        it and returns gaon-sim's JSON report."""
        if "\n" in source:
            path = os.path.join(self.work, name + ".mlir")
            with open(path, "w") as f:
                f.write(source)
        else:
            path = source
        program = os.path.join(self.work, f"{name}.{preset}.npub")
        report = os.path.join(self.work, f"{name}.{preset}.json")
        compile_args = [self.tool("gaon-compile"), path,
                        "--target", f"npu:{preset}", "--binary", "-o", program]
        if options:
            compile_args.append(f"--pipeline-options={options}")
        self.run(compile_args, "gaon-compile")
        self.run([self.tool("gaon-sim"), program, "--hw", preset, "--quiet",
                  "--report", report], "gaon-sim")
        with open(report) as f:
            return json.load(f)


def simulate_matmul(bench, preset, m, n, k, label):
    """Compiles and simulates an m x n x k matmul at the preset's best
    precision; returns (precision, input type, accumulator type, report),
    or None after printing a failed row."""
    name, in_type, acc_type = bench.precision(preset)
    try:
        report = bench.compile_and_simulate(
            matmul_module(m, n, k, in_type, acc_type), preset,
            f"{label}-{in_type}")
    except RuntimeError as error:
        print(f"| {preset} | {name} | failed: {str(error).splitlines()[0]}"
              " | | | | |")
        return None
    return name, in_type, acc_type, report


def gemm_rows(bench, presets, size=4096):
    print(f"\n## GEMM {size}x{size}x{size} (C = A*B, accumulator-typed C)\n")
    print("| preset | precision | simulated cycles | roofline bound cycles "
          "(modeled) | bound / simulated | DRAM read (simulated) | "
          "tensor util (simulated) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for preset in presets:
        result = simulate_matmul(bench, preset, size, size, size, "gemm")
        if not result:
            continue
        name, in_type, acc_type, report = result
        chip = bench.chip(preset)
        macs = size ** 3
        peak_macs = chip["cores"] * chip["core"]["tensor"]["macs_per_cycle"][name]
        operand_bytes = 2 * size * size * BYTES[in_type] + \
            size * size * BYTES[acc_type]
        bound = max(macs / peak_macs,
                    operand_bytes / bench.dram_bytes_per_cycle(preset))
        cycles = report["cycles"]
        read = report["traffic_bytes"]["dram_read"] / 2 ** 20
        print(f"| {preset} | {name} | {cycles:,} | {bound:,.0f} | "
              f"{bound / cycles:.3f} | {read:,.0f} MiB | "
              f"{100 * report['tensor_utilization']:.1f}% |")


def gemv_rows(bench, presets, size=4096):
    print(f"\n## GEMV 1x{size}x{size} (decode: x * W)\n")
    print("| preset | precision | simulated cycles | useful DRAM GB/s "
          "(operands once / simulated time) | DRAM peak GB/s (modeled) | "
          "achieved / peak | DRAM read (simulated) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for preset in presets:
        result = simulate_matmul(bench, preset, 1, size, size, "gemv")
        if not result:
            continue
        name, in_type, acc_type, report = result
        chip = bench.chip(preset)
        operand_bytes = (size * size + size) * BYTES[in_type] + \
            size * BYTES[acc_type]
        cycles = report["cycles"]
        clock_hz = chip["clock_mhz"] * 1e6
        achieved = operand_bytes / (cycles / clock_hz)
        peak = bench.dram_bytes_per_cycle(preset) * clock_hz
        read = report["traffic_bytes"]["dram_read"] / 2 ** 20
        print(f"| {preset} | {name} | {cycles:,} | {achieved / 1e9:,.1f} | "
              f"{peak / 1e9:,.1f} | {achieved / peak:.3f} | {read:,.1f} MiB |")


# Llama-3-8B sizes: hidden 4096, 32 heads of 128, FFN 14336.
LLAMA_8B = dict(hidden=4096, heads=32, ffn=14336)


def decoder_rows(bench, preset, seq):
    print(f"\n## Llama-style decoder layer at Llama-3-8B sizes, prefill of "
          f"{seq} tokens, on {preset}\n")
    print("(the layer of models/fixtures/decoder-layer.mlir at hidden 4096, "
          "32 heads, FFN 14336, bf16; multi-head attention without RoPE. "
          "`gaon-import llama3-8b` output is not used: the NPU pipeline "
          "rejects its embedding gather and its linalg.index-based RoPE "
          "and mask.)\n")
    path = os.path.join(bench.work, "decoder-layer.mlir")
    with open(path, "w") as f:
        f.write(decoder_module(1, seq, **LLAMA_8B))
    print("| pipeline options | fusion | double buffering | simulated cycles "
          "| speed-up over neither |")
    print("|---|---|---|---:|---:|")
    base = None
    for fuse, buffers in ((False, 1), (True, 1), (False, 2), (True, 2)):
        options = f"buffers={buffers} fuse={'true' if fuse else 'false'}"
        try:
            report = bench.compile_and_simulate(
                path, preset, f"decoder-b{buffers}-f{int(fuse)}", options)
        except RuntimeError as error:
            print(f"| `{options}` | | | failed: "
                  f"{str(error).splitlines()[0]} | |")
            continue
        cycles = report["cycles"]
        base = base or cycles
        print(f"| `{options}` | {'on' if fuse else 'off'} | "
              f"{'on' if buffers > 1 else 'off'} | {cycles:,} | "
              f"{base / cycles:.2f}x |")


def compile_time_rows(bench, preset, seq, layers=32):
    print(f"\n## Compile time: {layers}-layer decoder stack at Llama-3-8B "
          f"sizes, prefill of {seq} tokens, on {preset}\n")
    path = os.path.join(bench.work, "decoder-stack.mlir")
    with open(path, "w") as f:
        f.write(decoder_module(layers, seq, **LLAMA_8B))
    program = os.path.join(bench.work, "decoder-stack.npub")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    bench.run([bench.tool("gaon-compile"), path, "--target", f"npu:{preset}",
               "--binary", "-o", program], "gaon-compile")
    compiled = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime +
                                               before.ru_stime)
    print("| input | wall time of gaon-compile --binary (measured) | "
          "CPU time (measured) | program size |")
    print("|---|---:|---:|---:|")
    print(f"| {layers} layers, {os.path.getsize(path) / 2 ** 10:,.0f} KiB of "
          f"MLIR, weights as arguments | {compiled:.2f} s | {cpu:.2f} s | "
          f"{os.path.getsize(program) / 2 ** 20:.1f} MiB |")
    print(f"\nmachine load (1 min) at the end: {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "build"))
    parser.add_argument("--presets", default=",".join(PRESETS))
    parser.add_argument("--skip", default="",
                        help="comma-separated: gemm, gemv, decoder, compile")
    parser.add_argument("--decoder-target", default="rngd")
    parser.add_argument("--seq", type=int, default=128,
                        help="decoder layer: prefill tokens")
    parser.add_argument("--keep", help="keep the generated files here")
    args = parser.parse_args()
    presets = [p for p in args.presets.split(",") if p]
    skip = set(args.skip.split(","))

    work = args.keep or tempfile.mkdtemp(prefix="gaon-bench-")
    os.makedirs(work, exist_ok=True)
    try:
        bench = Bench(os.path.abspath(args.build), work)
        print("# NPU compiler quality\n")
        print("simulated: gaon-sim timing mode; modeled: arithmetic on the "
              "chip description; measured: wall time here. The compiler "
              "targets one chip (rebel-quad: one of its four chiplets), so "
              "bounds are per chip.")
        if "gemm" not in skip:
            gemm_rows(bench, presets)
        if "gemv" not in skip:
            gemv_rows(bench, presets)
        if "decoder" not in skip:
            decoder_rows(bench, args.decoder_target, args.seq)
        if "compile" not in skip:
            compile_time_rows(bench, "rngd", args.seq)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
