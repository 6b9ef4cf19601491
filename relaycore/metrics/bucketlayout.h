// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <bit>

namespace Relay::Metrics {

// Log-linear bucket layout shared by every latency histogram (HdrHistogram-like with 32 sub-buckets: the first
// 32 values exact, then 16 linear sub-buckets per power of two).
//
// - values 0..31 us each have their own bucket (exact);
// - every power of two [2^k, 2^(k+1)), k >= 5, is split into 16 equal sub-buckets of width 2^(k-4);
// - values >= 2^35 us (about 9.5 hours) are clamped to MaxValue.
//
// A bucket [L, U] therefore has width w <= L/16, and reporting its midpoint (L+U)/2 for any value in it is off by
// at most (w-1)/2 < L/32: the relative error of every estimate is below MaxRelativeError = 1/32 (3.125 %).
// 512 buckets of 8 bytes = 4 KiB per histogram.
struct BucketLayout
{
    static constexpr int SubBucketBits = 4;
    static constexpr int SubBuckets = 1 << SubBucketBits;
    static constexpr int LinearBuckets = 2 * SubBuckets;       // 0..31 exact
    static constexpr int FirstLogExponent = SubBucketBits + 1; // 2^5 = 32
    static constexpr int MaxExponent = 35;
    static constexpr quint64 MaxValue = (quint64(1) << MaxExponent) - 1;
    static constexpr int BucketCount = LinearBuckets + (MaxExponent - FirstLogExponent) * SubBuckets;
    static constexpr double MaxRelativeError = 1.0 / 32;

    static constexpr int indexOf(quint64 value)
    {
        if (value > MaxValue)
            value = MaxValue;
        if (value < quint64(LinearBuckets))
            return int(value);
        const int exponent = 63 - std::countl_zero(value);
        const int sub = int((value >> (exponent - SubBucketBits)) & (SubBuckets - 1));
        return LinearBuckets + (exponent - FirstLogExponent) * SubBuckets + sub;
    }

    static constexpr quint64 lowerBound(int index)
    {
        if (index < LinearBuckets)
            return quint64(index);
        const int exponent = FirstLogExponent + (index - LinearBuckets) / SubBuckets;
        const int sub = (index - LinearBuckets) % SubBuckets;
        return quint64(SubBuckets + sub) << (exponent - SubBucketBits);
    }

    // Inclusive upper bound.
    static constexpr quint64 upperBound(int index)
    {
        if (index < LinearBuckets)
            return quint64(index);
        const int exponent = FirstLogExponent + (index - LinearBuckets) / SubBuckets;
        return lowerBound(index) + (quint64(1) << (exponent - SubBucketBits)) - 1;
    }

    // The value every estimate reports for this bucket.
    static constexpr double midpoint(int index) { return (double(lowerBound(index)) + double(upperBound(index))) / 2; }
};

static_assert(BucketLayout::BucketCount == 512);
static_assert(BucketLayout::indexOf(31) == 31 && BucketLayout::indexOf(32) == 32 && BucketLayout::indexOf(33) == 32);
static_assert(BucketLayout::indexOf(BucketLayout::MaxValue) == BucketLayout::BucketCount - 1);
static_assert(BucketLayout::upperBound(BucketLayout::BucketCount - 1) == BucketLayout::MaxValue);
static_assert(BucketLayout::lowerBound(BucketLayout::indexOf(1000)) <= 1000 &&
              BucketLayout::upperBound(BucketLayout::indexOf(1000)) >= 1000);

} // namespace Relay::Metrics
