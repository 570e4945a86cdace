#!/usr/bin/python3
"""PyTorch-Python reference for supernet-training throughput (benchmarks/supernet_benchmark.cc runs it).

The NB201 authors' shared-weight model for ENAS / RSPS (AutoDL-Projects / xautodl:
models/cell_searchs/search_model_enas.py TinyNetworkENAS, search_cells.py NAS201SearchCell.forward_dynamic,
cell_operations.py OPS) re-typed, the skeleton and operations shared with nb201_torch_model.py: stem conv3x3 +
BN, three stages of N search cells at C, 2C, 4C channels with ResNetBasicblock reductions between them, BN-ReLU,
global average pooling, linear. Each edge of a search cell holds all five operations (none = x.mul(0), skip,
ReLU-Conv-BN 1x1 / 3x3, 3x3 average pooling with count_include_pad=False); a forward pass with a sampled
architecture runs each edge's chosen operation only.
BatchNorm is affine (as nas/train's supernet; the authors' search model makes it configurable); "batch" mode
gives the cells' BatchNorm track_running_stats=False, as NATS-Bench.

Per minibatch, as nas/train/shared_weights.cc: a uniformly sampled architecture, the minibatch taken from a
shuffled in-memory train split, one SGD step (Nesterov momentum 0.9, weight decay 5e-4, cross entropy);
gradients set to None between steps (so operations not sampled are not updated, as the C++ side).
Prints one line: `img/s <train>`, training images per CPU second of this process over SECONDS of CPU time
after one warm-up epoch.

usage: supernet_reference.py C N IN_CHANNELS IMAGE_SIZE [SECONDS] [running|batch] [TRAIN_IMAGES]
"""
import random
import sys
import time

import torch
import torch.nn as nn

from nb201_torch_model import OPS, Skeleton, make_op


class NAS201SearchCell(nn.Module):
    def __init__(self, c, track, max_nodes=4):
        super().__init__()
        self.max_nodes = max_nodes
        self.edges = nn.ModuleDict()
        for i in range(1, max_nodes):
            for j in range(i):
                self.edges["{:}<-{:}".format(i, j)] = nn.ModuleList([make_op(op, c, track) for op in OPS])

    def forward_dynamic(self, inputs, structure):
        # structure[i - 1]: [(op_name, j), ...] for node i, as xautodl's genotype.nodes
        nodes = [inputs]
        for i in range(1, self.max_nodes):
            inter_nodes = []
            for op_name, j in structure[i - 1]:
                inter_nodes.append(self.edges["{:}<-{:}".format(i, j)][OPS.index(op_name)](nodes[j]))
            nodes.append(sum(inter_nodes))
        return nodes[-1]


class TinyNetworkENAS(Skeleton):
    def __init__(self, c, n, in_channels, track, num_classes=10):
        super().__init__(c, n, in_channels, lambda c_stage: NAS201SearchCell(c_stage, track), num_classes)
        self.sampled_arch = None

    def run_cell(self, cell, h):
        return cell.forward_dynamic(h, self.sampled_arch)


def uniform_arch(rng):
    ops = [OPS[rng.randrange(5)] for _ in range(6)]
    return [[(ops[0], 0)], [(ops[1], 0), (ops[2], 1)], [(ops[3], 0), (ops[4], 1), (ops[5], 2)]]


def main():
    c, n, in_ch, size = (int(a) for a in sys.argv[1:5])
    seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 3.0
    track = not (len(sys.argv) > 6 and sys.argv[6] == "batch")
    train_images = int(sys.argv[7]) if len(sys.argv) > 7 else 640
    torch.set_num_threads(1)
    torch.manual_seed(1)
    rng = random.Random(1)
    net = TinyNetworkENAS(c, n, in_ch, track)
    images = torch.randn(train_images, in_ch, size, size)
    labels = torch.randint(0, 10, (train_images,))
    loss_fn = nn.CrossEntropyLoss()
    batch = 64
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)

    def epoch():
        order = torch.randperm(train_images)
        for b in range(0, train_images, batch):
            idx = order[b:b + batch]
            net.sampled_arch = uniform_arch(rng)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(images.index_select(0, idx)), labels.index_select(0, idx))
            loss.backward()
            opt.step()

    net.train()
    epoch()
    epochs, start = 0, time.process_time()
    while time.process_time() - start < seconds or epochs < 1:
        epoch()
        epochs += 1
    print("img/s %.3f" % (epochs * train_images / (time.process_time() - start)))


if __name__ == "__main__":
    main()
