//===- ONNXImporter.h - ONNX to graph-level MLIR ----------------*- C++ -*-===//
//
// Imports an ONNX model (libonnx 1.12 protobufs) into @main on linalg on
// tensors. Built only when GAON_HAVE_ONNX (see docs/frontends.md for the
// ops it claims and how each maps to linalg). Prefer gaon/Frontend/Import.h,
// which dispatches here for .onnx and .onnxtxt files.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_FRONTEND_ONNXIMPORTER_H
#define GAON_FRONTEND_ONNXIMPORTER_H

#include "gaon/Frontend/Import.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Support/LLVM.h"

namespace gaon::frontend {

/// Imports the ONNX model at `path` (binary protobuf; ONNX's textual syntax
/// when the name ends in .onnxtxt). Reports errors through the context's
/// diagnostic engine (node name, op type, what is missing) and returns
/// failure.
mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>>
importONNXFile(llvm::StringRef path, const ImportOptions &options,
               mlir::MLIRContext &context);

/// Reads a serialized onnx.TensorProto (a node test's input_0.pb, a value
/// for ImportOptions::inputValueFiles) into a DenseElementsAttr. Unsigned
/// integers keep their bits in the signless type of their width. `name`, if
/// given, receives the tensor's name field.
mlir::FailureOr<mlir::DenseElementsAttr>
readONNXTensorFile(llvm::StringRef path, mlir::MLIRContext &context,
                   std::string *name = nullptr);

/// The ONNX op types (default domain) the importer converts, sorted.
llvm::SmallVector<llvm::StringRef> supportedONNXOps();
bool isSupportedONNXOp(llvm::StringRef opType);

} // namespace gaon::frontend

#endif // GAON_FRONTEND_ONNXIMPORTER_H
