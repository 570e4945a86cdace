#!/usr/bin/python3
"""Exact expectation of random search under the NB201 CSV protocol, independent of any search code.

120 uniform draws with replacement from the 15,625 architectures; the incumbent is the draw with the best
validation accuracy (the first such draw among ties, which is uniform over the tied architectures); reported
is its test accuracy. With the architectures grouped by validation accuracy in ascending order, the best of
the 120 draws lies in group g with probability F(g)^120 - F(g-1)^120 (F: the share of architectures in groups
up to g), and within the group it is uniform. Prints the expectation and the standard deviation of one run;
benchmarks/nb201_table5.cc quotes them when the random-search row falls outside 2 standard errors.

usage: nb201_random_search_exact.py NB201_CSV [DRAWS]
  e.g. python3 benchmarks/nb201_random_search_exact.py ../shared/data/nasbench201/nasbench201_cifar100.csv
"""
import collections
import csv
import sys


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    draws = int(sys.argv[2]) if len(sys.argv) == 3 else 120
    groups = collections.defaultdict(list)
    with open(sys.argv[1], newline="") as f:
        for row in csv.DictReader(f):
            groups[float(row["validation accuracy"])].append(float(row["test accuracy"]))
    n = sum(len(g) for g in groups.values())
    seen, mean, second = 0, 0.0, 0.0
    for valid in sorted(groups):
        tests = groups[valid]
        below = seen / n
        seen += len(tests)
        p = (seen / n) ** draws - below ** draws
        mean += p * sum(tests) / len(tests)
        second += p * sum(t * t for t in tests) / len(tests)
    std = max(second - mean * mean, 0.0) ** 0.5
    print(f"{sys.argv[1]}: {n} architectures, {draws} draws: expected test accuracy {mean:.4f}, "
          f"std of one run {std:.4f}")


if __name__ == "__main__":
    main()
