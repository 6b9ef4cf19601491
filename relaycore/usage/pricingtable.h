// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "usage/usage.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace Relay::Usage {

// Prices of one model, in picodollars (10^-12 USD) per token so that every published price is an exact integer.
struct ModelPrice
{
    struct Tier
    {
        qint64 input = 0;
        qint64 output = 0;
        qint64 cacheWrite5m = 0;
        qint64 cacheWrite1h = 0;
        qint64 cacheRead = 0;
    };

    Tier base;
    Tier longContext;            // valid when hasLongContext
    bool hasLongContext = false; // the model has `input_cost_per_token_above_200k_tokens`
    qint64 maxOutputTokens = 0;  // 0: not known
    qint64 maxInputTokens = 0;   // 0: not known
    QByteArray provider;         // litellm_provider
};

// The cost of one request.
struct Cost
{
    qint64 nanos = 0;         // 10^-9 USD, the sum of the per-class costs, each rounded half up
    bool known = false;       // false: the model has no price (nanos is 0)
    bool longContext = false; // the long-context tier was applied
};

// An immutable price table in LiteLLM's JSON format; share it as std::shared_ptr<const PricingTable>.
//
// Lookup: the exact model name first, then the normalised name (normalizeModel) among the normalised keys; never a
// substring scan. Cost rules (resources/pricing/README.md has the sources):
//  - each token class costs tokens x price, rounded half up to whole nanodollars per class;
//  - absent cache prices follow Anthropic's multipliers of the input price: 5 m write 1.25x, 1 h write 2x, read 0.1x;
//  - long-context tier: when the model has `_above_200k_tokens` prices and the request's total input
//    (input + cache creation + cache read) is greater than LongContextThreshold, every class uses the tier prices
//    (Anthropic bills the whole request at the long-context rates once its input exceeds 200K tokens).
class PricingTable
{
public:
    static constexpr qint64 LongContextThreshold = 200000;

    struct LoadResult
    {
        std::shared_ptr<const PricingTable> table; // null on error
        QString error;                             // says what is wrong (and where) on failure
        bool ok() const { return table != nullptr; }
    };

    // Parses LiteLLM-format JSON. Entries without both token prices, or with a non-chat `mode`, are skipped; a price
    // field that is not a non-negative number, bad JSON, or a table without any model is an error.
    static LoadResult fromJson(const QByteArray &json);

    // The documented normalisation: trim and lower-case; drop a trailing `[...]` (e.g. `[1m]`); drop a provider path
    // (up to the last '/', e.g. `bedrock/`); drop a Bedrock vendor prefix `anthropic.` with an optional region before
    // it (`us.anthropic.`); drop a Bedrock version suffix `-vN` / `-vN:M`; drop a Vertex `@YYYYMMDD`; drop `-latest`;
    // drop a trailing `-YYYYMMDD`.
    static QByteArray normalizeModel(QByteArrayView model);

    // The price of a model, or nullptr if it is unknown. The pointer lives as long as the table.
    const ModelPrice *find(QByteArrayView model) const;
    bool contains(QByteArrayView model) const { return find(model) != nullptr; }

    Cost cost(const TokenUsage &usage) const { return cost(usage.model, usage); }
    Cost cost(QByteArrayView model, const TokenUsage &usage) const;
    // The model's output token limit, if the table has one.
    std::optional<qint64> maxOutputTokens(QByteArrayView model) const;

    qsizetype size() const { return m_exact.size(); }
    QList<QByteArray> models() const { return m_exact.keys(); }

    // tokens x picodollars per token, rounded half up to nanodollars (saturating, never negative).
    static qint64 classNanos(qint64 tokens, qint64 picoPerToken);

private:
    QHash<QByteArray, ModelPrice> m_exact;
    QHash<QByteArray, ModelPrice> m_normalized;
};

} // namespace Relay::Usage
