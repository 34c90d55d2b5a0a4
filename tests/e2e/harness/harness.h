// Everything an end-to-end test needs: #include "e2e/harness/harness.h".
#pragma once

#include "e2e/harness/cleanup_registry.h"
#include "e2e/harness/command.h"
#include "e2e/harness/echo_servers.h"
#include "e2e/harness/paths.h"
#include "e2e/harness/probe_runner.h"
#include "e2e/harness/process.h"
#include "e2e/harness/require_root.h"
#include "e2e/harness/topology.h"
