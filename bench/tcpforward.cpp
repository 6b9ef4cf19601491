// SPDX-License-Identifier: GPL-3.0-or-later
// The bench's reference for "one more process on the path": a TCP forwarder that does nothing but copy bytes, two
// blocking threads per connection (one per direction), TCP_NODELAY on both sides. bench/relay.sh measures the
// stream time to first byte it adds next to the one RelayDeck adds, in the same run, to tell what any extra hop
// costs on the machine from what the relay itself costs.
//   tcpforward LISTEN_PORT TARGET_PORT     (both on 127.0.0.1; prints FORWARDING when it listens)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

namespace {

sockaddr_in loopback(int port)
{
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

void copy(int from, int to)
{
    char buffer[64 * 1024];
    for (;;) {
        const ssize_t n = read(from, buffer, sizeof buffer);
        if (n <= 0)
            break;
        for (ssize_t done = 0; done < n;) {
            const ssize_t w = write(to, buffer + done, size_t(n - done));
            if (w <= 0) {
                shutdown(to, SHUT_WR);
                return;
            }
            done += w;
        }
    }
    shutdown(to, SHUT_WR);
}

void serve(int client, int targetPort)
{
    const int upstream = socket(AF_INET, SOCK_STREAM, 0);
    const sockaddr_in target = loopback(targetPort);
    if (upstream < 0 || connect(upstream, reinterpret_cast<const sockaddr *>(&target), sizeof target) != 0) {
        close(client);
        if (upstream >= 0)
            close(upstream);
        return;
    }
    const int one = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::thread back(copy, upstream, client);
    copy(client, upstream);
    back.join();
    close(client);
    close(upstream);
}

} // namespace

int main(int argc, char **argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: tcpforward LISTEN_PORT TARGET_PORT\n");
        return 2;
    }
    const int targetPort = std::atoi(argv[2]);
    const int listener = socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const sockaddr_in address = loopback(std::atoi(argv[1]));
    if (bind(listener, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0 ||
        listen(listener, 128) != 0) {
        std::perror("tcpforward: listen");
        return 1;
    }
    std::printf("FORWARDING\n");
    std::fflush(stdout);
    for (;;) {
        const int client = accept(listener, nullptr, nullptr);
        if (client >= 0)
            std::thread(serve, client, targetPort).detach();
    }
}
