#!/usr/bin/env python3
"""Writes a .cuplan artifact exactly as docs/gpu.md lays it out, independently
of the C++ writer: the lit tests run gaon-cuda-run on it.

  make-cuplan.py fake OUT   kernels of the test driver (FakeDriver.cpp)
  make-cuplan.py gemm OUT   a bf16 GEMM + bias-add plan for the model
  make-cuplan.py bad OUT    a plan binding a buffer that does not exist
  make-cuplan.py fakegemm OUT M N K [shape|result]
                            C(f32) = A(bf16) x B(bf16) on the test driver;
                            "shape" declares C with a wrong shape, "result"
                            makes the kernel skip the last term of K
"""
import json
import struct
import sys


def artifact(header, blobs):
    """Magic, version 1, header size, JSON header, 64-byte-aligned blobs."""
    section = b""
    refs = []
    for blob in blobs:
        refs.append({"offset": len(section), "size": len(blob)})
        section += blob + b"\0" * (-len(blob) % 64)
    text = json.dumps(header(refs)).encode()
    head = b"GAONCUPL" + struct.pack("<II", 1, len(text)) + text
    return head + b"\0" * (-len(head) % 64) + section


def launch(kernel, grid, block, args, op, flops, nbytes, **extra):
    entry = {"module": 0, "kernel": kernel, "grid": grid, "block": block,
             "sharedMemoryBytes": 0, "args": args, "op": op,
             "loc": "\"test.mlir\":1:1", "flops": flops, "bytes": nbytes}
    entry.update(extra)
    return entry


def fake(refs):
    n = 1024
    return {
        "name": "fake_axpy",
        "buffers": [
            {"name": "x", "role": "input", "index": 0, "type": "f32",
             "shape": [n], "bytes": 4 * n},
            {"name": "y", "role": "output", "index": 0, "type": "f32",
             "shape": [n], "bytes": 4 * n},
            {"name": "flags", "role": "output", "index": 1, "type": "i64",
             "shape": [4], "bytes": 32},
        ],
        "modules": [{"name": "fake", "chip": "sm_90", "cubin": refs[0]}],
        "launches": [
            launch("axpy_f32", [4, 1, 1], [256, 1, 1],
                   [{"buffer": 0, "offset": 0}, {"buffer": 1, "offset": 0},
                    {"f32": 2.0}, {"i32": n}],
                   "linalg.generic", 2 * n, 12 * n),
            launch("fill_i64", [1, 1, 1], [4, 1, 1],
                   [{"buffer": 2, "offset": 0}, {"i64": 7}, {"i32": 4}],
                   "linalg.fill", 0, 32),
        ],
    }


def gemm(refs):
    m = n = k = 4096
    return {
        "name": "gemm_bias",
        "buffers": [
            {"name": "a", "role": "input", "index": 0, "type": "bf16",
             "shape": [m, k], "bytes": 2 * m * k},
            {"name": "b", "role": "input", "index": 1, "type": "bf16",
             "shape": [k, n], "bytes": 2 * k * n},
            {"name": "bias", "role": "weight", "type": "bf16", "shape": [n],
             "bytes": 2 * n, "data": refs[1]},
            {"name": "c", "role": "output", "index": 0, "type": "bf16",
             "shape": [m, n], "bytes": 2 * m * n},
        ],
        "modules": [{"name": "kernels", "chip": "sm_90", "cubin": refs[0]}],
        "launches": [
            launch("matmul_kernel", [16, 32, 1], [384, 1, 1],
                   [{"buffer": 0, "offset": 0}, {"buffer": 1, "offset": 0},
                    {"buffer": 3, "offset": 0}],
                   "linalg.matmul", 2 * m * n * k, 2 * (m * k + k * n + m * n),
                   contraction={"batch": 1, "m": m, "n": n, "k": k,
                                "type": "bf16", "tile": [128, 256, 64],
                                "stages": 4}),
            launch("bias_kernel", [16384, 1, 1], [256, 1, 1],
                   [{"buffer": 3, "offset": 0}, {"buffer": 2, "offset": 0}],
                   "linalg.generic", m * n, 2 * (2 * m * n + n)),
        ],
    }


def bad(refs):
    plan = fake(refs)
    plan["launches"][1]["args"][0] = {"buffer": 9, "offset": 0}
    return plan


def fakegemm(m, n, k, fault):
    def build(refs):
        return {
            "name": "fake_gemm",
            "buffers": [
                {"name": "a", "role": "input", "index": 0, "type": "bf16",
                 "shape": [m, k], "bytes": 2 * m * k},
                {"name": "b", "role": "input", "index": 1, "type": "bf16",
                 "shape": [k, n], "bytes": 2 * k * n},
                {"name": "c", "role": "output", "index": 0, "type": "f32",
                 "shape": [m, n + (1 if fault == "shape" else 0)],
                 "bytes": 4 * m * (n + 1)},
            ],
            "modules": [{"name": "fake", "chip": "sm_90", "cubin": refs[0]}],
            "launches": [
                launch("gemm_bf16_f32", [(m * n + 127) // 128, 1, 1],
                       [128, 1, 1],
                       [{"buffer": 0, "offset": 0}, {"buffer": 1, "offset": 0},
                        {"buffer": 2, "offset": 0}, {"i32": m}, {"i32": n},
                        {"i32": k - (1 if fault == "result" else 0)}],
                       "linalg.matmul", 2 * m * n * k,
                       2 * (m * k + k * n) + 4 * m * n,
                       contraction={"batch": 1, "m": m, "n": n, "k": k,
                                    "type": "bf16", "tile": [0, 0, 0],
                                    "stages": 0}),
            ],
        }
    return build


def main():
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "fakegemm":
        m, n, k = (int(x) for x in sys.argv[3:6])
        fault = sys.argv[6] if len(sys.argv) > 6 else None
        with open(out, "wb") as f:
            f.write(artifact(fakegemm(m, n, k, fault),
                             [b"GAON-FAKE-CUBIN gemm_bf16_f32\0"]))
        return
    cubin = b"GAON-FAKE-CUBIN axpy_f32 fill_i64\0"
    blobs = [cubin]
    if kind == "gemm":
        blobs.append(bytes(2 * 4096))
    builder = {"fake": fake, "gemm": gemm, "bad": bad}[kind]
    with open(out, "wb") as f:
        f.write(artifact(builder, blobs))


if __name__ == "__main__":
    main()
