#!/usr/bin/python3
"""PyTorch-Python reference for child-training throughput (benchmarks/side_by_side.cc runs it).

The NB201 authors' TinyNetwork (AutoDL-Projects, lib/models/cell_infers/tiny_network.py and cells.py,
lib/models/cell_operations.py) re-typed with the same structure as nas/train: stem conv3x3 + BN, three stages
of N InferCells at C, 2C, 4C channels with ResNetBasicblock reductions between them, BN-ReLU, global average
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

CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"


class ReLUConvBN(nn.Module):
    def __init__(self, c_in, c_out, kernel, stride, padding):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=False),
            nn.BatchNorm2d(c_out, affine=True, track_running_stats=True))

    def forward(self, x):
        return self.op(x)


class Zero(nn.Module):
    def forward(self, x):
        return x.mul(0.0)


def make_op(name, c):
    if name == "none":
        return Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_1x1":
        return ReLUConvBN(c, c, 1, 1, 0)
    if name == "nor_conv_3x3":
        return ReLUConvBN(c, c, 3, 1, 1)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError(name)


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


class ResNetBasicblock(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, 2, 1)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, 1, 1)
        self.downsample = nn.Sequential(nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
                                        nn.Conv2d(c_in, c_out, 1, stride=1, padding=0, bias=False))

    def forward(self, x):
        return self.downsample(x) + self.conv_b(self.conv_a(x))


class TinyNetwork(nn.Module):
    def __init__(self, c, n, in_channels, arch, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(in_channels, c, 3, padding=1, bias=False), nn.BatchNorm2d(c))
        cells, c_prev = [], c
        for stage in range(3):
            c_stage = c << stage
            if stage > 0:
                cells.append(ResNetBasicblock(c_prev, c_stage))
            cells += [InferCell(arch, c_stage) for _ in range(n)]
            c_prev = c_stage
        self.cells = nn.ModuleList(cells)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c_prev), nn.ReLU(inplace=True))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_prev, num_classes)

    def forward(self, x):
        h = self.stem(x)
        for cell in self.cells:
            h = cell(h)
        h = self.global_pooling(self.lastact(h))
        return self.classifier(h.view(h.size(0), -1))


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
