# sluice's node image: sluice-agent (the DaemonSet's entrypoint) and sluicectl.
#
#   docker build -t registry.example.com/sluice/sluice-agent:0.1.0 .
#
# Two stages on Debian 12 (bookworm), the distribution sluice is built and tested on.
# tests/packaging checks what can be checked without Docker: the paths copied below
# exist after a build, and every shared library the binaries load comes from a package
# the runtime stage installs.

# --- build -----------------------------------------------------------------------------
FROM debian:bookworm AS build
# The project's own package list (build, test and benchmark tools), so the image is
# built with exactly what CI builds with.
COPY scripts/setup.sh /tmp/setup.sh
RUN /tmp/setup.sh && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The BPF objects are embedded in the binaries (bpftool skeletons): nothing else to copy.
RUN cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DSLUICE_BUILD_TESTS=OFF -DSLUICE_BUILD_BENCH=OFF \
 && ninja -C /build sluice-agent sluicectl \
 && strip --strip-debug /build/userspace/agent/sluice-agent /build/userspace/cli/sluicectl

# --- runtime -----------------------------------------------------------------------------
FROM debian:bookworm-slim
# Only the shared libraries the binaries link (libcurl4 brings its own: nghttp2, ssh2,
# gssapi, ldap, ...), and CA certificates for a kubeconfig that names no CA. The base
# image already has what the DaemonSet's init container runs: sh, awk, mount.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        libbpf1 libelf1 zlib1g libcurl4 libyaml-cpp0.7 libprotobuf32 libssl3 libcpp-httplib0.11 \
        libstdc++6 libgcc-s1 libc6 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/userspace/agent/sluice-agent /usr/local/bin/sluice-agent
COPY --from=build /build/userspace/cli/sluicectl /usr/local/bin/sluicectl
# No USER: the agent runs as uid 0 with only CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON
# (manifests/03-daemonset.yaml). Kubernetes gives a non-root container added
# capabilities only through file capabilities, which no_new_privs
# (allowPrivilegeEscalation: false) ignores, and the node's /sys/fs/bpf is root's,
# mode 0700. See manifests/README.md, "Privileges".
ENTRYPOINT ["/usr/local/bin/sluice-agent"]
