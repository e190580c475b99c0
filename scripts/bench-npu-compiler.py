#!/usr/bin/env python3
"""Quality figures of the NPU compiler (issue 4, "Quality").

Builds nothing: runs the tools of an existing build (gaon-compile, gaon-sim
and gaon-import in BUILD/bin) and prints

  1. per preset, a compute-bound GEMM 4096^3 at the preset's best tensor
     precision: simulated cycles, the roofline bound (the larger of the MACs
     at the chip's peak MAC rate and the operand bytes at DRAM peak) and
     bound / simulated (goal >= 0.85);
  2. per preset, a decode-style GEMV 1x4096x4096: useful DRAM bytes (the
     operands, each once) per simulated second over the DRAM peak
     (goal >= 0.80);
  3. a Llama-3-8B decoder layer (gaon-import llama3-8b --layers 1
     --host-embeddings) compiled with neither, either or both of fusion and
     double buffering: simulated cycles, so each pass's effect shows;
  4. the wall-clock and CPU time of gaon-compile --target npu:rngd on the
     whole llama3-8b prefill (32 layers, shape-only weights; goal <= 10 s);
  5. with --sweep (minutes): the GEMM and GEMV above compiled with every
     power-of-two tile that fits a core's SRAM (pipeline option
     tile-sizes), so the cost model's choice can be compared with the best
     tile this pipeline can run on the chip.

Labels: "simulated" comes from gaon-sim's event-driven timing, "modeled" is
arithmetic on the chip description (gaon-sim --describe), "measured" is wall
time on this machine.

    scripts/bench-npu-compiler.py [--build build] [--presets atom,rngd]
        [--skip gemm,gemv,decoder,compile] [--sweep] [--keep DIR]
"""

import argparse
import concurrent.futures
import itertools
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


class Bench:
    def __init__(self, build, work):
        self.bin = os.path.join(build, "bin")
        self.work = work
        for tool in ("gaon-compile", "gaon-sim", "gaon-import"):
            if not os.access(os.path.join(self.bin, tool), os.X_OK):
                sys.exit(f"bench-npu-compiler: {self.bin}/{tool} is missing; "
                         "build it first (ninja -C build gaon-compile "
                         "gaon-sim gaon-import)")
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


def decoder_rows(bench, preset, seq):
    print(f"\n## Llama-3-8B decoder layer, prefill of {seq} tokens, on "
          f"{preset}\n")
    print(f"(gaon-import llama3-8b --layers 1 --vocab 256 --seq {seq} "
          "--host-embeddings: one layer at 8B sizes, bf16; the vocabulary is "
          "cut so that the LM head does not dominate, the embeddings, RoPE "
          "tables and causal mask come from the host)\n")
    path = os.path.join(bench.work, "llama3-8b-layer.mlir")
    bench.run([bench.tool("gaon-import"), "llama3-8b", "--layers", "1",
               "--vocab", "256", "--seq", str(seq), "--host-embeddings",
               "-o", path], "gaon-import")
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


def compile_time_rows(bench, preset, seq):
    print(f"\n## Compile time: llama3-8b (32 layers, LM head), prefill of "
          f"{seq} tokens, on {preset}\n")
    path = os.path.join(bench.work, "llama3-8b.mlir")
    bench.run([bench.tool("gaon-import"), "llama3-8b", "--seq", str(seq),
               "--host-embeddings", "-o", path], "gaon-import")
    program = os.path.join(bench.work, "llama3-8b.npub")
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
    print(f"| gaon-import llama3-8b --host-embeddings: "
          f"{os.path.getsize(path) / 2 ** 10:,.0f} KiB of MLIR, shape-only "
          f"weight arguments | {compiled:.2f} s | {cpu:.2f} s | "
          f"{os.path.getsize(program) / 2 ** 20:.1f} MiB |")
    print(f"\nmachine load (1 min) at the end: {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} CPUs")


def parse_bytes(value):
    """A --describe byte count: an integer or "<n> KiB|MiB|GiB"."""
    if isinstance(value, int):
        return value
    number, unit = str(value).split()
    return int(float(number) * {"KiB": 2 ** 10, "MiB": 2 ** 20,
                                "GiB": 2 ** 30}[unit])


def sweep_candidates(bench, preset, m, n, k, in_type, acc_type):
    """Power-of-two (tm, tn, tk) tiles whose accumulator and double-buffered
    operand tiles fit one core's SRAM."""
    sram = parse_bytes(bench.chip(preset)["core"]["sram"]["bytes"])
    def sizes(extent, low):
        return [s for s in (2 ** e for e in range(13)) if low <= s <= extent]
    for tm, tn, tk in itertools.product(sizes(m, min(m, 256)),
                                        sizes(n, 128), sizes(k, 128)):
        acc = tm * tn * BYTES[acc_type]
        operands = 2 * (tm * tk + tk * tn) * BYTES[in_type]
        if acc + operands <= sram:
            yield tm, tn, tk


def sweep_rows(bench, presets, shapes):
    print("\n## Tile sweep: the cost model's tile against every power-of-two "
          "tile that fits\n")
    print("(each candidate compiled with `--pipeline-options=tile-sizes=tm,tn,"
          "tk` and simulated; candidates the SRAM allocator rejects are "
          "counted as not fitting)\n")
    print("| shape | preset | cost model's choice: simulated cycles | "
          "best swept tile | its simulated cycles | choice / best | "
          "candidates run (fitting) |")
    print("|---|---|---:|---|---:|---:|---:|")
    for label, (m, n, k) in shapes:
        for preset in presets:
            name, in_type, acc_type = bench.precision(preset)
            source = os.path.join(bench.work, f"sweep-{label}-{in_type}.mlir")
            with open(source, "w") as f:
                f.write(matmul_module(m, n, k, in_type, acc_type))
            def run(tile):
                tag = "x".join(map(str, tile))
                try:
                    report = bench.compile_and_simulate(
                        source, preset, f"sweep-{label}-{tag}",
                        "tile-sizes=" + ",".join(map(str, tile)))
                    return tile, report["cycles"]
                except RuntimeError:
                    return tile, None
            chosen = bench.compile_and_simulate(source, preset,
                                                f"sweep-{label}-model")
            tiles = list(sweep_candidates(bench, preset, m, n, k, in_type,
                                          acc_type))
            with concurrent.futures.ThreadPoolExecutor(
                    max_workers=os.cpu_count() or 1) as pool:
                results = [r for r in pool.map(run, tiles) if r[1]]
            if not results:
                print(f"| {label} | {preset} | {chosen['cycles']:,} | none "
                      f"fits | | | {len(tiles)} (0) |")
                continue
            best_tile, best = min(results, key=lambda r: (r[1], r[0]))
            best_name = "x".join(map(str, best_tile))
            if chosen["cycles"] <= best:
                # The cost model's tile need not be a power of two.
                best_name, best = "the cost model's", chosen["cycles"]
            print(f"| {label} | {preset} | {chosen['cycles']:,} | "
                  f"{best_name} | {best:,} | {best / chosen['cycles']:.3f} | "
                  f"{len(tiles)} ({len(results)}) |")


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
    parser.add_argument("--sweep", action="store_true",
                        help="also sweep power-of-two tiles (minutes)")
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
        if args.sweep:
            sweep_rows(bench, presets, [("GEMM 4096^3", (4096, 4096, 4096)),
                                        ("GEMV 1x4096x4096", (1, 4096, 4096))])
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
