// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QMutex>
#include <QString>
#include <QStringView>

#include <algorithm>
#include <array>
#include <atomic>
#include <memory>
#include <optional>
#include <vector>

namespace Relay::Proxy {

// Text of bounded size stored inline, so a record is one fixed-size block: setting it never allocates, and longer
// text is cut (on a UTF-8 character boundary).
template <int N>
struct FixedText
{
    static_assert(N > 0 && N < 256);
    std::array<char, N> bytes{};
    quint8 size = 0;

    void set(QByteArrayView text)
    {
        qsizetype n = std::min<qsizetype>(text.size(), N);
        if (n < text.size()) {
            while (n > 0 && (quint8(text[n]) & 0xC0) == 0x80) // do not split a character
                --n;
        }
        std::copy_n(text.data(), n, bytes.data());
        size = quint8(n);
    }
    // UTF-8 encoded in place.
    void set(QStringView text)
    {
        int n = 0;
        for (qsizetype i = 0; i < text.size(); ++i) {
            char32_t c = text[i].unicode();
            if (QChar::isHighSurrogate(c) && i + 1 < text.size() && text[i + 1].isLowSurrogate())
                c = QChar::surrogateToUcs4(char16_t(c), text[++i].unicode());
            else if (QChar::isSurrogate(c))
                c = 0xFFFD;
            const int length = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
            if (n + length > N)
                break;
            if (length == 1) {
                bytes[size_t(n++)] = char(c);
                continue;
            }
            static constexpr quint8 lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
            for (int k = length - 1; k > 0; --k) {
                bytes[size_t(n + k)] = char(0x80 | (c & 0x3F));
                c >>= 6;
            }
            bytes[size_t(n)] = char(lead[length] | c);
            n += length;
        }
        size = quint8(n);
    }
    QByteArrayView view() const { return {bytes.data(), qsizetype(size)}; }
    bool isEmpty() const { return size == 0; }
    QString toString() const { return QString::fromUtf8(bytes.data(), size); }
};

// One relayed request's timings, written once when it ends. Durations are microseconds from the first request byte;
// 0 means the stage did not happen (no limits to check, no account found, no upstream answer).
struct RequestTiming
{
    FixedText<32> requestId; // the x-relaydeck-request-id the client saw
    qint64 startMs = 0;      // ms since the epoch
    FixedText<48> keyId;
    FixedText<64> keyName;
    FixedText<48> accountId; // the account that served (the last one tried); empty if none was tried
    FixedText<64> model;     // as the client asked for it
    FixedText<32> errorType; // Anthropic error type, "upstream_<outcome>" for an upstream's own error, or empty
    int status = 0;          // 499 when the client left first
    int attempts = 0;        // upstream calls made (more than 1 after a failover)
    bool stream = false;
    bool countTokens = false;
    bool truncated = false;     // a stream that ended without message_stop
    bool clientAborted = false; // the client left before the end
    qint64 authUs = 0;          // the key was checked
    qint64 limitsUs = 0;        // concurrency and limit checks done
    qint64 accountUs = 0;       // the first account was chosen
    qint64 upstreamSentUs = 0;  // the last attempt's upstream request went out
    qint64 firstByteUs = 0;     // the last attempt's response headers arrived
    qint64 endUs = 0;           // the request was complete
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;

    qint64 endedNs = 0; // monotonic (Http::monotonicNs) at the end: orders records across workers precisely

    // The order of records: by endedNs when both have it, else by wall time.
    bool endedAfter(const RequestTiming &other) const
    {
        if (endedNs != 0 && other.endedNs != 0)
            return endedNs > other.endedNs;
        return startMs * 1000 + endUs > other.startMs * 1000 + other.endUs;
    }
    // {"id","started_at","key_id","key_name","account_id","model","stream","endpoint","status","error_type",
    //  "attempts","truncated","client_aborted","input_tokens","output_tokens","duration_ms",
    //  "timings_us":{"auth","limits","account","upstream_sent","first_byte","end"}}
    QJsonObject toJson() const;
};

// The last requests' timings for the admin API, and how many requests each account is serving right now.
//
// Each writer (worker thread) has its own ring of `capacity` records and its own lock, which only that worker and
// a reader ever take: a write is one record copy under an uncontended lock, and readers copy in small batches so a
// writer never waits for more than a few records' copy. Readers merge the rings newest first (by end time) and
// return at most `capacity` records. Nothing here allocates on the write path.
class RequestLog
{
public:
    static constexpr int DefaultCapacity = 1000;
    static constexpr int AccountSlots = 256; // distinct accounts counted per writer

    explicit RequestLog(int capacity = DefaultCapacity);
    ~RequestLog();
    Q_DISABLE_COPY_MOVE(RequestLog)

    // Start-up, before any writer runs: one ring per writer (index 0..count-1).
    void setWriterCount(int count);
    int writerCount() const { return int(m_rings.size()); }
    int capacity() const { return m_capacity; }

    // Writer `writer`'s thread only. Out-of-range writers are ignored.
    void record(int writer, const RequestTiming &timing);
    // An upstream call on `accountId` started / ended (pairs, from the same writer).
    void accountStarted(int writer, QByteArrayView accountId) { accountDelta(writer, accountId, 1); }
    void accountFinished(int writer, QByteArrayView accountId) { accountDelta(writer, accountId, -1); }

    struct Filter
    {
        int status = 0;           // exact status, or 0
        int statusClass = 0;      // 4 = 4xx, 5 = 5xx, or 0
        bool errorsOnly = false;  // status >= 400
        QByteArray keyId;         // or empty
        QByteArray accountId;     // or empty
        qint64 minDurationUs = 0; // endUs at least this
        QByteArray requestId;     // or empty

        bool matches(const RequestTiming &timing) const;
    };
    // Any thread: the matching records, newest first, at most capacity().
    std::vector<RequestTiming> records(const Filter &filter) const;
    std::vector<RequestTiming> records() const;
    std::optional<RequestTiming> find(QByteArrayView requestId) const;
    // Any thread: records ever written.
    quint64 recordedCount() const;
    // Any thread: upstream calls in progress on this account, over all writers.
    int inFlight(QByteArrayView accountId) const;

private:
    struct AccountCount
    {
        std::atomic<quint64> hash{0}; // 0 = free; set once by the owning writer
        std::atomic<int> count{0};
    };
    struct alignas(64) Ring
    {
        mutable QMutex mutex;
        std::vector<RequestTiming> slots;
        quint64 written = 0; // under mutex; slot of record n is n % capacity
        std::atomic<quint64> writtenCount{0};
        std::array<AccountCount, AccountSlots> accounts;
    };

    static quint64 accountHash(QByteArrayView accountId);
    void accountDelta(int writer, QByteArrayView accountId, int delta);

    int m_capacity;
    std::vector<std::unique_ptr<Ring>> m_rings;
};

} // namespace Relay::Proxy
