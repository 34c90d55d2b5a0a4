#include "conntrack_flush.h"

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sluice::bench {

std::string FlushConntrack() {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (fd < 0) return std::string("netlink socket: ") + strerror(errno);
  struct {
    nlmsghdr header;
    nfgenmsg body;
  } request{};
  request.header.nlmsg_len = sizeof(request);
  request.header.nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  request.header.nlmsg_seq = 1;
  request.body.nfgen_family = AF_INET;  // a delete without a tuple flushes the family
  request.body.version = NFNETLINK_V0;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  std::string error;
  if (sendto(fd, &request, sizeof(request), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) < 0) {
    error = std::string("netlink send: ") + strerror(errno);
  } else {
    char answer[4096];
    const ssize_t n = recv(fd, answer, sizeof(answer), 0);
    const auto* header = reinterpret_cast<const nlmsghdr*>(answer);
    if (n < static_cast<ssize_t>(sizeof(nlmsghdr) + sizeof(nlmsgerr))) {
      error = "netlink: no answer";
    } else if (header->nlmsg_type == NLMSG_ERROR) {
      const auto* ack = reinterpret_cast<const nlmsgerr*>(NLMSG_DATA(header));
      if (ack->error != 0) error = std::string("conntrack flush: ") + strerror(-ack->error);
    }
  }
  close(fd);
  return error;
}

}  // namespace sluice::bench
