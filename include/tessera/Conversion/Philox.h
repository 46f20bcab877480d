//===- Philox.h - The counter-based random stream of Tessera ----*- C++ -*-===//
//
// One definition of rng(seed, offset), shared by every lowering that draws.
//
//===----------------------------------------------------------------------===//

#ifndef TESSERA_CONVERSION_PHILOX_H
#define TESSERA_CONVERSION_PHILOX_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

namespace tessera {

/// A tensor of `type` (f32) holding draw stream `stream` of rng(seed,
/// offset): element e (row-major) is Philox4x32-10 with key
/// (lo32(seed), hi32(seed)) and counter (lo32(offset + e), hi32(offset + e),
/// stream, 0); a uniform is (r0 >> 8) 2^-24, a normal
/// sqrt(-2 ln u1) cos(2 pi u2) with u1 = ((r0 >> 8) + 1) 2^-24,
/// u2 = (r1 >> 8) 2^-24. `seed` and `offset` are i64 values; `dynamicSizes`
/// holds one index value per dynamic dimension of `type`, in order (as for
/// tensor.empty); fails when the count differs.
mlir::FailureOr<mlir::Value> philoxDraws(mlir::OpBuilder &b,
                                         mlir::Location loc,
                                         mlir::RankedTensorType type,
                                         bool normal, mlir::Value seed,
                                         mlir::Value offset, uint32_t stream,
                                         mlir::ValueRange dynamicSizes = {});

/// Turns the keyed form of a drawing op (`rng(seed, offset)`) into its
/// explicit form (`draws(...)`) in place; every bfn/ebt op that draws has
/// both, with the same `seed`, `offset` and `draws` operand names.
template <typename OpT>
void replaceKeyWithDraws(mlir::RewriterBase &rw, OpT op,
                         mlir::ValueRange draws) {
  rw.modifyOpInPlace(op, [&] {
    op.getSeedMutable().clear();
    op.getOffsetMutable().clear();
    op.getDrawsMutable().assign(draws);
  });
}

} // namespace tessera

#endif // TESSERA_CONVERSION_PHILOX_H
