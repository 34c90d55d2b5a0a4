#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/ from the real API server captures in
tests/fixtures/k8s-wire/ and a few hand-made objects shaped like real ones.

Run it again after changing the captures; it rewrites only the seeds it owns
(fixture-*, event-*, hand-*) and leaves crash-* reproducers alone.
"""
import json
import pathlib
import struct

TOP = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = TOP / "tests/fixtures/k8s-wire"
CORPUS = TOP / "tests/fuzz/corpus"


def varint(data, pos):
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def fields(message):
    """(number, value) for the length-delimited and varint fields of a message."""
    pos = 0
    while pos < len(message):
        tag, pos = varint(message, pos)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value, pos = varint(message, pos)
        elif wire == 2:
            length, pos = varint(message, pos)
            value, pos = message[pos:pos + length], pos + length
        else:
            raise ValueError(f"wire type {wire} in a capture")
        yield number, value


def frames(stream):
    pos = 0
    while pos < len(stream):
        (length,) = struct.unpack(">I", stream[pos:pos + 4])
        yield stream[pos + 4:pos + 4 + length]
        pos += 4 + length


def event_object_body(frame):
    """The "k8s\\0" + runtime.Unknown body a WatchEvent frame carries."""
    for number, value in fields(frame):
        if number == 2:  # WatchEvent.object: RawExtension
            for inner, raw in fields(value):
                if inner == 1:
                    return raw
    raise ValueError("frame without an object")


def watch_config(mode, limit=0, max_chunk_log2=0, seed=1):
    """fuzz_watch_stream's 7 trailing bytes, read from the end by FuzzedDataProvider."""
    config = bytes([mode, limit, max_chunk_log2]) + struct.pack(">I", seed)
    return config[::-1]


def write(target, name, data):
    path = CORPUS / target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


HAND_JSON = {
    "hand-service-headless.json": {
        "kind": "Service", "apiVersion": "v1",
        "metadata": {"name": "db", "namespace": "shop"},
        "spec": {"clusterIP": "None", "clusterIPs": ["None"], "ports": [{"port": 5432}]}},
    "hand-service-lb-proxy.json": {
        "kind": "Service", "apiVersion": "v1",
        "metadata": {"name": "edge", "namespace": "shop", "resourceVersion": "9"},
        "spec": {"type": "LoadBalancer", "clusterIP": "10.0.0.5", "clusterIPs": ["10.0.0.5"],
                 "externalTrafficPolicy": "Local", "healthCheckNodePort": 32000,
                 "loadBalancerSourceRanges": [" 10.0.0.0/8 "],
                 "ports": [{"name": "https", "port": 443, "targetPort": "https", "nodePort": 30443}]},
        "status": {"loadBalancer": {"ingress": [{"ip": "198.18.9.9", "ipMode": "Proxy"},
                                                 {"ip": "198.18.9.8"}, {"hostname": "lb.test"}]}}},
    "hand-slice-fqdn.json": {
        "kind": "EndpointSlice", "apiVersion": "discovery.k8s.io/v1",
        "metadata": {"name": "ext-1", "namespace": "shop",
                     "labels": {"kubernetes.io/service-name": "ext"}},
        "addressType": "FQDN",
        "endpoints": [{"addresses": ["db.example.test"], "conditions": {"ready": True}}],
        "ports": [{"name": "", "port": 5432}, {"name": "all"}]},
    "hand-list-mixed.json": {
        "kind": "List", "apiVersion": "v1",
        "items": [{"kind": "Service", "apiVersion": "v1", "metadata": {"name": "a"},
                   "spec": {"clusterIP": "10.0.0.1", "ports": [{"port": 80, "protocol": "UDP"}]}},
                  {"kind": "Service", "apiVersion": "serving.knative.dev/v1", "metadata": {"name": "k"}},
                  {"kind": "Node", "apiVersion": "v1", "metadata": {"name": "n"},
                   "status": {"addresses": [{"type": "InternalIP", "address": "fd00::1"}]}}]},
    "hand-status-429.json": {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "slow down", "reason": "TooManyRequests", "code": 429,
        "details": {"retryAfterSeconds": 2}},
}

HAND_YAML = """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  clusterIP: 10.0.0.10
  sessionAffinity: ClientIP
  ports:
  - {name: http, port: 80, targetPort: http}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv6
endpoints:
- addresses: ["fd00:18::11"]
  conditions: {ready: false, serving: true, terminating: true}
  hints: {forZones: [{name: zone-a}]}
ports: [{name: http, port: 8080, protocol: TCP}]
"""


def main():
    for path in sorted(FIXTURES.iterdir()):
        if path.suffix == ".json" and "watch" not in path.name:
            write("fuzz_json_decode", "fixture-" + path.name, path.read_bytes())
        elif path.suffix == ".protobuf" and "watch" not in path.name:
            write("fuzz_proto_decode", "fixture-" + path.name, path.read_bytes())
        elif path.suffix == ".yaml":
            write("fuzz_json_decode", "fixture-" + path.name, path.read_bytes())

    kinds = {"services": 0, "endpointslices": 1, "watch": 0}
    for path in sorted(FIXTURES.glob("*watch*")):
        if path.name.endswith(".headers"):
            continue
        stream = path.read_bytes()
        protobuf = path.suffix == ".protobuf"
        mode = (kinds[path.name.split("-")[0]] << 1) | int(protobuf)
        write("fuzz_watch_stream", f"fixture-{path.name}-whole", stream + watch_config(mode))
        write("fuzz_watch_stream", f"fixture-{path.name}-bytewise", stream + watch_config(mode, 0, 0))
        write("fuzz_watch_stream", f"fixture-{path.name}-chunks", stream + watch_config(mode, 0, 9, 77))
        write("fuzz_watch_stream", f"fixture-{path.name}-small-limit",
              stream + watch_config(mode, 200 + 9, 4, 5))
        # Each event's object alone is a body of the object decoders.
        if protobuf:
            for i, frame in enumerate(frames(stream)):
                write("fuzz_proto_decode", f"event-{path.stem}-{i}", event_object_body(frame))
        else:
            for i, line in enumerate(stream.decode().splitlines()):
                write("fuzz_json_decode", f"event-{path.stem}-{i}.json",
                      json.dumps(json.loads(line)["object"]))

    for name, value in HAND_JSON.items():
        write("fuzz_json_decode", name, json.dumps(value, indent=1))
    write("fuzz_json_decode", "hand-manifests.yaml", HAND_YAML)
    # A JSON stream with blank lines and an ERROR whose object is no Status.
    lines = (b'\n{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Gone"}}\r\n\n'
             b'{"type":"DELETED","object":{"kind":"Service","metadata":{"name":"x"},"spec":{"clusterIP":"bad"}}}\n'
             b'{"type":"ERROR","object":42}\n')
    write("fuzz_watch_stream", "hand-json-odd-events", lines + watch_config(0, 0, 2, 9))


if __name__ == "__main__":
    main()
