#!/usr/bin/python3
"""PyTorch-Python reference for child-training throughput (benchmarks/side_by_side.cc runs it).

The NB201 authors' TinyNetwork (AutoDL-Projects, lib/models/cell_infers/tiny_network.py and cells.py,
lib/models/cell_operations.py) re-typed with the same structure as nas/train (nb201_torch_model.py): stem
conv3x3 + BN, three stages of N InferCells at C, 2C, 4C channels with ResNetBasicblock reductions between them, BN-ReLU, global average
pooling, linear. Operations: ReLU-Conv-BN 1x1 / 3x3, 3x3 average pooling (count_include_pad=False), skip.
One SGD step (Nesterov momentum 0.9, weight decay 5e-4, cross-entropy) per batch of random data, as
benchmarks/train_benchmark.cc's `throughput` mode does. Prints one line: `img/s <train> <eval>`, images per CPU
second of this process (SECONDS of CPU time each for training and half of it for evaluation).

usage: nb201_train_reference.py C N IN_CHANNELS IMAGE_SIZE [SECONDS] [THREADS] [channels_last]
(channels_last: the net and the batch in torch.channels_last memory, as the harness's NetworkSpec.channels_last;
the authors' code uses the default NCHW.)
"""
import sys
import time

import torch
import torch.nn as nn

from nb201_torch_model import Skeleton, make_op

CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"


class InferCell(nn.Module):
    def __init__(self, arch, c):
        super().__init__()
        self.layers = nn.ModuleList()
        self.node_in = []
        self.node_layers = []
        for node in arch.strip("|").split("|+|"):
            ins, lays = [], []
            for edge in node.strip("|").split("|"):
                op, src = edge.split("~")
                lays.append(len(self.layers))
                ins.append(int(src))
                self.layers.append(make_op(op, c))
            self.node_in.append(ins)
            self.node_layers.append(lays)

    def forward(self, x):
        nodes = [x]
        for ins, lays in zip(self.node_in, self.node_layers):
            nodes.append(sum(self.layers[l](nodes[i]) for l, i in zip(lays, ins)))
        return nodes[-1]


def TinyNetwork(c, n, in_channels, arch, num_classes=10):
    return Skeleton(c, n, in_channels, lambda c_stage: InferCell(arch, c_stage), num_classes)


def main():
    c, n, in_ch, size = (int(a) for a in sys.argv[1:5])
    seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 3.0
    torch.set_num_threads(int(sys.argv[6]) if len(sys.argv) > 6 else 1)
    torch.manual_seed(1)
    net = TinyNetwork(c, n, in_ch, CELL)
    channels_last = len(sys.argv) > 7 and sys.argv[7] == "channels_last"
    loss_fn = nn.CrossEntropyLoss()
    batch = 64
    x = torch.randn(batch, in_ch, size, size)
    y = torch.randint(0, 10, (batch,))
    if channels_last:
        net = net.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)

    def step():
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()

    net.train()
    for _ in range(3):
        step()
    iters, start = 0, time.process_time()
    while time.process_time() - start < seconds or iters < 5:
        step()
        iters += 1
    train = iters * batch / (time.process_time() - start)
    net.eval()
    with torch.no_grad():
        iters, start = 0, time.process_time()
        while time.process_time() - start < seconds / 2 or iters < 5:
            net(x)
            iters += 1
        evals = iters * batch / (time.process_time() - start)
    print("img/s %.3f %.3f" % (train, evals))


if __name__ == "__main__":
    main()
