//===- ViewTest.cpp - strided views ---------------------------------------===//
//
// Ensures View's shape algebra (permute, subview, broadcast, split, merge,
// unit dimensions), its bounds and overlap queries and its bulk loads and
// stores address the elements they claim to.
//
//===----------------------------------------------------------------------===//

#include "gaon/Kernels/View.h"

#include "KernelTestUtils.h"

#include <gtest/gtest.h>

using namespace gaon::kernels;
using namespace gaon::kernels::testing;

namespace {

TEST(ViewTest, ContiguousStridesAndQueries) {
  EXPECT_EQ(View::getContiguousStrides({2, 3, 4}),
            (llvm::SmallVector<int64_t, 4>{12, 4, 1}));
  EXPECT_TRUE(View::getContiguousStrides({}).empty());
  std::byte data[64];
  View v = View::getContiguous(data, DType::BF16, {2, 3, 4});
  EXPECT_EQ(v.getNumElements(), 24);
  EXPECT_TRUE(v.isContiguous());
  EXPECT_EQ(v.getElementPtr({1, 2, 3}), data + 2 * 23);
  EXPECT_FALSE(v.permute({0, 2, 1}).isContiguous());
  EXPECT_EQ(v.getOffsetRange(), (std::pair<int64_t, int64_t>{0, 23}));
  View reversed(data + 2 * 3, DType::BF16, {4}, {-1});
  EXPECT_EQ(reversed.getOffsetRange(), (std::pair<int64_t, int64_t>{-3, 0}));
  View empty(data, DType::F32, {3, 0}, {0, 1});
  EXPECT_EQ(empty.getOffsetRange(), (std::pair<int64_t, int64_t>{0, -1}));
  EXPECT_FALSE(empty.mayOverlap(v));
  EXPECT_EQ(describe(v), "bf16[2x3x4 strides 12,4,1]");
}

TEST(ViewTest, SubviewPermuteSplitMerge) {
  Buffer buffer(DType::I32, {4, 6});
  for (int64_t i = 0; i < 24; ++i)
    storeInt64(buffer.bytes.data() + 4 * i, DType::I32, i);
  View all = buffer.view();
  View window = all.subview({1, 1}, {2, 3}, {2, 2}); // rows 1,3; cols 1,3,5
  EXPECT_EQ(get(window, {1, 2}), 23.0);
  EXPECT_EQ(get(window.permute({1, 0}), {2, 1}), 23.0);
  View split = all.splitDim(1, {2, 3}); // [4, 2, 3]
  EXPECT_EQ(split.shape, (llvm::SmallVector<int64_t, 4>{4, 2, 3}));
  EXPECT_EQ(get(split, {2, 1, 0}), 15.0);
  std::optional<View> merged = split.tryMergeDims(1);
  ASSERT_TRUE(merged.has_value());
  EXPECT_EQ(merged->shape, all.shape);
  EXPECT_EQ(merged->strides, all.strides);
  // A transposed pair is not mergeable; a unit dimension always is.
  EXPECT_FALSE(all.permute({1, 0}).tryMergeDims(0).has_value());
  View unit = all.insertUnitDim(1);
  EXPECT_EQ(unit.shape, (llvm::SmallVector<int64_t, 4>{4, 1, 6}));
  EXPECT_TRUE(unit.tryMergeDims(0).has_value());
  EXPECT_EQ(unit.dropUnitDim(1).shape, all.shape);
}

TEST(ViewTest, BroadcastAndVerify) {
  std::byte data[16];
  View row = View::getContiguous(data, DType::F32, {1, 4});
  llvm::Expected<View> wide = row.broadcastTo({3, 2, 4});
  ASSERT_TRUE(static_cast<bool>(wide));
  EXPECT_EQ(wide->strides, (llvm::SmallVector<int64_t, 4>{0, 0, 1}));
  llvm::Expected<View> bad = row.broadcastTo({2, 5});
  ASSERT_FALSE(static_cast<bool>(bad));
  EXPECT_NE(llvm::toString(bad.takeError()).find("dimension 1 of size 4 to 5"),
            std::string::npos);
  llvm::Expected<View> lower = row.broadcastTo({4});
  ASSERT_FALSE(static_cast<bool>(lower));
  llvm::consumeError(lower.takeError());
  EXPECT_FALSE(static_cast<bool>(row.verify()));
  View negative(data, DType::F32, {-1}, {1});
  EXPECT_ERROR(negative.verify(), "negative size");
  View noData(nullptr, DType::F32, {2}, {1});
  EXPECT_ERROR(noData.verify(), "no data pointer");
}

TEST(ViewTest, OverlapAndBulkAccess) {
  Buffer buffer(DType::F16, {8});
  View all = buffer.view();
  View evens = all.subview({0}, {4}, {2});
  View odds = all.subview({1}, {4}, {2});
  // Interleaved views share the byte range, so they may overlap.
  EXPECT_TRUE(evens.mayOverlap(odds));
  EXPECT_FALSE(
      all.subview({0}, {4}, {1}).mayOverlap(all.subview({4}, {4}, {1})));
  double values[4] = {1.5, -2, 65504, 1e-7};
  storeElements(values, odds);
  double back[4];
  loadElements(odds, back);
  EXPECT_EQ(back[0], 1.5);
  EXPECT_EQ(back[2], 65504.0);
  EXPECT_EQ(back[3], roundToDType(1e-7, DType::F16));
  EXPECT_EQ(get(all, {0}), 0.0);
  int64_t ints[4] = {1, 2, 3, 4};
  Buffer i8(DType::I8, {2, 2});
  storeElementsInt64(ints, i8.view().permute({1, 0}));
  EXPECT_EQ(i8.at({0, 1}), 3.0);
  float floats[4];
  loadElementsFloat(i8.view(), floats);
  EXPECT_EQ(floats[1], 3.0f);
}

} // namespace
