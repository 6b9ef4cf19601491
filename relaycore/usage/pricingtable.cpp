// SPDX-License-Identifier: GPL-3.0-or-later
#include "usage/pricingtable.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>

#include <cmath>
#include <limits>

namespace Relay::Usage {

namespace {

constexpr double PicoPerUsd = 1e12;

bool isDigits(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

// A Bedrock region group such as "us", "eu", "apac", "us-gov".
bool isRegion(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if ((c < 'a' || c > 'z') && c != '-')
            return false;
    }
    return true;
}

qint64 scaled(qint64 pico, double factor)
{
    return std::llround(double(pico) * factor);
}

// A price field: absent -> nullopt; present -> picodollars, or an error if it is not a non-negative number.
std::optional<qint64> priceField(const QJsonObject &entry, QLatin1StringView field, const QString &model,
                                 QString *error)
{
    const QJsonValue value = entry.value(field);
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    const double usd = value.toDouble(-1.0);
    if (!value.isDouble() || !std::isfinite(usd) || usd < 0 || usd > 1.0) {
        *error = QStringLiteral("model \"%1\": %2 must be a number between 0 and 1 (USD per token)")
                     .arg(model, QString(field));
        return std::nullopt;
    }
    return std::llround(usd * PicoPerUsd);
}

qint64 limitField(const QJsonObject &entry, QLatin1StringView field)
{
    const QJsonValue value = entry.value(field);
    return value.isDouble() && value.toDouble() > 0 ? qint64(value.toDouble()) : 0;
}

// Ranks candidates for one normalised name: an already normalised key, then an Anthropic entry, then any.
int candidateRank(const QByteArray &key, const QByteArray &normalized, const ModelPrice &price)
{
    if (key == normalized)
        return 3;
    return price.provider == "anthropic" ? 2 : 1;
}

} // namespace

QByteArray PricingTable::normalizeModel(QByteArrayView model)
{
    QByteArray name = model.trimmed().toByteArray().toLower();
    if (name.endsWith(']')) {
        const qsizetype open = name.lastIndexOf('[');
        if (open > 0)
            name.truncate(open);
    }
    const qsizetype slash = name.lastIndexOf('/');
    if (slash >= 0)
        name.remove(0, slash + 1);
    if (name.startsWith("anthropic.")) {
        name.remove(0, qsizetype(sizeof("anthropic.") - 1));
    } else {
        const qsizetype dot = name.indexOf('.');
        if (dot > 0 && isRegion(QByteArrayView(name).first(dot)) &&
            QByteArrayView(name).sliced(dot + 1).startsWith("anthropic."))
            name.remove(0, dot + 1 + qsizetype(sizeof("anthropic.") - 1));
    }
    // Bedrock version: -v1 or -v1:0
    {
        const qsizetype v = name.lastIndexOf("-v");
        if (v > 0) {
            QByteArrayView tail = QByteArrayView(name).sliced(v + 2);
            const qsizetype colon = tail.indexOf(':');
            const bool ok =
                colon < 0 ? isDigits(tail) : isDigits(tail.first(colon)) && isDigits(tail.sliced(colon + 1));
            if (ok)
                name.truncate(v);
        }
    }
    {
        const qsizetype at = name.lastIndexOf('@');
        if (at > 0 && name.size() - at - 1 == 8 && isDigits(QByteArrayView(name).sliced(at + 1)))
            name.truncate(at);
    }
    if (name.endsWith("-latest"))
        name.chop(qsizetype(sizeof("-latest") - 1));
    if (name.size() > 9 && name.at(name.size() - 9) == '-' && isDigits(QByteArrayView(name).last(8)))
        name.chop(9);
    return name;
}

PricingTable::LoadResult PricingTable::fromJson(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return {nullptr,
                QStringLiteral("invalid JSON at offset %1: %2").arg(parseError.offset).arg(parseError.errorString())};
    if (!document.isObject())
        return {nullptr, QStringLiteral("the price table must be a JSON object of model name -> prices")};

    auto table = std::make_shared<PricingTable>();
    const QJsonObject root = document.object();
    for (auto it = root.constBegin(); it != root.constEnd(); ++it) {
        const QString model = it.key();
        if (model == u"sample_spec" || !it.value().isObject())
            continue; // LiteLLM's documentation entry, or not a model
        const QJsonObject entry = it.value().toObject();
        const QString mode = entry.value(QLatin1StringView("mode")).toString();
        if (!mode.isEmpty() && mode != u"chat" && mode != u"completion")
            continue;

        QString error;
        auto field = [&](const char *name) { return priceField(entry, QLatin1StringView(name), model, &error); };
        const auto input = field("input_cost_per_token");
        const auto output = field("output_cost_per_token");
        const auto write5m = field("cache_creation_input_token_cost");
        const auto write1h = field("cache_creation_input_token_cost_above_1hr");
        const auto read = field("cache_read_input_token_cost");
        const auto longInput = field("input_cost_per_token_above_200k_tokens");
        const auto longOutput = field("output_cost_per_token_above_200k_tokens");
        const auto longWrite5m = field("cache_creation_input_token_cost_above_200k_tokens");
        const auto longWrite1h = field("cache_creation_input_token_cost_above_1hr_above_200k_tokens");
        const auto longRead = field("cache_read_input_token_cost_above_200k_tokens");
        if (!error.isEmpty())
            return {nullptr, error};
        if (!input || !output)
            continue; // not priced per token (images, audio, ...)

        ModelPrice price;
        price.base.input = *input;
        price.base.output = *output;
        // Anthropic's prompt-caching multipliers when the table has no explicit price.
        price.base.cacheWrite5m = write5m.value_or(scaled(*input, 1.25));
        price.base.cacheWrite1h = write1h.value_or(*input * 2);
        price.base.cacheRead = read.value_or(scaled(*input, 0.1));
        if (longInput) {
            price.hasLongContext = true;
            price.longContext.input = *longInput;
            price.longContext.output = longOutput.value_or(*output);
            price.longContext.cacheWrite5m = longWrite5m.value_or(scaled(*longInput, 1.25));
            price.longContext.cacheWrite1h = longWrite1h.value_or(*longInput * 2);
            price.longContext.cacheRead = longRead.value_or(scaled(*longInput, 0.1));
        }
        price.maxOutputTokens = limitField(entry, QLatin1StringView("max_output_tokens"));
        if (price.maxOutputTokens == 0)
            price.maxOutputTokens = limitField(entry, QLatin1StringView("max_tokens"));
        price.maxInputTokens = limitField(entry, QLatin1StringView("max_input_tokens"));
        price.provider = entry.value(QLatin1StringView("litellm_provider")).toString().toUtf8();
        table->m_exact.insert(model.toUtf8(), price);
    }
    if (table->m_exact.isEmpty())
        return {nullptr, QStringLiteral("the price table has no model with input and output token prices")};

    // The normalised index; for each normalised name keep the best-ranked key (ties: the greatest key, i.e. the
    // newest date), so the result never depends on hash order.
    QHash<QByteArray, std::pair<int, QByteArray>> chosen;
    for (auto it = table->m_exact.constBegin(); it != table->m_exact.constEnd(); ++it) {
        const QByteArray normalized = normalizeModel(it.key());
        const int rank = candidateRank(it.key(), normalized, it.value());
        auto found = chosen.find(normalized);
        if (found == chosen.end() || rank > found->first || (rank == found->first && it.key() > found->second))
            chosen.insert(normalized, {rank, it.key()});
    }
    for (auto it = chosen.constBegin(); it != chosen.constEnd(); ++it)
        table->m_normalized.insert(it.key(), table->m_exact.value(it.value().second));
    return {std::move(table), {}};
}

const ModelPrice *PricingTable::find(QByteArrayView model) const
{
    if (model.isEmpty())
        return nullptr;
    auto exact = m_exact.constFind(model.toByteArray());
    if (exact != m_exact.constEnd())
        return &exact.value();
    auto normalized = m_normalized.constFind(normalizeModel(model));
    if (normalized != m_normalized.constEnd())
        return &normalized.value();
    return nullptr;
}

qint64 PricingTable::classNanos(qint64 tokens, qint64 picoPerToken)
{
    if (tokens <= 0 || picoPerToken <= 0)
        return 0;
    qint64 pico = 0;
    if (qMulOverflow(tokens, picoPerToken, &pico) || pico > std::numeric_limits<qint64>::max() - 500)
        return std::numeric_limits<qint64>::max() / 1000;
    return (pico + 500) / 1000; // half up
}

Cost PricingTable::cost(QByteArrayView model, const TokenUsage &usage) const
{
    const ModelPrice *price = find(model);
    if (!price)
        return {};
    Cost cost;
    cost.known = true;
    cost.longContext = price->hasLongContext && usage.totalInputTokens() > LongContextThreshold;
    const ModelPrice::Tier &tier = cost.longContext ? price->longContext : price->base;
    const qint64 parts[] = {
        classNanos(usage.inputTokens, tier.input),
        classNanos(usage.outputTokens, tier.output),
        classNanos(usage.cacheCreation5mTokens, tier.cacheWrite5m),
        classNanos(usage.cacheCreation1hTokens, tier.cacheWrite1h),
        classNanos(usage.cacheReadTokens, tier.cacheRead),
    };
    for (qint64 part : parts) {
        if (qAddOverflow(cost.nanos, part, &cost.nanos))
            cost.nanos = std::numeric_limits<qint64>::max();
    }
    return cost;
}

std::optional<qint64> PricingTable::maxOutputTokens(QByteArrayView model) const
{
    const ModelPrice *price = find(model);
    if (!price || price->maxOutputTokens <= 0)
        return std::nullopt;
    return price->maxOutputTokens;
}

} // namespace Relay::Usage
