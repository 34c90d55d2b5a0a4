/* SPDX-License-Identifier: Apache-2.0 */
/* What every sluice BPF source needs: kernel UAPI types, libbpf helpers, the ABI. */
#ifndef SLUICE_BPF_COMMON_H
#define SLUICE_BPF_COMMON_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/errno.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "sluice/abi.h"

#ifndef __noinline
#define __noinline __attribute__((noinline))
#endif

/* Return values of cgroup socket-address hooks. */
#define SYS_REJECT 0
#define SYS_PROCEED 1

#endif /* SLUICE_BPF_COMMON_H */
