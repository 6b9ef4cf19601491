// SPDX-License-Identifier: GPL-3.0-or-later
// The bench's stream time-to-first-byte client: one blocking keep-alive connection per target, sequential streaming
// requests taking turns in a new random order each round, TTFB = request written -> first body byte read. Written
// in C++ with blocking sockets so that the load generator adds as little of its own scheduling noise (event loop,
// garbage collector threads) as it can to the tail being measured; every target gets the same client.
//   ttfbclient COUNT WARMUP MAX_SECONDS KEY BODY_FILE NAME=PORT [NAME=PORT ...]
// WARMUP rounds go first and are not timed: the mock's JIT and heap settle, connections and caches fill.
// Prints one JSON line: {"NAME":{"n":…,"bad":…,"p50":ms,"p99":ms},…}. A response counts as bad unless it is a
// 200 whose chunked body ends with the terminal chunk and carries an SSE message_stop event.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Target
{
    std::string name;
    int port = 0;
    int fd = -1;
    std::vector<double> ms;
    int bad = 0;
};

int connectTo(int port)
{
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, reinterpret_cast<const sockaddr *>(&a), sizeof a) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

bool writeAll(int fd, const std::string &bytes)
{
    for (size_t done = 0; done < bytes.size();) {
        const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
        if (n <= 0)
            return false;
        done += size_t(n);
    }
    return true;
}

// Reads one HTTP/1.1 response with a chunked (or content-length) body. Sets *firstBody when the first body byte
// has been read; returns false when the connection failed. *ok tells whether the response was a complete stream.
bool readResponse(int fd, Clock::time_point *firstBody, bool *ok)
{
    std::string buf;
    char chunk[64 * 1024];
    size_t headEnd = std::string::npos;
    bool first = false;
    for (;;) {
        const ssize_t n = read(fd, chunk, sizeof chunk);
        if (n <= 0)
            return false;
        buf.append(chunk, size_t(n));
        if (headEnd == std::string::npos) {
            headEnd = buf.find("\r\n\r\n");
            if (headEnd == std::string::npos)
                continue;
        }
        if (!first && buf.size() > headEnd + 4) {
            *firstBody = Clock::now();
            first = true;
        }
        std::string head = buf.substr(0, headEnd);
        std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        const bool status200 = head.compare(0, 12, "http/1.1 200") == 0;
        if (head.find("transfer-encoding: chunked") != std::string::npos) {
            // Walk the chunks received so far; the body is complete at the zero-size chunk.
            size_t pos = headEnd + 4;
            std::string body;
            for (;;) {
                const size_t eol = buf.find("\r\n", pos);
                if (eol == std::string::npos)
                    break;
                const unsigned long size = std::strtoul(buf.c_str() + pos, nullptr, 16);
                if (size == 0) {
                    if (buf.size() < eol + 4)
                        break;
                    *ok = status200 && body.find("event: message_stop\n") != std::string::npos;
                    return true;
                }
                if (buf.size() < eol + 2 + size + 2)
                    break;
                body.append(buf, eol + 2, size);
                pos = eol + 2 + size + 2;
            }
        } else {
            const size_t at = head.find("content-length:");
            const size_t length = at == std::string::npos ? 0 : std::strtoul(head.c_str() + at + 15, nullptr, 10);
            if (buf.size() >= headEnd + 4 + length) {
                *ok = false; // a stream is always chunked here
                return true;
            }
        }
    }
}

double percentile(const std::vector<double> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    return sorted[std::min(sorted.size() - 1, size_t(p / 100.0 * double(sorted.size())))];
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 7) {
        std::fprintf(stderr, "usage: ttfbclient COUNT WARMUP MAX_SECONDS KEY BODY_FILE NAME=PORT...\n");
        return 2;
    }
    const int count = std::atoi(argv[1]);
    const int warmup = std::atoi(argv[2]);
    const auto deadline = Clock::now() + std::chrono::seconds(std::atoi(argv[3]));
    const std::string key = argv[4];
    std::ifstream in(argv[5], std::ios::binary);
    const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<Target> targets;
    for (int i = 6; i < argc; ++i) {
        const std::string arg = argv[i];
        const size_t eq = arg.find('=');
        Target t;
        t.name = arg.substr(0, eq);
        t.port = std::atoi(arg.c_str() + eq + 1);
        t.fd = connectTo(t.port);
        if (t.fd < 0) {
            std::fprintf(stderr, "cannot connect to %s (port %d)\n", t.name.c_str(), t.port);
            return 1;
        }
        t.ms.reserve(size_t(count));
        targets.push_back(std::move(t));
    }
    std::vector<std::string> requests;
    for (const Target &t : targets) {
        requests.push_back("POST /api/v1/messages HTTP/1.1\r\nhost: 127.0.0.1:" + std::to_string(t.port) +
                           "\r\ncontent-type: application/json\r\nanthropic-version: 2023-06-01\r\nx-api-key: " + key +
                           "\r\ncontent-length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    }
    std::vector<size_t> order(targets.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::mt19937 random(std::random_device{}());
    for (int round = -warmup; round < count && Clock::now() < deadline; ++round) {
        // A new order each round, so that what one target leaves running after its answer lands on all alike.
        std::shuffle(order.begin(), order.end(), random);
        for (const size_t i : order) {
            Target &t = targets[i];
            const auto t0 = Clock::now();
            Clock::time_point firstBody = t0;
            bool ok = false;
            if (!writeAll(t.fd, requests[i]) || !readResponse(t.fd, &firstBody, &ok)) {
                std::fprintf(stderr, "%s: connection lost\n", t.name.c_str());
                return 1;
            }
            if (!ok)
                ++t.bad;
            if (round >= 0)
                t.ms.push_back(std::chrono::duration<double, std::milli>(firstBody - t0).count());
        }
    }
    std::ostringstream out;
    out << '{';
    for (size_t i = 0; i < targets.size(); ++i) {
        Target &t = targets[i];
        std::vector<double> sorted = t.ms;
        std::sort(sorted.begin(), sorted.end());
        char line[256];
        std::snprintf(line, sizeof line, "%s\"%s\":{\"n\":%zu,\"bad\":%d,\"p50\":%.3f,\"p99\":%.3f}", i ? "," : "",
                      t.name.c_str(), sorted.size(), t.bad, percentile(sorted, 50), percentile(sorted, 99));
        out << line;
    }
    out << '}';
    std::puts(out.str().c_str());
    if (const char *dump = std::getenv("TTFB_DUMP")) { // every time, for a closer look at the distribution
        std::ofstream d(dump);
        d << '{';
        for (size_t i = 0; i < targets.size(); ++i) {
            d << (i ? "," : "") << '"' << targets[i].name << "\":[";
            for (size_t k = 0; k < targets[i].ms.size(); ++k)
                d << (k ? "," : "") << targets[i].ms[k];
            d << ']';
        }
        d << "}\n";
    }
    return 0;
}
