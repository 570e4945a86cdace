#!/usr/bin/env python3
"""Writes the seeds of the text-like fuzz targets into tests/fuzz/corpus/<target>/ (tiny synthetic files):
pickle (NATS-Bench-like dicts, protocols 2-4), bz2 (bzip2 of those), nb201_csv (the header and a few rows),
config (small experiment configs). The binary formats' seeds come from //tests/fuzz:make_seeds."""
import bz2
import os
import pickle
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
for d in ("pickle", "bz2", "nb201_csv", "config"):
    os.makedirs(os.path.join(out, d), exist_ok=True)

meta = {"meta_archs": ["|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"], "total": 1,
        ("cifar10-valid", 777): {"valid_acc": 81.5, "times": [1.5, 2.0], "ok": True, "none": None,
                                 "raw": b"\x00\x01", "nested": ({"a": 1}, [2 ** 40, -3])}}
for proto in (2, 3, 4):
    data = pickle.dumps(meta, protocol=proto)
    open(os.path.join(out, "pickle", "meta_p%d.pickle" % proto), "wb").write(data)
    if proto == 4:
        open(os.path.join(out, "bz2", "meta_p4.pickle.pbz2"), "wb").write(bz2.compress(data, 1))
open(os.path.join(out, "bz2", "text.bz2"), "wb").write(bz2.compress(b"abc" * 50, 9))

ops = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
def arch(i):
    d = [(i // 5 ** k) % 5 for k in range(6)]
    o = [ops[x] for x in d]
    return "|%s~0|+|%s~0|%s~1|+|%s~0|%s~1|%s~2|" % tuple(o)
rows = ["file id,arch str,cfg name,C,N,train accuracy,validation accuracy,test accuracy"]
for i in range(3):
    rows.append("%d,%s,infer.tiny,16,5,%.13f,%.13f,%.2f" % (i, arch(i * 977), 88.9 + i, 81.9 + i, 81.5 + i))
open(os.path.join(out, "nb201_csv", "three_rows.csv"), "w").write("\n".join(rows) + "\n")

configs = {
    "five_methods.textproto": """name: "fuzz"
benchmark { table: "t.h5" dataset: "cifar10-valid" seed_mode: MEAN }
budget { evaluations: 20 }
seeds { experiment_seed: 2026 runs: 2 }
methods { name: "reinforce" label: "pe" reinforce { policy: PER_EDGE learning_rate: 0.01 } }
methods { name: "random" }
methods { name: "regularized_evolution" evolution { population_size: 10 tournament_size: 3 } }
methods { name: "local_search" }
""",
    "seconds.textproto": """name: "s" benchmark { table: "t.h5" dataset: "cifar100" seed_mode: SAMPLE }
budget { simulated_seconds: 12000 } seeds { runs: 1 } methods { name: "random" label: "r" }
""",
}
for name, text in configs.items():
    open(os.path.join(out, "config", name), "w").write(text)
print("text seeds written under", out)
