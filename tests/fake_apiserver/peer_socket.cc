#include "fake_apiserver/peer_socket.h"

#include <poll.h>

namespace sluice::fake_apiserver {

bool PeerHasClosed(int fd) {
  if (fd < 0) return false;
  // A watching client sends nothing, so only the FIN (POLLRDHUP) or a reset
  // (POLLHUP/POLLERR) is looked at; readable data is left for TLS to read.
  pollfd p{fd, POLLRDHUP, 0};
  if (poll(&p, 1, 0) <= 0) return false;
  return (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

}  // namespace sluice::fake_apiserver
