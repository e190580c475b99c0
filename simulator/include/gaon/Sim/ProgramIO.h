//===- ProgramIO.h - Text and binary forms of NPU programs ------*- C++ -*-===//
//
// The versioned text form (readable; for tests and humans) and the compact
// binary form (for large models) of an NPU program; docs/npu-program.md
// specifies both. Readers reject malformed input with the file name and the
// line (text) or byte offset (binary) of the problem.
//
//===----------------------------------------------------------------------===//

#ifndef GAON_SIM_PROGRAMIO_H
#define GAON_SIM_PROGRAMIO_H

#include "gaon/Sim/Program.h"

#include "llvm/Support/Error.h"

namespace llvm {
class raw_ostream;
} // namespace llvm

namespace gaon::sim {

/// Version written by the writers and the newest the readers accept.
constexpr uint32_t kProgramTextVersion = 1;
constexpr uint32_t kProgramBinaryVersion = 1;
/// The first 8 bytes of a binary program.
constexpr char kProgramBinaryMagic[8] = {'G', 'A', 'O', 'N',
                                         'N', 'P', 'U', '\0'};

llvm::Expected<Program> parseProgramText(llvm::StringRef text,
                                         llvm::StringRef bufferName);
void printProgramText(const Program &program, llvm::raw_ostream &os);

llvm::Expected<Program> parseProgramBinary(llvm::StringRef bytes,
                                           llvm::StringRef bufferName);
void writeProgramBinary(const Program &program, llvm::raw_ostream &os);

/// True if `bytes` starts with the binary magic.
bool isProgramBinary(llvm::StringRef bytes);

/// Reads a program file in either form ("-" is stdin).
llvm::Expected<Program> readProgramFile(llvm::StringRef path);

} // namespace gaon::sim

#endif // GAON_SIM_PROGRAMIO_H
