"""The NB201 authors' network skeleton in PyTorch-Python, shared by the throughput references
(nb201_train_reference.py: one fixed cell; supernet_reference.py: the shared-weight search cell).

Re-typed from AutoDL-Projects / xautodl (models/cell_operations.py OPS, models/cell_infers/tiny_network.py,
models/cell_searchs/search_model_enas.py): stem conv3x3 + BN, three stages of N cells at C, 2C, 4C channels
with ResNetBasicblock reductions between them, BN-ReLU, global average pooling, linear. Operations: none
(x.mul(0)), skip, ReLU-Conv-BN 1x1 / 3x3, 3x3 average pooling with count_include_pad=False. BatchNorm is
affine; `track` is its track_running_stats.
"""
import torch.nn as nn

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]


class ReLUConvBN(nn.Module):
    def __init__(self, c_in, c_out, kernel, stride, padding, track_running_stats=True):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=False),
            nn.BatchNorm2d(c_out, affine=True, track_running_stats=track_running_stats))

    def forward(self, x):
        return self.op(x)


class Zero(nn.Module):
    def forward(self, x):
        return x.mul(0.0)


def make_op(name, c, track=True):
    if name == "none":
        return Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_1x1":
        return ReLUConvBN(c, c, 1, 1, 0, track)
    if name == "nor_conv_3x3":
        return ReLUConvBN(c, c, 3, 1, 1, track)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError(name)


class ResNetBasicblock(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, 2, 1)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, 1, 1)
        self.downsample = nn.Sequential(nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
                                        nn.Conv2d(c_in, c_out, 1, stride=1, padding=0, bias=False))

    def forward(self, x):
        return self.downsample(x) + self.conv_b(self.conv_a(x))


class Skeleton(nn.Module):
    """The network around the cells: make_cell(channels) builds one cell; run_cell(cell, h) applies it."""

    def __init__(self, c, n, in_channels, make_cell, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(in_channels, c, 3, padding=1, bias=False), nn.BatchNorm2d(c))
        cells, c_prev = [], c
        for stage in range(3):
            c_stage = c << stage
            if stage > 0:
                cells.append(ResNetBasicblock(c_prev, c_stage))
            cells += [make_cell(c_stage) for _ in range(n)]
            c_prev = c_stage
        self.cells = nn.ModuleList(cells)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c_prev), nn.ReLU(inplace=True))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_prev, num_classes)

    def run_cell(self, cell, h):
        return cell(h)

    def forward(self, x):
        h = self.stem(x)
        for cell in self.cells:
            h = cell(h) if isinstance(cell, ResNetBasicblock) else self.run_cell(cell, h)
        h = self.global_pooling(self.lastact(h))
        return self.classifier(h.view(h.size(0), -1))
