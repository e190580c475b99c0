//===- Npy.h - NumPy .npy files for HostTensor ------------------*- C++ -*-===//
//
// Reads and writes the NumPy .npy format (versions 1.0, 2.0 and 3.0 on
// read; 1.0, or 2.0 when the header needs it, on write), little-endian,
// C order (Fortran-order files are read and transposed into C order).
//
// dtype strings ('descr'):
//   f32 '<f4'   f64 '<f8'   f16 '<f2'   i8 '|i1'   i32 '<i4'   i64 '<i8'
//   i1 '|b1' (NumPy bool)
//   bf16 '<u2': the raw bf16 bit patterns as uint16 (what
//       `x.view(np.uint16)` of an ml_dtypes.bfloat16 array gives)
//   f8E4M3FN and f8E5M2 '|u1': raw bit patterns as uint8
// NumPy has no bf16/fp8, so these are written as raw unsigned integers; to
// read one back, pass the intended type as `rawDType` (a '<u2' or '|u1'
// file without it is an error, since it could be plain integers).
//
//===----------------------------------------------------------------------===//

#ifndef GAON_RUNTIME_NPY_H
#define GAON_RUNTIME_NPY_H

#include "gaon/Runtime/HostTensor.h"

#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace gaon::runtime {

/// The 'descr' string a tensor of `dtype` is written with.
llvm::StringRef getNpyDescr(DType dtype);

/// Parses .npy `contents`; `name` (a path) prefixes error messages, which
/// give the byte offset of the problem.
llvm::Expected<HostTensor>
parseNpy(llvm::StringRef contents, llvm::StringRef name,
         std::optional<DType> rawDType = std::nullopt);
/// Reads the .npy file at `path`.
llvm::Expected<HostTensor>
readNpy(llvm::StringRef path, std::optional<DType> rawDType = std::nullopt);

/// The .npy encoding of `tensor`.
std::string serializeNpy(const HostTensor &tensor);
/// Writes `tensor` to `path` as .npy.
llvm::Error writeNpy(llvm::StringRef path, const HostTensor &tensor);

} // namespace gaon::runtime

#endif // GAON_RUNTIME_NPY_H
