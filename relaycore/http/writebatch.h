// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <algorithm>
#include <vector>

namespace Relay::Http {

// A writer whose flush may wait for the end of the current WriteBatch (a client connection).
class BatchedWriter
{
public:
    virtual void flushBatched() = 0;

protected:
    BatchedWriter() = default;
    ~BatchedWriter();
    BatchedWriter(const BatchedWriter &) = delete;
    BatchedWriter &operator=(const BatchedWriter &) = delete;

private:
    friend class WriteBatch;
    bool m_queued = false;
};

// While a batch is open on a thread, client connections keep what is written to them and send it when the outermost
// batch ends: what one upstream read produces (a stream's head, the events at hand and, for a short answer, its end)
// leaves in one write, one segment and one wake-up of the client instead of one each. Upstream read handlers open
// one; it lasts only while that handler runs, so nothing waits for a later event. Header-only: the upstream module
// opens batches without linking the HTTP server.
class WriteBatch
{
public:
    WriteBatch() { ++state().depth; }
    ~WriteBatch()
    {
        State &s = state();
        if (--s.depth > 0)
            return;
        // A flush may close (and delete) another writer, which then leaves the list itself.
        while (!s.pending.empty()) {
            BatchedWriter *writer = s.pending.back();
            s.pending.pop_back();
            writer->m_queued = false;
            writer->flushBatched();
        }
    }
    WriteBatch(const WriteBatch &) = delete;
    WriteBatch &operator=(const WriteBatch &) = delete;

    // True when a batch is open: the writer is flushed at its end. False: flush now.
    static bool defer(BatchedWriter *writer)
    {
        State &s = state();
        if (s.depth == 0)
            return false;
        if (!writer->m_queued) {
            writer->m_queued = true;
            s.pending.push_back(writer);
        }
        return true;
    }

private:
    friend class BatchedWriter;
    struct State
    {
        int depth = 0;
        std::vector<BatchedWriter *> pending;
    };
    static State &state()
    {
        static thread_local State s;
        return s;
    }
    static void forget(BatchedWriter *writer)
    {
        std::vector<BatchedWriter *> &pending = state().pending;
        pending.erase(std::remove(pending.begin(), pending.end(), writer), pending.end());
    }
};

inline BatchedWriter::~BatchedWriter()
{
    if (m_queued)
        WriteBatch::forget(this);
}

} // namespace Relay::Http
