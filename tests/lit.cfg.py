# -*- Python -*-
# lit configuration for Gaon's FileCheck tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "Gaon"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "unit", "bench"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.gaon_obj_root, "tests")

config.substitutions.append(("%gaon_src_root", config.gaon_src_root))
config.substitutions.append(("%PATH%", config.environment["PATH"]))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# Gaon's tools come first, then FileCheck and friends from LLVM 22.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.gaon_tools_dir, append_path=True)

tools = [ToolSubst("gaon-opt", unresolved="fatal")]
tools.append(ToolSubst("gaon-gpu-model", unresolved="fatal"))
tools.append(ToolSubst("gaon-cuda-run", unresolved="ignore"))
tools.append(ToolSubst("gaon-cuda-bench", unresolved="ignore"))
for name in ["gaon-sim", "gaon-compile", "gaon-run", "gaon-import",
             "gaon-reference", "gaon-onnx-conformance"]:
    tools.append(ToolSubst(name, unresolved="ignore"))
llvm_config.add_tool_substitutions(tools, [config.gaon_tools_dir])

if config.gaon_have_onnx:
    config.available_features.add("onnx")
if os.path.isdir("/usr/share/libonnx-testdata/data/node"):
    config.available_features.add("onnx-testdata")
if config.gaon_have_cuda_toolkit:
    config.available_features.add("cuda-toolkit")
    # The host-memory stand-in for libcuda.so.1 (tests/unit/CUDARuntime).
    config.substitutions.append(("%fake_cuda_driver", os.path.join(
        config.gaon_obj_root, "unittests", "libGaonFakeCudaDriver.so")))

# Python modules some tests need (docs/runtime.md: the JSON report schema).
import importlib.util
if importlib.util.find_spec("jsonschema"):
    config.available_features.add("jsonschema")
