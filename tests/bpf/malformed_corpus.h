// Frames the packet path must not translate: truncated, inconsistent or simply not
// service traffic in a form it handles (fragments, VLAN tags, other ethertypes,
// extension-header chains it does not follow), all aimed at a NodePort that exists,
// so a parser that misread any of them would translate it and leave state behind.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bpf/packet_builder.h"
#include "bpf/topology.h"

namespace sluice::bpftest {

struct CorpusFrame {
  std::string name;  // what is wrong with it, for failure messages
  Frame frame;
};

// Valid service packets (to node:30080 of `t`) the corpus derives its frames from:
// TCP SYN with options and data, UDP with data; IPv4 with options, IPv6 with a
// destination options header.
std::vector<CorpusFrame> ServicePackets(const Topology& t);

// Every family's frames, each group in a function of its own.
std::vector<CorpusFrame> TruncatedFrames(const Topology& t);  // every length >= 14
std::vector<CorpusFrame> Ipv4HeaderLengthFrames(const Topology& t);  // ihl 0..15 but 5
std::vector<CorpusFrame> IpLengthFrames(const Topology& t);  // total/payload length
std::vector<CorpusFrame> FragmentFrames(const Topology& t);
std::vector<CorpusFrame> ExtensionHeaderFrames(const Topology& t);  // IPv6 only
std::vector<CorpusFrame> L4LengthFrames(const Topology& t);  // UDP length, TCP doff
std::vector<CorpusFrame> LinkLayerFrames(const Topology& t);  // VLAN, ethertypes
std::vector<CorpusFrame> RandomFrames(uint32_t seed, int count);

// All of the above for IPv4 and IPv6.
std::vector<CorpusFrame> MalformedCorpus();

}  // namespace sluice::bpftest
