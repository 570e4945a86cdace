#!/usr/bin/python3
"""Plain-Python reference for the NB201 search protocol (benchmarks/side_by_side.cc times it, whole process).

Random search and regularized evolution (population 10, tournament 3) as the NB201 authors' RANDOM.py and
R_EA.py run them on the benchmark: every evaluation costs 100 simulated seconds against a 12,000 s budget
(120 evaluations), fitness = the CSV's validation accuracy, reported = the test accuracy of the architecture
with the best validation accuracy; mutation = the authors' mutate_arch_func (a node uniformly, then one of its
input edges, then another operation). 500 runs each, as benchmarks/experiments/nb201_protocol_rs_rea_cifar10
.textproto. No pandas or numpy: the authors' loop is plain Python over a lookup.

usage: nb201_protocol_reference.py NB201_CSV [RUNS] [SEED]
"""
import collections
import csv
import random
import statistics
import sys

OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
# Edges in the arch string's order: node 1 <- 0; node 2 <- 0, 1; node 3 <- 0, 1, 2.
NODE_EDGES = ((0,), (1, 2), (3, 4, 5))
COST_S, BUDGET_S = 100.0, 12000.0


def parse_arch(text):
    ops = []
    for node in text.strip("|").split("|+|"):
        for edge in node.strip("|").split("|"):
            ops.append(OPS.index(edge.split("~")[0]))
    return tuple(ops)


def load(path):
    table = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            table[parse_arch(row["arch str"])] = (float(row["validation accuracy"]), float(row["test accuracy"]))
    return table


def random_arch(rng):
    return tuple(rng.randrange(len(OPS)) for _ in range(6))


def mutate_arch(arch, rng):
    node = rng.randrange(len(NODE_EDGES))
    edge = rng.choice(NODE_EDGES[node])
    ops = list(arch)
    ops[edge] = rng.choice([o for o in range(len(OPS)) if o != arch[edge]])
    return tuple(ops)


def random_search(table, rng):
    history, spent = [], 0.0
    while spent + COST_S <= BUDGET_S:
        arch = random_arch(rng)
        history.append((table[arch][0], arch))
        spent += COST_S
    return max(history, key=lambda h: h[0])[1]


def regularized_evolution(table, rng, population_size=10, tournament_size=3):
    population, history, spent = collections.deque(), [], 0.0
    while len(population) < population_size and spent + COST_S <= BUDGET_S:
        arch = random_arch(rng)
        member = (table[arch][0], arch)
        population.append(member)
        history.append(member)
        spent += COST_S
    while spent + COST_S <= BUDGET_S:
        sample = [rng.choice(population) for _ in range(tournament_size)]
        parent = max(sample, key=lambda m: m[0])
        child = mutate_arch(parent[1], rng)
        member = (table[child][0], child)
        spent += COST_S
        population.append(member)
        history.append(member)
        population.popleft()
    return max(history, key=lambda h: h[0])[1]


def main():
    table = load(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 201
    for name, search in (("random", random_search), ("rea", regularized_evolution)):
        tests = [table[search(table, random.Random(seed * 100003 + run))][1] for run in range(runs)]
        print("%-8s %d runs: test %.3f +- %.3f" % (name, runs, statistics.mean(tests), statistics.pstdev(tests)))


if __name__ == "__main__":
    main()
