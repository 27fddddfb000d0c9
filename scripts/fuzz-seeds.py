#!/usr/bin/env python3
"""Builds seed inputs for tests/fuzz (partition_decoder) from the corpus's
uncompressed 3.0+ SSTables: [version byte][u16 header length][HEADER
component][Data.db]. Seeds go to tests/fuzz/corpus/partition_decoder (git
ignored). Usage: python3 scripts/fuzz-seeds.py [CORPUS_DIR]"""
import os, struct, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "fixtures")
out = os.path.join(root, "tests", "fuzz", "corpus", "partition_decoder")
os.makedirs(out, exist_ok=True)
n = 0
for d, _, files in os.walk(os.path.join(corpus, "real")):
    for f in files:
        if not f.endswith("-Data.db"):
            continue
        prefix = f[: -len("Data.db")]
        ver = prefix[:2]
        if ver not in ("ma", "mb", "mc", "md", "me", "na", "nb", "nc", "oa", "da"):
            continue
        if os.path.exists(os.path.join(d, prefix + "CompressionInfo.db")):
            continue  # seeds need the uncompressed stream
        stats = open(os.path.join(d, prefix + "Statistics.db"), "rb").read()
        checksummed = ver >= "na" or ver == "da"
        count = struct.unpack(">i", stats[:4])[0]
        base = 8 if checksummed else 4
        toc = [struct.unpack(">ii", stats[base + 8 * i: base + 8 * i + 8]) for i in range(count)]
        offsets = sorted(o for _, o in toc)
        start = dict(toc)[3]
        end = min([o for o in offsets if o > start] or [len(stats)])
        header = stats[start:end - (4 if checksummed else 0)]
        data = open(os.path.join(d, f), "rb").read()
        # Small inputs keep the fuzzer fast; prefixes of big files still
        # start with whole partitions.
        data = data[: 32 << 10]
        seed = bytes([1 if ver in ("oa", "da") else 0]) + struct.pack(">H", len(header)) + header + data
        with open(os.path.join(out, f"{n:04d}-{os.path.basename(d)}-{prefix}seed"), "wb") as w:
            w.write(seed)
        n += 1
print(f"wrote {n} seeds to {os.path.relpath(out, root)}")
