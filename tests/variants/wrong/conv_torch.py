"""Right values, but torch does the work: flagged, no points."""
import torch
import torch.nn.functional as F


def conv(x, kernel, bias, stride=2, padding=1):
    out = F.conv2d(
        torch.from_numpy(x), torch.from_numpy(kernel), torch.from_numpy(bias), stride=stride, padding=padding
    )
    return out.numpy()
