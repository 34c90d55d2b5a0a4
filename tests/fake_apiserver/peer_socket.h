// Whether the client at the other end of a connection has gone away. A watch that
// sends nothing for a while (no changes, no bookmarks, a stall) would otherwise hold
// its worker thread until its timeout, and a client that gives up and reconnects
// over and over would use every worker up.
#pragma once

namespace sluice::fake_apiserver {

// True once the peer of connected socket `fd` has closed or reset it. -1: unknown, false.
bool PeerHasClosed(int fd);

}  // namespace sluice::fake_apiserver
